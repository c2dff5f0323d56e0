//! The order lifecycle, cancellation and expiry, events, staff lists and analytics.

use std::time::Duration;

use balcao_tests::commerce::Commerce;
use balcao_tests::{assert_problem, brl};
use diesel::sql_types::Text;
use diesel_async::RunQueryDsl;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn place(shop: &Commerce, variant: &str, quantity: i32, email: &str) -> Value {
    let cart = shop.cart(variant, quantity).await;
    let (status, order) = shop.checkout(&cart, &uuid::Uuid::now_v7().to_string(), shop.pickup_checkout(email)).await;
    assert_eq!(status, StatusCode::CREATED, "{order}");
    order
}

async fn move_to(shop: &Commerce, order: &Value, body: Value) -> (StatusCode, Value) {
    shop.staff(Method::POST, &format!("/orders/{}/transitions", order["id"].as_str().unwrap()), Some(body)).await
}

#[derive(diesel::QueryableByName)]
struct EventType {
    #[diesel(sql_type = Text)]
    event_type: String,
}

async fn events(shop: &Commerce) -> Vec<String> {
    let mut conn = shop.app.core.pool.get().await.unwrap();
    let rows: Vec<EventType> =
        diesel::sql_query("SELECT event_type FROM outbox_events WHERE event_type LIKE 'order.%' ORDER BY id")
            .load(&mut conn)
            .await
            .unwrap();
    rows.into_iter().map(|r| r.event_type).collect()
}

