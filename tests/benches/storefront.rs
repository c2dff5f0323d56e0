//! Storefront product-list throughput, cached and uncached, against the real app over HTTP.
//!
//! Run with `cargo bench -p balcao-tests --bench storefront` (PostgreSQL and Redis running).
//! "uncached" bumps the store's storefront version before each request, so every request
//! runs the list queries and serialises the page; "cached" is served from Redis.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use balcao_stores::catalog::cache;
use balcao_tests::TestApp;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use serde_json::json;

fn storefront(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (app, url, store) = runtime.block_on(async {
        let app = TestApp::spawn_with(&[("BALCAO_HTTP_WORKERS", "2"), ("BALCAO_LOG_FORMAT", "json")]).await;
        let user = app.user().await;
        let store = app.store(&user.token).await;
        let (_, body) = app.get(&format!("/v1/stores/{store}"), &user.token).await;
        let slug = body["slug"].as_str().unwrap().to_owned();
        for i in 0..50 {
            let product = json!({
                "title": format!("Produto {i}"), "status": "active", "tags": ["bench"],
                "images": [{"url": "https://cdn.example.com/p.jpg", "alt": "foto"}],
                "options": [{"name": "Tamanho", "values": ["P", "M"]}],
                "variants": [
                    {"sku": format!("B{i}-P"), "option_values": ["P"], "price": {"amount": 1990 + i, "currency": "BRL"}, "on_hand": 5},
                    {"sku": format!("B{i}-M"), "option_values": ["M"], "price": {"amount": 2990 + i, "currency": "BRL"}, "on_hand": 5}
                ]
            });
            let (status, _) = app.post(&format!("/v1/stores/{store}/products"), &user.token, product).await;
            assert_eq!(status, 201);
        }
        let url = format!("{}/v1/storefront/{slug}/products?limit=20", app.base);
        (app, url, store.parse().unwrap())
    });
    let client = reqwest::Client::new();
    let mut group = c.benchmark_group("storefront_product_list_20");
    group.throughput(Throughput::Elements(1));
    group.bench_function("cached", |b| {
        b.to_async(&runtime).iter(|| async {
            let response = client.get(&url).send().await.unwrap();
            assert!(response.status().is_success());
            response.bytes().await.unwrap()
        })
    });
    group.bench_function("uncached", |b| {
        b.to_async(&runtime).iter(|| async {
            cache::invalidate(&app.core, store).await;
            let response = client.get(&url).send().await.unwrap();
            assert!(response.status().is_success());
            response.bytes().await.unwrap()
        })
    });
    group.finish();
    drop(app);
}

criterion_group!(benches, storefront);
criterion_main!(benches);
