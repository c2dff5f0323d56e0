//! Shoppers pay from the storefront: checkout starts the payment and answers its instructions,
//! and the cart that became the order starts, shows and renders its payments.

use balcao_payments::br::pix::brcode;
use balcao_tests::brl;
use balcao_tests::commerce::Commerce;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A store with a cart of two cakes (R$ 114,80, picked up); returns the cart id.
async fn cart(shop: &Commerce) -> String {
    let (_, variant) = shop.product("Bolo de cenoura", "BOLO-1", 5740, 10).await;
    shop.cart(&variant, 2).await
}

/// A pickup checkout paying with `method`.
fn paying(shop: &Commerce, method: &str) -> Value {
    let mut body = shop.pickup_checkout("ana@example.com");
    body["payment_method"] = json!(method);
    body
}

/// A call on a cart's storefront payment routes; `key` is sent as `Idempotency-Key` when not empty.
async fn cart_payments(
    shop: &Commerce,
    http: Method,
    cart: &str,
    rest: &str,
    key: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let path = format!("/v1/storefront/{}/carts/{cart}/payments{rest}", shop.slug);
    let mut request = shop.app.request(http, &path, None);
    if !key.is_empty() {
        request = request.header("Idempotency-Key", key);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    balcao_tests::parse(request.send().await.unwrap()).await
}

async fn staff_payments(shop: &Commerce) -> Vec<Value> {
    let (status, page) = shop.staff(Method::GET, "/payments", None).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["data"].as_array().unwrap().clone()
}

async fn orders(shop: &Commerce) -> usize {
    shop.staff(Method::GET, "/orders", None).await.1["data"].as_array().unwrap().len()
}

#[tokio::test]
async fn checkout_with_pix_answers_the_order_and_a_valid_br_code_whose_qr_the_storefront_serves() {
    let shop = Commerce::open().await;
    let cart = cart(&shop).await;
    let (status, placed) = shop.checkout(&cart, "pix-1", paying(&shop, "pix")).await;
    assert_eq!(status, StatusCode::CREATED, "{placed}");
    // Every order field stays at the top level.
    assert_eq!((placed["status"].as_str(), placed["number"].as_i64()), (Some("pending_payment"), Some(1001)));
    assert_eq!(placed["total"], brl(11480));
    assert_eq!(placed["lines"][0]["quantity"], 2);
    assert_eq!(placed["payment_error"], Value::Null);
    let payment = &placed["payment"];
    assert_eq!((payment["status"].as_str(), payment["method"].as_str()), (Some("pending"), Some("pix")), "{placed}");
    assert_eq!(payment["order_id"], placed["id"]);

    let code = payment["instructions"]["pix_code"].as_str().unwrap();
    let parsed = brcode::parse(code).unwrap();
    assert_eq!(parsed.amount, placed["total"]["amount"].as_i64(), "the BR Code charges the order's total");

    let id = payment["id"].as_str().unwrap();
    let qr_path = format!("/v1/storefront/{}/carts/{cart}/payments/{id}/qr.svg", shop.slug);
    let url = payment["instructions"]["qr_code_url"].as_str().unwrap();
    assert!(url.ends_with(&qr_path), "the QR link is the storefront route: {url}");
    let svg = shop.app.request(Method::GET, &qr_path, None).send().await.unwrap();
    assert_eq!(svg.status(), StatusCode::OK);
    assert_eq!(svg.headers()["content-type"], "image/svg+xml");
    assert!(svg.text().await.unwrap().contains("<svg"));
    let png = shop.app.request(Method::GET, &qr_path.replace(".svg", ".png"), None).send().await.unwrap();
    assert_eq!(&png.bytes().await.unwrap()[..8], b"\x89PNG\r\n\x1a\n");
    // Staff see the same payment, linked to their own QR route.
    let (_, staff) = shop.staff(Method::GET, &format!("/payments/{id}"), None).await;
    let staff_qr = format!("/v1/stores/{}/payments/{id}/qr.svg", shop.store);
    assert!(staff["instructions"]["qr_code_url"].as_str().unwrap().ends_with(&staff_qr), "{staff}");
}

#[tokio::test]
async fn a_replayed_checkout_answers_the_same_payment_and_charges_once() {
    let shop = Commerce::open().await;
    let cart = cart(&shop).await;
    let (status, first) = shop.checkout(&cart, "pix-replay", paying(&shop, "pix")).await;
    assert_eq!(status, StatusCode::CREATED, "{first}");
    let (status, again) = shop.checkout(&cart, "pix-replay", paying(&shop, "pix")).await;
    assert_eq!(status, StatusCode::CREATED, "{again}");
    assert_eq!(again["id"], first["id"]);
    assert!(first["payment"]["id"].is_string(), "{first}");
    assert_eq!(again["payment"]["id"], first["payment"]["id"]);
    assert_eq!(staff_payments(&shop).await.len(), 1, "no second charge");
    assert_eq!(orders(&shop).await, 1);
}

#[tokio::test]
async fn an_unknown_payment_method_names_the_field_and_places_no_order() {
    let shop = Commerce::open().await;
    let cart = cart(&shop).await;
    let (status, problem) = shop.checkout(&cart, "bad-1", paying(&shop, "bitcoin")).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "payment_method", "{problem}");
    let mut body = paying(&shop, "pix");
    body["card_token"] = json!("enc-card");
    let (status, problem) = shop.checkout(&cart, "bad-2", body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "card_token", "{problem}");
    assert_eq!(orders(&shop).await, 0, "no order was placed");
    let (_, open) = shop.shop(Method::GET, &format!("/carts/{cart}"), None).await;
    assert_eq!(open["status"], "open");
    assert!(staff_payments(&shop).await.is_empty());
}

