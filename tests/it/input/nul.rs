//! A NUL character in a body, a query parameter or a path segment answers 422 `nul_character`
//! naming where it is (PostgreSQL cannot store it).

use balcao_tests::commerce::Commerce;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Asserts a 422 naming `field` with `nul_character`.
fn assert_nul(route: &str, status: StatusCode, body: &Value, field: &str) {
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{route}: {body}");
    assert_eq!(body["code"], "validation_failed", "{route}: {body}");
    assert_eq!(body["errors"][0]["field"], field, "{route}: {body}");
    assert_eq!(body["errors"][0]["code"], "nul_character", "{route}: {body}");
}

#[tokio::test]
async fn nul_characters_are_refused_in_bodies_queries_and_paths() {
    let shop = Commerce::open().await;
    let app = &shop.app;
    let signup = json!({"email": "nul@example.com", "password": "a long test password", "name": "Ana\u{0}"});
    let (status, body) = app.call(Method::POST, "/v1/auth/signup", None, Some(signup)).await;
    assert_nul("signup", status, &body, "name");

    let product = json!({"title": "Bolo", "variants": [{"sku": "B-1", "price": {"amount": 100, "currency": "BRL"},
        "title": "Grande\u{0}"}]});
    let (status, body) = shop.staff(Method::POST, "/products", Some(product)).await;
    assert_nul("products", status, &body, "variants[0].title");

    let store = &shop.store;
    for (path, field) in [
        (format!("/v1/stores/{store}/products?tag=a%00"), "tag"),
        (format!("/v1/stores/{store}/messages?contact=%00"), "contact"),
        (format!("/v1/stores/{store}/customers?q=%00"), "q"),
    ] {
        let (status, body) = app.get(&path, &shop.token).await;
        assert_nul(&path, status, &body, field);
    }
    // Credentials still come first.
    let (status, _) = app.call(Method::GET, &format!("/v1/stores/{store}/products?tag=%00"), None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    for path in ["/v1/storefront/loja%00/products", "/v1/storefront/loja%00/categories"] {
        let (status, body) = app.call(Method::GET, path, None, None).await;
        assert_nul(path, status, &body, "slug");
    }
    let (status, body) = shop.shop(Method::POST, "/carts", Some(json!({"email": "a\u{0}@example.com"}))).await;
    assert_nul("carts", status, &body, "email");
    // Text that merely spells the escape is fine.
    let (status, body) =
        shop.shop(Method::POST, "/carts", Some(json!({"email": "ana@example.com", "x": "\\u0000"}))).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}
