//! Request bodies for delivery zones and the storefront quote.
//!
//! `rules` arrives as [`RulesInput`], the union of every kind's fields, so type errors are
//! reported at their path by the JSON extractor; [`validate::zone_rules`](super::validate::zone_rules)
//! then checks it against the zone's kind and builds the strict [`ZoneRules`](super::model::ZoneRules).

use balcao_core::error::{Error, Result, Validator};
use balcao_core::money::{Currency, Money, MoneyInput};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::fields::{cep, check_coordinates, required};
use super::model::{Coordinates, DistanceTier, QuoteRequest, ZoneKind};

/// `POST .../delivery-zones`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct CreateDeliveryZone {
    /// Name shown to shoppers, 1 to 100 characters.
    pub name: String,
    /// What decides whether the zone serves an address.
    pub kind: ZoneKind,
    /// The kind's rules.
    pub rules: RulesInput,
    /// Whether quotes offer it (default true).
    pub active: Option<bool>,
    /// Order in the staff list (default 0).
    #[schema(minimum = -2_147_483_648, maximum = 2_147_483_647)]
    pub position: Option<i32>,
    /// Base fee in the store's currency (default zero).
    #[schema(value_type = Option<MoneyInput>)]
    pub fee: Option<Money>,
    /// Free shipping when the subtotal is at or above this.
    #[schema(value_type = Option<MoneyInput>)]
    pub free_above: Option<Money>,
    /// Not offered below this subtotal.
    #[schema(value_type = Option<MoneyInput>)]
    pub minimum_order: Option<Money>,
    /// Delivery (pickup: ready) in this many days, 0 to 365.
    #[schema(minimum = 0, maximum = 365)]
    pub estimated_days: Option<i32>,
}

/// `PATCH .../delivery-zones/{id}`: only given fields change; `null` clears an optional one.
/// A new `kind` needs new `rules`; `rules` alone are checked against the current kind.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, ToSchema)]
pub struct UpdateDeliveryZone {
    /// Name.
    pub name: Option<String>,
    /// Kind (with `rules`).
    pub kind: Option<ZoneKind>,
    /// Rules, replacing the current ones.
    pub rules: Option<RulesInput>,
    /// Whether quotes offer it.
    pub active: Option<bool>,
    /// Order in the staff list.
    #[schema(minimum = -2_147_483_648, maximum = 2_147_483_647)]
    pub position: Option<i32>,
    /// Base fee.
    #[schema(value_type = Option<MoneyInput>)]
    pub fee: Option<Money>,
    /// Free-shipping threshold.
    #[serde(default, deserialize_with = "balcao_core::patch::double_option")]
    #[schema(value_type = Option<MoneyInput>)]
    pub free_above: Option<Option<Money>>,
    /// Minimum order.
    #[serde(default, deserialize_with = "balcao_core::patch::double_option")]
    #[schema(value_type = Option<MoneyInput>)]
    pub minimum_order: Option<Option<Money>>,
    /// Estimated days.
    #[serde(default, deserialize_with = "balcao_core::patch::double_option")]
    #[schema(value_type = Option<i32>, minimum = 0, maximum = 365)]
    pub estimated_days: Option<Option<i32>>,
}

/// The rules of any kind; each kind takes only its own fields.
///
/// - `cep_range`: `ranges`
/// - `neighborhood`: `city`, `neighborhoods`
/// - `radius`: `center`, `max_km`, `pricing` (`per_km_amount` or `tiers`)
/// - `pickup`: `address`, `instructions`
#[derive(Debug, Clone, Default, PartialEq, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RulesInput {
    /// CEP ranges (`cep_range`).
    pub ranges: Option<Vec<CepRangeInput>>,
    /// City (`neighborhood`).
    pub city: Option<String>,
    /// Neighbourhoods (`neighborhood`), matched ignoring case and accents.
    pub neighborhoods: Option<Vec<String>>,
    /// Where distances are measured from (`radius`).
    pub center: Option<Coordinates>,
    /// Farthest distance served in km (`radius`).
    #[schema(exclusive_minimum = 0, maximum = 1000)]
    pub max_km: Option<f64>,
    /// Distance pricing (`radius`).
    pub pricing: Option<PricingInput>,
    /// Pickup address (`pickup`).
    pub address: Option<String>,
    /// Pickup instructions (`pickup`).
    pub instructions: Option<String>,
}