#[tokio::test]
async fn checkout_without_a_payment_method_is_unchanged() {
    let shop = Commerce::open().await;
    let cart = cart(&shop).await;
    let (status, order) = shop.checkout(&cart, "plain-1", shop.pickup_checkout("ana@example.com")).await;
    assert_eq!(status, StatusCode::CREATED, "{order}");
    assert_eq!((order["status"].as_str(), order["total"].clone()), (Some("pending_payment"), brl(11480)));
    assert_eq!((order["payment"].clone(), order["payment_error"].clone()), (Value::Null, Value::Null));
    assert!(staff_payments(&shop).await.is_empty());
}

#[tokio::test]
async fn after_a_failed_payment_the_shopper_starts_another_from_the_storefront() {
    let shop = Commerce::open().await;
    let cart = cart(&shop).await;
    let (_, placed) = shop.checkout(&cart, "retry-1", paying(&shop, "pix")).await;
    let first = placed["payment"]["id"].as_str().unwrap().to_owned();

    // One payment in progress per order.
    let (status, problem) = cart_payments(&shop, Method::POST, &cart, "", "p-1", Some(json!({"method": "pix"}))).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::CONFLICT, Some("payment_in_progress")), "{problem}");

    let simulate = format!("/payments/{first}/simulate");
    let (status, failed) = shop.staff(Method::POST, &simulate, Some(json!({"outcome": "failed"}))).await;
    assert_eq!((status, failed["status"].as_str()), (StatusCode::OK, Some("failed")), "{failed}");

    let (status, problem) = cart_payments(&shop, Method::POST, &cart, "", "", Some(json!({"method": "boleto"}))).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::BAD_REQUEST, Some("idempotency_key_required")));
    let (status, second) =
        cart_payments(&shop, Method::POST, &cart, "", "p-2", Some(json!({"method": "boleto"}))).await;
    assert_eq!(status, StatusCode::CREATED, "{second}");
    assert_ne!(second["id"].as_str(), Some(first.as_str()));
    assert_eq!((second["status"].as_str(), second["method"].as_str()), (Some("pending"), Some("boleto")));
    assert_eq!(second["order_id"], placed["id"]);
    assert!(second["instructions"]["boleto_line"].is_string(), "{second}");
    let (_, replay) = cart_payments(&shop, Method::POST, &cart, "", "p-2", Some(json!({"method": "boleto"}))).await;
    assert_eq!(replay["id"], second["id"], "the same key answers the same payment");

    // Polling shows each payment where it is.
    let id = second["id"].as_str().unwrap();
    let (status, polled) = cart_payments(&shop, Method::GET, &cart, &format!("/{id}"), "", None).await;
    assert_eq!((status, polled["status"].as_str()), (StatusCode::OK, Some("pending")), "{polled}");
    let (_, old) = cart_payments(&shop, Method::GET, &cart, &format!("/{first}"), "", None).await;
    assert_eq!(old["status"], "failed");
    assert_eq!(staff_payments(&shop).await.len(), 2);
}

