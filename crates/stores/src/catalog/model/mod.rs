//! Catalog rows and API types.

mod category;
mod inventory;
mod product;

pub use category::*;
pub use inventory::*;
pub use product::*;
