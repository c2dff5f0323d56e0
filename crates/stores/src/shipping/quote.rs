//! Pure shipping logic: whether a zone serves an address, what it costs, and the quote.
//!
//! - Distances are haversine distances on a sphere of radius [`EARTH_RADIUS_KM`], measured to the
//!   millimetre before rounding up to whole km, so float noise never adds a km.
//! - A zone's fee is its base fee plus, for radius zones, `ceil(km) * per_km_amount` or the fee of
//!   the first tier whose `up_to_km` reaches the distance. It is waived (and `free_shipping` is
//!   true) when the subtotal is at or above `free_above`.
//! - A zone whose `minimum_order` the subtotal does not meet is left out of the quote; the quote's
//!   `message` then says which minimum would unlock delivery. Pickup zones serve every address
//!   but are subject to their minimum order too.

use balcao_core::money::Money;

use super::model::{
    Coordinates, DeliveryZone, QuoteRequest, RadiusPricing, ShippingOption, ShippingQuote, ZoneKind, ZoneRules,
};

/// Mean Earth radius in km.
pub const EARTH_RADIUS_KM: f64 = 6371.0;

/// The great-circle distance between two points, in km.
pub fn haversine_km(a: &Coordinates, b: &Coordinates) -> f64 {
    let (lat1, lat2) = (a.lat.to_radians(), b.lat.to_radians());
    let half_dlat = (lat2 - lat1) / 2.0;
    let half_dlng = (b.lng - a.lng).to_radians() / 2.0;
    let h = half_dlat.sin().powi(2) + lat1.cos() * lat2.cos() * half_dlng.sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
}

/// A distance rounded to the millimetre, to compare and round up without float noise.
fn to_mm(km: f64) -> f64 {
    (km * 1_000_000.0).round() / 1_000_000.0
}

/// The distance part of a radius fee, or `None` when no tier reaches `km`.
pub fn distance_fee(pricing: &RadiusPricing, km: f64) -> Option<i64> {
    let km = to_mm(km);
    match pricing {
        // Validated distances are at most 1,000 km: the cast is exact.
        RadiusPricing::PerKm { per_km_amount } => Some((km.ceil().max(0.0) as i64).saturating_mul(*per_km_amount)),
        RadiusPricing::Tiers { tiers } => tiers.iter().find(|t| km <= t.up_to_km).map(|t| t.fee_amount),
    }
}

/// Lower case without accents and with single spaces: `"  Vila  MADALENA "` and `"vila madalena"` meet.
pub fn fold(s: &str) -> String {
    let folded: String = s
        .chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'á' | 'à' | 'â' | 'ã' | 'ä' | 'å' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'ó' | 'ò' | 'ô' | 'õ' | 'ö' => 'o',
            'ú' | 'ù' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            'ñ' => 'n',
            'ý' | 'ÿ' => 'y',
            other => other,
        })
        .collect();
    folded.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether and how a zone serves a request.
#[derive(Debug, Clone)]
pub enum Reach {
    /// It serves the address for this subtotal.
    Serves(ShippingOption),
    /// It does not serve the address.
    OutOfArea,
    /// It serves the address, but not below this minimum order.
    BelowMinimum(Money),
}

/// Whether the zone covers the address; for radius zones, the distance too.
fn covers(zone: &DeliveryZone, req: &QuoteRequest) -> Option<Option<f64>> {
    match &zone.rules {
        ZoneRules::CepRange(rules) => {
            let cep = req.cep.as_u32();
            rules.ranges.iter().any(|r| (r.from.as_u32()..=r.to.as_u32()).contains(&cep)).then_some(None)
        }
        ZoneRules::Neighborhood(rules) => {
            let wanted = fold(req.neighborhood.as_deref()?);
            let city_ok = req.city.as_deref().is_none_or(|city| fold(city) == fold(&rules.city));
            (city_ok && rules.neighborhoods.iter().any(|n| fold(n) == wanted)).then_some(None)
        }
        ZoneRules::Radius(rules) => {
            let km = haversine_km(&rules.center, req.coordinates.as_ref()?);
            (to_mm(km) <= rules.max_km && distance_fee(&rules.pricing, km).is_some()).then_some(Some(km))
        }
        ZoneRules::Pickup(_) => Some(None),
    }
}

/// Whether `zone` serves `req`, and at what price.
pub fn reach(zone: &DeliveryZone, req: &QuoteRequest) -> Reach {
    let Some(distance) = covers(zone, req) else { return Reach::OutOfArea };
    if let Some(minimum) = zone.minimum_order.filter(|m| req.subtotal.amount < m.amount) {
        return Reach::BelowMinimum(minimum);
    }
    let extra = match (&zone.rules, distance) {
        (ZoneRules::Radius(rules), Some(km)) => distance_fee(&rules.pricing, km).unwrap_or(0),
        _ => 0,
    };
    let free_shipping = zone.free_above.is_some_and(|f| req.subtotal.amount >= f.amount);
    let amount = if free_shipping { 0 } else { zone.fee.amount.saturating_add(extra) };
    Reach::Serves(ShippingOption {
        method_id: zone.id,
        kind: zone.kind(),
        name: zone.name.clone(),
        fee: Money::new(amount, zone.fee.currency),
        free_shipping,
        estimated_days: zone.estimated_days,
        distance_km: distance.map(|km| (km * 100.0).round() / 100.0),
    })
}

