//! balcao-stores: commerce: catalog, customers, carts, checkout, orders, coupons, delivery zones, wishlists, storefront and analytics.
//!
//! Module map:
//! - [`http`] (feature `http`): `configure`, which registers this crate's routes under `/v1`.
//!
//! The crate stands on `balcao-core` for ids, errors, the database, events and jobs;
//! its areas each get `model`, `service` and `http` modules as they are built.

pub mod br;

#[cfg(feature = "http")]
pub mod http;
