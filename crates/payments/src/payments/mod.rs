//! Payments of orders: creating charges through the store's provider, settling them from the
//! provider's word, reading them, and the events they emit.
//!
//! - [`model`]: payments, their state machine and API types.
//! - [`service`]: [`PaymentService`] and its PostgreSQL implementation.
//! - [`create`]: creating a payment, in phases (replay, reserve, charge, record).
//! - [`settle`]: confirmation, failure and expiry, each with its event and the order's move.
//! - [`rows`]: reading and locking payment rows.
//! - [`events`]: `payment.confirmed` and `payment.failed`.
//! - [`http`] (feature `http`): the staff payment routes.

pub mod create;
pub mod events;
#[cfg(feature = "http")]
pub mod http;
pub mod model;
pub mod rows;
pub mod service;
pub mod settle;

pub use create::{BOLETO_CLEARING, BOLETO_EXPIRY, MIN_PIX_EXPIRY, PIX_EXPIRY};
pub use model::{CreatePayment, Method, Payment, PaymentId, PaymentStatus, Simulate};
pub use service::{PaymentService, PgPaymentService, check_key};
pub use settle::{Outcome, Settler};
