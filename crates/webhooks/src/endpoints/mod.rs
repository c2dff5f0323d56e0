//! Outbound endpoints: where a store's events are delivered, and the secrets that sign them.

#[cfg(feature = "http")]
pub mod http;
pub mod model;
pub mod service;
pub mod validate;

pub use model::*;
pub use service::{EndpointService, PgEndpointService};