/// A CEP range as sent.
#[derive(Debug, Clone, PartialEq, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CepRangeInput {
    /// First CEP.
    #[schema(example = "01000-000")]
    pub from: String,
    /// Last CEP (inclusive).
    #[schema(example = "05999-999")]
    pub to: String,
}

/// Radius pricing as sent: exactly one of `per_km_amount` and `tiers`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PricingInput {
    /// Minor units per started km, added to the base fee.
    #[schema(minimum = 0, maximum = 1_000_000_000)]
    pub per_km_amount: Option<i64>,
    /// Distance tiers in ascending `up_to_km`; the last reaches `max_km`.
    pub tiers: Option<Vec<DistanceTier>>,
}

/// `GET /storefront/{slug}/shipping-quote` parameters.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QuoteParams {
    /// Destination CEP (`01310-100` or `01310100`).
    pub cep: String,
    /// Destination neighbourhood, for neighbourhood zones.
    pub neighborhood: Option<String>,
    /// Destination city.
    pub city: Option<String>,
    /// Destination latitude, for radius zones (with `lng`).
    #[param(minimum = -90, maximum = 90)]
    pub lat: Option<f64>,
    /// Destination longitude (with `lat`).
    #[param(minimum = -180, maximum = 180)]
    pub lng: Option<f64>,
    /// Cart subtotal in minor units of the store's currency (default 0).
    #[param(minimum = 0, maximum = 9_223_372_036_854_775_807_i64)]
    pub subtotal: Option<i64>,
}

impl QuoteParams {
    /// The quote request, with the subtotal in `currency`; 422 naming `cep`, `lat`, `lng` or `subtotal`.
    pub fn into_request(self, currency: Currency) -> Result<QuoteRequest> {
        let mut v = Validator::new();
        let cep = cep(&mut v, "cep", &self.cep);
        let coordinates = match (self.lat, self.lng) {
            (Some(lat), Some(lng)) => {
                let point = Coordinates { lat, lng };
                check_coordinates(&mut v, "", &point);
                Some(point)
            }
            (Some(_), None) => required(&mut v, "lng", "must come with lat"),
            (None, Some(_)) => required(&mut v, "lat", "must come with lng"),
            (None, None) => None,
        };
        let subtotal = self.subtotal.unwrap_or(0);
        v.check(subtotal >= 0, "subtotal", "out_of_range", "must not be negative");
        v.finish()?;
        Ok(QuoteRequest {
            cep: cep.ok_or_else(|| Error::internal("a validated CEP is missing"))?,
            neighborhood: self.neighborhood.filter(|n| !n.trim().is_empty()),
            city: self.city.filter(|c| !c.trim().is_empty()),
            coordinates,
            subtotal: Money::new(subtotal, currency),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quote_params_name_the_parameter() {
        let field = |p: QuoteParams| match p.into_request(Currency::BRL) {
            Err(Error::Validation(errs)) => errs[0].field.clone(),
            other => panic!("{other:?}"),
        };
        assert_eq!(field(QuoteParams { cep: "123".into(), ..Default::default() }), "cep");
        assert_eq!(field(QuoteParams { cep: "01310-100".into(), lat: Some(1.0), ..Default::default() }), "lng");
        assert_eq!(
            field(QuoteParams { cep: "01310-100".into(), subtotal: Some(-1), ..Default::default() }),
            "subtotal"
        );
        let ok = QuoteParams { cep: "01310100".into(), neighborhood: Some(" ".into()), ..Default::default() };
        let req = ok.into_request(Currency::BRL).unwrap();
        assert_eq!((req.cep.formatted(), req.neighborhood, req.subtotal), ("01310-100".into(), None, Money::brl(0)));
    }
}
