//! Inbound receivers: `/v1/inbound/{provider}/{store_id}` for WhatsApp, Instagram, Stripe,
//! EFI, PagBank, Zenvia and Twilio.
//!
//! A delivery is checked against the store's source for the provider (optional IP allowlist,
//! then the provider's signature via the pure verifiers in [`crate::inbound`]). A refused one
//! answers 401 (403 for the address) and stores nothing. An accepted one is stored raw, once per
//! provider event id ([`extract`]), and the `inbound.process` job ([`job`]) hands it to the
//! [`InboundHandler`]s the owning crates register; staff can list, inspect and replay events.
//!
//! | module | what it holds |
//! |---|---|
//! | [`provider`] | the [`Provider`] enum |
//! | [`config`] | per-provider secrets and settings, sealed at rest |
//! | [`verify`] | [`InboundRequest`] and the dispatch to each verifier |
//! | [`extract`] | event id, event type and kept headers of a body |
//! | [`model`] | rows and API types |
//! | [`service`] | [`InboundService`] and its PostgreSQL implementation |
//! | [`job`] | [`InboundHandler`], [`InboundHandlers`] and the [`InboundProcessJob`] |
//! | [`http`] | staff routes and the public receiver (feature `http`) |

pub mod config;
pub mod extract;
#[cfg(feature = "http")]
pub mod http;
pub mod job;
pub mod model;
pub mod provider;
pub mod schema;
pub mod service;
pub mod verify;

pub use config::SourceSecrets;
pub use job::{InboundEvent, InboundHandler, InboundHandlers, InboundProcessJob, PROCESS_JOB};
pub use model::*;
pub use provider::Provider;
pub use service::{InboundService, PgInboundService, ReceiveError};
pub use verify::InboundRequest;

/// The largest body a receiver accepts (1 MiB); larger ones answer 413.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// The most entries in a source's IP allowlist.
pub const MAX_ALLOWLIST: usize = 50;
