//! A store's accounts at payment providers: which provider takes each method, credentials
//! sealed at rest and never returned. A method without an account pays through the sandbox.
//!
//! - [`model`]: the account as staff see and set it, and what each provider needs.
//! - [`service`]: accounts in PostgreSQL, opened for the providers.
//! - [`http`] (feature `http`): `GET|PUT|DELETE .../payment-accounts`.

#[cfg(feature = "http")]
pub mod http;
pub mod model;
pub mod service;

pub use model::{PaymentAccount, UpsertAccount};