/// The quote for `req` over the store's active `zones` (in staff order), cheapest first.
pub fn quote(zones: &[DeliveryZone], req: &QuoteRequest) -> ShippingQuote {
    let cep = req.cep.formatted();
    let mut served: Vec<(i32, usize, ShippingOption)> = Vec::new();
    let mut covered = false;
    let mut lowest_minimum: Option<Money> = None;
    for (i, zone) in zones.iter().enumerate().filter(|(_, z)| z.active) {
        let reach = reach(zone, req);
        covered |= zone.kind().is_delivery() && !matches!(reach, Reach::OutOfArea);
        match reach {
            Reach::Serves(option) => served.push((zone.position, i, option)),
            Reach::BelowMinimum(min) if zone.kind().is_delivery() => {
                lowest_minimum = Some(lowest_minimum.map_or(min, |m| if min.amount < m.amount { min } else { m }));
            }
            Reach::BelowMinimum(_) | Reach::OutOfArea => {}
        }
    }
    served.sort_by_key(|(position, i, option)| (option.fee.amount, *position, *i));
    let options: Vec<ShippingOption> = served.into_iter().map(|(_, _, option)| option).collect();
    let delivers = options.iter().any(|o| o.kind.is_delivery());
    let pickup = options.iter().any(|o| o.kind == ZoneKind::Pickup);
    let problem = match (covered, delivers, lowest_minimum) {
        (false, _, _) => Some(format!("No delivery zone of this store covers CEP {cep}")),
        (true, false, Some(min)) => {
            Some(format!("Delivery to CEP {cep} needs an order of at least {}", min.format_pt_br()))
        }
        _ => None,
    };
    let message = problem.map(|p| if pickup { format!("{p}; pickup in store is available.") } else { format!("{p}.") });
    ShippingQuote { cep, covered, options, message }
}

#[cfg(test)]
mod tests {
    use balcao_core::money::Money;
    use chrono::Utc;

    use super::*;
    use crate::br::parse_cep;
    use crate::ids::DeliveryZoneId;
    use crate::shipping::model::{CepRange, CepRangeRules, DistanceTier, NeighborhoodRules, PickupRules, RadiusRules};

    const SE: Coordinates = Coordinates { lat: -23.5505, lng: -46.6333 };

    fn zone(name: &str, rules: ZoneRules, fee: i64) -> DeliveryZone {
        let now = Utc::now();
        DeliveryZone {
            id: DeliveryZoneId::new(),
            name: name.into(),
            rules,
            active: true,
            position: 0,
            fee: Money::brl(fee),
            free_above: None,
            minimum_order: None,
            estimated_days: Some(1),
            created_at: now,
            updated_at: now,
        }
    }

    fn request(cep: &str, subtotal: i64) -> QuoteRequest {
        let cep = parse_cep(cep).unwrap();
        QuoteRequest { cep, neighborhood: None, city: None, coordinates: None, subtotal: Money::brl(subtotal) }
    }

    fn north_of_se(km: f64) -> Coordinates {
        Coordinates { lat: SE.lat + (km / EARTH_RADIUS_KM).to_degrees(), lng: SE.lng }
    }

    fn radius(pricing: RadiusPricing) -> ZoneRules {
        ZoneRules::Radius(RadiusRules { center: SE, max_km: 10.0, pricing })
    }

    fn served(reach: Reach) -> ShippingOption {
        match reach {
            Reach::Serves(option) => option,
            other => panic!("expected an option, got {other:?}"),
        }
    }

    #[test]
    fn haversine_distances() {
        assert_eq!(haversine_km(&SE, &SE), 0.0);
        // One degree of a meridian is R * pi / 180.
        let north = Coordinates { lat: SE.lat + 1.0, lng: SE.lng };
        assert!((haversine_km(&SE, &north) - 111.194_93).abs() < 1e-4);
        // Praça da Sé (São Paulo) to Cinelândia (Rio de Janeiro): 360.37 km.
        let rio = Coordinates { lat: -22.9099, lng: -43.1760 };
        let km = haversine_km(&SE, &rio);
        assert!((km - 360.366).abs() < 1e-3, "{km}");
        // Praça da Sé to Parque Ibirapuera: 4.79 km.
        let ibirapuera = Coordinates { lat: -23.5874, lng: -46.6576 };
        assert!((haversine_km(&SE, &ibirapuera) - 4.7926).abs() < 1e-4);
        assert!((haversine_km(&rio, &SE) - km).abs() < 1e-9, "symmetric");
        assert!((haversine_km(&SE, &north_of_se(5.0)) - 5.0).abs() < 1e-9);
    }

