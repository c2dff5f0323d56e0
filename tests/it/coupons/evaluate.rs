//! `evaluate` and `redeem` against the test database: what applies, and one test per rejection code.

use balcao_core::error::Error;
use balcao_core::money::Money;
use balcao_stores::coupons::{CouponContext, CouponService, PgCouponService, redeem};
use balcao_stores::ids::{CategoryId, CustomerId, ProductId};
use balcao_tests::{TestApp, brl};
use chrono::{Duration, Utc};
use diesel::sql_types::Text;
use diesel_async::{AsyncConnection, RunQueryDsl};
use serde_json::json;

use super::{cart, coupon, line, redeem_once, rule_code, store_id};

/// A shop with a coupon service.
async fn shop() -> (TestApp, String, String, PgCouponService) {
    let (app, token, store) = TestApp::shop().await;
    let svc = PgCouponService::new(app.core.clone());
    (app, token, store, svc)
}

/// The rejection code of evaluating `code` alone against `ctx`.
async fn rejection(svc: &PgCouponService, store: &str, code: &str, ctx: &CouponContext) -> &'static str {
    rule_code(svc.evaluate(store_id(store), &[code.to_owned()], ctx).await)
}

#[tokio::test]
async fn codes_apply_case_insensitively_and_combine() {
    let (app, token, store, svc) = shop().await;
    coupon(&app, &token, &store, json!({"code": "DEZ", "kind": "percentage", "percent_bps": 1000, "combinable": true}))
        .await;
    coupon(&app, &token, &store, json!({"code": "FRETE", "kind": "free_shipping", "combinable": true})).await;
    let codes = ["dez".to_owned(), " Frete ".to_owned(), "DEZ".to_owned()];
    let applied = svc.evaluate(store_id(&store), &codes, &cart(12345)).await.unwrap();
    assert_eq!(applied.len(), 2, "repeats count once");
    assert_eq!(
        (applied[0].code.as_str(), applied[0].discount, applied[0].free_shipping),
        ("DEZ", Money::brl(1235), false)
    );
    assert_eq!(
        (applied[1].code.as_str(), applied[1].discount, applied[1].free_shipping),
        ("FRETE", Money::brl(0), true)
    );
    assert!(svc.evaluate(store_id(&store), &[], &cart(100)).await.unwrap().is_empty());
}

#[tokio::test]
async fn coupon_not_found() {
    let (app, token, store, svc) = shop().await;
    assert_eq!(rejection(&svc, &store, "NADA", &cart(1000)).await, "coupon_not_found");
    let created = coupon(&app, &token, &store, json!({"code": "PAUSADO", "kind": "free_shipping"})).await;
    let path = format!("/v1/stores/{store}/coupons/{}", created["id"].as_str().unwrap());
    app.patch(&path, &token, json!({"active": false})).await;
    assert_eq!(rejection(&svc, &store, "pausado", &cart(1000)).await, "coupon_not_found");
}

#[tokio::test]
async fn coupon_not_started() {
    let (app, token, store, svc) = shop().await;
    let tomorrow = Utc::now() + Duration::days(1);
    coupon(&app, &token, &store, json!({"code": "LOGO", "kind": "free_shipping", "starts_at": tomorrow})).await;
    assert_eq!(rejection(&svc, &store, "logo", &cart(1000)).await, "coupon_not_started");
    let later = CouponContext { now: tomorrow, ..cart(1000) };
    assert!(svc.evaluate(store_id(&store), &["logo".into()], &later).await.is_ok());
}

#[tokio::test]
async fn coupon_expired() {
    let (app, token, store, svc) = shop().await;
    let (start, end) = (Utc::now() - Duration::days(10), Utc::now() - Duration::days(1));
    coupon(
        &app,
        &token,
        &store,
        json!({"code": "PASSOU", "kind": "free_shipping", "starts_at": start, "ends_at": end}),
    )
    .await;
    assert_eq!(rejection(&svc, &store, "passou", &cart(1000)).await, "coupon_expired");
    let before = CouponContext { now: end - Duration::seconds(1), ..cart(1000) };
    assert!(svc.evaluate(store_id(&store), &["passou".into()], &before).await.is_ok());
}

