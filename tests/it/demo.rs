//! `balcao demo`: a believable store that fills every list, seeded twice without duplicates.

use std::collections::{BTreeSet, HashSet};

use balcao_gateway::demo::{self, Seeded};
use balcao_stores::br::{DocumentKind, parse_document};
use balcao_tests::TestApp;
use chrono::{DateTime, Duration, Utc};
use reqwest::StatusCode;
use serde_json::Value;

/// Every item of a staff list, following `next_cursor`.
async fn all(app: &TestApp, path: &str, token: &str) -> Vec<Value> {
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let sep = if path.contains('?') { '&' } else { '?' };
        let url = match &cursor {
            Some(c) => format!("{path}{sep}limit=100&cursor={c}"),
            None => format!("{path}{sep}limit=100"),
        };
        let (status, page) = app.get(&url, token).await;
        assert_eq!(status, StatusCode::OK, "{url}: {page}");
        items.extend(page["data"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return items,
        }
    }
}

/// What the store's lists hold, by list.
async fn counts(app: &TestApp, seeded: &Seeded) -> Vec<(&'static str, usize)> {
    let store = format!("/v1/stores/{}", seeded.store_id);
    let key = &seeded.api_key;
    let mut counts = Vec::new();
    for list in ["categories", "products", "customers", "coupons", "delivery-zones", "orders", "payments"] {
        counts.push((list, all(app, &format!("{store}/{list}"), key).await.len()));
    }
    for list in ["channels", "conversations", "messages", "message-templates", "webhook-endpoints", "api-keys"] {
        counts.push((list, all(app, &format!("{store}/{list}"), key).await.len()));
    }
    counts
}

#[tokio::test]
async fn demo_seeds_a_full_store_and_a_second_run_duplicates_nothing() {
    let app = TestApp::spawn().await;
    let first = demo::seed(app.core.clone()).await.unwrap();
    let before = counts(&app, &first).await;
    let second = demo::seed(app.core.clone()).await.unwrap();
    assert_eq!(first.store_id, second.store_id, "the demo store is reused");
    assert_eq!(first.ids, second.ids, "a second run finds what the first made");
    let after = counts(&app, &second).await;
    assert_eq!(before, after, "a second run creates nothing");
    let expected = [
        ("categories", 7),
        ("products", 30),
        ("customers", 12),
        ("coupons", 5),
        ("delivery-zones", 7),
        ("orders", 40),
        ("channels", 1),
        ("conversations", 1),
        ("message-templates", 1),
        ("webhook-endpoints", 1),
        ("api-keys", 1),
    ];
    for (list, count) in expected {
        assert!(after.contains(&(list, count)), "{list}: {after:?}");
    }
    // The first run's key was replaced by the second's.
    let store = format!("/v1/stores/{}", second.store_id);
    assert_eq!(app.get(&store, &first.api_key).await.0, StatusCode::UNAUTHORIZED);
    let (status, body) = app.get(&store, &second.api_key).await;
    assert_eq!((status, body["slug"].as_str()), (StatusCode::OK, Some(demo::DEMO_SLUG)));
    let (status, me) = app.get("/v1/me", &second.token).await;
    assert_eq!((status, me["email"].as_str()), (StatusCode::OK, Some(demo::DEMO_EMAIL)));
}

#[tokio::test]
async fn demo_data_is_believable_and_spread_over_sixty_days() {
    let app = TestApp::spawn().await;
    let seeded = demo::seed(app.core.clone()).await.unwrap();
    let store = format!("/v1/stores/{}", seeded.store_id);
    let key = &seeded.api_key;

    let products = all(&app, &format!("{store}/products"), key).await;
    assert!(products.iter().all(|p| !p["images"].as_array().unwrap().is_empty()));
    let variants: Vec<&Value> = products.iter().flat_map(|p| p["variants"].as_array().unwrap()).collect();
    assert!(variants.len() > products.len(), "products have several variants");
    let low = variants.iter().filter(|v| {
        let inv = &v["inventory"];
        inv["low_stock_threshold"].as_i64().is_some_and(|t| inv["available"].as_i64().unwrap() <= t)
    });
    assert!(low.count() >= 3, "some variants are low on stock");
    let (_, storefront) = app.get("/v1/storefront/loja-demo/products?limit=100", key).await;
    assert_eq!(storefront["data"].as_array().unwrap().len(), 29, "every product but the draft is on sale");

    let customers = all(&app, &format!("{store}/customers"), key).await;
    let mut regions = BTreeSet::new();
    for customer in &customers {
        let cpf = customer["document"]["value"].as_str().unwrap();
        assert_eq!(parse_document(cpf).unwrap().kind, DocumentKind::Cpf, "{customer}");
        for address in customer["addresses"].as_array().unwrap() {
            regions.insert(address["cep"].as_str().unwrap()[..1].to_owned());
        }
    }
    assert!(regions.len() >= 6, "addresses in several CEP ranges: {regions:?}");

    let orders = all(&app, &format!("{store}/orders"), key).await;
    let statuses: HashSet<&str> = orders.iter().map(|o| o["status"].as_str().unwrap()).collect();
    for status in
        ["pending_payment", "paid", "preparing", "shipped", "delivered", "cancelled", "refunded", "partially_refunded"]
    {
        assert!(statuses.contains(status), "an order is {status}: {statuses:?}");
    }
    let now = Utc::now();
    let placed: Vec<DateTime<Utc>> =
        orders.iter().map(|o| o["created_at"].as_str().unwrap().parse().unwrap()).collect();
    assert!(placed.iter().all(|at| *at <= now && *at > now - Duration::days(61)), "{placed:?}");
    assert!(placed.iter().any(|at| *at < now - Duration::days(45)), "orders go back weeks");
    assert!(placed.iter().filter(|at| **at > now - Duration::days(7)).count() >= 5, "and some are this week's");

    let from = (now - Duration::days(60)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let to = (now + Duration::minutes(1)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let (status, figures) = app.get(&format!("{store}/analytics?from={from}&to={to}"), key).await;
    assert_eq!(status, StatusCode::OK, "{figures}");
    assert!(figures["order_count"].as_i64().unwrap() >= 25, "{figures}");
    assert!(figures["revenue"]["amount"].as_i64().unwrap() > 0, "{figures}");

    let conversation = &seeded.ids["conversations"][0];
    let (status, messages) = app.get(&format!("{store}/conversations/{conversation}/messages"), key).await;
    assert_eq!((status, messages["data"].as_array().map(Vec::len)), (StatusCode::OK, Some(3)), "{messages}");
    let (status, quote) = app.get("/v1/storefront/loja-demo/shipping-quote?cep=80010-000", key).await;
    assert_eq!((status, quote["covered"].as_bool()), (StatusCode::OK, Some(true)), "{quote}");
    for kind in ["payments", "refunds", "variants", "addresses", "messages"] {
        assert!(!seeded.ids[kind].is_empty(), "{kind} ids are reported");
    }
}
