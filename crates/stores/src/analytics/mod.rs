//! Sales analytics computed by SQL aggregates.

#[cfg(feature = "http")]
pub mod http;
pub mod service;

pub use service::{Analytics, AnalyticsService, Period, PgAnalyticsService};
