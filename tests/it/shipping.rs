//! Shipping: delivery zones (CEP ranges, neighbourhoods, radius, pickup) and the public quote.
//!
//! Radius fees are checked against distances worked out by hand with the haversine formula
//! (R = 6371 km) from Praça da Sé (-23.5505, -46.6333): MASP 2.60 km, Parque Ibirapuera
//! 4.79 km, Largo da Batata 6.39 km, and 0.1° of latitude north 11.12 km.

use balcao_tests::{TestApp, assert_problem, brl, parse};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

mod service;
mod zones;

const SE: (f64, f64) = (-23.5505, -46.6333);
const MASP: (f64, f64) = (-23.5614, -46.6559);
const IBIRAPUERA: (f64, f64) = (-23.5874, -46.6576);
const LARGO_DA_BATATA: (f64, f64) = (-23.5669, -46.6934);
const FAR_NORTH: (f64, f64) = (-23.4505, -46.6333);

struct Shop {
    app: TestApp,
    token: String,
    store: String,
    slug: String,
}

async fn shop() -> Shop {
    let (app, token, store) = TestApp::shop().await;
    let (_, body) = app.get(&format!("/v1/stores/{store}"), &token).await;
    let slug = body["slug"].as_str().unwrap().to_owned();
    Shop { app, token, store, slug }
}

/// Percent-encodes a query value.
fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

impl Shop {
    fn zones(&self) -> String {
        format!("/v1/stores/{}/delivery-zones", self.store)
    }

    async fn zone(&self, body: Value) -> Value {
        let (status, zone) = self.app.post(&self.zones(), &self.token, body).await;
        assert_eq!(status, StatusCode::CREATED, "{zone}");
        zone
    }

    async fn pickup(&self) -> Value {
        self.zone(json!({"name": "Retirar na loja", "kind": "pickup", "estimated_days": 1,
            "rules": {"address": "Rua Augusta, 10", "instructions": "Seg a sex, 9h-18h"}}))
            .await
    }

    async fn quote_raw(&self, params: &[(&str, &str)]) -> reqwest::Response {
        let query: Vec<String> = params.iter().map(|(k, v)| format!("{k}={}", enc(v))).collect();
        let path = format!("/v1/storefront/{}/shipping-quote?{}", self.slug, query.join("&"));
        self.app.request(Method::GET, &path, None).send().await.unwrap()
    }

    async fn quote(&self, params: &[(&str, &str)]) -> Value {
        let (status, body) = parse(self.quote_raw(params).await).await;
        assert_eq!(status, StatusCode::OK, "{params:?}: {body}");
        body
    }
}

/// `(name, fee amount)` of each option, in order.
fn options(quote: &Value) -> Vec<(String, i64)> {
    let list = quote["options"].as_array().unwrap();
    list.iter().map(|o| (o["name"].as_str().unwrap().to_owned(), o["fee"]["amount"].as_i64().unwrap())).collect()
}

fn opts(expected: &[(&str, i64)]) -> Vec<(String, i64)> {
    expected.iter().map(|(n, f)| ((*n).to_owned(), *f)).collect()
}

