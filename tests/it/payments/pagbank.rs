//! PIX and cards through a store's PagBank account, end to end: the exact order PagBank gets,
//! the BR Code it answers as the payer's instructions, a signed notification that settles the
//! payment and its order once (however often it arrives or is replayed), and a card captured
//! in the same call.

use std::time::Duration;

use balcao_tests::clock;
use chrono::{DateTime, Utc};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::sandbox::{Sale, sale_with};

const TOKEN: &str = "pagbank-token-5f1e9a7c3b2d4e6f";
const ORDER: &str = "ORDE_F87334AC-BB8B-42E2-AA85-8579F70AA328";
const CHARGE: &str = "CHAR_5E4B1D2C-7A3F-4E8B-9C6D-1A2B3C4D5E6F";
const BR_CODE: &str = "00020101021226850014br.gov.bcb.pix2563api.pagseguro.com/pix/v2/cobv/86FE511B6304A1B2";

/// A sale whose store pays through a PagBank account on a wiremock server.
async fn pagbank_sale() -> (Sale, MockServer) {
    let sale = sale_with(&[("BALCAO_WEBHOOKS_ALLOW_HTTP", "true"), ("BALCAO_WEBHOOKS_ALLOW_PRIVATE", "true")]).await;
    let server = MockServer::start().await;
    let (status, account) = sale
        .shop
        .staff(
            Method::PUT,
            "/payment-accounts/pagbank",
            Some(json!({"credentials": {"token": TOKEN}, "settings": {"base_url": server.uri()}})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{account}");
    assert_eq!(account["configured_credentials"], json!(["token"]));
    (sale, server)
}

async fn orders_answer(server: &MockServer, order: Value) {
    Mock::given(method("POST"))
        .and(path("/orders"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(header("content-type", "application/json"))
        .respond_with(ResponseTemplate::new(201).set_body_json(order))
        .expect(1)
        .mount(server)
        .await;
}

/// The one order PagBank got, with its idempotency key.
async fn sent_order(server: &MockServer) -> (Value, String) {
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    let key = requests[0].headers["x-idempotency-key"].to_str().unwrap().to_owned();
    (serde_json::from_slice(&requests[0].body).unwrap(), key)
}

async fn wait_payment(sale: &Sale, id: &str, status: &str) -> Value {
    let mut payment = Value::Null;
    for _ in 0..100 {
        payment = sale.shop.staff(Method::GET, &format!("/payments/{id}"), None).await.1;
        if payment["status"] == status {
            return payment;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("payment never reached {status}: {payment}");
}

async fn wait_event(sale: &Sale, id: &str, attempts: i64) -> Value {
    let mut event = Value::Null;
    for _ in 0..100 {
        event = sale.shop.staff(Method::GET, &format!("/inbound-events/{id}"), None).await.1;
        if event["status"] == "processed" && event["attempts"] == attempts {
            return event;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the event was never processed {attempts} time(s): {event}");
}

async fn notify(sale: &Sale, body: &str, token: &str) -> (StatusCode, Value) {
    let signature = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(format!("{token}-{body}").as_bytes()));
    let url = format!("{}/v1/inbound/pagbank/{}", sale.shop.app.base, sale.shop.store);
    let response = sale
        .shop
        .app
        .client
        .post(url)
        .header("content-type", "application/json")
        .header("x-authenticity-token", signature)
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    balcao_tests::parse(response).await
}

async fn events(sale: &Sale, kind: &str) -> i64 {
    sale.count(&format!("SELECT count(*) AS n FROM outbox_events WHERE store_id = $1 AND event_type = '{kind}'")).await
}

#[tokio::test]
async fn a_pagbank_pix_is_created_exactly_and_settled_once_by_its_signed_notification() {
    let (sale, server) = pagbank_sale().await;
    let expires = clock::brasilia_rfc3339(clock::at(chrono::Duration::hours(1)));
    let paid_at = clock::at(-chrono::Duration::minutes(5));
    orders_answer(
        &server,
        json!({"id": ORDER, "qr_codes": [{"id": "QRCO_1", "expiration_date": expires,
            "amount": {"value": 11480}, "text": BR_CODE, "links": []}]}),
    )
    .await;
    let before = Utc::now();
    let (status, payment) = sale.pay("pix", "pay-pagbank-1").await;
    assert_eq!(status, StatusCode::CREATED, "{payment}");
    assert_eq!((payment["provider"].as_str(), payment["provider_payment_id"].as_str()), (Some("pagbank"), Some(ORDER)));
    assert_eq!(payment["instructions"]["pix_code"], BR_CODE);
    let id = payment["id"].as_str().unwrap().to_owned();

    let (mut sent, key) = sent_order(&server).await;
    assert_eq!(key, format!("payment-{id}"));
    let expiration = sent["qr_codes"][0]["expiration_date"].take();
    let expiration = DateTime::parse_from_rfc3339(expiration.as_str().unwrap()).unwrap();
    assert_eq!(expiration.offset().local_minus_utc(), -3 * 3600, "written in Brasília time");
    // A PIX lasts as long as its order holds the stock: 30 minutes unless the store says otherwise.
    let expected_expiry = before + chrono::Duration::minutes(30);
    assert!((expiration.to_utc() - expected_expiry).num_seconds().abs() <= 60, "{expiration}");
    assert_eq!(
        sent,
        json!({
            "reference_id": id,
            "customer": {"name": "Ana Souza", "email": "ana@example.com",
                "phones": [{"country": "55", "area": "11", "number": "987654321", "type": "MOBILE"}]},
            "items": [{"reference_id": sale.order, "name": "Pedido 1001", "quantity": 1, "unit_amount": 11480}],
            "qr_codes": [{"amount": {"value": 11480}, "expiration_date": null}],
            "notification_urls": [format!("http://localhost:8080/v1/inbound/pagbank/{}", sale.shop.store)]
        })
    );

    // The receiver checks the store's token (`x-authenticity-token`).
    let (status, source) = sale
        .shop
        .staff(Method::PUT, "/inbound-sources/pagbank", Some(json!({"secrets": {"token": TOKEN}, "ip_allowlist": []})))
        .await;
    assert_eq!(status, StatusCode::OK, "{source}");
    let worker = sale.shop.app.worker().await;
    let body = json!({"id": ORDER, "reference_id": id,
        "qr_codes": [{"id": "QRCO_1", "text": BR_CODE, "amount": {"value": 11480}}],
        "charges": [{"id": CHARGE, "reference_id": id, "status": "PAID", "paid_at": clock::brasilia_rfc3339(paid_at),
            "amount": {"value": 11480, "currency": "BRL", "summary": {"total": 11480, "paid": 11480, "refunded": 0}},
            "payment_response": {"code": "20000", "message": "SUCESSO"},
            "payment_method": {"type": "PIX", "pix": {"end_to_end_id": "E1803615022211340s08793XPJ"}}}]})
    .to_string();
    let (status, forged) = notify(&sale, &body, "someone-elses-token").await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{forged}");
    let (status, first) = notify(&sale, &body, TOKEN).await;
    assert_eq!((status, first["duplicate"].as_bool()), (StatusCode::OK, Some(false)), "{first}");
    let paid = wait_payment(&sale, &id, "paid").await;
    assert_eq!(paid["paid_at"], clock::utc_rfc3339(paid_at));
    assert_eq!(sale.order().await["status"], "paid");

    // The same notification again is acknowledged as a duplicate; a replay runs the handler
    // again; neither changes anything.
    let (status, again) = notify(&sale, &body, TOKEN).await;
    assert_eq!((status, again["duplicate"].as_bool()), (StatusCode::OK, Some(true)), "{again}");
    let event = first["id"].as_str().unwrap();
    wait_event(&sale, event, 1).await;
    let (status, _) = sale.shop.staff(Method::POST, &format!("/inbound-events/{event}/replay"), Some(json!({}))).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    wait_event(&sale, event, 2).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!((events(&sale, "payment.confirmed").await, events(&sale, "order.paid").await), (1, 1));
    assert_eq!(wait_payment(&sale, &id, "paid").await["paid_at"], clock::utc_rfc3339(paid_at));
    worker.stop().await;
}

#[tokio::test]
async fn a_pagbank_card_captured_in_the_same_call_pays_the_order_at_once() {
    let (sale, server) = pagbank_sale().await;
    let paid_at = clock::at(-chrono::Duration::seconds(3));
    orders_answer(
        &server,
        json!({"id": ORDER, "charges": [{"id": CHARGE, "status": "PAID", "paid_at": clock::brasilia_rfc3339(paid_at),
            "amount": {"value": 11480, "currency": "BRL", "summary": {"total": 11480, "paid": 11480, "refunded": 0}},
            "payment_response": {"code": "20000", "message": "SUCESSO"}}]}),
    )
    .await;
    let path = format!("/v1/stores/{}/orders/{}/payments", sale.shop.store, sale.order);
    let response = sale
        .shop
        .app
        .request(Method::POST, &path, Some(&sale.shop.token))
        .header("Idempotency-Key", "pay-pagbank-card")
        .json(&json!({"method": "card", "card_token": "ENC4Jd8xq1=="}))
        .send()
        .await
        .unwrap();
    let (status, payment) = balcao_tests::parse(response).await;
    assert_eq!(status, StatusCode::CREATED, "{payment}");
    assert_eq!(
        (payment["status"].as_str(), payment["paid_at"].as_str()),
        (Some("paid"), Some(clock::utc_rfc3339(paid_at).as_str()))
    );
    assert_eq!(sale.order().await["status"], "paid");
    let (sent, _) = sent_order(&server).await;
    assert_eq!(
        sent["charges"][0]["payment_method"],
        json!({"type": "CREDIT_CARD", "installments": 1, "capture": true, "card": {"encrypted": "ENC4Jd8xq1=="}})
    );
    assert!(sent.get("qr_codes").is_none(), "{sent}");
}