#[tokio::test]
async fn coupon_minimum_not_met() {
    let (app, token, store, svc) = shop().await;
    let body = json!({"code": "MIN50", "kind": "fixed_amount", "amount": brl(1000), "minimum_subtotal": brl(5000)});
    coupon(&app, &token, &store, body).await;
    assert_eq!(rejection(&svc, &store, "MIN50", &cart(4999)).await, "coupon_minimum_not_met");
    let applied = svc.evaluate(store_id(&store), &["MIN50".into()], &cart(5000)).await.unwrap();
    assert_eq!(applied[0].discount, Money::brl(1000));
}

#[tokio::test]
async fn coupon_minimum_items_not_met() {
    let (app, token, store, svc) = shop().await;
    coupon(
        &app,
        &token,
        &store,
        json!({"code": "LEVE3", "kind": "percentage", "percent_bps": 500, "minimum_item_count": 3}),
    )
    .await;
    let two = CouponContext { lines: vec![line(ProductId::new(), Vec::new(), 2, 2000)], ..cart(0) };
    assert_eq!(rejection(&svc, &store, "leve3", &two).await, "coupon_minimum_items_not_met");
    let three = CouponContext { lines: vec![line(ProductId::new(), Vec::new(), 3, 3000)], ..cart(0) };
    assert_eq!(svc.evaluate(store_id(&store), &["leve3".into()], &three).await.unwrap()[0].discount, Money::brl(150));
}

#[tokio::test]
async fn coupon_not_applicable_outside_its_products_and_categories() {
    let (app, token, store, svc) = shop().await;
    let (_, category) = app.post(&format!("/v1/stores/{store}/categories"), &token, json!({"name": "X"})).await;
    let product = app
        .product(
            &token,
            &store,
            json!({"title": "P", "status": "active", "category_ids": [category["id"]],
            "variants": [{"sku": "S1", "price": brl(1000), "on_hand": 5}]}),
        )
        .await;
    let category_id: CategoryId = category["id"].as_str().unwrap().parse().unwrap();
    let product_id: ProductId = product["id"].as_str().unwrap().parse().unwrap();
    coupon(
        &app,
        &token,
        &store,
        json!({"code": "SOX", "kind": "fixed_amount", "amount": brl(5000),
        "category_ids": [category_id], "minimum_subtotal": brl(1000)}),
    )
    .await;
    coupon(
        &app,
        &token,
        &store,
        json!({"code": "SOP", "kind": "percentage", "percent_bps": 5000, "product_ids": [product_id]}),
    )
    .await;
    for code in ["SOX", "SOP"] {
        assert_eq!(rejection(&svc, &store, code, &cart(10000)).await, "coupon_not_applicable");
    }
    let mixed = CouponContext {
        lines: vec![line(product_id, vec![category_id], 2, 2000), line(ProductId::new(), Vec::new(), 1, 9000)],
        ..cart(0)
    };
    let applied = svc.evaluate(store_id(&store), &["sox".into()], &mixed).await.unwrap();
    assert_eq!(applied[0].discount, Money::brl(2000), "capped at the eligible lines");
    let applied = svc.evaluate(store_id(&store), &["sop".into()], &mixed).await.unwrap();
    assert_eq!(applied[0].discount, Money::brl(1000));
    // The minimum counts only eligible lines.
    let small = CouponContext {
        lines: vec![line(product_id, vec![category_id], 1, 999), line(ProductId::new(), Vec::new(), 1, 9000)],
        ..cart(0)
    };
    assert_eq!(rejection(&svc, &store, "sox", &small).await, "coupon_minimum_not_met");
}

