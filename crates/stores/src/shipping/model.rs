//! Delivery zones and shipping quotes: the stored row, the API types and the quote types
//! other modules (carts, checkout) use.

use balcao_core::error::{Error, Result};
use balcao_core::money::{Currency, Money};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::schema::delivery_zones;
use crate::br::Cep;
use crate::ids::DeliveryZoneId;

/// What decides whether a zone serves an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ZoneKind {
    /// One or more CEP ranges.
    CepRange,
    /// Named neighbourhoods of one city.
    Neighborhood,
    /// A distance from a point, priced per km or by distance tiers.
    Radius,
    /// Pickup in store: available whatever the address.
    Pickup,
}

impl ZoneKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CepRange => "cep_range",
            Self::Neighborhood => "neighborhood",
            Self::Radius => "radius",
            Self::Pickup => "pickup",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "cep_range" => Some(Self::CepRange),
            "neighborhood" => Some(Self::Neighborhood),
            "radius" => Some(Self::Radius),
            "pickup" => Some(Self::Pickup),
            _ => None,
        }
    }

    /// Whether the zone delivers to the address (every kind but pickup).
    pub fn is_delivery(self) -> bool {
        self != Self::Pickup
    }
}

/// A point in decimal degrees (WGS 84).
#[derive(Serialize, Deserialize, ToSchema, Clone, Debug, PartialEq)]
pub struct Coordinates {
    /// Latitude, -90 to 90.
    #[schema(example = -23.5613, minimum = -90, maximum = 90)]
    pub lat: f64,
    /// Longitude, -180 to 180.
    #[schema(example = -46.6565, minimum = -180, maximum = 180)]
    pub lng: f64,
}

/// An inclusive range of CEPs.
#[derive(Serialize, Deserialize, ToSchema, Clone, Debug, PartialEq)]
pub struct CepRange {
    /// First CEP of the range.
    pub from: Cep,
    /// Last CEP of the range (inclusive, not before `from`).
    pub to: Cep,
}

/// Rules of a `cep_range` zone.
#[derive(Serialize, Deserialize, ToSchema, Clone, Debug, PartialEq)]
pub struct CepRangeRules {
    /// The ranges served.
    pub ranges: Vec<CepRange>,
}

/// Rules of a `neighborhood` zone: matched ignoring case and accents.
#[derive(Serialize, Deserialize, ToSchema, Clone, Debug, PartialEq)]
pub struct NeighborhoodRules {
    /// The city of the neighbourhoods.
    #[schema(example = "São Paulo")]
    pub city: String,
    /// The neighbourhoods served.
    pub neighborhoods: Vec<String>,
}

/// A distance tier: addresses farther than the previous tier and up to `up_to_km` away pay its `fee_amount`.
#[derive(Serialize, Deserialize, ToSchema, Clone, Debug, PartialEq)]
pub struct DistanceTier {
    /// Upper bound of the tier in km (inclusive).
    #[schema(exclusive_minimum = 0, maximum = 1000)]
    pub up_to_km: f64,
    /// Fee of the tier in minor units, added to the zone's base fee.
    #[schema(minimum = 0, maximum = 1_000_000_000)]
    pub fee_amount: i64,
}

/// How a radius zone prices distance.
#[derive(Serialize, Deserialize, ToSchema, Clone, Debug, PartialEq)]
#[serde(untagged)]
pub enum RadiusPricing {
    /// The base fee plus `ceil(km) * per_km_amount`.
    PerKm {
        /// Minor units per started km.
        per_km_amount: i64,
    },
    /// The base fee plus the fee of the first tier reaching the distance.
    Tiers {
        /// Tiers in ascending `up_to_km`.
        tiers: Vec<DistanceTier>,
    },
}

/// Rules of a `radius` zone.
#[derive(Serialize, Deserialize, ToSchema, Clone, Debug, PartialEq)]
pub struct RadiusRules {
    /// Where distances are measured from (the store).
    pub center: Coordinates,
    /// The farthest address served, in km (haversine distance).
    pub max_km: f64,
    /// Pricing by distance.
    pub pricing: RadiusPricing,
}

/// Rules of a `pickup` zone.
#[derive(Serialize, Deserialize, ToSchema, Clone, Debug, PartialEq)]
pub struct PickupRules {
    /// Where to pick up.
    #[schema(example = "Rua Augusta, 10 - Consolação")]
    pub address: String,
    /// Opening hours, what to bring, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instructions: Option<String>,
}

/// The kind of a zone with its rules: `{"kind": "cep_range", "rules": {...}}`.
#[derive(Serialize, Deserialize, ToSchema, Clone, Debug, PartialEq)]
#[serde(tag = "kind", content = "rules", rename_all = "snake_case")]
pub enum ZoneRules {
    /// CEP ranges.
    CepRange(CepRangeRules),
    /// Neighbourhoods of a city.
    Neighborhood(NeighborhoodRules),
    /// A radius around a point.
    Radius(RadiusRules),
    /// Pickup in store.
    Pickup(PickupRules),
}

