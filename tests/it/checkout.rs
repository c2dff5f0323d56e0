//! Carts priced afresh, coupons and shipping in the cart, and checkout without overselling.

use balcao_tests::brl;
use balcao_tests::commerce::Commerce;
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn cart_totals_follow_the_catalog() {
    let shop = Commerce::open().await;
    let (product, variant) = shop.product("Camiseta", "CAM-1", 4990, 10).await;
    let cart = shop.cart(&variant, 2).await;
    let (status, body) = shop.shop(Method::GET, &format!("/carts/{cart}"), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!((body["subtotal"].clone(), body["total"].clone()), (brl(9980), brl(9980)));
    assert_eq!(body["items"][0]["changes"], json!([]));

    // The price changes: the next read recomputes and says so, once.
    shop.staff(Method::PATCH, &format!("/products/{product}/variants/{variant}"), Some(json!({"price": brl(3990)})))
        .await;
    let (_, body) = shop.shop(Method::GET, &format!("/carts/{cart}"), None).await;
    assert_eq!(body["items"][0]["changes"], json!(["price_changed"]));
    assert_eq!(body["items"][0]["previous_unit_price"], brl(4990));
    assert_eq!((body["subtotal"].clone(), body["total"].clone()), (brl(7980), brl(7980)));
    let (_, body) = shop.shop(Method::GET, &format!("/carts/{cart}"), None).await;
    assert_eq!(body["items"][0]["changes"], json!([]));

    // Stock runs out: the line is flagged and leaves the totals.
    shop.staff(
        Method::POST,
        &format!("/products/{product}/variants/{variant}/inventory-adjustments"),
        Some(json!({"delta": -10, "reason": "damaged"})),
    )
    .await;
    let (_, body) = shop.shop(Method::GET, &format!("/carts/{cart}"), None).await;
    assert_eq!(body["items"][0]["changes"], json!(["out_of_stock"]));
    assert_eq!(body["subtotal"], brl(0));

    // Lines change and go; bad quantities name the field.
    let item = body["items"][0]["id"].as_str().unwrap().to_owned();
    let (status, body) =
        shop.shop(Method::PATCH, &format!("/carts/{cart}/items/{item}"), Some(json!({"quantity": 0}))).await;
    assert_eq!((status, body["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("quantity")));
    let (status, body) = shop.shop(Method::DELETE, &format!("/carts/{cart}/items/{item}"), None).await;
    assert_eq!((status, body["items"].as_array().map(Vec::len)), (StatusCode::OK, Some(0)));
    let (status, _) = shop.shop(Method::GET, &format!("/carts/{}", uuid::Uuid::new_v4()), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn shipping_and_coupons_in_the_cart() {
    let shop = Commerce::open().await;
    let (_, variant) = shop.product("Caneca", "CAN-1", 5000, 10).await;
    let cart = shop.cart(&variant, 2).await;
    let (status, body) = shop
        .shop(
            Method::PATCH,
            &format!("/carts/{cart}"),
            Some(json!({"shipping": {"cep": "01310-100", "delivery_method_id": shop.delivery}})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["shipping_fee"], brl(1500));
    assert_eq!(body["total"], brl(11500));

    shop.staff(Method::POST, "/coupons", Some(json!({"code": "DEZ", "kind": "percentage", "percent_bps": 1000}))).await;
    shop.staff(Method::POST, "/coupons", Some(json!({"code": "FRETE", "kind": "free_shipping", "combinable": true})))
        .await;
    let (status, body) = shop.shop(Method::POST, &format!("/carts/{cart}/coupon"), Some(json!({"code": "dez"}))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!((body["discount"].clone(), body["total"].clone()), (brl(1000), brl(10500)));
    // Not combinable with another coupon: refused with its code.
    let (status, body) =
        shop.shop(Method::POST, &format!("/carts/{cart}/coupon"), Some(json!({"code": "FRETE"}))).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("coupon_not_combinable")));
    shop.shop(Method::DELETE, &format!("/carts/{cart}/coupon"), None).await;
    let (_, body) = shop.shop(Method::POST, &format!("/carts/{cart}/coupon"), Some(json!({"code": "FRETE"}))).await;
    assert_eq!((body["shipping_fee"].clone(), body["total"].clone()), (brl(0), brl(10000)));
    let (status, body) = shop.shop(Method::POST, &format!("/carts/{cart}/coupon"), Some(json!({"code": "NADA"}))).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("coupon_not_found")));

    // A CEP outside every zone: the chosen method cannot serve it, and the cart says why.
    let (_, body) = shop
        .shop(
            Method::PATCH,
            &format!("/carts/{cart}"),
            Some(json!({"shipping": {"cep": "69900-000", "delivery_method_id": shop.delivery}})),
        )
        .await;
    assert_eq!(body["shipping"]["notice"]["code"], "delivery_method_unavailable", "{body}");
}

#[tokio::test]
async fn checkout_freezes_prices_and_reserves_stock() {
    let shop = Commerce::open().await;
    let (product, variant) = shop.product("Vestido", "VES-1", 12000, 3).await;
    let cart = shop.cart(&variant, 2).await;
    let (status, order) = shop.checkout(&cart, "k-1", shop.delivery_checkout("Ana@Example.com")).await;
    assert_eq!(status, StatusCode::CREATED, "{order}");
    assert_eq!(order["status"], "pending_payment");
    assert_eq!(order["number"], 1001);
    assert_eq!(
        (order["subtotal"].clone(), order["shipping"].clone(), order["total"].clone()),
        (brl(24000), brl(1500), brl(25500))
    );
    assert_eq!(order["lines"][0]["unit_price"], brl(12000));
    assert_eq!(order["customer"]["email"], "ana@example.com");
    assert_eq!(order["shipping_address"]["cep"], "01310-100");
    assert_eq!(order["delivery"]["name"], "Entrega SP");
    assert!(order["expires_at"].is_string());
    assert_eq!(
        shop.inventory(&product, &variant).await,
        json!({"on_hand": 3, "reserved": 2, "available": 1, "low_stock_threshold": null})
    );

    // A later price change does not touch the order.
    shop.staff(Method::PATCH, &format!("/products/{product}/variants/{variant}"), Some(json!({"price": brl(1)}))).await;
    let (_, same) = shop.staff(Method::GET, &format!("/orders/{}", order["id"].as_str().unwrap()), None).await;
    assert_eq!(same["total"], brl(25500));
    assert_eq!(same["timeline"][0]["to"], "pending_payment");

    // The cart is spent; a second checkout of it is refused.
    let (status, body) = shop.checkout(&cart, "k-2", shop.pickup_checkout("ana@example.com")).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some("cart_checked_out")));
}

#[tokio::test]
async fn checkout_validation_names_fields() {
    let shop = Commerce::open().await;
    let (_, variant) = shop.product("Bolsa", "BOL-1", 9000, 3).await;
    let cart = shop.cart(&variant, 1).await;
    let mut body = shop.delivery_checkout("not-an-email");
    body["shipping_address"]["state"] = json!("XX");
    body["customer"]["document"] = json!("529.982.247-24");
    let (status, problem) = shop.checkout(&cart, "v-1", body).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> =
        problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, vec!["customer.email", "customer.document", "shipping_address.state"]);
    let mut body = shop.delivery_checkout("ana@example.com");
    body.as_object_mut().unwrap().remove("shipping_address");
    let (status, problem) = shop.checkout(&cart, "v-2", body).await;
    assert_eq!(
        (status, problem["errors"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("shipping_address"))
    );
    let mut body = shop.pickup_checkout("ana@example.com");
    body["delivery_method_id"] = json!(uuid::Uuid::now_v7());
    let (status, problem) = shop.checkout(&cart, "v-3", body).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("unknown_delivery_method")));
    let mut body = shop.delivery_checkout("ana@example.com");
    body["shipping_address"]["cep"] = json!("69900-000");
    let (status, problem) = shop.checkout(&cart, "v-4", body).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("delivery_method_unavailable"))
    );
    let response = shop
        .app
        .request(Method::POST, &format!("/v1/storefront/{}/carts/{cart}/checkout", shop.slug), None)
        .json(&shop.pickup_checkout("ana@example.com"))
        .send()
        .await
        .unwrap();
    let (status, problem) = balcao_tests::parse(response).await;
    assert_eq!(
        (status, problem["errors"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("Idempotency-Key"))
    );
}

