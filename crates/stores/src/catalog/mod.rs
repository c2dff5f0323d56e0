//! The catalog: categories, products with options and variants, images, inventory and search.

pub mod cache;
pub mod categories;
pub mod events;
#[cfg(feature = "http")]
pub mod http;
pub mod inventory;
pub mod load;
pub mod model;
pub mod products;
pub mod query;
pub mod slugs;
pub mod validate;
pub mod variants;
pub mod writes;

pub use categories::{CategoryService, PgCategoryService};
pub use inventory::{InventoryService, PgInventoryService};
pub use model::*;
pub use products::{PgProductService, ProductService};
pub use query::{Audience, ProductFilter, ProductSort};
pub use variants::{PgVariantService, VariantService};
