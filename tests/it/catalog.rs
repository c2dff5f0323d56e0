//! Catalog: categories, products with variants, inventory, low stock, search, query counts.

use balcao_tests::{TestApp, assert_problem, brl, simple_product};
use diesel::sql_types::{BigInt, Text};
use diesel_async::RunQueryDsl;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    count: i64,
}

async fn events_of(app: &TestApp, event_type: &str) -> i64 {
    let mut conn = app.core.pool.get().await.unwrap();
    let row: Count = diesel::sql_query("SELECT count(*) AS count FROM outbox_events WHERE event_type = $1")
        .bind::<Text, _>(event_type)
        .get_result(&mut conn)
        .await
        .unwrap();
    row.count
}

#[tokio::test]
async fn category_tree_with_cycle_guard() {
    let (app, token, store) = TestApp::shop().await;
    let base = format!("/v1/stores/{store}/categories");
    let (status, roupas) = app.post(&base, &token, json!({"name": "Roupas Femininas"})).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(roupas["slug"], "roupas-femininas");
    let (_, blusas) = app.post(&base, &token, json!({"name": "Blusas", "parent_id": roupas["id"]})).await;
    let (_, regatas) = app.post(&base, &token, json!({"name": "Regatas", "parent_id": blusas["id"]})).await;
    assert_eq!(regatas["parent_id"], blusas["id"]);

    let (status, body) = app.post(&base, &token, json!({"name": "Outra", "slug": "blusas"})).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some("slug_taken")));
    let (status, body) = app.post(&base, &token, json!({"name": ""})).await;
    assert_eq!((status, body["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("name")));

    // Moving a category under its own descendant is refused.
    let response = app
        .request(Method::PATCH, &format!("{base}/{}", roupas["id"].as_str().unwrap()), Some(&token))
        .json(&json!({"parent_id": regatas["id"]}))
        .send()
        .await
        .unwrap();
    let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "category_cycle").await;
    assert_eq!(problem["errors"][0]["field"], "parent_id");
    // Moving it to the top level works; so does a legal move.
    let (status, moved) = app
        .patch(&format!("{base}/{}", regatas["id"].as_str().unwrap()), &token, json!({"parent_id": roupas["id"]}))
        .await;
    assert_eq!((status, &moved["parent_id"]), (StatusCode::OK, &roupas["id"]));
    let (status, top) =
        app.patch(&format!("{base}/{}", blusas["id"].as_str().unwrap()), &token, json!({"parent_id": null})).await;
    assert_eq!((status, &top["parent_id"]), (StatusCode::OK, &Value::Null));

    let (status, body) = app.delete(&format!("{base}/{}", roupas["id"].as_str().unwrap()), &token).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some("category_has_children")));
    let (status, page) = app.get(&format!("{base}?limit=2"), &token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["data"].as_array().unwrap().len(), 2);
    assert!(page["next_cursor"].is_string());
}

