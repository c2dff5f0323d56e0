//! Staff CRUD of delivery zones: validation naming fields, tenancy, permissions, keyset pages.

use balcao_tests::{assert_problem, brl};
use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{options, opts, shop};

#[tokio::test]
async fn zone_crud_and_validation_errors_naming_fields() {
    let shop = shop().await;
    let zone = shop
        .zone(json!({"name": "Capital", "kind": "cep_range", "fee": brl(1200), "position": 2,
            "free_above": brl(30000), "rules": {"ranges": [{"from": "01000-000", "to": "05999-999"}]}}))
        .await;
    let path = format!("{}/{}", shop.zones(), zone["id"].as_str().unwrap());
    let (status, got) = shop.app.get(&path, &shop.token).await;
    assert_eq!(
        (status, got["name"].as_str(), got["free_above"].clone()),
        (StatusCode::OK, Some("Capital"), brl(30000))
    );
    assert_eq!((got["active"].as_bool(), got["minimum_order"].is_null()), (Some(true), true));

    let (status, changed) = shop
        .app
        .patch(
            &path,
            &shop.token,
            json!({"name": "Grande SP", "free_above": null, "fee": brl(990),
        "rules": {"ranges": [{"from": "01000-000", "to": "09999-999"}]}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!((changed["name"].as_str(), changed["fee"].clone()), (Some("Grande SP"), brl(990)));
    assert!(changed["free_above"].is_null());
    assert_eq!(changed["rules"]["ranges"][0]["to"], "09999-999");
    let (status, moved) =
        shop.app.patch(&path, &shop.token, json!({"kind": "pickup", "rules": {"address": "Rua X, 10"}})).await;
    assert_eq!(
        (status, moved["kind"].as_str(), moved["rules"]["address"].as_str()),
        (StatusCode::OK, Some("pickup"), Some("Rua X, 10"))
    );

    let invalid = [
        (
            json!({"name": "A", "kind": "cep_range", "rules": {"ranges": [{"from": "06000-000", "to": "05999-999"}]}}),
            "rules.ranges[0].to",
        ),
        (
            json!({"name": "A", "kind": "cep_range", "rules": {"ranges": [{"from": "0600", "to": "05999-999"}]}}),
            "rules.ranges[0].from",
        ),
        (json!({"name": "A", "kind": "cep_range", "rules": {}}), "rules.ranges"),
        (
            json!({"name": "A", "kind": "radius", "rules": {"center": {"lat": 95, "lng": 0}, "max_km": 5, "pricing": {"per_km_amount": 1}}}),
            "rules.center.lat",
        ),
        (
            json!({"name": "A", "kind": "radius", "rules": {"center": {"lat": "x", "lng": 0}, "max_km": 5}}),
            "rules.center.lat",
        ),
        (
            json!({"name": "A", "kind": "radius", "rules": {"center": {"lat": 0, "lng": 0}, "max_km": 5}}),
            "rules.pricing",
        ),
        (
            json!({"name": "A", "kind": "radius", "rules": {"center": {"lat": 0, "lng": 0}, "max_km": 0, "pricing": {"per_km_amount": 1}}}),
            "rules.max_km",
        ),
        (
            json!({"name": "A", "kind": "radius", "rules": {"center": {"lat": 0, "lng": 0}, "max_km": 10, "pricing": {"tiers": [{"up_to_km": 3, "fee_amount": 1}]}}}),
            "rules.pricing.tiers[0].up_to_km",
        ),
        (
            json!({"name": "A", "kind": "neighborhood", "rules": {"city": "SP", "neighborhoods": ["Sé", "se"]}}),
            "rules.neighborhoods[1]",
        ),
        (json!({"name": "A", "kind": "pickup", "rules": {"address": "Rua X", "ranges": []}}), "rules.ranges"),
        (json!({"name": "A", "kind": "teleport", "rules": {}}), "kind"),
        (
            json!({"name": "A", "kind": "pickup", "fee": {"amount": 100, "currency": "USD"}, "rules": {"address": "Rua X"}}),
            "fee",
        ),
        (
            json!({"name": "A", "kind": "pickup", "minimum_order": brl(-1), "rules": {"address": "Rua X"}}),
            "minimum_order.amount",
        ),
        (json!({"name": "", "kind": "pickup", "rules": {"address": "Rua X"}}), "name"),
    ];
    for (body, field) in invalid {
        let (status, problem) = shop.app.post(&shop.zones(), &shop.token, body.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {problem}");
        let fields: Vec<&str> =
            problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert_eq!(fields.first().copied(), Some(field), "{body}: {problem}");
    }
    let (status, problem) = shop.app.patch(&path, &shop.token, json!({"kind": "radius"})).await;
    assert_eq!((status, problem["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("rules")));
    let (status, problem) = shop.app.patch(&path, &shop.token, json!({"rules": {"ranges": []}})).await;
    assert_eq!(
        (status, problem["errors"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("rules.ranges")),
        "checked against the current kind (pickup)"
    );

    let (status, _) = shop.app.delete(&path, &shop.token).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = shop.app.get(&path, &shop.token).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
}

#[tokio::test]
async fn another_stores_zone_is_not_found_and_staff_cannot_write() {
    let shop = shop().await;
    let other = shop.app.store(&shop.token).await;
    let theirs = shop
        .app
        .post(
            &format!("/v1/stores/{other}/delivery-zones"),
            &shop.token,
            json!({"name": "Deles", "kind": "pickup", "rules": {"address": "Rua Y, 2"}}),
        )
        .await
        .1;
    let path = format!("{}/{}", shop.zones(), theirs["id"].as_str().unwrap());
    assert_eq!(shop.app.get(&path, &shop.token).await.0, StatusCode::NOT_FOUND);
    assert_eq!(shop.app.patch(&path, &shop.token, json!({"name": "Nossa"})).await.0, StatusCode::NOT_FOUND);
    assert_eq!(shop.app.delete(&path, &shop.token).await.0, StatusCode::NOT_FOUND);
    let (_, list) = shop.app.get(&shop.zones(), &shop.token).await;
    assert_eq!(list["data"], json!([]), "another store's zones never appear");
    assert_eq!(options(&shop.quote(&[("cep", "01310-100")]).await), opts(&[]));

    let staff = shop.app.user().await;
    shop.app.add_member(&shop.token, &shop.store, &staff.email, "staff").await;
    let (status, _) = shop.app.get(&shop.zones(), &staff.token).await;
    assert_eq!(status, StatusCode::OK, "store:read lists zones");
    let create = shop
        .app
        .request(Method::POST, &shop.zones(), Some(&staff.token))
        .json(&json!({"name": "X", "kind": "pickup", "rules": {"address": "Rua X"}}));
    assert_problem(create.send().await.unwrap(), StatusCode::FORBIDDEN, "forbidden").await;
}

#[tokio::test]
async fn list_is_keyset_paginated_with_a_fixed_query_count() {
    let shop = shop().await;
    for i in 0..12 {
        shop.zone(json!({"name": format!("Zona {i}"), "kind": "pickup", "position": (i * 7) % 5,
            "rules": {"address": format!("Rua {i}")}}))
            .await;
    }
    let mut seen: Vec<(i64, String)> = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("{}?limit=5&cursor={c}", shop.zones()),
            None => format!("{}?limit=5", shop.zones()),
        };
        let (status, page) = shop.app.get(&path, &shop.token).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        for zone in page["data"].as_array().unwrap() {
            seen.push((zone["position"].as_i64().unwrap(), zone["id"].as_str().unwrap().to_owned()));
        }
        cursor = page["next_cursor"].as_str().map(str::to_owned);
        if cursor.is_none() {
            break;
        }
    }
    let mut sorted = seen.clone();
    sorted.sort();
    assert_eq!((seen.len(), &seen), (12, &sorted), "every zone once, by position then id");

    let (small_path, large_path) = (format!("{}?limit=1", shop.zones()), format!("{}?limit=100", shop.zones()));
    shop.app.get(&small_path, &shop.token).await; // warm the credential and currency caches
    let (small, (_, page)) = shop.app.count_queries(shop.app.get(&small_path, &shop.token)).await;
    assert_eq!(page["data"].as_array().map(Vec::len), Some(1));
    let (large, (_, page)) = shop.app.count_queries(shop.app.get(&large_path, &shop.token)).await;
    assert_eq!(page["data"].as_array().map(Vec::len), Some(12));
    assert_eq!((small, large), (1, 1), "one query per page, whatever its size");
}
