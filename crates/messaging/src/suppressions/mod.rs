//! The suppression list as staff see it: who opted out of marketing on which channel kind,
//! recorded by keyword (`PARE`), one-click unsubscribe or staff, and removed to opt back in.
//! The checks at send time live in [`crate::consent`].

#[cfg(feature = "http")]
pub mod http;
pub mod model;
pub mod service;

pub use model::*;
pub use service::{PgSuppressionService, SuppressionService, unsuppress};
