//! The sandbox provider: real codes, simulated outcomes.

use std::time::Duration;

use balcao_tests::commerce::Commerce;
use diesel::sql_types::{BigInt, Text, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// CRC-16/CCITT-FALSE, written out here so the test does not trust the crate's own.
fn crc16(data: &[u8]) -> u16 {
    let mut crc: u16 = 0xFFFF;
    for byte in data {
        crc ^= u16::from(*byte) << 8;
        for _ in 0..8 {
            crc = if crc & 0x8000 != 0 { (crc << 1) ^ 0x1021 } else { crc << 1 };
        }
    }
    crc
}

/// The TLV fields of a BR Code's top level.
fn fields(code: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = code;
    while rest.len() >= 4 {
        let id = rest[..2].to_owned();
        let len: usize = rest[2..4].parse().unwrap();
        out.push((id, rest[4..4 + len].to_owned()));
        rest = &rest[4 + len..];
    }
    out
}

pub struct Sale {
    pub shop: Commerce,
    pub product: String,
    pub variant: String,
    pub order: String,
}

pub async fn sale() -> Sale {
    sale_with(&[]).await
}

/// A store's pending order of two cakes (R$ 114,80), on an app with extra `settings`.
pub async fn sale_with(settings: &[(&str, &str)]) -> Sale {
    let mut all = vec![("BALCAO_JOB_POLL_MS", "100")];
    all.extend_from_slice(settings);
    let shop = Commerce::open_with(&all).await;
    let (product, variant) = shop.product("Bolo de cenoura", "BOLO-1", 5740, 10).await;
    let cart = shop.cart(&variant, 2).await;
    let (status, order) = shop.checkout(&cart, "checkout-1", shop.pickup_checkout("ana@example.com")).await;
    assert_eq!(status, StatusCode::CREATED, "{order}");
    let order = order["id"].as_str().unwrap().to_owned();
    Sale { shop, product, variant, order }
}

impl Sale {
    pub async fn pay(&self, method: &str, key: &str) -> (StatusCode, Value) {
        let path = format!("/v1/stores/{}/orders/{}/payments", self.shop.store, self.order);
        let mut request = self.shop.app.request(Method::POST, &path, Some(&self.shop.token));
        if !key.is_empty() {
            request = request.header("Idempotency-Key", key);
        }
        balcao_tests::parse(request.json(&json!({"method": method})).send().await.unwrap()).await
    }

    async fn refund(&self, payment: &str, key: &str, body: Value) -> (StatusCode, Value) {
        let response = self
            .shop
            .app
            .request(
                Method::POST,
                &format!("/v1/stores/{}/payments/{payment}/refunds", self.shop.store),
                Some(&self.shop.token),
            )
            .header("Idempotency-Key", key)
            .json(&body)
            .send()
            .await
            .unwrap();
        balcao_tests::parse(response).await
    }

    async fn simulate(&self, payment: &str, outcome: &str) -> Value {
        let (status, body) = self
            .shop
            .staff(Method::POST, &format!("/payments/{payment}/simulate"), Some(json!({"outcome": outcome})))
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    pub async fn order(&self) -> Value {
        self.shop.staff(Method::GET, &format!("/orders/{}", self.order), None).await.1
    }

    pub async fn count(&self, sql: &str) -> i64 {
        #[derive(diesel::QueryableByName)]
        struct Count {
            #[diesel(sql_type = BigInt)]
            n: i64,
        }
        let mut conn = self.shop.app.core.pool.get().await.unwrap();
        diesel::sql_query(sql)
            .bind::<SqlUuid, _>(self.shop.store.parse::<uuid::Uuid>().unwrap())
            .get_result::<Count>(&mut conn)
            .await
            .unwrap()
            .n
    }
}

#[tokio::test]
async fn a_pix_payment_carries_a_valid_br_code_and_is_confirmed_once_even_when_reported_twice() {
    let sale = sale().await;
    let (status, problem) = sale.pay("pix", "").await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
    assert_eq!(problem["code"], "idempotency_key_required");

    let (status, payment) = sale.pay("pix", "pay-1").await;
    assert_eq!(status, StatusCode::CREATED, "{payment}");
    assert_eq!(payment["status"], "pending");
    assert_eq!(payment["amount"], 11480);
    assert_eq!(payment["provider"], "sandbox");
    let id = payment["id"].as_str().unwrap().to_owned();
    let code = payment["instructions"]["pix_code"].as_str().unwrap();
    let (body, crc) = code.split_at(code.len() - 4);
    assert_eq!(format!("{:04X}", crc16(body.as_bytes())), crc, "{code}");
    let top = fields(code);
    let get = |id: &str| top.iter().find(|(k, _)| k == id).map(|(_, v)| v.as_str());
    assert_eq!(get("00"), Some("01"));
    assert_eq!(get("53"), Some("986"));
    assert_eq!(get("54"), Some("114.80"));
    assert_eq!(get("58"), Some("BR"));
    assert!(get("26").is_some_and(|m| m.contains("br.gov.bcb.pix")));

    let (status, again) = sale.pay("pix", "pay-1").await;
    assert!(status.is_success(), "{again}");
    assert_eq!(again["id"], id.as_str(), "the same key answers the same payment");
    let (status, problem) = sale.pay("boleto", "pay-2").await;
    assert_eq!(status, StatusCode::CONFLICT, "{problem}");

    let path = format!("/v1/stores/{}/payments/{id}/qr.svg", sale.shop.store);
    let svg = sale.shop.app.request(Method::GET, &path, Some(&sale.shop.token)).send().await.unwrap();
    assert_eq!(svg.status(), StatusCode::OK);
    assert_eq!(svg.headers()["content-type"], "image/svg+xml");
    let png =
        sale.shop.app.request(Method::GET, &path.replace(".svg", ".png"), Some(&sale.shop.token)).send().await.unwrap();
    assert_eq!(&png.bytes().await.unwrap()[..8], b"\x89PNG\r\n\x1a\n");

    let paid = sale.simulate(&id, "paid").await;
    assert_eq!(paid["status"], "paid");
    assert_eq!(sale.order().await["status"], "paid");
    let again = sale.simulate(&id, "paid").await;
    assert_eq!(again["paid_at"], paid["paid_at"], "a repeated confirmation changes nothing");
    let confirmed = sale
        .count("SELECT count(*) AS n FROM outbox_events WHERE store_id = $1 AND event_type = 'payment.confirmed'")
        .await;
    let order_paid =
        sale.count("SELECT count(*) AS n FROM outbox_events WHERE store_id = $1 AND event_type = 'order.paid'").await;
    assert_eq!((confirmed, order_paid), (1, 1));
}

#[tokio::test]
async fn refunds_never_exceed_what_was_captured_and_move_payment_and_order() {
    let sale = sale().await;
    let (_, payment) = sale.pay("card", "pay-card").await;
    let id = payment["id"].as_str().unwrap().to_owned();
    assert!(payment["instructions"]["client_secret"].as_str().is_some_and(|s| s.contains("_secret_")), "{payment}");
    let (status, problem) = sale.refund(&id, "r-0", json!({"amount": 100})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["code"], "payment_not_captured");
    sale.simulate(&id, "paid").await;

    let (status, problem) = sale.refund(&id, "r-1", json!({"amount": 11481})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["code"], "refund_exceeds_captured");
    let (status, partial) = sale.refund(&id, "r-2", json!({"amount": 4000, "reason": "um bolo chegou amassado"})).await;
    assert_eq!(status, StatusCode::CREATED, "{partial}");
    assert_eq!(partial["status"], "succeeded");
    let (_, replay) = sale.refund(&id, "r-2", json!({"amount": 4000, "reason": "um bolo chegou amassado"})).await;
    assert_eq!(replay["id"], partial["id"], "the same key answers the same refund");
    let (_, payment) = sale.shop.staff(Method::GET, &format!("/payments/{id}"), None).await;
    assert_eq!(
        (payment["status"].as_str(), payment["refunded_amount"].as_i64()),
        (Some("partially_refunded"), Some(4000))
    );
    assert_eq!(sale.order().await["status"], "partially_refunded");

    let (status, problem) = sale.refund(&id, "r-3", json!({"amount": 7481})).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("refund_exceeds_captured")));
    let (status, rest) = sale.refund(&id, "r-4", json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{rest}");
    assert_eq!(rest["amount"], 7480, "without an amount, the rest is refunded");
    let (_, payment) = sale.shop.staff(Method::GET, &format!("/payments/{id}"), None).await;
    assert_eq!(payment["status"], "refunded");
    assert_eq!(sale.order().await["status"], "refunded");
    let (_, refunds) = sale.shop.staff(Method::GET, &format!("/payments/{id}/refunds"), None).await;
    assert_eq!(refunds.as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn an_unpaid_pix_expires_with_its_charge_and_the_order_releases_its_stock() {
    let sale = sale().await;
    let before = sale.shop.inventory(&sale.product, &sale.variant).await;
    assert_eq!(before["reserved"], 2, "{before}");
    let (_, payment) = sale.pay("pix", "pay-x").await;
    let id = payment["id"].as_str().unwrap().to_owned();
    // The charge's time is up: run its expiry job now.
    let mut conn = sale.shop.app.core.pool.get().await.unwrap();
    let moved = diesel::sql_query(
        "UPDATE jobs SET run_at = now() WHERE kind = 'payments.expire' AND payload->>'payment_id' = $1",
    )
    .bind::<Text, _>(&id)
    .execute(&mut conn)
    .await
    .unwrap();
    assert_eq!(moved, 1, "the expiry job was scheduled with the payment");
    drop(conn);
    let worker = sale.shop.app.worker().await;
    let mut payment = Value::Null;
    for _ in 0..100 {
        payment = sale.shop.staff(Method::GET, &format!("/payments/{id}"), None).await.1;
        if payment["status"] == "expired" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(payment["status"], "expired", "{payment}");
    assert_eq!(sale.order().await["status"], "cancelled");
    let after = sale.shop.inventory(&sale.product, &sale.variant).await;
    assert_eq!(after["reserved"], 0, "{after}");
    // A late confirmation of an expired charge changes nothing.
    assert_eq!(sale.simulate(&id, "paid").await["status"], "expired");
    worker.stop().await;
}

#[tokio::test]
async fn a_boleto_line_passes_its_check_digits() {
    let sale = sale().await;
    let (status, payment) = sale.pay("boleto", "pay-b").await;
    assert_eq!(status, StatusCode::CREATED, "{payment}");
    let line = payment["instructions"]["boleto_line"].as_str().unwrap();
    let today = chrono::Utc::now().date_naive();
    let boleto = balcao_payments::br::boleto::from_line(line, today).unwrap();
    assert_eq!(boleto.amount(), 11480);
    assert_eq!(
        boleto.due_date().map(|d| d.to_string()),
        payment["instructions"]["due_date"].as_str().map(str::to_owned)
    );
    assert_eq!(boleto.barcode(), payment["instructions"]["boleto_barcode"].as_str().unwrap());
    // The order holds its stock as long as the boleto can still be paid and cleared, not the
    // store's short hold for PIX.
    assert!(payment["expires_at"].is_string(), "{payment}");
    assert_eq!(sale.order().await["expires_at"], payment["expires_at"]);
    let failed = sale.simulate(payment["id"].as_str().unwrap(), "failed").await;
    assert_eq!(failed["status"], "failed");
    assert_eq!(failed["failure_code"], "sandbox_declined");
    assert_eq!(sale.order().await["status"], "pending_payment", "a failed payment leaves the order payable");
}
