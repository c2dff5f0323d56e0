//! Wishlists managed by shoppers with signed customer tokens.

use balcao_tests::{TestApp, assert_problem};
use reqwest::{Method, StatusCode};
use serde_json::json;

use super::customers::{create, created_events_for, shop};

async fn slug_of(app: &TestApp, token: &str, store: &str) -> String {
    let (_, body) = app.get(&format!("/v1/stores/{store}"), token).await;
    body["slug"].as_str().unwrap().to_owned()
}

async fn variant(app: &TestApp, token: &str, store: &str, sku: &str) -> String {
    let body = json!({"title": "Camiseta", "status": "active",
        "variants": [{"sku": sku, "price": {"amount": 4990, "currency": "BRL"}, "on_hand": 5}]});
    let (status, product) = app.post(&format!("/v1/stores/{store}/products"), token, body).await;
    assert_eq!(status, StatusCode::CREATED, "{product}");
    product["variants"][0]["id"].as_str().unwrap().to_owned()
}

async fn mint(app: &TestApp, token: &str, store: &str, customer: &str) -> String {
    let (status, body) =
        app.call(Method::POST, &format!("/v1/stores/{store}/customers/{customer}/tokens"), Some(token), None).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert!(body["expires_at"].is_string());
    body["token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn wishlists_with_customer_tokens() {
    let (app, token, store) = shop().await;
    let slug = slug_of(&app, &token, &store).await;
    let maria = create(&app, &token, &store, json!({"name": "Maria"})).await;
    let maria_id = maria["id"].as_str().unwrap();
    let shirt = variant(&app, &token, &store, "CAM-1").await;
    let shopper = mint(&app, &token, &store, maria_id).await;
    assert!(shopper.starts_with("bct_"), "{shopper}");
    let wishlist = format!("/v1/storefront/{slug}/wishlist");
    let item = format!("{wishlist}/items/{shirt}");

    let (status, list) = app.call(Method::PUT, &item, Some(&shopper), None).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let (status, list) = app.call(Method::PUT, &item, Some(&shopper), None).await;
    assert_eq!(status, StatusCode::OK, "adding again is harmless");
    assert_eq!(list["items"].as_array().map(Vec::len), Some(1));
    let (status, list) = app.get(&wishlist, &shopper).await;
    assert_eq!(status, StatusCode::OK);
    let saved = &list["items"][0];
    assert_eq!(saved["variant_id"], shirt.as_str());
    assert_eq!((saved["product_title"].as_str(), saved["sku"].as_str()), (Some("Camiseta"), Some("CAM-1")));
    assert_eq!(saved["price"], json!({"amount": 4990, "currency": "BRL"}));
    assert_eq!(saved["available"], true);
    assert!(saved["product_id"].is_string());
    let (status, staff_view) = app.get(&format!("/v1/stores/{store}/customers/{maria_id}/wishlist"), &token).await;
    assert_eq!((status, &staff_view["items"]), (StatusCode::OK, &list["items"]));

    // Another store: its variants are not found here, its tokens are refused here.
    let other_owner = app.user().await;
    let other_store = app.store(&other_owner.token).await;
    let other_slug = slug_of(&app, &other_owner.token, &other_store).await;
    let foreign_variant = variant(&app, &other_owner.token, &other_store, "CAM-1").await;
    let (status, _) = app.call(Method::PUT, &format!("{wishlist}/items/{foreign_variant}"), Some(&shopper), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let response = app
        .request(Method::GET, &format!("/v1/storefront/{other_slug}/wishlist"), Some(&shopper))
        .send()
        .await
        .unwrap();
    assert_problem(response, StatusCode::UNAUTHORIZED, "invalid_customer_token").await;
    let bob = create(&app, &other_owner.token, &other_store, json!({"name": "Bob"})).await;
    let bob_token = mint(&app, &other_owner.token, &other_store, bob["id"].as_str().unwrap()).await;
    let response = app.request(Method::PUT, &item, Some(&bob_token)).send().await.unwrap();
    assert_problem(response, StatusCode::UNAUTHORIZED, "invalid_customer_token").await;

    // Tampered, forged, missing tokens and staff credentials are refused.
    let (head, tag) = shopper.rsplit_once('.').unwrap();
    let (_, bob_tag) = bob_token.rsplit_once('.').unwrap();
    let mut flipped = tag.to_owned().into_bytes();
    flipped[0] = if flipped[0] == b'A' { b'B' } else { b'A' };
    for bad in [format!("{head}.{bob_tag}"), format!("{head}.{}", String::from_utf8(flipped).unwrap()), token.clone()] {
        let response = app.request(Method::GET, &wishlist, Some(&bad)).send().await.unwrap();
        assert_problem(response, StatusCode::UNAUTHORIZED, "invalid_customer_token").await;
    }
    let response = app.request(Method::GET, &wishlist, None).send().await.unwrap();
    assert_problem(response, StatusCode::UNAUTHORIZED, "invalid_customer_token").await;
    let (status, _) = app.get("/v1/storefront/no-such-store/wishlist", &shopper).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (status, _) = app.call(Method::DELETE, &item, Some(&shopper), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app.call(Method::DELETE, &item, Some(&shopper), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "removing again is harmless");
    let (_, list) = app.get(&wishlist, &shopper).await;
    assert_eq!(list["items"], json!([]));
    assert_eq!(created_events_for(&app, maria_id).await, 1);
}