impl ZoneRules {
    /// The kind these rules belong to.
    pub fn kind(&self) -> ZoneKind {
        match self {
            Self::CepRange(_) => ZoneKind::CepRange,
            Self::Neighborhood(_) => ZoneKind::Neighborhood,
            Self::Radius(_) => ZoneKind::Radius,
            Self::Pickup(_) => ZoneKind::Pickup,
        }
    }

    /// The `rules` column (the content without the kind).
    pub fn to_stored(&self) -> Result<serde_json::Value> {
        let value = match self {
            Self::CepRange(r) => serde_json::to_value(r),
            Self::Neighborhood(r) => serde_json::to_value(r),
            Self::Radius(r) => serde_json::to_value(r),
            Self::Pickup(r) => serde_json::to_value(r),
        };
        value.map_err(Error::internal)
    }

    /// Rules from the `kind` and `rules` columns.
    pub fn from_stored(kind: &str, rules: serde_json::Value) -> Result<Self> {
        serde_json::from_value(serde_json::json!({ "kind": kind, "rules": rules }))
            .map_err(|e| Error::internal(format!("stored delivery zone rules: {e}")))
    }
}

/// A delivery zone row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = delivery_zones)]
pub struct DeliveryZoneRow {
    pub store_id: uuid::Uuid,
    pub id: uuid::Uuid,
    pub name: String,
    pub kind: String,
    pub active: bool,
    pub position: i32,
    pub fee_amount: i64,
    pub free_above_amount: Option<i64>,
    pub minimum_order_amount: Option<i64>,
    pub estimated_days: Option<i32>,
    pub rules: serde_json::Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A delivery zone: one shipping method of the store.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DeliveryZone {
    /// The zone's id (the `method_id` of its shipping options).
    pub id: DeliveryZoneId,
    /// Name shown to shoppers.
    #[schema(example = "Entrega expressa - Zona Oeste")]
    pub name: String,
    /// `kind` and the kind's `rules`.
    #[serde(flatten)]
    pub rules: ZoneRules,
    /// Whether quotes offer it.
    pub active: bool,
    /// Order in the staff list (ascending).
    pub position: i32,
    /// Base fee.
    pub fee: Money,
    /// Free shipping when the subtotal is at or above this.
    pub free_above: Option<Money>,
    /// Not offered below this subtotal.
    pub minimum_order: Option<Money>,
    /// Delivery in this many days (pickup: ready in this many days).
    pub estimated_days: Option<i32>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl DeliveryZone {
    /// The zone of a row, with amounts in the store's currency.
    pub fn from_row(row: DeliveryZoneRow, currency: Currency) -> Result<Self> {
        let money = |amount| Money::new(amount, currency);
        Ok(Self {
            id: DeliveryZoneId(row.id),
            rules: ZoneRules::from_stored(&row.kind, row.rules)?,
            name: row.name,
            active: row.active,
            position: row.position,
            fee: money(row.fee_amount),
            free_above: row.free_above_amount.map(money),
            minimum_order: row.minimum_order_amount.map(money),
            estimated_days: row.estimated_days,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }

    /// The zone's kind.
    pub fn kind(&self) -> ZoneKind {
        self.rules.kind()
    }
}

/// The address and cart a shipping quote is for.
#[derive(Debug, Clone, PartialEq)]
pub struct QuoteRequest {
    /// The destination CEP.
    pub cep: Cep,
    /// The destination neighbourhood, for `neighborhood` zones.
    pub neighborhood: Option<String>,
    /// The destination city; when given, `neighborhood` zones of other cities do not match.
    pub city: Option<String>,
    /// The destination point, for `radius` zones.
    pub coordinates: Option<Coordinates>,
    /// The cart's subtotal, in the store's currency.
    pub subtotal: Money,
}

/// One way to get the order: a zone that serves the address, priced.
#[derive(Serialize, Deserialize, ToSchema, Clone, Debug)]
pub struct ShippingOption {
    /// The zone; send it back as `delivery_method_id` at checkout.
    pub method_id: DeliveryZoneId,
    /// The zone's kind (`pickup` for pickup in store).
    pub kind: ZoneKind,
    /// The zone's name.
    pub name: String,
    /// What the shopper pays for it (zero when `free_shipping`).
    pub fee: Money,
    /// Whether the subtotal reached the zone's free-shipping threshold.
    pub free_shipping: bool,
    /// Delivery (or ready for pickup) in this many days.
    pub estimated_days: Option<i32>,
    /// Distance from the store in km, rounded to 0.01 (radius zones only).
    pub distance_km: Option<f64>,
}

/// The shipping options for an address, cheapest first.
#[derive(Serialize, Deserialize, ToSchema, Clone, Debug)]
pub struct ShippingQuote {
    /// The destination CEP, formatted (`01310-100`).
    #[schema(example = "01310-100")]
    pub cep: String,
    /// Whether a delivery zone (not pickup) covers the address.
    pub covered: bool,
    /// Every option for this address and subtotal, by fee (then the zones' position).
    pub options: Vec<ShippingOption>,
    /// A note for the shopper when delivery is not available.
    pub message: Option<String>,
}
