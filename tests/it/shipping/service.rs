//! The Rust API carts and checkout use: `DeliveryService::quote` and `DeliveryService::option`.

use std::sync::Arc;

use balcao_core::error::{Error, Result};
use balcao_core::id::StoreId;
use balcao_core::money::{Currency, Money};
use balcao_core::tenancy::PgStoreService;
use balcao_stores::br::parse_cep;
use balcao_stores::ids::DeliveryZoneId;
use balcao_stores::shipping::{
    Coordinates, DeliveryService, PgDeliveryService, QuoteRequest, ShippingOption, ZoneKind,
};
use balcao_tests::brl;
use serde_json::{Value, json};

use super::{IBIRAPUERA, SE, Shop, shop};

fn service(shop: &Shop) -> PgDeliveryService {
    let core = shop.app.core.clone();
    PgDeliveryService::new(core.clone(), Arc::new(PgStoreService::new(core)))
}

fn request(cep: &str, subtotal: i64) -> QuoteRequest {
    let cep = parse_cep(cep).unwrap();
    QuoteRequest { cep, neighborhood: None, city: None, coordinates: None, subtotal: Money::brl(subtotal) }
}

fn id(zone: &Value) -> DeliveryZoneId {
    zone["id"].as_str().unwrap().parse().unwrap()
}

/// The code and field of an `Error::Rule`.
fn rule(result: Result<ShippingOption>) -> (&'static str, Option<String>) {
    match result {
        Err(Error::Rule { code, field, .. }) => (code.code(), field),
        other => panic!("expected a rule error, got {other:?}"),
    }
}

#[tokio::test]
async fn option_prices_the_chosen_method_or_says_why_not() {
    let shop = shop().await;
    let store: StoreId = shop.store.parse().unwrap();
    let centro = shop
        .zone(json!({"name": "Centro", "kind": "cep_range", "fee": brl(1500), "minimum_order": brl(5000),
            "estimated_days": 1, "rules": {"ranges": [{"from": "01000-000", "to": "01999-999"}]}}))
        .await;
    let raio = shop
        .zone(json!({"name": "Raio", "kind": "radius", "fee": brl(500),
            "rules": {"center": {"lat": SE.0, "lng": SE.1}, "max_km": 10, "pricing": {"per_km_amount": 150}}}))
        .await;
    let off =
        shop.zone(json!({"name": "Fechada", "kind": "pickup", "active": false, "rules": {"address": "Rua X"}})).await;
    let other = shop.app.store(&shop.token).await;
    let (_, theirs) = shop
        .app
        .post(
            &format!("/v1/stores/{other}/delivery-zones"),
            &shop.token,
            json!({"name": "Deles", "kind": "pickup",
            "rules": {"address": "Rua Y"}}),
        )
        .await;
    let svc = service(&shop);

    let option = svc.option(store, id(&centro), &request("01310-100", 5000)).await.unwrap();
    assert_eq!((option.method_id, option.kind, option.fee), (id(&centro), ZoneKind::CepRange, Money::brl(1500)));
    assert_eq!((option.free_shipping, option.estimated_days, option.distance_km), (false, Some(1), None));
    // Parque Ibirapuera is 4.79 km from Praça da Sé: 500 + 5 * 150.
    let ibirapuera = Coordinates { lat: IBIRAPUERA.0, lng: IBIRAPUERA.1 };
    let near = QuoteRequest { coordinates: Some(ibirapuera), ..request("04094-050", 0) };
    let option = svc.option(store, id(&raio), &near).await.unwrap();
    assert_eq!(option.fee, Money::brl(1250));
    assert!((option.distance_km.unwrap() - 4.79).abs() < 0.006);

    let unavailable = ("delivery_method_unavailable", Some("delivery_method_id".to_owned()));
    assert_eq!(rule(svc.option(store, id(&centro), &request("01310-100", 4999)).await), unavailable, "minimum");
    assert_eq!(rule(svc.option(store, id(&centro), &request("20040-020", 9000)).await), unavailable, "outside");
    assert_eq!(rule(svc.option(store, id(&raio), &request("04094-050", 0)).await), unavailable, "no coordinates");

    let unknown = ("unknown_delivery_method", Some("delivery_method_id".to_owned()));
    for method in [id(&off), id(&theirs), DeliveryZoneId::new()] {
        assert_eq!(rule(svc.option(store, method, &request("01310-100", 9000)).await), unknown, "{method}");
    }
    let dollars = QuoteRequest { subtotal: Money::new(9000, Currency::USD), ..request("01310-100", 0) };
    assert_eq!(rule(svc.option(store, id(&centro), &dollars).await), ("currency_mismatch", Some("subtotal".into())));

    let quote = svc.quote(store, &near).await.unwrap();
    assert_eq!((quote.cep.as_str(), quote.covered), ("04094-050", true));
    assert_eq!(quote.options.iter().map(|o| o.method_id).collect::<Vec<_>>(), vec![id(&raio)]);
    assert!(svc.quote(store, &dollars).await.is_err());
}