#[tokio::test]
async fn product_crud_with_variants_and_inventory() {
    let (app, token, store) = TestApp::shop().await;
    let (_, category) = app.post(&format!("/v1/stores/{store}/categories"), &token, json!({"name": "Camisetas"})).await;
    let product = app.product(&token, &store,
        json!({
            "title": "Camiseta de Algodão",
            "description": "Malha penteada",
            "tags": ["Verão", "algodão"],
            "options": [{"name": "Tamanho", "values": ["P", "M"]}, {"name": "Cor", "values": ["Azul"]}],
            "category_ids": [category["id"]],
            "images": [{"url": "https://cdn.example.com/a.jpg", "alt": "frente"}, {"url": "https://cdn.example.com/b.jpg"}],
            "variants": [
                {"sku": "CAM-P-AZ", "option_values": ["P", "Azul"], "price": brl(4990), "compare_at_price": brl(5990),
                 "cost": brl(2000), "weight_grams": 200, "barcode": "7891234567895", "on_hand": 10, "low_stock_threshold": 3},
                {"sku": "CAM-M-AZ", "option_values": ["M", "Azul"], "price": brl(5490), "on_hand": 0}
            ]
        }),
    )
    .await;
    assert_eq!(product["slug"], "camiseta-de-algodao");
    assert_eq!(product["status"], "draft");
    assert_eq!(product["tags"], json!(["verão", "algodão"]));
    assert_eq!(product["min_price"], brl(4990));
    assert_eq!(product["max_price"], brl(5490));
    assert_eq!(product["in_stock"], true);
    assert_eq!(product["images"][1]["position"], 1);
    assert_eq!(product["category_ids"], json!([category["id"]]));
    let variant = &product["variants"][0];
    assert_eq!(variant["title"], "P / Azul");
    assert_eq!(variant["inventory"], json!({"on_hand": 10, "reserved": 0, "available": 10, "low_stock_threshold": 3}));
    let product_path = format!("/v1/stores/{store}/products/{}", product["id"].as_str().unwrap());
    let variant_path = format!("{product_path}/variants/{}", variant["id"].as_str().unwrap());

    // Inventory: adjustments are recorded with their reason.
    let (status, adjusted) = app
        .post(
            &format!("{variant_path}/inventory-adjustments"),
            &token,
            json!({"delta": -4, "reason": "damaged", "note": "molhou"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{adjusted}");
    assert_eq!(adjusted["inventory"]["available"], 6);
    assert_eq!(adjusted["adjustment"]["on_hand_after"], 6);
    let (status, body) = app
        .post(&format!("{variant_path}/inventory-adjustments"), &token, json!({"delta": -7, "reason": "correction"}))
        .await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("stock_below_reserved")));
    let (status, body) = app
        .post(&format!("{variant_path}/inventory-adjustments"), &token, json!({"delta": 1, "reason": "magic"}))
        .await;
    assert_eq!((status, body["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("reason")));
    let (_, history) = app.get(&format!("{variant_path}/inventory-adjustments"), &token).await;
    let reasons: Vec<&str> =
        history["data"].as_array().unwrap().iter().map(|a| a["reason"].as_str().unwrap()).collect();
    assert_eq!(reasons, vec!["damaged", "initial"]);

    // Update product and variant; add and remove variants.
    let (status, updated) =
        app.patch(&product_path, &token, json!({"status": "active", "title": "Camiseta Básica"})).await;
    assert_eq!(
        (status, updated["status"].as_str(), updated["title"].as_str()),
        (StatusCode::OK, Some("active"), Some("Camiseta Básica"))
    );
    let (status, changed) =
        app.patch(&variant_path, &token, json!({"price": brl(3990), "compare_at_price": null})).await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!((changed["price"].clone(), changed["compare_at_price"].clone()), (brl(3990), Value::Null));
    let (status, body) = app.patch(&variant_path, &token, json!({"compare_at_price": brl(100)})).await;
    assert_eq!(
        (status, body["errors"][0]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("not_above_price"))
    );
    let (status, body) = app
        .post(
            &format!("{product_path}/variants"),
            &token,
            json!({"sku": "CAM-P-AZ", "option_values": ["P", "Azul"], "price": brl(1)}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "same combination: {body}");
    let (status, body) = app
        .post(
            &format!("{product_path}/variants"),
            &token,
            json!({"sku": "CAM-M-AZ", "option_values": ["G", "Azul"], "price": brl(1)}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "G is not an option value: {body}");
    let (status, body) = app.get(&format!("{product_path}/variants"), &token).await;
    assert_eq!((status, body.as_array().map(Vec::len)), (StatusCode::OK, Some(2)));
    let second = format!("{product_path}/variants/{}", product["variants"][1]["id"].as_str().unwrap());
    let (status, _) = app.delete(&second, &token).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = app.delete(&variant_path, &token).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some("last_variant")));

    // Archive.
    let (status, archived) = app.delete(&product_path, &token).await;
    assert_eq!((status, archived["status"].as_str()), (StatusCode::OK, Some("archived")));
    let (_, got) = app.get(&product_path, &token).await;
    assert_eq!(got["min_price"], brl(3990));
}

#[tokio::test]
async fn product_validation_names_fields() {
    let (app, token, store) = TestApp::shop().await;
    let path = format!("/v1/stores/{store}/products");
    let (status, body) = app.post(&path, &token, json!({"title": "X", "variants": []})).await;
    assert_eq!((status, body["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("variants")));
    let (status, body) = app
        .post(
            &path,
            &token,
            json!({"title": "X", "variants": [{"sku": "A", "price": {"amount": 100, "currency": "USD"}}]}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        body["errors"][0],
        json!({"field": "variants[0].price", "code": "currency_mismatch", "message": "must be in BRL"})
    );
    let (status, body) =
        app.post(&path, &token, json!({"title": "X", "variants": [{"sku": "A", "price": {"amount": "1"}}]})).await;
    assert_eq!(
        (status, body["errors"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("variants[0].price.amount"))
    );
    let (status, body) = app
        .post(
            &path,
            &token,
            json!({"title": "X", "images": [{"url": "ftp://x"}], "variants": [{"sku": "A", "price": brl(1)}]}),
        )
        .await;
    assert_eq!(
        (status, body["errors"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("images[0].url"))
    );
    let unknown = uuid::Uuid::now_v7();
    let (status, body) = app
        .post(
            &path,
            &token,
            json!({"title": "X", "category_ids": [unknown], "variants": [{"sku": "A", "price": brl(1)}]}),
        )
        .await;
    assert_eq!(
        (status, body["errors"][0]["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("category_ids[0]"))
    );

    app.product(&token, &store, simple_product("Caneca", "CAN-1", 2500, 1)).await;
    let (status, body) = app.post(&path, &token, simple_product("Outra caneca", "CAN-1", 2500, 1)).await;
    assert_eq!((status, body["errors"][0]["field"].as_str()), (StatusCode::CONFLICT, Some("variants[0].sku")));
    let (status, body) = app.post(&path, &token, simple_product("Caneca", "CAN-2", 2500, 1)).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some("slug_taken")));
}

#[tokio::test]
async fn low_stock_fires_once_per_crossing() {
    let (app, token, store) = TestApp::shop().await;
    let product = app.product(&token, &store,
        json!({"title": "Vela", "variants": [{"sku": "VELA", "price": brl(1500), "on_hand": 10, "low_stock_threshold": 3}]}),
    )
    .await;
    let adjust = format!(
        "/v1/stores/{store}/products/{}/variants/{}/inventory-adjustments",
        product["id"].as_str().unwrap(),
        product["variants"][0]["id"].as_str().unwrap()
    );
    let step = |delta: i32| app.post(&adjust, &token, json!({"delta": delta, "reason": "correction"}));
    step(-5).await; // 5: above
    assert_eq!(events_of(&app, "product.low_stock").await, 0);
    step(-2).await; // 3: at the threshold -> fires
    assert_eq!(events_of(&app, "product.low_stock").await, 1);
    step(-1).await; // 2: still low -> nothing new
    step(-1).await; // 1
    assert_eq!(events_of(&app, "product.low_stock").await, 1, "once per crossing");
    step(5).await; // 6: recovered -> re-armed
    assert_eq!(events_of(&app, "product.low_stock").await, 1);
    step(-4).await; // 2: crosses again -> fires again
    assert_eq!(events_of(&app, "product.low_stock").await, 2);

    let mut conn = app.core.pool.get().await.unwrap();
    #[derive(diesel::QueryableByName)]
    struct Payload {
        #[diesel(sql_type = diesel::sql_types::Jsonb)]
        payload: Value,
    }
    let last: Payload = diesel::sql_query(
        "SELECT payload FROM outbox_events WHERE event_type = 'product.low_stock' ORDER BY created_at DESC LIMIT 1",
    )
    .get_result(&mut conn)
    .await
    .unwrap();
    assert_eq!(last.payload["sku"], "VELA");
    assert_eq!(last.payload["available"], 2);
    assert_eq!(last.payload["threshold"], 3);
}

#[tokio::test]
async fn another_stores_catalog_ids_are_not_found_through_my_store() {
    let (app, token, store) = TestApp::shop().await;
    let other = app.user().await;
    let theirs = app.store(&other.token).await;
    let product = app.product(&other.token, &theirs, simple_product("Deles", "D-1", 100, 1)).await;
    let (_, category) =
        app.post(&format!("/v1/stores/{theirs}/categories"), &other.token, json!({"name": "Deles"})).await;
    let product_id = product["id"].as_str().unwrap();
    let variant_id = product["variants"][0]["id"].as_str().unwrap();
    let mine = format!("/v1/stores/{store}");
    for (method, path, body) in [
        (Method::GET, format!("{mine}/products/{product_id}"), None),
        (Method::PATCH, format!("{mine}/products/{product_id}"), Some(json!({"title": "x"}))),
        (Method::DELETE, format!("{mine}/products/{product_id}"), None),
        (Method::GET, format!("{mine}/products/{product_id}/variants"), None),
        (Method::PATCH, format!("{mine}/products/{product_id}/variants/{variant_id}"), Some(json!({"price": brl(1)}))),
        (
            Method::POST,
            format!("{mine}/products/{product_id}/variants/{variant_id}/inventory-adjustments"),
            Some(json!({"delta": 1, "reason": "received"})),
        ),
        (Method::GET, format!("{mine}/categories/{}", category["id"].as_str().unwrap()), None),
    ] {
        let (status, body) = app.call(method.clone(), &path, Some(&token), body).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}: {body}");
    }
    // A product of mine cannot join their category either.
    let mut body = simple_product("Meu", "M-1", 100, 1);
    body["category_ids"] = json!([category["id"]]);
    let (status, body) = app.post(&format!("{mine}/products"), &token, body).await;
    assert_eq!(
        (status, body["errors"][0]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("unknown_category"))
    );
    let (_, theirs_now) = app.get(&format!("/v1/stores/{theirs}/products/{product_id}"), &other.token).await;
    assert_eq!((theirs_now["title"].as_str(), theirs_now["status"].as_str()), (Some("Deles"), Some("active")));
}