#[tokio::test]
async fn coupon_usage_exhausted() {
    let (app, token, store, svc) = shop().await;
    coupon(&app, &token, &store, json!({"code": "DOIS", "kind": "free_shipping", "usage_limit": 2})).await;
    let ctx = cart(1000);
    let applied = svc.evaluate(store_id(&store), &["dois".into()], &ctx).await.unwrap();
    let order = uuid::Uuid::now_v7();
    let mut conn = app.core.pool.get().await.unwrap();
    conn.transaction::<_, Error, _>(async |conn| redeem(conn, store_id(&store), &applied, order, &ctx).await)
        .await
        .unwrap();
    // The same order cannot redeem it twice.
    let again =
        conn.transaction::<_, Error, _>(async |conn| redeem(conn, store_id(&store), &applied, order, &ctx).await).await;
    assert_eq!(again.unwrap_err().code(), "coupon_already_redeemed");
    redeem_once(&app, store_id(&store), &applied, &ctx).await.unwrap();
    assert_eq!(rejection(&svc, &store, "DOIS", &ctx).await, "coupon_usage_exhausted");
    assert_eq!(redeem_once(&app, store_id(&store), &applied, &ctx).await.unwrap_err().code(), "coupon_usage_exhausted");
}

#[derive(diesel::QueryableByName, Debug, PartialEq)]
struct Buyer {
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    email: Option<String>,
    #[diesel(sql_type = diesel::sql_types::Nullable<Text>)]
    phone: Option<String>,
}

#[tokio::test]
async fn coupon_customer_limit_reached() {
    let (app, token, store, svc) = shop().await;
    coupon(&app, &token, &store, json!({"code": "UMAVEZ", "kind": "free_shipping", "per_customer_limit": 1})).await;
    let store_id = store_id(&store);
    let codes = ["umavez".to_owned()];
    let guest =
        CouponContext { email: Some(" Ana@Example.COM ".into()), phone: Some("(11) 98765-4321".into()), ..cart(1000) };
    let applied = svc.evaluate(store_id, &codes, &guest).await.unwrap();
    redeem_once(&app, store_id, &applied, &guest).await.unwrap();

    let mut conn = app.core.pool.get().await.unwrap();
    let recorded: Buyer =
        diesel::sql_query("SELECT email, phone FROM coupon_redemptions").get_result(&mut conn).await.unwrap();
    assert_eq!(recorded, Buyer { email: Some("ana@example.com".into()), phone: Some("+5511987654321".into()) });

    let same_email = CouponContext { email: Some("ana@example.com".into()), ..cart(1000) };
    let same_phone = CouponContext { phone: Some("+55 11 98765-4321".into()), ..cart(1000) };
    for ctx in [&same_email, &same_phone] {
        assert_eq!(rule_code(svc.evaluate(store_id, &codes, ctx).await), "coupon_customer_limit_reached");
    }
    assert_eq!(
        redeem_once(&app, store_id, &applied, &same_email).await.unwrap_err().code(),
        "coupon_customer_limit_reached"
    );

    let customer =
        CouponContext { customer_id: Some(CustomerId::new()), email: Some("bia@example.com".into()), ..cart(1000) };
    assert!(svc.evaluate(store_id, &codes, &customer).await.is_ok(), "another buyer");
    redeem_once(&app, store_id, &applied, &customer).await.unwrap();
    let same_customer = CouponContext { email: None, ..customer.clone() };
    assert_eq!(rule_code(svc.evaluate(store_id, &codes, &same_customer).await), "coupon_customer_limit_reached");
}

#[tokio::test]
async fn coupon_not_combinable() {
    let (app, token, store, svc) = shop().await;
    coupon(&app, &token, &store, json!({"code": "JUNTA", "kind": "free_shipping", "combinable": true})).await;
    coupon(&app, &token, &store, json!({"code": "SOZINHO", "kind": "percentage", "percent_bps": 1000})).await;
    let both = ["junta".to_owned(), "sozinho".to_owned()];
    assert_eq!(rule_code(svc.evaluate(store_id(&store), &both, &cart(1000)).await), "coupon_not_combinable");
    for code in both {
        assert!(svc.evaluate(store_id(&store), &[code], &cart(1000)).await.is_ok());
    }
}
