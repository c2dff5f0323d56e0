//! Delivery zones (CEP ranges, neighbourhoods, a radius, pickup) and coupons.

use std::collections::HashMap;

use balcao_core::Result;
use balcao_core::money::Money;
use balcao_stores::coupons::{CouponKind, CreateCoupon};
use balcao_stores::ids::{CategoryId, DeliveryZoneId};
use balcao_stores::shipping::input::{CepRangeInput, PricingInput};
use balcao_stores::shipping::{Coordinates, CreateDeliveryZone, RulesInput, ZoneKind};
use chrono::{Duration, Utc};

use super::{Demo, all};

/// The pickup zone's name (orders picked up in store use it).
pub const PICKUP: &str = "Retirada na loja";

fn ranges(pairs: &[(&str, &str)]) -> RulesInput {
    let ranges = pairs.iter().map(|(from, to)| CepRangeInput { from: (*from).into(), to: (*to).into() }).collect();
    RulesInput { ranges: Some(ranges), ..Default::default() }
}

fn zone(
    name: &str,
    kind: ZoneKind,
    rules: RulesInput,
    fee: i64,
    free_above: Option<i64>,
    days: i32,
) -> CreateDeliveryZone {
    CreateDeliveryZone {
        name: name.into(),
        kind,
        rules,
        active: Some(true),
        position: None,
        fee: Some(Money::brl(fee)),
        free_above: free_above.map(Money::brl),
        minimum_order: None,
        estimated_days: Some(days),
    }
}

fn zones() -> Vec<CreateDeliveryZone> {
    let neighborhoods = RulesInput {
        city: Some("São Paulo".into()),
        neighborhoods: Some(vec!["Pinheiros".into(), "Vila Madalena".into(), "Jardim Paulista".into()]),
        ..Default::default()
    };
    let radius = RulesInput {
        center: Some(Coordinates { lat: -23.5614, lng: -46.6919 }),
        max_km: Some(8.0),
        pricing: Some(PricingInput { per_km_amount: Some(150), tiers: None }),
        ..Default::default()
    };
    let pickup = RulesInput {
        address: Some("Rua dos Pinheiros, 1000 - Pinheiros, São Paulo - SP".into()),
        instructions: Some("De segunda a sábado, das 10h às 19h. Leve o número do pedido.".into()),
        ..Default::default()
    };
    use ZoneKind::*;
    vec![
        zone("Motoboy Pinheiros e Vila Madalena", Neighborhood, neighborhoods, 990, Some(14900), 0),
        zone("Entrega expressa (até 8 km)", Radius, radius, 500, None, 0),
        zone(
            "São Paulo capital",
            CepRange,
            ranges(&[("01000-000", "05999-999"), ("08000-000", "08499-999")]),
            1490,
            Some(19900),
            2,
        ),
        zone("Interior de São Paulo", CepRange, ranges(&[("06000-000", "19999-999")]), 1990, Some(29900), 4),
        zone(
            "Sul e Sudeste",
            CepRange,
            ranges(&[("20000-000", "39999-999"), ("80000-000", "99999-999")]),
            2490,
            None,
            6,
        ),
        zone(
            "Nordeste e Centro-Oeste",
            CepRange,
            ranges(&[("40000-000", "65999-999"), ("70000-000", "76799-999")]),
            3490,
            None,
            9,
        ),
        zone(PICKUP, Pickup, pickup, 0, None, 1),
    ]
}

/// Creates the zones an earlier run did not; returns every zone's id by name.
pub async fn seed_zones(demo: &mut Demo) -> Result<HashMap<String, DeliveryZoneId>> {
    let svc = &demo.state.stores.delivery;
    let store = demo.store;
    let mut existing: HashMap<String, DeliveryZoneId> =
        all(async |page| svc.list(store, &page).await).await?.into_iter().map(|z| (z.name, z.id)).collect();
    let mut seeded = Vec::new();
    for (position, mut req) in (0i32..).zip(zones()) {
        let id = match existing.remove(&req.name) {
            Some(id) => id,
            None => {
                req.position = Some(position);
                svc.create(store, req.clone()).await?.id
            }
        };
        seeded.push((req.name, id));
    }
    for (_, id) in &seeded {
        demo.record("delivery_zones", id);
    }
    Ok(seeded.into_iter().collect())
}

fn coupon(code: &str, kind: CouponKind) -> CreateCoupon {
    CreateCoupon {
        code: code.into(),
        kind,
        percent_bps: None,
        amount: None,
        minimum_subtotal: None,
        minimum_item_count: None,
        product_ids: Vec::new(),
        category_ids: Vec::new(),
        starts_at: None,
        ends_at: None,
        usage_limit: None,
        per_customer_limit: None,
        combinable: None,
        active: None,
    }
}

fn coupons(cafe: Option<CategoryId>) -> Vec<CreateCoupon> {
    let now = Utc::now();
    use CouponKind::*;
    vec![
        CreateCoupon { percent_bps: Some(1000), per_customer_limit: Some(1), ..coupon("BEMVINDO10", Percentage) },
        CreateCoupon {
            minimum_subtotal: Some(Money::brl(14900)),
            combinable: Some(true),
            ..coupon("FRETEGRATIS", FreeShipping)
        },
        CreateCoupon {
            amount: Some(Money::brl(2000)),
            minimum_subtotal: Some(Money::brl(15000)),
            ..coupon("DESCONTO20", FixedAmount)
        },
        CreateCoupon {
            percent_bps: Some(1500),
            category_ids: cafe.into_iter().collect(),
            ends_at: Some(now + Duration::days(30)),
            ..coupon("CAFE15", Percentage)
        },
        CreateCoupon {
            amount: Some(Money::brl(1500)),
            usage_limit: Some(50),
            active: Some(false),
            ..coupon("RELAMPAGO", FixedAmount)
        },
    ]
}

/// Creates the coupons an earlier run did not.
pub async fn seed_coupons(demo: &mut Demo, categories: &HashMap<&'static str, CategoryId>) -> Result<()> {
    let svc = &demo.state.stores.coupons;
    let store = demo.store;
    let mut existing: HashMap<String, String> =
        all(async |page| svc.list(store, &page).await).await?.into_iter().map(|c| (c.code, c.id.to_string())).collect();
    let mut ids = Vec::new();
    for req in coupons(categories.get("cafe").copied()) {
        let id = match existing.remove(&req.code) {
            Some(id) => id,
            None => svc.create(store, req).await?.id.to_string(),
        };
        ids.push(id);
    }
    for id in ids {
        demo.record("coupons", id);
    }
    Ok(())
}