#[tokio::test]
async fn an_idempotency_key_replay_returns_the_same_order() {
    let shop = Commerce::open().await;
    let (product, variant) = shop.product("Sapato", "SAP-1", 20000, 5).await;
    let cart = shop.cart(&variant, 1).await;
    let body = shop.pickup_checkout("bia@example.com");
    let (first_status, first) = shop.checkout(&cart, "same-key", body.clone()).await;
    let (again_status, again) = shop.checkout(&cart, "same-key", body).await;
    assert_eq!((first_status, again_status), (StatusCode::CREATED, StatusCode::CREATED));
    assert_eq!(first["id"], again["id"]);
    let (_, orders) = shop.staff(Method::GET, "/orders", None).await;
    assert_eq!(orders["data"].as_array().unwrap().len(), 1);
    assert_eq!(shop.inventory(&product, &variant).await["reserved"], 1);
}

#[tokio::test]
async fn fifty_checkouts_on_five_units_sell_exactly_five() {
    let shop = Commerce::open_with(&[
        ("BALCAO_DB_POOL_SIZE", "16"),
        ("BALCAO_HTTP_WORKERS", "2"),
        ("BALCAO_DB_CONNECT_TIMEOUT_MS", "60000"),
        // Fifty shoppers, one address (the test's): the per-address limits are not what is tested.
        ("BALCAO_CARTS_PER_HOUR", "1000"),
        ("BALCAO_CHECKOUTS_PER_HOUR", "1000"),
    ])
    .await;
    let (product, variant) = shop.product("Edição limitada", "LIM-1", 10000, 5).await;
    let mut carts = Vec::new();
    for _ in 0..50 {
        carts.push(shop.cart(&variant, 1).await);
    }
    let attempts =
        carts.iter().enumerate().map(|(i, cart)| {
            let shop = &shop;
            async move {
                shop.checkout(cart, &format!("race-{i}"), shop.pickup_checkout(&format!("c{i}@example.com"))).await
            }
        });
    let results = futures_util::future::join_all(attempts).await;
    let created = results.iter().filter(|(s, _)| *s == StatusCode::CREATED).count();
    let refused: Vec<_> = results.iter().filter(|(s, _)| *s == StatusCode::CONFLICT).collect();
    assert_eq!(created, 5, "{:?}", results.iter().map(|(s, _)| *s).collect::<Vec<_>>());
    assert_eq!(
        refused.len(),
        45,
        "{:?}",
        results
            .iter()
            .filter(|(s, _)| *s != StatusCode::CREATED && *s != StatusCode::CONFLICT)
            .map(|(s, b)| (*s, b["code"].clone(), b["detail"].clone()))
            .take(3)
            .collect::<Vec<_>>()
    );
    for (_, problem) in refused {
        assert_eq!(problem["code"], "insufficient_stock");
        assert!(problem["detail"].as_str().unwrap().contains(&variant), "names the variant: {problem}");
    }
    assert_eq!(
        shop.inventory(&product, &variant).await,
        json!({"on_hand": 5, "reserved": 5, "available": 0, "low_stock_threshold": null})
    );
}

