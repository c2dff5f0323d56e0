//! balcao-stores: commerce for a store.
//!
//! | module | what it holds |
//! |---|---|
//! | [`catalog`] | categories, products, options and variants, images, inventory, search |
//! | [`catalog::cache`] | the storefront cache's per-store version, bumped by every catalog write |
//! | [`catalog::categories`] | categories: CRUD and the category tree |
//! | [`catalog::events`] | The events the catalog emits, written to the outbox in the transaction that makes the change |
//! | [`catalog::http`] | Staff handlers for categories, products, variants and inventory |
//! | [`catalog::inventory`] | stock levels per variant, adjustments and the low-stock event |
//! | [`catalog::load`] | Loads a page of products' variants, images and categories in three queries, whatever the page size |
//! | [`catalog::model`] | Catalog rows and API types |
//! | `catalog::model::category` | Category rows and API types |
//! | `catalog::model::inventory` | stock rows and API types |
//! | `catalog::model::product` | Product, variant and image rows and API types |
//! | [`catalog::products`] | products: CRUD, listing and search |
//! | [`catalog::query`] | The product list query |
//! | [`catalog::slugs`] | URL names for categories and products |
//! | [`catalog::validate`] | Validation of product input |
//! | [`catalog::variants`] | variants of a product: options, prices, SKUs |
//! | [`catalog::writes`] | Shared writes of products and variants |
//! | [`customers`] | customers, addresses, LGPD consent, customer tokens, wishlists |
//! | [`customers::addresses`] | customer addresses, validated by CEP and UF |
//! | [`customers::consents`] | LGPD consent per channel and purpose, as a ledger |
//! | [`customers::events`] | The events customers emit, written to the outbox in the transaction that makes the change |
//! | [`customers::http`] | Staff handlers for customers, addresses, consent, customer tokens and wishlists |
//! | [`customers::load`] | Shared reads and writes of customers |
//! | [`customers::marketing`] | the consent ledger's answer to whoever markets to a contact (core's `MarketingConsentLedger`) |
//! | [`customers::model`] | Customer and address rows and API types |
//! | [`customers::profiles`] | customer profiles: CRUD, search and tags |
//! | [`customers::shopper`] | the shopper's side: their own profile and wishlist through a customer token |
//! | [`customers::tokens`] | customer tokens that let a shopper act as a customer |
//! | [`customers::validate`] | Validation and normalization of customer input |
//! | [`customers::wishlist`] | wishlists |
//! | [`coupons`] | discount coupons: staff CRUD, evaluation against carts, redemption at checkout |
//! | [`coupons::http`] | Staff handlers for coupons |
//! | [`coupons::model`] | Coupon rows, API types, and the cart view coupons are evaluated against |
//! | [`coupons::rules`] | The rules a coupon must pass against a cart, and what it gives |
//! | [`coupons::schema`] | Diesel tables of coupons, written by hand to match migrations/2026-11-29-000004_coupons |
//! | [`coupons::service`] | Coupons on PostgreSQL |
//! | [`coupons::validate`] | Staff input for coupons |
//! | [`carts`] | storefront carts priced from the current catalog, and checkout |
//! | [`carts::access`] | `PgCartService`'s handles and how its parts reach an open cart |
//! | [`carts::checkout`] | checkout: validation, stock reservation, coupon redemption, the order |
//! | [`carts::http`] | storefront handlers for carts and checkout (public; the cart id is the credential) |
//! | [`carts::model`] | Cart and checkout API types |
//! | [`carts::payments`] | the payment seam checkout calls (`CheckoutPayments`) |
//! | [`carts::pricing`] | Prices a cart from the current catalog |
//! | [`carts::service`] | carts by unguessable id: `CartService` |
//! | [`carts::view`] | a cart as the shopper sees it, priced, with its shipping options |
//! | [`orders`] | the order lifecycle, timeline, stock reservations and expiry |
//! | [`problems`] | the problem codes stores answers, with their status and meaning |
//! | [`orders::ledger`] | the seam other crates move orders through, in their own transactions |
//! | [`orders::backdate`] | Moving an order back in time, for demo data and fixtures that need a history |
//! | [`orders::events`] | The events orders emit, written to the outbox in the transaction that makes the change |
//! | [`orders::expiry`] | Unpaid orders expire after the payment window |
//! | [`orders::http`] | Staff handlers for orders |
//! | [`orders::model`] | Order rows and API types |
//! | [`orders::schema`] | Diesel tables for carts and orders (migrations/2026-11-29-000005_orders) |
//! | [`orders::service`] | orders: listing, reading, moving through the lifecycle, the timeline |
//! | [`orders::status`] | The order lifecycle as an explicit state machine |
//! | [`orders::stock`] | stock reserved, released and consumed by orders |
//! | [`analytics`] | sales figures by SQL aggregates |
//! | [`analytics::http`] | The analytics handler |
//! | [`analytics::service`] | Sales analytics |
//! | [`br`] | Brazilian identifiers: CPF/CNPJ, phones (E.164), CEP |
//! | [`br::cep`] | CEP (Código de Endereçamento Postal, the Brazilian postal code) and state (UF) codes |
//! | [`br::document`] | CPF and CNPJ |
//! | [`br::phone`] | Brazilian phone numbers to E.164 |
//! | [`shipping`] | delivery zones (CEP ranges, neighbourhoods, radius, pickup) and shipping quotes |
//! | `shipping::fields` | field checks shared by request bodies and zone rules: required fields, CEPs, coordinates |
//! | [`shipping::http`] | Staff handlers for delivery zones, and the public shipping quote by store slug |
//! | [`shipping::input`] | Request bodies for delivery zones and the storefront quote |
//! | [`shipping::model`] | Delivery zones and shipping quotes |
//! | [`shipping::quote`] | pure shipping logic: distance, coverage, fees, free shipping, minimum orders |
//! | [`shipping::schema`] | Diesel table definition for `delivery_zones` |
//! | [`shipping::service`] | Delivery zones on PostgreSQL, and the quotes made from them |
//! | [`shipping::validate`] | Validation of delivery zones |
//! | [`storefront`] | the public, cached storefront by store slug |
//! | [`storefront::http`] | Public storefront handlers, by store slug |
//! | [`storefront::model`] | What shoppers see |
//! | [`storefront::service`] | The public storefront, by store slug, served from the cache |
//! | [`ids`] | id types of the commerce entities |
//! | [`http`] | `Services` and `configure`, the routes under `/v1` (feature `http`) |
//! | [`schema`] | Diesel table definitions for the tables balcao-stores owns |
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
pub mod problems;
pub mod schema;
pub mod shipping;
pub mod storefront;

#[cfg(feature = "http")]
pub mod http;

/// Every event type this crate emits, for the webhook catalog.
pub fn event_types() -> Result<Vec<balcao_core::events::EventType>, String> {
    Ok([orders::events::event_types()?, catalog::events::event_types()?, customers::events::event_types()?].concat())
}
