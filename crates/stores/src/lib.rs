//! balcao-stores: commerce for a store.
//!
//! | module | what it holds |
//! |---|---|
//! | [`catalog`] | categories, products, options and variants, images, inventory, search |
//! | [`customers`] | customers, addresses, LGPD consent, customer tokens, wishlists |
//! | [`br`] | Brazilian identifiers: CPF/CNPJ, phones (E.164), CEP |
//! | [`storefront`] | the public, cached storefront by store slug |
//! | [`ids`] | id types of the commerce entities |
//! | [`http`] | `Services` and `configure`, the routes under `/v1` (feature `http`) |
//!
//! Services are traits with PostgreSQL implementations; they take `balcao-core`'s
//! `Core` and never see actix types. Every query filters by `store_id`.

pub mod br;
pub mod catalog;
pub mod customers;
pub mod ids;
pub mod schema;
pub mod storefront;

#[cfg(feature = "http")]
pub mod http;
