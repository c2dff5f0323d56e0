//! balcao-stores: commerce for a store.
//!
//! | module | what it holds |
//! |---|---|
//! | [`catalog`] | categories, products, options and variants, images, inventory, search |
//! | [`customers`] | customers, addresses, LGPD consent, customer tokens, wishlists |
//! | [`coupons`] | discount coupons: staff CRUD, evaluation against carts, redemption at checkout |
//! | [`carts`] | storefront carts priced from the current catalog, and checkout |
//! | [`orders`] | the order lifecycle, timeline, stock reservations and expiry |
//! | [`orders::ledger`] | the seam other crates move orders through, in their own transactions |
//! | [`analytics`] | sales figures by SQL aggregates |
//! | [`br`] | Brazilian identifiers: CPF/CNPJ, phones (E.164), CEP |
//! | [`shipping`] | delivery zones (CEP ranges, neighbourhoods, radius, pickup) and shipping quotes |
//! | [`storefront`] | the public, cached storefront by store slug |
//! | [`ids`] | id types of the commerce entities |
//! | [`http`] | `Services` and `configure`, the routes under `/v1` (feature `http`) |
//!
//! Services are traits with PostgreSQL implementations; they take `balcao-core`'s
//! `Core` and never see actix types. Every query filters by `store_id`.

pub mod analytics;
pub mod br;
pub mod carts;
pub mod catalog;
pub mod coupons;
pub mod customers;
pub mod ids;
pub mod orders;
pub mod schema;
pub mod shipping;
pub mod storefront;

#[cfg(feature = "http")]
pub mod http;

/// Every event type this crate emits, for the webhook catalog.
pub fn event_types() -> Result<Vec<balcao_core::events::EventType>, String> {
    Ok([orders::events::event_types()?, catalog::events::event_types()?, customers::events::event_types()?].concat())
}
