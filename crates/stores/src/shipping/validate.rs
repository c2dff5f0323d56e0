//! Validation of delivery zones: amounts, days and each kind's rules, naming fields such as
//! `rules.ranges[0].to`, `rules.center.lat` or `rules.pricing.tiers[1].up_to_km`.

use balcao_core::error::{FieldError, Validator};
use balcao_core::money::{Currency, Money};

use super::fields::{cep, check_coordinates, required};
use super::input::RulesInput;
use super::model::{
    CepRange, CepRangeRules, DistanceTier, NeighborhoodRules, PickupRules, RadiusPricing, RadiusRules, ZoneKind,
    ZoneRules,
};
use super::quote::fold;

/// Largest fee, threshold or minimum order: 10,000,000.00 in minor units, as every money input.
pub const MAX_AMOUNT: i64 = balcao_core::money::MAX_INPUT_AMOUNT;
/// Largest radius, in km.
pub const MAX_KM: f64 = 1_000.0;
const MAX_RANGES: usize = 100;
const MAX_NEIGHBORHOODS: usize = 500;
const MAX_TIERS: usize = 50;
const MAX_DAYS: i32 = 365;

/// Checks a money field: the store's currency, 0 to [`MAX_AMOUNT`].
pub fn check_money(v: &mut Validator, field: &str, money: &Money, currency: Currency) {
    v.check(money.currency == currency, field, "currency_mismatch", &format!("must be in {}", currency.code()));
    check_amount(v, &format!("{field}.amount"), money.amount);
}

/// Checks an amount in minor units: 0 to [`MAX_AMOUNT`].
fn check_amount(v: &mut Validator, field: &str, amount: i64) {
    v.check((0..=MAX_AMOUNT).contains(&amount), field, "out_of_range", &format!("must be between 0 and {MAX_AMOUNT}"));
}

/// Checks estimated days: 0 to 365.
pub fn check_days(v: &mut Validator, days: i32) {
    v.check((0..=MAX_DAYS).contains(&days), "estimated_days", "out_of_range", "must be between 0 and 365");
}

/// Checks `input` against `kind` and builds the rules; `None` when a field error was recorded.
pub fn zone_rules(v: &mut Validator, kind: ZoneKind, input: &RulesInput) -> Option<ZoneRules> {
    let given = [
        ("ranges", input.ranges.is_some(), ZoneKind::CepRange),
        ("city", input.city.is_some(), ZoneKind::Neighborhood),
        ("neighborhoods", input.neighborhoods.is_some(), ZoneKind::Neighborhood),
        ("center", input.center.is_some(), ZoneKind::Radius),
        ("max_km", input.max_km.is_some(), ZoneKind::Radius),
        ("pricing", input.pricing.is_some(), ZoneKind::Radius),
        ("address", input.address.is_some(), ZoneKind::Pickup),
        ("instructions", input.instructions.is_some(), ZoneKind::Pickup),
    ];
    for (name, present, owner) in given {
        let message = format!("is not a rule of {} zones", kind.as_str());
        v.check(!present || owner == kind, &format!("rules.{name}"), "not_allowed", &message);
    }
    match kind {
        ZoneKind::CepRange => cep_ranges(v, input).map(ZoneRules::CepRange),
        ZoneKind::Neighborhood => neighborhoods(v, input).map(ZoneRules::Neighborhood),
        ZoneKind::Radius => radius(v, input).map(ZoneRules::Radius),
        ZoneKind::Pickup => pickup(v, input).map(ZoneRules::Pickup),
    }
}

