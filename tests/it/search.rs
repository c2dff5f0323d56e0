//! Product search (accent folding, typos, filters, sorting, keyset pages) and list query counts.

use balcao_tests::{TestApp, brl, simple_product};
use reqwest::StatusCode;
use serde_json::json;

async fn titles(app: &TestApp, token: &str, path: &str) -> Vec<String> {
    let (status, page) = app.get(path, token).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["data"].as_array().unwrap().iter().map(|p| p["title"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn search_folds_accents_tolerates_typos_and_filters() {
    let (app, token, store) = TestApp::shop().await;
    let (_, roupas) = app.post(&format!("/v1/stores/{store}/categories"), &token, json!({"name": "Roupas"})).await;
    let (_, camisetas) = app
        .post(
            &format!("/v1/stores/{store}/categories"),
            &token,
            json!({"name": "Camisetas", "parent_id": roupas["id"]}),
        )
        .await;
    let mut body = simple_product("Camiseta de Algodão", "C1", 4990, 5);
    body["category_ids"] = json!([camisetas["id"]]);
    body["tags"] = json!(["basico"]);
    app.product(&token, &store, body).await;
    app.product(&token, &store, simple_product("Calça Jeans", "J1", 12990, 0)).await;
    app.product(&token, &store, simple_product("Pão de Queijo", "P1", 1200, 3)).await;
    let base = format!("/v1/stores/{store}/products");

    assert_eq!(titles(&app, &token, &format!("{base}?q=camiseta%20algodao")).await, vec!["Camiseta de Algodão"]);
    assert_eq!(titles(&app, &token, &format!("{base}?q=ALGODÃO")).await, vec!["Camiseta de Algodão"]);
    assert_eq!(titles(&app, &token, &format!("{base}?q=camizeta")).await, vec!["Camiseta de Algodão"], "one typo");
    assert_eq!(titles(&app, &token, &format!("{base}?q=calca")).await, vec!["Calça Jeans"]);
    assert_eq!(titles(&app, &token, &format!("{base}?q=pao%20queijo")).await, vec!["Pão de Queijo"]);
    assert!(titles(&app, &token, &format!("{base}?q=geladeira")).await.is_empty());

    // Filters: category (with subcategories), price range, tag, stock; sorting.
    let in_roupas = titles(&app, &token, &format!("{base}?category_id={}", roupas["id"].as_str().unwrap())).await;
    assert_eq!(in_roupas, vec!["Camiseta de Algodão"]);
    assert_eq!(
        titles(&app, &token, &format!("{base}?min_price=2000&max_price=5000")).await,
        vec!["Camiseta de Algodão"]
    );
    assert_eq!(titles(&app, &token, &format!("{base}?tag=basico")).await, vec!["Camiseta de Algodão"]);
    assert_eq!(titles(&app, &token, &format!("{base}?in_stock=false")).await, vec!["Calça Jeans"]);
    assert_eq!(
        titles(&app, &token, &format!("{base}?sort=price_asc")).await,
        vec!["Pão de Queijo", "Camiseta de Algodão", "Calça Jeans"]
    );
    assert_eq!(
        titles(&app, &token, &format!("{base}?sort=title")).await,
        vec!["Calça Jeans", "Camiseta de Algodão", "Pão de Queijo"]
    );
    // Keyset pages walk the whole list in order without repeats.
    let mut seen = Vec::new();
    let mut path = format!("{base}?sort=price_desc&limit=1");
    loop {
        let (_, page) = app.get(&path, &token).await;
        seen.extend(page["data"].as_array().unwrap().iter().map(|p| p["title"].as_str().unwrap().to_owned()));
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("{base}?sort=price_desc&limit=1&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen, vec!["Calça Jeans", "Camiseta de Algodão", "Pão de Queijo"]);

    let (status, body) = app.get(&format!("{base}?sort=relevance"), &token).await;
    assert_eq!((status, body["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("sort")));
    let (status, body) = app.get(&format!("{base}?min_price=abc"), &token).await;
    assert_eq!((status, body["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("min_price")));
}

#[tokio::test]
async fn product_lists_run_a_fixed_number_of_queries() {
    let (app, token, store) = TestApp::shop().await;
    for i in 0..12 {
        let mut body = simple_product(&format!("Produto {i}"), &format!("SKU-{i}"), 1000 + i, 2);
        body["images"] = json!([{"url": "https://cdn.example.com/x.jpg"}]);
        body["options"] = json!([{"name": "Cor", "values": ["Azul", "Verde"]}]);
        body["variants"][0]["option_values"] = json!(["Azul"]);
        body["variants"]
            .as_array_mut()
            .unwrap()
            .push(json!({"sku": format!("SKU-{i}-B"), "option_values": ["Verde"], "price": brl(900)}));
        app.product(&token, &store, body).await;
    }
    let path = |limit: u32| format!("/v1/stores/{store}/products?limit={limit}");
    app.get(&path(1), &token).await;
    let (small, (_, page)) = app.count_queries(app.get(&path(1), &token)).await;
    assert_eq!(page["data"].as_array().unwrap().len(), 1);
    let (large, (_, page)) = app.count_queries(app.get(&path(50), &token)).await;
    assert_eq!(page["data"].as_array().unwrap().len(), 12);
    assert_eq!(small, large, "page size does not change the query count");
    assert!(large <= 4, "products, variants, images, categories: {large}");
}
