//! Nobody holds a store's stock anonymously: a checkout without a customer takes a bounded
//! number of units per variant, and one address opens a bounded number of carts and checkouts.

use balcao_tests::commerce::Commerce;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn assert_limited(status: StatusCode, body: &Value, code: &str) {
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert_eq!(body["code"], code, "{body}");
}

#[tokio::test]
async fn a_guest_checkout_cannot_take_the_whole_stock() {
    let shop = Commerce::open_with(&[("BALCAO_GUEST_UNITS_PER_VARIANT", "3")]).await;
    let (product, variant) = shop.product("Bolo de pote", "POTE-1", 1500, 50).await;
    let greedy = shop.cart(&variant, 50).await;
    let (status, body) = shop.checkout(&greedy, "guest-greedy", shop.pickup_checkout("ana@example.com")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["code"], "guest_quantity_limit", "{body}");
    assert_eq!(body["errors"][0]["field"], "items", "{body}");
    assert_eq!(shop.inventory(&product, &variant).await["reserved"], 0, "nothing was held");

    let fair = shop.cart(&variant, 3).await;
    let (status, body) = shop.checkout(&fair, "guest-fair", shop.pickup_checkout("ana@example.com")).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(shop.inventory(&product, &variant).await["reserved"], 3);
}

#[tokio::test]
async fn one_address_opens_a_bounded_number_of_carts_and_checkouts() {
    let shop = Commerce::open_with(&[("BALCAO_CARTS_PER_HOUR", "4"), ("BALCAO_CHECKOUTS_PER_HOUR", "2")]).await;
    let (_, variant) = shop.product("Brigadeiro", "BRIG-1", 300, 100).await;
    let carts = [shop.cart(&variant, 1).await, shop.cart(&variant, 1).await, shop.cart(&variant, 1).await];
    let (status, body) = shop.shop(Method::POST, "/carts", Some(json!({"email": "ana@example.com"}))).await;
    assert_eq!(status, StatusCode::CREATED, "the fourth cart this hour: {body}");
    let (status, body) = shop.shop(Method::POST, "/carts", Some(json!({"email": "ana@example.com"}))).await;
    assert_limited(status, &body, "too_many_carts");

    for (i, cart) in carts.iter().take(2).enumerate() {
        let (status, body) = shop.checkout(cart, &format!("limit-{i}"), shop.pickup_checkout("ana@example.com")).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let (status, body) = shop.checkout(&carts[2], "limit-2", shop.pickup_checkout("ana@example.com")).await;
    assert_limited(status, &body, "too_many_checkouts");
}

#[tokio::test]
async fn coupon_codes_cannot_be_guessed_at_will() {
    let shop = Commerce::open().await;
    let (_, variant) = shop.product("Quindim", "QUIN-1", 400, 100).await;
    let (status, body) = shop
        .staff(Method::POST, "/coupons", Some(json!({"code": "SEGREDO15", "kind": "percentage", "percent_bps": 1500})))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let cart = shop.cart(&variant, 1).await;
    let coupon = format!("/carts/{cart}/coupon");
    for guess in 0..10 {
        let (status, body) = shop.shop(Method::POST, &coupon, Some(json!({"code": format!("CHUTE{guess}")}))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["code"], "coupon_not_found", "{body}");
    }
    // Ten unknown codes on this cart: even the right one waits now.
    let (status, body) = shop.shop(Method::POST, &coupon, Some(json!({"code": "SEGREDO15"}))).await;
    assert_limited(status, &body, "too_many_coupon_attempts");
    // Another cart (from the same address, below its own ceiling) still takes it.
    let other = shop.cart(&variant, 1).await;
    let (status, body) =
        shop.shop(Method::POST, &format!("/carts/{other}/coupon"), Some(json!({"code": "SEGREDO15"}))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn an_unpaid_order_holds_stock_for_the_stores_own_hold_time_and_its_pix_for_as_long() {
    let shop = Commerce::open().await;
    let store_path = format!("/v1/stores/{}", shop.store);
    for bad in [4, 1441] {
        let (status, body) = shop.app.patch(&store_path, &shop.token, json!({"unpaid_hold_minutes": bad})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["errors"][0]["field"], "unpaid_hold_minutes");
    }
    let (status, store) = shop.app.get(&store_path, &shop.token).await;
    assert_eq!((status, &store["unpaid_hold_minutes"]), (StatusCode::OK, &Value::Null), "the platform default");

    // The platform default: 30 minutes.
    let (_, variant) = shop.product("Pudim", "PUD-1", 2500, 10).await;
    let before = chrono::Utc::now();
    let cart = shop.cart(&variant, 1).await;
    let (status, order) = shop.checkout(&cart, "hold-default", shop.pickup_checkout("ana@example.com")).await;
    assert_eq!(status, StatusCode::CREATED, "{order}");
    assert_near(&order["expires_at"], before + chrono::Duration::minutes(30));

    let (status, store) = shop.app.patch(&store_path, &shop.token, json!({"unpaid_hold_minutes": 10})).await;
    assert_eq!((status, &store["unpaid_hold_minutes"]), (StatusCode::OK, &json!(10)), "{store}");
    let before = chrono::Utc::now();
    let cart = shop.cart(&variant, 1).await;
    let mut body = shop.pickup_checkout("ana@example.com");
    body["payment_method"] = json!("pix");
    let (status, order) = shop.checkout(&cart, "hold-pix", body).await;
    assert_eq!(status, StatusCode::CREATED, "{order}");
    assert_near(&order["expires_at"], before + chrono::Duration::minutes(10));
    // The PIX is payable as long as the stock waits.
    let held = chrono::DateTime::parse_from_rfc3339(order["expires_at"].as_str().unwrap()).unwrap();
    let payable = chrono::DateTime::parse_from_rfc3339(order["payment"]["expires_at"].as_str().unwrap()).unwrap();
    assert!((payable - held).num_seconds().abs() <= 2, "{payable} vs {held}");
}

/// Asserts an RFC 3339 timestamp is within a minute of `expected`.
fn assert_near(value: &Value, expected: chrono::DateTime<chrono::Utc>) {
    let at = chrono::DateTime::parse_from_rfc3339(value.as_str().unwrap_or_default()).unwrap();
    assert!((at.to_utc() - expected).num_seconds().abs() <= 60, "{at} is not near {expected}");
}