fn cep_ranges(v: &mut Validator, input: &RulesInput) -> Option<CepRangeRules> {
    let Some(ranges) = &input.ranges else { return required(v, "rules.ranges", "is required") };
    v.check(!ranges.is_empty(), "rules.ranges", "required", "needs at least one range");
    v.check(ranges.len() <= MAX_RANGES, "rules.ranges", "too_many", &format!("at most {MAX_RANGES} ranges"));
    let mut out = Vec::with_capacity(ranges.len());
    for (i, range) in ranges.iter().enumerate() {
        let from = cep(v, &format!("rules.ranges[{i}].from"), &range.from);
        let to = cep(v, &format!("rules.ranges[{i}].to"), &range.to);
        if let (Some(from), Some(to)) = (from, to) {
            v.check(from <= to, &format!("rules.ranges[{i}].to"), "before_from", "must not come before `from`");
            out.push(CepRange { from, to });
        }
    }
    Some(CepRangeRules { ranges: out })
}

fn neighborhoods(v: &mut Validator, input: &RulesInput) -> Option<NeighborhoodRules> {
    let city = match &input.city {
        Some(city) => city.trim().to_owned(),
        None => return required(v, "rules.city", "is required"),
    };
    v.length(&city, "rules.city", 1, 100);
    let Some(names) = &input.neighborhoods else { return required(v, "rules.neighborhoods", "is required") };
    v.check(!names.is_empty(), "rules.neighborhoods", "required", "needs at least one neighbourhood");
    let too_many = format!("at most {MAX_NEIGHBORHOODS} neighbourhoods");
    v.check(names.len() <= MAX_NEIGHBORHOODS, "rules.neighborhoods", "too_many", &too_many);
    let mut seen = std::collections::HashSet::new();
    for (i, name) in names.iter().enumerate() {
        let field = format!("rules.neighborhoods[{i}]");
        v.length(name, &field, 1, 100);
        let unique = seen.insert(fold(name));
        v.check(unique, &field, "duplicate", "is listed twice (ignoring case and accents)");
    }
    let neighborhoods = names.iter().map(|n| n.trim().to_owned()).collect();
    Some(NeighborhoodRules { city, neighborhoods })
}

fn radius(v: &mut Validator, input: &RulesInput) -> Option<RadiusRules> {
    let center = match &input.center {
        Some(center) => center.clone(),
        None => return required(v, "rules.center", "is required"),
    };
    check_coordinates(v, "rules.center.", &center);
    let Some(max_km) = input.max_km else { return required(v, "rules.max_km", "is required") };
    let in_range = max_km.is_finite() && max_km > 0.0 && max_km <= MAX_KM;
    v.check(in_range, "rules.max_km", "out_of_range", &format!("must be above 0 and at most {MAX_KM}"));
    let Some(pricing) = &input.pricing else { return required(v, "rules.pricing", "is required") };
    let pricing = match (pricing.per_km_amount, &pricing.tiers) {
        (Some(per_km_amount), None) => {
            check_amount(v, "rules.pricing.per_km_amount", per_km_amount);
            RadiusPricing::PerKm { per_km_amount }
        }
        (None, Some(tiers)) => {
            check_tiers(v, tiers, max_km);
            RadiusPricing::Tiers { tiers: tiers.clone() }
        }
        (Some(_), Some(_)) => {
            v.push(FieldError::new("rules.pricing", "ambiguous", "give either per_km_amount or tiers, not both"));
            return None;
        }
        (None, None) => return required(v, "rules.pricing", "needs per_km_amount or tiers"),
    };
    Some(RadiusRules { center, max_km, pricing })
}

fn check_tiers(v: &mut Validator, tiers: &[DistanceTier], max_km: f64) {
    v.check(!tiers.is_empty(), "rules.pricing.tiers", "required", "needs at least one tier");
    v.check(tiers.len() <= MAX_TIERS, "rules.pricing.tiers", "too_many", &format!("at most {MAX_TIERS} tiers"));
    let mut previous = 0.0;
    for (i, tier) in tiers.iter().enumerate() {
        let field = format!("rules.pricing.tiers[{i}].up_to_km");
        let valid = tier.up_to_km.is_finite() && tier.up_to_km > 0.0 && tier.up_to_km <= MAX_KM;
        v.check(valid, &field, "out_of_range", &format!("must be above 0 and at most {MAX_KM}"));
        v.check(!valid || tier.up_to_km > previous, &field, "not_ascending", "must be above the previous tier's");
        check_amount(v, &format!("rules.pricing.tiers[{i}].fee_amount"), tier.fee_amount);
        previous = tier.up_to_km;
    }
    if let Some(last) = tiers.last().filter(|t| t.up_to_km < max_km) {
        let field = format!("rules.pricing.tiers[{}].up_to_km", tiers.len() - 1);
        let message = format!("the last tier must reach max_km ({max_km}), not {}", last.up_to_km);
        v.push(FieldError::new(field, "below_max_km", message));
    }
}

