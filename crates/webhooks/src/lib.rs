//! balcao-webhooks: signed outbound webhook deliveries and verified inbound provider receivers.
//!
//! | module | what it holds |
//! |---|---|
//! | [`signing`] | Standard Webhooks secrets, signatures and the `webhook-signature` header |
//! | [`events`] | the catalog of event types (assembled by the gateway from real payload types) |
//! | [`delivery`] | outbound delivery: the subscriber, the signed and retried send job, attempt logs, resend and recover |
//! | [`endpoints`] | per-store endpoints: CRUD, validation, sealed secrets and rotation |
//! | [`inbound`] | signature checks for provider webhooks: Meta, Stripe, PagBank, Twilio, Zenvia, EFI; IP allowlists; the [`inbound::receiver`] routes, sources, events and handler registry |
//! | [`schema`] | diesel tables |
//! | [`http`] | `Services` and `configure`, the routes under `/v1` (feature `http`) |
//!
//! The test send is not built yet.

pub mod delivery;
pub mod endpoints;
pub mod events;
pub mod inbound;
pub mod schema;
pub mod signing;

#[cfg(feature = "http")]
pub mod http;

/// Every event type this crate emits, for the webhook catalog.
pub fn event_types() -> Result<Vec<balcao_core::events::EventType>, String> {
    delivery::events::event_types()
}
