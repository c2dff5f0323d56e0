//! Shipping: a store's delivery zones and the quotes made from them.
//!
//! | module | what it holds |
//! |---|---|
//! | [`model`] | zones and their kind-specific rules; [`QuoteRequest`], [`ShippingOption`], [`ShippingQuote`] |
//! | [`input`] | request bodies: zones (with `rules` of any kind) and the storefront quote's parameters |
//! | `fields` | field checks both use: required fields, CEPs, coordinates |
//! | [`validate`] | amounts, days and each kind's rules; 422s name fields such as `rules.ranges[0].to` |
//! | [`quote`] | pure pricing: haversine distance, coverage, fees, free shipping, minimum orders |
//! | [`service`] | [`DeliveryService`] and its PostgreSQL implementation |
//! | [`schema`] | the `delivery_zones` table |
//! | `http` | staff CRUD under `/stores/{store_id}/delivery-zones`, `GET /storefront/{slug}/shipping-quote` |
//!
//! Carts and checkout call [`DeliveryService::quote`] to list the options for an address and
//! [`DeliveryService::option`] to price the one the shopper chose.

mod fields;
#[cfg(feature = "http")]
pub mod http;
pub mod input;
pub mod model;
pub mod quote;
pub mod schema;
pub mod service;
pub mod validate;

pub use input::{CreateDeliveryZone, QuoteParams, RulesInput, UpdateDeliveryZone};
pub use model::{
    CepRange, CepRangeRules, Coordinates, DeliveryZone, DistanceTier, NeighborhoodRules, PickupRules, QuoteRequest,
    RadiusPricing, RadiusRules, ShippingOption, ShippingQuote, ZoneKind, ZoneRules,
};
pub use service::{DeliveryService, PgDeliveryService};
