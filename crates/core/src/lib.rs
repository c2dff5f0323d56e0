//! balcao-core: the kernel every balcao crate stands on.
//!
//! | module | what it holds |
//! |---|---|
//! | [`id`] | UUIDv7 id newtypes per entity |
//! | [`money`] | integer minor units with a currency |
//! | [`error`] | the one error enum and its problem document |
//! | [`config`] | configuration from the environment |
//! | [`db`] | the PostgreSQL pool, migrations, database creation |
//! | [`cache`] | Redis or in-process cache that never fails a request |
//! | [`crypto`] | AES-256-GCM with key ids, HMAC, tokens, constant-time compare |
//! | [`consent`] | the marketing-consent seam messaging asks and the customer ledger answers |
//! | [`pagination`] | opaque keyset cursors |
//! | [`patch`] | PATCH field semantics (absent vs null) |
//! | [`identity`] | users, argon2id passwords, sessions, TOTP |
//! | [`tenancy`] | stores, members, roles, permissions, API keys |
//! | [`auth`] | bearer tokens to principals to store access |
//! | [`events`] | the transactional outbox, its dispatcher, and event type declarations |
//! | [`jobs`] | the PostgreSQL job queue and worker |
//! | [`idempotency`] | Idempotency-Key storage and replay |
//! | [`inbound`] | the seam between inbound provider receivers and the crates that handle them |
//! | [`mail`] | outbound email over SMTP, or to `.eml` files |
//! | [`http`] | actix extractors, problem responses, routes (feature `http`) |

pub mod auth;
pub mod cache;
pub mod config;
pub mod consent;
pub mod context;
pub mod crypto;
pub mod db;
pub mod error;
pub mod events;
pub mod id;
pub mod idempotency;
pub mod identity;
pub mod inbound;
pub mod jobs;
pub mod limits;
pub mod mail;
pub mod money;
pub mod outbound;
pub mod pagination;
pub mod patch;
pub mod schema;
pub mod storable;
pub mod tenancy;
pub mod timestamp;

#[cfg(feature = "http")]
pub mod http;

pub use context::Core;
pub use error::{Error, Result};

/// Every event type this crate emits, for the webhook catalog.
pub fn event_types() -> std::result::Result<Vec<events::EventType>, String> {
    tenancy::events::event_types()
}