    #[test]
    fn per_km_and_tier_pricing() {
        let per_km = RadiusPricing::PerKm { per_km_amount: 150 };
        assert_eq!(distance_fee(&per_km, 0.0), Some(0));
        assert_eq!(distance_fee(&per_km, 4.2), Some(750));
        assert_eq!(distance_fee(&per_km, 5.000_000_1), Some(750), "float noise does not add a km");
        assert_eq!(distance_fee(&per_km, 5.01), Some(900));
        let tiers = RadiusPricing::Tiers {
            tiers: vec![
                DistanceTier { up_to_km: 3.0, fee_amount: 800 },
                DistanceTier { up_to_km: 10.0, fee_amount: 1500 },
            ],
        };
        assert_eq!(distance_fee(&tiers, 3.0), Some(800));
        assert_eq!(distance_fee(&tiers, 3.2), Some(1500));
        assert_eq!(distance_fee(&tiers, 10.5), None);
        // Base fee 500 + ceil(4.4479) = 5 km * 150.
        let option = served(reach(
            &zone("Raio", radius(per_km), 500),
            &QuoteRequest { coordinates: Some(north_of_se(4.4479)), ..request("01001-000", 0) },
        ));
        assert_eq!((option.fee, option.distance_km), (Money::brl(1250), Some(4.45)));
        let far = QuoteRequest { coordinates: Some(north_of_se(10.2)), ..request("01001-000", 0) };
        assert!(matches!(reach(&zone("Raio", radius(tiers), 0), &far), Reach::OutOfArea));
    }

    #[test]
    fn cep_ranges_are_inclusive() {
        let ranges = vec![CepRange { from: parse_cep("01000-000").unwrap(), to: parse_cep("05999-999").unwrap() }];
        let z = zone("Capital", ZoneRules::CepRange(CepRangeRules { ranges }), 1200);
        for inside in ["01000-000", "05999-999", "01310-100"] {
            assert_eq!(served(reach(&z, &request(inside, 0))).fee, Money::brl(1200), "{inside}");
        }
        assert!(matches!(reach(&z, &request("06000-000", 0)), Reach::OutOfArea));
    }

    #[test]
    fn neighbourhoods_ignore_case_and_accents_and_check_the_city() {
        let rules = NeighborhoodRules {
            city: "São Paulo".into(),
            neighborhoods: vec!["Pinheiros".into(), "Vila Madalena".into()],
        };
        let z = zone("Oeste", ZoneRules::Neighborhood(rules), 900);
        let ask = |n: &str, c: Option<&str>| QuoteRequest {
            neighborhood: Some(n.into()),
            city: c.map(Into::into),
            ..request("05422-000", 0)
        };
        assert!(matches!(reach(&z, &ask("pinheiros", None)), Reach::Serves(_)));
        assert!(matches!(reach(&z, &ask(" VILA  madalena", Some("sao paulo"))), Reach::Serves(_)));
        assert!(matches!(reach(&z, &ask("Pinheiros", Some("Campinas"))), Reach::OutOfArea));
        assert!(matches!(reach(&z, &request("05422-000", 0)), Reach::OutOfArea));
        assert_eq!(fold("  Ação  ÇÃO Über "), "acao cao uber");
    }

    #[test]
    fn free_above_minimum_order_and_the_quote() {
        let ranges = vec![CepRange { from: parse_cep("01000-000").unwrap(), to: parse_cep("01999-999").unwrap() }];
        let mut delivery = zone("Centro", ZoneRules::CepRange(CepRangeRules { ranges }), 1500);
        delivery.free_above = Some(Money::brl(20000));
        delivery.minimum_order = Some(Money::brl(5000));
        let pickup =
            zone("Retirada", ZoneRules::Pickup(PickupRules { address: "Rua X, 10".into(), instructions: None }), 0);
        let zones = [delivery.clone(), pickup];

        let q = quote(&zones, &request("01310-100", 6000));
        assert!(q.covered && q.message.is_none());
        let fees: Vec<i64> = q.options.iter().map(|o| o.fee.amount).collect();
        assert_eq!(fees, vec![0, 1500], "cheapest first");
        assert_eq!(q.options[0].kind, ZoneKind::Pickup);

        let free = served(reach(&delivery, &request("01310-100", 20000)));
        assert!(free.free_shipping && free.fee.amount == 0);

        let below = quote(&zones, &request("01310-100", 4999));
        assert!(below.covered);
        assert_eq!(below.options.len(), 1);
        let message = below.message.unwrap();
        assert!(message.contains("R$ 50,00") && message.contains("pickup"), "{message}");

        let outside = quote(&zones, &request("99999-999", 6000));
        assert!(!outside.covered);
        assert_eq!(
            outside.message.as_deref(),
            Some("No delivery zone of this store covers CEP 99999-999; pickup in store is available.")
        );
        assert_eq!(
            quote(&zones[..1], &request("99999-999", 0)).message.as_deref(),
            Some("No delivery zone of this store covers CEP 99999-999.")
        );
    }
}