#[tokio::test]
async fn full_lifecycle_with_timeline_and_events() {
    let shop = Commerce::open().await;
    let (product, variant) = shop.product("Tênis", "TEN-1", 30000, 4).await;
    let order = place(&shop, &variant, 2, "ana@example.com").await;
    for (to, extra) in [
        ("paid", json!({})),
        ("preparing", json!({"note": "separando"})),
        ("shipped", json!({"tracking_code": "BR123456789"})),
        ("delivered", json!({})),
    ] {
        let mut body = json!({"to": to});
        body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        let (status, moved) = move_to(&shop, &order, body).await;
        assert_eq!((status, moved["status"].as_str()), (StatusCode::OK, Some(to)), "{moved}");
    }
    let (_, done) = shop.staff(Method::GET, &format!("/orders/{}", order["id"].as_str().unwrap()), None).await;
    let steps: Vec<(Value, Value)> =
        done["timeline"].as_array().unwrap().iter().map(|t| (t["from"].clone(), t["to"].clone())).collect();
    assert_eq!(
        steps,
        vec![
            (Value::Null, json!("pending_payment")),
            (json!("pending_payment"), json!("paid")),
            (json!("paid"), json!("preparing")),
            (json!("preparing"), json!("shipped")),
            (json!("shipped"), json!("delivered")),
        ]
    );
    assert_eq!(done["timeline"][3]["tracking_code"], "BR123456789");
    assert_eq!(done["timeline"][2]["note"], "separando");
    assert_eq!(done["timeline"][1]["actor"], "staff");
    assert_eq!(done["payment_status"], "paid");
    assert_eq!(done["tracking_code"], "BR123456789");
    // Shipping took the units out of the store.
    assert_eq!(
        shop.inventory(&product, &variant).await,
        json!({"on_hand": 2, "reserved": 0, "available": 2, "low_stock_threshold": null})
    );
    assert_eq!(events(&shop).await, vec!["order.created", "order.paid", "order.shipped", "order.delivered"]);

    // No way back, and refunds belong to payments.
    let response = shop
        .app
        .request(
            Method::POST,
            &format!("/v1/stores/{}/orders/{}/transitions", shop.store, order["id"].as_str().unwrap()),
            Some(&shop.token),
        )
        .json(&json!({"to": "cancelled"}))
        .send()
        .await
        .unwrap();
    let problem = assert_problem(response, StatusCode::CONFLICT, "invalid_transition").await;
    assert!(problem["detail"].as_str().unwrap().contains("`delivered` to `cancelled`"), "{problem}");
    let (status, problem) = move_to(&shop, &order, json!({"to": "refunded"})).await;
    assert_eq!((status, problem["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("to")));
    let (status, problem) = move_to(&shop, &order, json!({"to": "lost"})).await;
    assert_eq!((status, problem["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("to")));
}

#[tokio::test]
async fn an_illegal_jump_names_both_states() {
    let shop = Commerce::open().await;
    let (_, variant) = shop.product("Boné", "BON-1", 5000, 2).await;
    let order = place(&shop, &variant, 1, "ana@example.com").await;
    let (status, problem) = move_to(&shop, &order, json!({"to": "shipped"})).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::CONFLICT, Some("invalid_transition")));
    assert_eq!(problem["detail"], "An order cannot move from `pending_payment` to `shipped`.");
}

#[tokio::test]
async fn cancellation_returns_the_stock() {
    let shop = Commerce::open().await;
    let (product, variant) = shop.product("Relógio", "REL-1", 50000, 3).await;
    let order = place(&shop, &variant, 2, "ana@example.com").await;
    assert_eq!(shop.inventory(&product, &variant).await["available"], 1);
    move_to(&shop, &order, json!({"to": "paid"})).await;
    let (status, cancelled) = move_to(&shop, &order, json!({"to": "cancelled", "note": "cliente desistiu"})).await;
    assert_eq!((status, cancelled["status"].as_str()), (StatusCode::OK, Some("cancelled")));
    assert_eq!(
        shop.inventory(&product, &variant).await,
        json!({"on_hand": 3, "reserved": 0, "available": 3, "low_stock_threshold": null})
    );
    assert_eq!(events(&shop).await, vec!["order.created", "order.paid", "order.cancelled"]);
    let (status, _) = move_to(&shop, &order, json!({"to": "paid"})).await;
    assert_eq!(status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn an_unpaid_order_expires_and_releases_its_stock() {
    let shop = Commerce::open_with(&[("BALCAO_ORDER_PAYMENT_TIMEOUT_SECS", "1"), ("BALCAO_JOB_POLL_MS", "100")]).await;
    let (product, variant) = shop.product("Anel", "ANE-1", 9000, 2).await;
    let order = place(&shop, &variant, 1, "ana@example.com").await;
    let paid = place(&shop, &variant, 1, "bia@example.com").await;
    move_to(&shop, &paid, json!({"to": "paid"})).await;
    let worker = shop.app.worker().await;
    let path = format!("/orders/{}", order["id"].as_str().unwrap());
    let mut status = String::new();
    for _ in 0..100 {
        let (_, body) = shop.staff(Method::GET, &path, None).await;
        status = body["status"].as_str().unwrap_or("").to_owned();
        if status == "cancelled" {
            assert_eq!(body["timeline"][1]["actor"], "system");
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    worker.stop().await;
    assert_eq!(status, "cancelled");
    let (_, still) = shop.staff(Method::GET, &format!("/orders/{}", paid["id"].as_str().unwrap()), None).await;
    assert_eq!(still["status"], "paid", "a paid order does not expire");
    assert_eq!(shop.inventory(&product, &variant).await["reserved"], 1, "only the unpaid order's unit came back");
    assert!(events(&shop).await.contains(&"order.cancelled".to_owned()));
}

#[tokio::test]
async fn staff_list_filters_and_costs_a_fixed_number_of_queries() {
    let shop = Commerce::open().await;
    let (_, variant) = shop.product("Meia", "MEI-1", 1500, 100).await;
    let mut placed = Vec::new();
    for i in 0..6 {
        placed.push(place(&shop, &variant, 1 + i % 2, &format!("c{}@example.com", i % 3)).await);
    }
    move_to(&shop, &placed[0], json!({"to": "paid"})).await;
    move_to(&shop, &placed[1], json!({"to": "cancelled"})).await;
    let ids = |page: &Value| page["data"].as_array().unwrap().iter().map(|o| o["id"].clone()).collect::<Vec<_>>();
    let (_, page) = shop.staff(Method::GET, "/orders?status=paid", None).await;
    assert_eq!(ids(&page), vec![placed[0]["id"].clone()]);
    let (_, page) = shop.staff(Method::GET, "/orders?payment_status=pending", None).await;
    assert_eq!(page["data"].as_array().unwrap().len(), 5);
    let (_, page) = shop.staff(Method::GET, "/orders?email=c1@example.com", None).await;
    assert_eq!(ids(&page), vec![placed[4]["id"].clone(), placed[1]["id"].clone()], "newest first");
    let future = (chrono::Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
    let (_, page) = shop.staff(Method::GET, &format!("/orders?from={}", urlencode(&future)), None).await;
    assert_eq!(page["data"].as_array().unwrap().len(), 0);
    let (status, body) = shop.staff(Method::GET, "/orders?from=yesterday", None).await;
    assert_eq!((status, body["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("from")));

    let mut seen = Vec::new();
    let mut path = "/orders?limit=4".to_owned();
    loop {
        let (_, page) = shop.staff(Method::GET, &path, None).await;
        seen.extend(ids(&page));
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/orders?limit=4&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), 6);

    shop.staff(Method::GET, "/orders?limit=1", None).await;
    let (small, _) = shop.app.count_queries(shop.staff(Method::GET, "/orders?limit=1", None)).await;
    let (large, (_, page)) = shop.app.count_queries(shop.staff(Method::GET, "/orders?limit=100", None)).await;
    assert_eq!(page["data"].as_array().unwrap().len(), 6);
    assert_eq!(small, large, "orders and their lines: two queries whatever the page size");
}

fn urlencode(s: &str) -> String {
    s.replace('+', "%2B").replace(':', "%3A")
}

#[tokio::test]
async fn analytics_match_a_hand_computed_fixture() {
    let shop = Commerce::open().await;
    let (bolo, bolo_v) = shop.product("Bolo", "BOLO", 5000, 100).await;
    let (_, torta_v) = shop.product("Torta", "TORTA", 8000, 100).await;
    // Sales: ana buys twice, bia once; one cancelled and one unpaid order do not count.
    let a1 = place(&shop, &bolo_v, 2, "ana@example.com").await; // 100,00
    let a2 = place(&shop, &torta_v, 1, "ana@example.com").await; // 80,00
    let b1 = place(&shop, &bolo_v, 1, "bia@example.com").await; // 50,00
    let cancelled = place(&shop, &torta_v, 5, "caio@example.com").await;
    let _unpaid = place(&shop, &bolo_v, 9, "duda@example.com").await;
    for order in [&a1, &a2, &b1, &cancelled] {
        move_to(&shop, order, json!({"to": "paid"})).await;
    }
    move_to(&shop, &cancelled, json!({"to": "cancelled"})).await;
    // Pin the orders to known instants: 13:30 and 14:10 in São Paulo (UTC-3), on one day.
    let mut conn = shop.app.core.pool.get().await.unwrap();
    for (order, at) in [(&a1, "2026-11-10T16:30:00Z"), (&a2, "2026-11-10T17:10:00Z"), (&b1, "2026-11-10T16:45:00Z")] {
        diesel::sql_query("UPDATE orders SET created_at = $1::timestamptz WHERE id = $2::uuid")
            .bind::<Text, _>(at)
            .bind::<Text, _>(order["id"].as_str().unwrap())
            .execute(&mut conn)
            .await
            .unwrap();
    }
    diesel::sql_query(
        "UPDATE orders SET created_at = '2026-11-10T18:00:00Z' WHERE status IN ('cancelled', 'pending_payment')",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    drop(conn);
    let (status, figures) =
        shop.staff(Method::GET, "/analytics?from=2026-11-10T00:00:00Z&to=2026-11-11T00:00:00Z", None).await;
    assert_eq!(status, StatusCode::OK, "{figures}");
    assert_eq!(figures["revenue"], brl(23000));
    assert_eq!(figures["order_count"], 3);
    assert_eq!(figures["average_order_value"], brl(7667), "230,00 / 3 rounded");
    assert_eq!(figures["top_products"][0]["product_id"], bolo.as_str());
    assert_eq!(figures["top_products"][0]["quantity"], 3);
    assert_eq!(figures["top_products"][0]["revenue_amount"], 15000);
    assert_eq!(figures["top_products"][1]["title"], "Torta");
    assert_eq!(figures["orders_by_hour"][13]["orders"], 2);
    assert_eq!(figures["orders_by_hour"][14]["orders"], 1);
    assert_eq!(figures["orders_by_hour"][16]["orders"], 0, "UTC hours are not used");
    assert_eq!((figures["customers"].as_i64(), figures["repeat_customers"].as_i64()), (Some(2), Some(1)));
    assert_eq!(figures["repeat_customer_rate"], 0.5);
    let (status, body) =
        shop.staff(Method::GET, "/analytics?from=2026-11-11T00:00:00Z&to=2026-11-10T00:00:00Z", None).await;
    assert_eq!((status, body["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("to")));
    let (status, body) = shop.staff(Method::GET, "/analytics", None).await;
    assert_eq!((status, body["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("from")));
}