fn at(point: (f64, f64)) -> [(&'static str, String); 2] {
    [("lat", point.0.to_string()), ("lng", point.1.to_string())]
}

async fn quote_at(shop: &Shop, point: (f64, f64)) -> Value {
    let [(lat, lat_v), (lng, lng_v)] = at(point);
    shop.quote(&[("cep", "01310-100"), (lat, &lat_v), (lng, &lng_v)]).await
}

#[tokio::test]
async fn cep_range_quote_inside_on_the_boundary_and_outside() {
    let shop = shop().await;
    shop.pickup().await;
    let capital = shop
        .zone(json!({"name": "Capital", "kind": "cep_range", "fee": brl(1200), "estimated_days": 2,
            "rules": {"ranges": [{"from": "01000-000", "to": "05999-999"}, {"from": "08000000", "to": "08499999"}]}}))
        .await;
    assert_eq!(capital["kind"], "cep_range");
    assert_eq!(capital["rules"]["ranges"][1], json!({"from": "08000-000", "to": "08499-999"}), "stored formatted");

    let quote = shop.quote(&[("cep", "01310100")]).await;
    assert_eq!((quote["cep"].as_str(), quote["covered"].as_bool()), (Some("01310-100"), Some(true)));
    assert!(quote["message"].is_null(), "{quote}");
    assert_eq!(options(&quote), opts(&[("Retirar na loja", 0), ("Capital", 1200)]), "sorted by fee");
    let delivery = &quote["options"][1];
    assert_eq!(delivery["method_id"], capital["id"]);
    assert_eq!((delivery["kind"].as_str(), delivery["estimated_days"].as_i64()), (Some("cep_range"), Some(2)));
    assert_eq!((delivery["free_shipping"].as_bool(), delivery["fee"]["currency"].as_str()), (Some(false), Some("BRL")));
    assert!(delivery["distance_km"].is_null());

    for boundary in ["01000-000", "05999-999", "08499-999"] {
        assert_eq!(shop.quote(&[("cep", boundary)]).await["covered"], true, "{boundary}");
    }
    for outside in ["00999-999", "06000-000", "99999-999"] {
        let quote = shop.quote(&[("cep", outside)]).await;
        assert_eq!(quote["covered"], false, "{outside}");
        assert_eq!(options(&quote), opts(&[("Retirar na loja", 0)]), "pickup is still offered");
    }
    let quote = shop.quote(&[("cep", "99999999")]).await;
    assert_eq!(quote["message"], "No delivery zone of this store covers CEP 99999-999; pickup in store is available.");
}

#[tokio::test]
async fn neighbourhood_quote_ignores_case_and_accents() {
    let shop = shop().await;
    shop.zone(json!({"name": "Zona Oeste", "kind": "neighborhood", "fee": brl(900),
        "rules": {"city": "São Paulo", "neighborhoods": ["Pinheiros", "Vila Madalena", "Butantã"]}}))
        .await;
    let covered = |q: &Value| q["covered"].as_bool().unwrap();
    assert!(covered(&shop.quote(&[("cep", "05422-000"), ("neighborhood", "pinheiros")]).await));
    assert!(covered(
        &shop.quote(&[("cep", "05422-000"), ("neighborhood", "VILA MADALENA"), ("city", "sao paulo")]).await
    ));
    assert!(covered(&shop.quote(&[("cep", "05508-000"), ("neighborhood", "butanta"), ("city", "SÃO PAULO")]).await));
    assert!(!covered(&shop.quote(&[("cep", "05422-000"), ("neighborhood", "Pinheiros"), ("city", "Campinas")]).await));
    assert!(!covered(&shop.quote(&[("cep", "05422-000"), ("neighborhood", "Moema")]).await));
    let without = shop.quote(&[("cep", "05422-000")]).await;
    assert!(!covered(&without), "no neighbourhood given");
    assert_eq!(without["message"], "No delivery zone of this store covers CEP 05422-000.", "no pickup zone");
    assert_eq!(without["options"], json!([]));
}

#[tokio::test]
async fn radius_quote_per_km_and_by_tiers() {
    let shop = shop().await;
    let center = json!({"lat": SE.0, "lng": SE.1});
    shop.zone(json!({"name": "Por km", "kind": "radius", "fee": brl(500),
        "rules": {"center": center, "max_km": 10, "pricing": {"per_km_amount": 150}}}))
        .await;
    shop.zone(json!({"name": "Faixas", "kind": "radius",
        "rules": {"center": center, "max_km": 10, "pricing": {"tiers": [
            {"up_to_km": 3, "fee_amount": 800}, {"up_to_km": 10, "fee_amount": 1500}]}}}))
        .await;

    // MASP, 2.60 km: 500 + 3 * 150 = 950; first tier 800.
    let quote = quote_at(&shop, MASP).await;
    assert_eq!(options(&quote), opts(&[("Faixas", 800), ("Por km", 950)]));
    let km = quote["options"][0]["distance_km"].as_f64().unwrap();
    assert!((km - 2.60).abs() < 0.006, "{km}");
    // Ibirapuera, 4.79 km: 500 + 5 * 150 = 1250; second tier 1500.
    let quote = quote_at(&shop, IBIRAPUERA).await;
    assert_eq!(options(&quote), opts(&[("Por km", 1250), ("Faixas", 1500)]));
    assert!((quote["options"][0]["distance_km"].as_f64().unwrap() - 4.79).abs() < 0.006);
    // Largo da Batata, 6.39 km: 500 + 7 * 150 = 1550; second tier 1500.
    assert_eq!(options(&quote_at(&shop, LARGO_DA_BATATA).await), opts(&[("Faixas", 1500), ("Por km", 1550)]));
    // 11.12 km is beyond max_km; without coordinates no radius zone applies.
    assert_eq!(quote_at(&shop, FAR_NORTH).await["covered"], false);
    assert_eq!(shop.quote(&[("cep", "01310-100")]).await["covered"], false);
}

#[tokio::test]
async fn free_shipping_above_a_subtotal_and_minimum_orders() {
    let shop = shop().await;
    shop.pickup().await;
    shop.zone(json!({"name": "Centro", "kind": "cep_range", "fee": brl(1500), "free_above": brl(20000),
        "minimum_order": brl(5000), "rules": {"ranges": [{"from": "01000-000", "to": "01999-999"}]}}))
        .await;
    let quote = shop.quote(&[("cep", "01310-100"), ("subtotal", "4999")]).await;
    assert_eq!(quote["covered"], true, "the address is covered, the subtotal is short");
    assert_eq!(options(&quote), opts(&[("Retirar na loja", 0)]));
    assert_eq!(
        quote["message"],
        "Delivery to CEP 01310-100 needs an order of at least R$ 50,00; pickup in store is available."
    );
    let quote = shop.quote(&[("cep", "01310-100"), ("subtotal", "5000")]).await;
    assert_eq!(options(&quote), opts(&[("Retirar na loja", 0), ("Centro", 1500)]));
    assert_eq!(quote["options"][1]["free_shipping"], false);
    let quote = shop.quote(&[("cep", "01310-100"), ("subtotal", "20000")]).await;
    let centro = quote["options"].as_array().unwrap().iter().find(|o| o["name"] == "Centro").unwrap().clone();
    assert_eq!((centro["fee"].clone(), centro["free_shipping"].as_bool()), (brl(0), Some(true)));
}

#[tokio::test]
async fn pickup_is_always_offered_and_inactive_zones_never() {
    let shop = shop().await;
    let pickup = shop.pickup().await;
    shop.zone(json!({"name": "Desligada", "kind": "cep_range", "active": false,
        "rules": {"ranges": [{"from": "01000-000", "to": "99999-999"}]}}))
        .await;
    for cep in ["01310-100", "69900-000", "99999-999"] {
        let quote = shop.quote(&[("cep", cep)]).await;
        assert_eq!(quote["covered"], false, "{cep}: the inactive zone does not count");
        assert_eq!(options(&quote), opts(&[("Retirar na loja", 0)]));
        assert_eq!(quote["options"][0]["kind"], "pickup");
        assert_eq!(quote["options"][0]["estimated_days"], 1);
    }
    let path = format!("{}/{}", shop.zones(), pickup["id"].as_str().unwrap());
    let (status, _) = shop.app.patch(&path, &shop.token, json!({"active": false})).await;
    assert_eq!(status, StatusCode::OK);
    let quote = shop.quote(&[("cep", "01310-100")]).await;
    assert_eq!(
        (quote["options"].clone(), quote["message"].as_str()),
        (json!([]), Some("No delivery zone of this store covers CEP 01310-100."))
    );
}

#[tokio::test]
async fn quote_parameters_are_validated() {
    let shop = shop().await;
    for (params, field) in [
        (vec![("cep", "0131-100")], "cep"),
        (vec![("cep", "00000-000")], "cep"),
        (vec![], "cep"),
        (vec![("cep", "01310-100"), ("lat", "-23.5")], "lng"),
        (vec![("cep", "01310-100"), ("lng", "-46.6")], "lat"),
        (vec![("cep", "01310-100"), ("lat", "-123.5"), ("lng", "-46.6")], "lat"),
        (vec![("cep", "01310-100"), ("subtotal", "-1")], "subtotal"),
        (vec![("cep", "01310-100"), ("subtotal", "abc")], "subtotal"),
    ] {
        let body =
            assert_problem(shop.quote_raw(&params).await, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(body["errors"][0]["field"], field, "{params:?}: {body}");
    }
    let unknown = shop.app.request(Method::GET, "/v1/storefront/no-such-store/shipping-quote?cep=01310-100", None);
    assert_problem(unknown.send().await.unwrap(), StatusCode::NOT_FOUND, "not_found").await;
}
