//! Coupons: staff CRUD over HTTP, then `evaluate` and `redeem` against the test database,
//! one test per rejection code, and concurrent redemptions that never exceed a limit.

use balcao_core::error::Error;
use balcao_core::id::StoreId;
use balcao_core::money::Money;
use balcao_stores::coupons::{AppliedCoupon, CouponContext, CouponLine, CouponService, PgCouponService, redeem};
use balcao_stores::ids::{CategoryId, CustomerId, ProductId};
use balcao_tests::{TestApp, assert_problem, brl};
use chrono::Utc;
use diesel_async::AsyncConnection;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

mod evaluate;

fn base(store: &str) -> String {
    format!("/v1/stores/{store}/coupons")
}

/// Creates a coupon over HTTP (asserting 201) and returns it.
async fn coupon(app: &TestApp, token: &str, store: &str, body: Value) -> Value {
    let (status, created) = app.post(&base(store), token, body).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    created
}

fn store_id(store: &str) -> StoreId {
    store.parse().unwrap()
}

fn line(product: ProductId, categories: Vec<CategoryId>, quantity: i32, total: i64) -> CouponLine {
    CouponLine { product_id: product, category_ids: categories, quantity, line_total: Money::brl(total) }
}

/// A guest cart of one unit of an unknown product worth `total`.
fn cart(total: i64) -> CouponContext {
    CouponContext {
        lines: vec![line(ProductId::new(), Vec::new(), 1, total)],
        shipping_fee: Money::brl(1500),
        customer_id: None,
        email: None,
        phone: None,
        now: Utc::now(),
    }
}

/// The rule code of a failed evaluation, checking it names the `code` field.
fn rule_code(result: Result<Vec<AppliedCoupon>, Error>) -> &'static str {
    match result {
        Err(Error::Rule { code, field, detail }) => {
            assert_eq!(field.as_deref(), Some("code"), "{detail}");
            assert!(!detail.is_empty());
            code.code()
        }
        other => panic!("expected a rule error, got {other:?}"),
    }
}

/// Redeems in a transaction of its own, as a checkout would.
async fn redeem_once(
    app: &TestApp,
    store: StoreId,
    applied: &[AppliedCoupon],
    ctx: &CouponContext,
) -> Result<(), Error> {
    let mut conn = app.core.pool.get().await.unwrap();
    let order = uuid::Uuid::now_v7();
    conn.transaction::<_, Error, _>(async |conn| redeem(conn, store, applied, order, ctx).await).await
}

