//! The public storefront: only active products, no private fields, cached yet always fresh.

use balcao_tests::{TestApp, assert_problem};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn brl(amount: i64) -> Value {
    json!({"amount": amount, "currency": "BRL"})
}

struct Shop {
    app: TestApp,
    token: String,
    store: String,
    slug: String,
}

async fn shop(overrides: &[(&str, &str)]) -> Shop {
    let app = TestApp::spawn_with(overrides).await;
    let user = app.user().await;
    let store = app.store(&user.token).await;
    let (_, body) = app.get(&format!("/v1/stores/{store}"), &user.token).await;
    let slug = body["slug"].as_str().unwrap().to_owned();
    Shop { app, token: user.token, store, slug }
}

impl Shop {
    async fn product(&self, title: &str, sku: &str, status: &str, on_hand: i32) -> Value {
        let body = json!({
            "title": title, "status": status,
            "variants": [{"sku": sku, "price": brl(4990), "cost": brl(1000), "on_hand": on_hand, "low_stock_threshold": 2}]
        });
        let (status, product) = self.app.post(&format!("/v1/stores/{}/products", self.store), &self.token, body).await;
        assert_eq!(status, StatusCode::CREATED, "{product}");
        product
    }

    async fn public(&self, path: &str) -> (StatusCode, Value) {
        self.app.call(Method::GET, &format!("/v1/storefront/{}{path}", self.slug), None, None).await
    }
}

