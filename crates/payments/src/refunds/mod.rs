//! Refunds of captured payments: never more than was captured in total.
//!
//! - [`model`]: the refund row (also the API shape) and its request.
//! - [`service`]: refunding in phases through the payment's provider, and listing.
//! - [`http`] (feature `http`): `POST|GET .../payments/{id}/refunds`.

#[cfg(feature = "http")]
pub mod http;
pub mod model;
pub mod service;

pub use model::{CreateRefund, MAX_REASON, Refund, RefundId};
