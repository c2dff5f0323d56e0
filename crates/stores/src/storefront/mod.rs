//! The public storefront: active products, one product, categories; cached per store.

#[cfg(feature = "http")]
pub mod http;
pub mod model;
pub mod service;

pub use model::{StorefrontCategory, StorefrontProduct, StorefrontVariant};
pub use service::{CachedStorefront, StorefrontService};