fn titles(page: &Value) -> Vec<&str> {
    page["data"].as_array().unwrap().iter().map(|p| p["title"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn only_active_products_and_no_private_fields() {
    let shop = shop(&[]).await;
    let active = shop.product("Vestido Floral", "V1", "active", 2).await;
    let draft = shop.product("Rascunho", "D1", "draft", 5).await;
    let archived = shop.product("Antigo", "A1", "active", 5).await;
    shop.app
        .delete(&format!("/v1/stores/{}/products/{}", shop.store, archived["id"].as_str().unwrap()), &shop.token)
        .await;

    let (status, page) = shop.public("/products").await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(titles(&page), vec!["Vestido Floral"]);
    let text = page.to_string();
    for private in ["cost", "inventory", "on_hand", "reserved", "low_stock_threshold", "status"] {
        assert!(!text.contains(&format!("\"{private}\"")), "`{private}` leaked: {text}");
    }
    let variant = &page["data"][0]["variants"][0];
    assert_eq!((variant["available"].as_bool(), variant["low_stock"].as_bool()), (Some(true), Some(true)));

    let (status, one) = shop.public(&format!("/products/{}", active["id"].as_str().unwrap())).await;
    assert_eq!((status, one["title"].as_str()), (StatusCode::OK, Some("Vestido Floral")));
    for hidden in [&draft, &archived] {
        let (status, body) = shop.public(&format!("/products/{}", hidden["id"].as_str().unwrap())).await;
        assert_eq!((status, body["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
    }
    let unknown = shop.app.request(Method::GET, "/v1/storefront/no-such-store/products", None).send().await.unwrap();
    assert_problem(unknown, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn another_stores_product_is_not_found_by_id() {
    let (a, b) = (shop(&[]).await, shop(&[]).await);
    let theirs = b.product("Deles", "X1", "active", 1).await;
    let (status, _) = a.public(&format!("/products/{}", theirs["id"].as_str().unwrap())).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn price_change_is_visible_on_the_next_request(shop: Shop) {
    let product = shop.product("Bolsa", "B1", "active", 3).await;
    let id = product["id"].as_str().unwrap();
    let variant = product["variants"][0]["id"].as_str().unwrap();
    // Warm the cache for the list and the product.
    assert_eq!(shop.public("/products").await.1["data"][0]["min_price"], brl(4990));
    assert_eq!(shop.public(&format!("/products/{id}")).await.1["variants"][0]["price"], brl(4990));
    let (status, _) = shop
        .app
        .patch(
            &format!("/v1/stores/{}/products/{id}/variants/{variant}", shop.store),
            &shop.token,
            json!({"price": brl(3990)}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(shop.public("/products").await.1["data"][0]["min_price"], brl(3990));
    assert_eq!(shop.public(&format!("/products/{id}")).await.1["variants"][0]["price"], brl(3990));
    // Stock changes show too.
    let adjust = format!("/v1/stores/{}/products/{id}/variants/{variant}/inventory-adjustments", shop.store);
    shop.app.post(&adjust, &shop.token, json!({"delta": -3, "reason": "correction"})).await;
    let (_, one) = shop.public(&format!("/products/{id}")).await;
    assert_eq!((one["in_stock"].as_bool(), one["variants"][0]["available"].as_bool()), (Some(false), Some(false)));
    // And so does a new category.
    shop.app.post(&format!("/v1/stores/{}/categories", shop.store), &shop.token, json!({"name": "Bolsas"})).await;
    let (_, categories) = shop.public("/categories").await;
    assert_eq!(categories[0]["name"], "Bolsas");
}

#[tokio::test]
async fn price_change_is_visible_with_redis() {
    price_change_is_visible_on_the_next_request(shop(&[]).await).await;
}

#[tokio::test]
async fn price_change_is_visible_without_redis() {
    price_change_is_visible_on_the_next_request(shop(&[("REDIS_URL", "")]).await).await;
}

#[tokio::test]
async fn repeated_reads_are_served_from_the_cache() {
    let shop = shop(&[]).await;
    shop.product("Brinco", "BR1", "active", 4).await;
    let (cold, _) = shop.app.count_queries(shop.public("/products?sort=title")).await;
    let (warm, (status, page)) = shop.app.count_queries(shop.public("/products?sort=title")).await;
    assert_eq!((status, titles(&page)), (StatusCode::OK, vec!["Brinco"]));
    assert!(cold > 0);
    assert_eq!(warm, 0, "a cached page touches no database");
}

#[tokio::test]
async fn storefront_search_and_fixed_query_count() {
    let shop = shop(&[]).await;
    for (i, title) in ["Camiseta de Algodão", "Calça Jeans", "Colar Dourado", "Anel de Prata"].iter().enumerate() {
        shop.product(title, &format!("S{i}"), "active", 3).await;
    }
    let (_, page) = shop.public("/products?q=camisetta%20algodao").await;
    assert_eq!(titles(&page), vec!["Camiseta de Algodão"]);
    let (small, (_, page)) = shop.app.count_queries(shop.public("/products?limit=1")).await;
    assert_eq!(page["data"].as_array().unwrap().len(), 1);
    let (large, (_, page)) = shop.app.count_queries(shop.public("/products?limit=100")).await;
    assert_eq!(page["data"].as_array().unwrap().len(), 4);
    assert_eq!(small, large, "uncached pages of any size cost the same");
    let (status, body) = shop.public("/products?limit=0").await;
    assert_eq!((status, body["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("limit")));
}

#[tokio::test]
async fn a_renamed_or_deleted_store_leaves_no_stale_slug_behind() {
    let shop = balcao_tests::commerce::Commerce::open().await;
    let app = &shop.app;
    shop.product("Bolo de pote", "POTE-1", 1500, 10).await;
    let old = shop.slug.clone();
    let products = |slug: String| async move {
        let (status, body) = app.call(Method::GET, &format!("/v1/storefront/{slug}/products"), None, None).await;
        (status, body["data"].as_array().map_or(0, Vec::len))
    };
    // Read once, so the slug is cached.
    assert_eq!(products(old.clone()).await, (StatusCode::OK, 1));
    let renamed = format!("{old}-nova");
    let (status, store) = app.patch(&format!("/v1/stores/{}", shop.store), &shop.token, json!({"slug": renamed})).await;
    assert_eq!(status, StatusCode::OK, "{store}");
    let (status, _) = app.call(Method::POST, &format!("/v1/storefront/{old}/carts"), None, Some(json!({}))).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "the old slug names nothing at once");

    // Another store takes the old slug: it is served its own (empty) catalog, never the renamed one's.
    let (status, other) = app.post("/v1/stores", &shop.token, json!({"name": "Outra loja", "slug": old})).await;
    assert_eq!(status, StatusCode::CREATED, "{other}");
    assert_eq!(products(old.clone()).await, (StatusCode::OK, 0));
    assert_eq!(products(renamed.clone()).await, (StatusCode::OK, 1));

    let (status, _) = app.delete(&format!("/v1/stores/{}", shop.store), &shop.token).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) =
        app.call(Method::POST, &format!("/v1/storefront/{renamed}/carts"), None, Some(json!({}))).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "a deleted store's slug answers 404 at once: {body}");
}