#[tokio::test]
async fn crud_with_validation() {
    let (app, token, store) = TestApp::shop().await;
    let created = coupon(
        &app,
        &token,
        &store,
        json!({"code": " bemVindo10 ", "kind": "percentage", "percent_bps": 1000, "minimum_subtotal": brl(5000)}),
    )
    .await;
    assert_eq!(created["code"], "BEMVINDO10");
    assert_eq!((created["active"].as_bool(), created["combinable"].as_bool()), (Some(true), Some(false)));
    assert_eq!((created["times_used"].as_i64(), &created["amount"]), (Some(0), &Value::Null));
    let one = format!("{}/{}", base(&store), created["id"].as_str().unwrap());
    let (status, got) = app.get(&one, &token).await;
    assert_eq!((status, &got["minimum_subtotal"]), (StatusCode::OK, &brl(5000)));

    // A new kind drops the old kind's value; null clears an optional field.
    let (status, changed) = app
        .patch(
            &one,
            &token,
            json!({"kind": "fixed_amount", "amount": brl(1500), "minimum_subtotal": null, "combinable": true}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{changed}");
    assert_eq!((&changed["percent_bps"], &changed["amount"]), (&Value::Null, &brl(1500)));
    assert_eq!((&changed["minimum_subtotal"], changed["combinable"].as_bool()), (&Value::Null, Some(true)));
    let (status, body) = app.patch(&one, &token, json!({"kind": "percentage"})).await;
    assert_eq!((status, body["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("percent_bps")));

    let invalid = [
        (json!({"code": "NO BLANKS!", "kind": "free_shipping"}), "code", "invalid_format"),
        (json!({"code": "", "kind": "free_shipping"}), "code", "required"),
        (json!({"code": "P", "kind": "percentage"}), "percent_bps", "required"),
        (json!({"code": "P", "kind": "percentage", "percent_bps": 10001}), "percent_bps", "out_of_range"),
        (json!({"code": "P", "kind": "free_shipping", "amount": brl(10)}), "amount", "not_allowed"),
        (json!({"code": "P", "kind": "fixed_amount", "amount": brl(0)}), "amount", "out_of_range"),
        (json!({"code": "P", "kind": "free_shipping", "usage_limit": 0}), "usage_limit", "out_of_range"),
        (json!({"code": "P", "kind": "free_shipping", "per_customer_limit": 0}), "per_customer_limit", "out_of_range"),
        (json!({"code": "P", "kind": "free_shipping", "minimum_item_count": 0}), "minimum_item_count", "out_of_range"),
        (
            json!({"code": "P", "kind": "free_shipping", "starts_at": "2030-01-02T00:00:00Z", "ends_at": "2030-01-01T00:00:00Z"}),
            "ends_at",
            "before_start",
        ),
        (
            json!({"code": "P", "kind": "fixed_amount", "amount": brl(10), "minimum_subtotal": {"amount": 1, "currency": "USD"}}),
            "minimum_subtotal.currency",
            "currency_mismatch",
        ),
        (
            json!({"code": "P", "kind": "free_shipping", "product_ids": [uuid::Uuid::now_v7()]}),
            "product_ids[0]",
            "unknown_product",
        ),
        (
            json!({"code": "P", "kind": "free_shipping", "category_ids": [uuid::Uuid::now_v7()]}),
            "category_ids[0]",
            "unknown_category",
        ),
    ];
    for (body, field, code) in invalid {
        let response = app.request(Method::POST, &base(&store), Some(&token)).json(&body).send().await.unwrap();
        let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(
            (problem["errors"][0]["field"].as_str(), problem["errors"][0]["code"].as_str()),
            (Some(field), Some(code)),
            "{body}"
        );
    }

    // Never used: deleted for good.
    let (status, _) = app.delete(&one, &token).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = app.get(&one, &token).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")));
}

#[tokio::test]
async fn codes_are_unique_per_store_whatever_the_case() {
    let (app, token, store) = TestApp::shop().await;
    coupon(&app, &token, &store, json!({"code": "VERAO", "kind": "free_shipping"})).await;
    let response = app
        .request(Method::POST, &base(&store), Some(&token))
        .json(&json!({"code": "verao", "kind": "free_shipping"}))
        .send()
        .await
        .unwrap();
    let problem = assert_problem(response, StatusCode::CONFLICT, "code_taken").await;
    assert_eq!(problem["errors"][0]["field"], "code");

    let other = coupon(&app, &token, &store, json!({"code": "INVERNO", "kind": "free_shipping"})).await;
    let path = format!("{}/{}", base(&store), other["id"].as_str().unwrap());
    let (status, body) = app.patch(&path, &token, json!({"code": "Verao"})).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::CONFLICT, Some("code_taken")));

    // Another store may use the same code.
    let second = app.store(&token).await;
    coupon(&app, &token, &second, json!({"code": "VERAO", "kind": "free_shipping"})).await;
}

#[tokio::test]
async fn another_stores_coupon_is_not_found() {
    let (app, token, store) = TestApp::shop().await;
    let created = coupon(&app, &token, &store, json!({"code": "MINHA", "kind": "free_shipping"})).await;
    let second = app.store(&token).await;
    let path = format!("{}/{}", base(&second), created["id"].as_str().unwrap());
    assert_eq!(app.get(&path, &token).await.0, StatusCode::NOT_FOUND);
    assert_eq!(app.patch(&path, &token, json!({"active": false})).await.0, StatusCode::NOT_FOUND);
    assert_eq!(app.delete(&path, &token).await.0, StatusCode::NOT_FOUND);
    let (_, page) = app.get(&base(&second), &token).await;
    assert_eq!(page["data"], json!([]));

    // Another store's code is unknown to evaluate too.
    let svc = PgCouponService::new(app.core.clone());
    assert_eq!(rule_code(svc.evaluate(store_id(&second), &["minha".into()], &cart(1000)).await), "coupon_not_found");

    // Someone outside the store cannot list its coupons.
    let stranger = app.user().await;
    assert!(app.get(&base(&store), &stranger.token).await.0.is_client_error());
}

#[tokio::test]
async fn list_is_keyset_paginated_with_a_fixed_query_count() {
    let (app, token, store) = TestApp::shop().await;
    for i in 0..25 {
        coupon(&app, &token, &store, json!({"code": format!("C{i:02}"), "kind": "free_shipping"})).await;
    }
    let small = format!("{}?limit=1", base(&store));
    let large = format!("{}?limit=100", base(&store));
    app.get(&small, &token).await; // warm the credential cache
    let (small_count, (_, page)) = app.count_queries(app.get(&small, &token)).await;
    assert_eq!(page["data"].as_array().map(Vec::len), Some(1));
    let (large_count, (_, page)) = app.count_queries(app.get(&large, &token)).await;
    assert_eq!(page["data"].as_array().map(Vec::len), Some(25));
    assert_eq!((small_count, large_count), (1, 1), "one query per page whatever its size");

    let mut codes = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("{}?limit=10&cursor={c}", base(&store)),
            None => format!("{}?limit=10", base(&store)),
        };
        let (status, page) = app.get(&path, &token).await;
        assert_eq!(status, StatusCode::OK);
        codes.extend(page["data"].as_array().unwrap().iter().map(|c| c["code"].as_str().unwrap().to_owned()));
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    let expected: Vec<String> = (0..25).map(|i| format!("C{i:02}")).collect();
    assert_eq!(codes, expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_checkouts_never_exceed_the_usage_limit() {
    let (app, token, store) = TestApp::shop().await;
    coupon(&app, &token, &store, json!({"code": "UNICO", "kind": "percentage", "percent_bps": 1000, "usage_limit": 1}))
        .await;
    let svc = PgCouponService::new(app.core.clone());
    let ctx = cart(10000);
    let applied = svc.evaluate(store_id(&store), &["unico".into()], &ctx).await.unwrap();
    assert_eq!(applied[0].discount, Money::brl(1000));

    // Open every connection of the pool first, so the checkouts below start together.
    let size = app.core.pool.status().max_size;
    drop(futures_util::future::join_all((0..size).map(|_| app.core.pool.get())).await);
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(10));
    let tasks: Vec<_> = (0..10)
        .map(|_| {
            let (pool, barrier, applied, ctx) = (app.core.pool.clone(), barrier.clone(), applied.clone(), ctx.clone());
            let store = store_id(&store);
            tokio::spawn(async move {
                barrier.wait().await;
                let mut conn = pool.get().await.unwrap();
                let order = uuid::Uuid::now_v7();
                conn.transaction::<_, Error, _>(async |conn| redeem(conn, store, &applied, order, &ctx).await).await
            })
        })
        .collect();
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.unwrap());
    }
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1, "{results:?}");
    for failure in results.iter().filter_map(|r| r.as_ref().err()) {
        assert_eq!(failure.code(), "coupon_usage_exhausted");
    }
    let (_, page) = app.get(&base(&store), &token).await;
    assert_eq!(page["data"][0]["times_used"], 1);

    // Used once: DELETE only deactivates it, and it is then unknown to carts.
    let path = format!("{}/{}", base(&store), page["data"][0]["id"].as_str().unwrap());
    assert_eq!(app.delete(&path, &token).await.0, StatusCode::NO_CONTENT);
    let (status, kept) = app.get(&path, &token).await;
    assert_eq!((status, kept["active"].as_bool(), kept["times_used"].as_i64()), (StatusCode::OK, Some(false), Some(1)));
    assert_eq!(rule_code(svc.evaluate(store_id(&store), &["UNICO".into()], &ctx).await), "coupon_not_found");
    let customer = CouponContext { customer_id: Some(CustomerId::new()), ..cart(100) };
    assert_eq!(redeem_once(&app, store_id(&store), &applied, &customer).await.unwrap_err().code(), "coupon_not_found");
}
