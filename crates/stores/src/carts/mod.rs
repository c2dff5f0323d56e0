//! Storefront carts, priced from the current catalog on every read, and checkout.

pub mod access;
pub mod checkout;
#[cfg(feature = "http")]
pub mod http;
pub mod model;
pub mod payments;
pub mod pricing;
pub mod service;
pub mod view;

pub use access::PgCartService;
pub use model::*;
pub use payments::{CheckoutPayments, StartPayment};
pub use pricing::PricingDeps;
pub use service::CartService;