#[tokio::test]
async fn a_coupon_limited_to_one_use_is_used_once_under_a_race() {
    let shop = Commerce::open_with(&[
        ("BALCAO_DB_POOL_SIZE", "16"),
        ("BALCAO_HTTP_WORKERS", "2"),
        ("BALCAO_DB_CONNECT_TIMEOUT_MS", "60000"),
    ])
    .await;
    let (_, variant) = shop.product("Perfume", "PER-1", 10000, 100).await;
    shop.staff(
        Method::POST,
        "/coupons",
        Some(json!({"code": "UNICO", "kind": "fixed_amount", "amount": brl(1000), "usage_limit": 1})),
    )
    .await;
    let mut carts = Vec::new();
    for _ in 0..10 {
        let cart = shop.cart(&variant, 1).await;
        let (status, body) =
            shop.shop(Method::POST, &format!("/carts/{cart}/coupon"), Some(json!({"code": "UNICO"}))).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        carts.push(cart);
    }
    let attempts = carts.iter().enumerate().map(|(i, cart)| {
        let shop = &shop;
        async move { shop.checkout(cart, &format!("c-{i}"), shop.pickup_checkout(&format!("p{i}@example.com"))).await }
    });
    let results = futures_util::future::join_all(attempts).await;
    let used = results.iter().filter(|(s, o)| *s == StatusCode::CREATED && o["discount"] == brl(1000)).count();
    assert_eq!(used, 1, "{:?}", results.iter().map(|(s, b)| (*s, b["code"].clone())).collect::<Vec<_>>());
    let exhausted = results.iter().filter(|(_, b)| b["code"] == "coupon_usage_exhausted").count();
    assert_eq!(exhausted, 9);
    let (_, coupons) = shop.staff(Method::GET, "/coupons", None).await;
    assert_eq!(coupons["data"][0]["times_used"], 1, "{coupons}");
}