#[tokio::test]
async fn a_cart_sees_only_its_own_orders_payments() {
    let shop = Commerce::open().await;
    let (_, variant) = shop.product("Pão de mel", "PAO-1", 1200, 10).await;
    let (mine, theirs, open) =
        (shop.cart(&variant, 1).await, shop.cart(&variant, 1).await, shop.cart(&variant, 1).await);
    shop.checkout(&mine, "a-1", paying(&shop, "pix")).await;
    let (_, other) = shop.checkout(&theirs, "a-1", paying(&shop, "pix")).await;
    let other = other["payment"]["id"].as_str().unwrap().to_owned();
    assert_eq!(staff_payments(&shop).await.len(), 2, "the same checkout key on two carts pays each");

    for rest in [format!("/{other}"), format!("/{other}/qr.svg"), format!("/{other}/qr.png")] {
        let (status, body) = cart_payments(&shop, Method::GET, &mine, &rest, "", None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{rest}: {body}");
    }
    let (status, _) = cart_payments(&shop, Method::GET, &theirs, &format!("/{other}"), "", None).await;
    assert_eq!(status, StatusCode::OK);

    let start = Some(json!({"method": "pix"}));
    let (status, problem) = cart_payments(&shop, Method::POST, &open, "", "o-1", start.clone()).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::CONFLICT, Some("cart_not_checked_out")), "{problem}");
    let unknown = uuid::Uuid::new_v4().to_string();
    let (status, _) = cart_payments(&shop, Method::POST, &unknown, "", "o-2", start.clone()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let path = format!("/v1/storefront/no-such-store/carts/{mine}/payments/{other}");
    let (status, _) = shop.app.call(Method::GET, &path, None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_refused_payment_leaves_the_order_placed_with_the_reason() {
    let shop =
        Commerce::open_with(&[("BALCAO_WEBHOOKS_ALLOW_HTTP", "true"), ("BALCAO_WEBHOOKS_ALLOW_PRIVATE", "true")]).await;
    let stripe = MockServer::start().await;
    let account = json!({"credentials": {"secret_key": "sk_test_51Hbalcao"}, "settings": {"base_url": stripe.uri()}});
    let (status, body) = shop.staff(Method::PUT, "/payment-accounts/stripe", Some(account)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    Mock::given(method("POST"))
        .and(path("/v1/payment_intents"))
        .respond_with(ResponseTemplate::new(402).set_body_json(json!({"error": {
            "type": "card_error", "code": "card_declined", "message": "Your card was declined."
        }})))
        .mount(&stripe)
        .await;
    let cart = cart(&shop).await;
    let (status, placed) = shop.checkout(&cart, "card-1", paying(&shop, "card")).await;
    assert_eq!(status, StatusCode::CREATED, "{placed}");
    assert_eq!(placed["status"], "pending_payment");
    assert_eq!(placed["payment"], Value::Null);
    assert_eq!(placed["payment_error"]["code"], "provider_refused", "{placed}");
    assert!(placed["payment_error"]["detail"].as_str().is_some_and(|d| !d.is_empty()));

    // The shopper pays another way; PIX goes through the sandbox here.
    let (status, payment) =
        cart_payments(&shop, Method::POST, &cart, "", "pix-after-card", Some(json!({"method": "pix"}))).await;
    assert_eq!((status, payment["status"].as_str()), (StatusCode::CREATED, Some("pending")), "{payment}");
    assert_eq!(payment["order_id"], placed["id"]);
}
