//! Orders: the lifecycle state machine, timeline, stock reservations, expiry of unpaid orders,
//! and backdating for demo data.

pub mod backdate;
pub mod events;
pub mod expiry;
#[cfg(feature = "http")]
pub mod http;
pub mod ledger;
pub mod model;
pub mod schema;
pub mod service;
pub mod status;
pub mod stock;

pub use model::*;
pub use service::{Actor, OrderService, PgOrderService};
pub use status::OrderStatus;