fn pickup(v: &mut Validator, input: &RulesInput) -> Option<PickupRules> {
    let address = match &input.address {
        Some(address) => address.trim().to_owned(),
        None => return required(v, "rules.address", "is required"),
    };
    v.length(&address, "rules.address", 1, 300);
    let instructions = input.instructions.as_deref().map(str::trim).filter(|i| !i.is_empty());
    if let Some(instructions) = instructions {
        v.length(instructions, "rules.instructions", 0, 1000);
    }
    Some(PickupRules { address, instructions: instructions.map(str::to_owned) })
}

#[cfg(test)]
mod tests {
    use balcao_core::error::Error;

    use super::*;

    fn errors(kind: ZoneKind, rules: serde_json::Value) -> Vec<(String, String)> {
        let input: RulesInput = serde_json::from_value(rules).unwrap();
        let mut v = Validator::new();
        let built = zone_rules(&mut v, kind, &input);
        match v.finish() {
            Ok(()) => {
                assert!(built.is_some());
                Vec::new()
            }
            Err(Error::Validation(errs)) => errs.into_iter().map(|e| (e.field, e.code)).collect(),
            Err(other) => panic!("{other:?}"),
        }
    }

    fn pair(field: &str, code: &str) -> (String, String) {
        (field.to_owned(), code.to_owned())
    }

    #[test]
    fn names_the_fields_at_fault() {
        let bad = serde_json::json!({"ranges": [{"from": "01000-000", "to": "05999-999"}, {"from": "06000-000", "to": "05000-000"}]});
        assert_eq!(errors(ZoneKind::CepRange, bad), vec![pair("rules.ranges[1].to", "before_from")]);
        let bad = serde_json::json!({"ranges": [{"from": "0100", "to": "05999-999"}], "city": "x"});
        assert_eq!(
            errors(ZoneKind::CepRange, bad),
            vec![pair("rules.city", "not_allowed"), pair("rules.ranges[0].from", "invalid_length")]
        );
        let bad = serde_json::json!({"center": {"lat": -91.0, "lng": 0.0}, "max_km": 5, "pricing": {"tiers": [
            {"up_to_km": 3, "fee_amount": 500}, {"up_to_km": 2, "fee_amount": 900}]}});
        assert_eq!(
            errors(ZoneKind::Radius, bad),
            vec![
                pair("rules.center.lat", "out_of_range"),
                pair("rules.pricing.tiers[1].up_to_km", "not_ascending"),
                pair("rules.pricing.tiers[1].up_to_km", "below_max_km"),
            ]
        );
        let both = serde_json::json!({"center": {"lat": 0.0, "lng": 0.0}, "max_km": 5, "pricing": {"per_km_amount": 1, "tiers": []}});
        assert_eq!(errors(ZoneKind::Radius, both), vec![pair("rules.pricing", "ambiguous")]);
        let dup = serde_json::json!({"city": "São Paulo", "neighborhoods": ["Consolação", "consolacao"]});
        assert_eq!(errors(ZoneKind::Neighborhood, dup), vec![pair("rules.neighborhoods[1]", "duplicate")]);
        assert_eq!(errors(ZoneKind::Pickup, serde_json::json!({})), vec![pair("rules.address", "required")]);
        assert!(errors(ZoneKind::Pickup, serde_json::json!({"address": "Rua X, 10"})).is_empty());
    }
}
