//! balcao-webhooks: signed outbound webhook deliveries and verified inbound provider receivers.
//!
//! | module | what it holds |
//! |---|---|
//! | [`signing`] | Standard Webhooks secrets, signatures and the `webhook-signature` header |
//! | [`events`] | the catalog of event types (assembled by the gateway from real payload types) |
//! | [`delivery`] | outbound delivery: the subscriber, the signed and retried send job, attempt logs, resend and recover |
//! | [`delivery::events`] | The events webhook delivery emits |
//! | [`delivery::health`] | endpoint health: failure streaks and automatic disabling |
//! | [`delivery::http`] | Staff handlers for an endpoint's deliveries |
//! | [`delivery::job`] | The job that sends one delivery |
//! | [`delivery::model`] | Delivery and attempt rows and API types |
//! | [`delivery::notify`] | Tells a store's owners, by email, that balcao disabled one of their webhook endpoints |
//! | [`delivery::schema`] | Diesel tables of deliveries and their attempts |
//! | [`delivery::send`] | One signed request to an endpoint |
//! | [`delivery::service`] | Staff operations on deliveries |
//! | [`delivery::subscriber`] | The event subscriber that turns a store event into one delivery per interested endpoint |
//! | [`endpoints`] | per-store endpoints: CRUD, validation, sealed secrets and rotation |
//! | [`endpoints::http`] | Staff handlers for webhook endpoints, and the public event catalog |
//! | [`endpoints::model`] | Endpoint rows and API types |
//! | [`endpoints::service`] | Endpoints on PostgreSQL, with their signing secrets sealed by the keyring |
//! | [`endpoints::validate`] | Validation of endpoint forms |
//! | [`inbound`] | signature checks for provider webhooks: Meta, Stripe, PagBank, Twilio, Zenvia, EFI; IP allowlists; the [`inbound::receiver`] routes, sources, events and handler registry |
//! | [`problems`] | the problem codes webhooks answers, with their status and meaning |
//! | [`inbound::efi`] | EFI (Gerencianet) PIX webhooks |
//! | [`inbound::ip`] | CIDR allowlists for inbound webhooks, IPv4 and IPv6, parsed without extra crates |
//! | [`inbound::meta`] | Meta (WhatsApp Cloud API, Instagram) webhooks |
//! | [`inbound::pagbank`] | PagBank webhooks |
//! | [`inbound::receiver::config`] | Per-provider receiver configuration |
//! | [`inbound::receiver::extract`] | What the receiver reads from an accepted body |
//! | [`inbound::receiver::http`] | Staff handlers for inbound sources and events, and the public receiver routes |
//! | [`inbound::receiver::job`] | processing of accepted deliveries: the `inbound.process` job |
//! | [`inbound::receiver::model`] | Receiver rows and API types |
//! | [`inbound::receiver::provider`] | The providers that may call a store's inbound receiver |
//! | [`inbound::receiver::schema`] | Diesel tables of the inbound receivers |
//! | [`inbound::receiver::service`] | Receivers on PostgreSQL |
//! | [`inbound::receiver::verify`] | One verification entry point over the pure per-provider verifiers |
//! | [`inbound::stripe`] | Stripe webhooks |
//! | [`inbound::twilio`] | Twilio webhooks |
//! | [`inbound::zenvia`] | Zenvia webhooks |
//! | [`schema`] | diesel tables |
//! | [`http`] | `Services` and `configure`, the routes under `/v1` (feature `http`) |
//!
//! The test send is not built yet.

pub mod delivery;
pub mod endpoints;
pub mod events;
pub mod inbound;
pub mod problems;
pub mod schema;
pub mod signing;

#[cfg(feature = "http")]
pub mod http;

/// Every event type this crate emits, for the webhook catalog.
pub fn event_types() -> Result<Vec<balcao_core::events::EventType>, String> {
    delivery::events::event_types()
}
