//! The PagBank provider against a wiremock PagBank: the exact order each method sends, the
//! payer's instructions read back (a boleto's line checked digit by digit), card outcomes,
//! refunds through the paid charge and the order's state for reconciliation.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::time::Duration;

use balcao_core::id::StoreId;
use balcao_payments::br::boleto;
use balcao_payments::payments::model::{Method, PaymentId};
use balcao_payments::providers::pagbank::adapter::PagBankProvider;
use balcao_payments::providers::{Account, ChargeRef, ChargeRequest, Payer, PaymentProvider, ProviderError, Remote};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use serde_json::{Value, json};
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "pagbank-token-4b9d2c6e1f0a4d5b";
const ORDER: &str = "ORDE_F87334AC-BB8B-42E2-AA85-8579F70AA328";
const CHARGE: &str = "CHAR_5E4B1D2C-7A3F-4E8B-9C6D-1A2B3C4D5E6F";
const BR_CODE: &str = "00020101021226850014br.gov.bcb.pix2563api.pagseguro.com/pix/v2/cobv/86FE511B6304A1B2";

/// 2026-11-29 10:00 in Brasília.
fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 29, 13, 0, 0).unwrap()
}

fn provider() -> PagBankProvider {
    PagBankProvider::with_clock(now)
}

async fn pagbank() -> (MockServer, Account) {
    let server = MockServer::start().await;
    let account = Account {
        settings: json!({"base_url": server.uri()}),
        credentials: BTreeMap::from([("token".to_owned(), TOKEN.to_owned())]),
        outbound: balcao_core::outbound::Policy::ALLOW_PRIVATE,
    };
    (server, account)
}

fn request(method: Method) -> ChargeRequest {
    let payment = PaymentId(uuid::Uuid::parse_str("0193e0a4-7c1e-7b3a-9f2d-5a6b7c8d9e0f").unwrap());
    ChargeRequest {
        store_id: StoreId::new(),
        store_name: "Doceria da Ana".into(),
        payment_id: payment,
        order_number: 1001,
        order_id: uuid::Uuid::parse_str("0193e0a4-0000-7000-8000-000000000042").unwrap(),
        method,
        amount: 11480,
        expires_in: Duration::from_secs(if method == Method::Boleto { 3 * 86_400 } else { 3600 }),
        idempotency_key: format!("payment-{payment}"),
        payer: Payer {
            name: "Ana Souza".into(),
            email: "ana@example.com".into(),
            phone: Some("+5511987654321".into()),
            document: Some("52998224725".into()),
        },
        card_token: Some("ENC4Jd8xq1==".into()),
        notification_url: Some("https://loja.example.com/v1/inbound/pagbank/st_1".into()),
        splits: Vec::new(),
    }
}

/// The order every method shares.
fn base_body() -> Value {
    json!({
        "reference_id": "0193e0a4-7c1e-7b3a-9f2d-5a6b7c8d9e0f",
        "customer": {"name": "Ana Souza", "email": "ana@example.com", "tax_id": "52998224725",
            "phones": [{"country": "55", "area": "11", "number": "987654321", "type": "MOBILE"}]},
        "items": [{"reference_id": "0193e0a4-0000-7000-8000-000000000042", "name": "Pedido 1001", "quantity": 1,
            "unit_amount": 11480}],
        "notification_urls": ["https://loja.example.com/v1/inbound/pagbank/st_1"]
    })
}

fn with_charge(payment_method: Value) -> Value {
    let mut body = base_body();
    body["charges"] = json!([{"reference_id": "0193e0a4-7c1e-7b3a-9f2d-5a6b7c8d9e0f",
        "description": "Doceria da Ana - pedido 1001", "amount": {"value": 11480, "currency": "BRL"},
        "payment_method": payment_method}]);
    body
}

fn charge(status: &str, code: &str, message: &str, extra: Value) -> Value {
    let mut charge = json!({"id": CHARGE, "status": status, "reference_id": "0193e0a4-7c1e-7b3a-9f2d-5a6b7c8d9e0f",
        "amount": {"value": 11480, "currency": "BRL", "summary": {"total": 11480,
            "paid": if status == "PAID" { 11480 } else { 0 }, "refunded": 0}},
        "payment_response": {"code": code, "message": message}});
    charge.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    charge
}

async fn answers(server: &MockServer, body: Option<Value>, status: u16, answer: Value) {
    let mut mock = Mock::given(method("POST"))
        .and(path("/orders"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(header("x-idempotency-key", "payment-0193e0a4-7c1e-7b3a-9f2d-5a6b7c8d9e0f"));
    if let Some(body) = body {
        mock = mock.and(body_json(body));
    }
    mock.respond_with(ResponseTemplate::new(status).set_body_json(answer)).expect(1).mount(server).await;
}

#[tokio::test]
async fn pix_sends_the_exact_order_and_answers_pagbanks_br_code() {
    let (server, account) = pagbank().await;
    let mut body = base_body();
    body["qr_codes"] = json!([{"amount": {"value": 11480}, "expiration_date": "2026-11-29T11:00:00-03:00"}]);
    let answer = json!({"id": ORDER, "qr_codes": [{"id": "QRCO_1", "expiration_date": "2026-11-29T11:00:00.000-03:00",
        "amount": {"value": 11480}, "text": BR_CODE, "links": []}]});
    answers(&server, Some(body), 201, answer).await;

    let charge = provider().create(&account, &request(Method::Pix)).await.unwrap();
    assert_eq!(charge.provider_payment_id, ORDER);
    assert_eq!(charge.instructions.pix_code.as_deref(), Some(BR_CODE));
    assert_eq!(charge.expires_at, Some(now() + chrono::Duration::hours(1)));
    assert_eq!(charge.status, Remote::Pending);
}

#[tokio::test]
async fn a_card_captured_at_once_comes_back_paid() {
    let (server, account) = pagbank().await;
    let body = with_charge(json!({"type": "CREDIT_CARD", "installments": 1, "capture": true,
        "card": {"encrypted": "ENC4Jd8xq1=="}}));
    let paid = charge("PAID", "20000", "SUCESSO", json!({"paid_at": "2026-11-29T10:00:03.000-03:00"}));
    answers(&server, Some(body), 201, json!({"id": ORDER, "charges": [paid]})).await;

    let created = provider().create(&account, &request(Method::Card)).await.unwrap();
    assert_eq!(created.provider_payment_id, ORDER);
    assert_eq!(
        created.status,
        Remote::Paid { amount: 11480, at: Utc.with_ymd_and_hms(2026, 11, 29, 13, 0, 3).unwrap() }
    );
    assert_eq!((created.expires_at, created.instructions.client_secret), (None, None));
}

#[tokio::test]
async fn a_card_without_its_encrypted_card_sends_nothing() {
    let (server, account) = pagbank().await;
    Mock::given(wiremock::matchers::any()).respond_with(ResponseTemplate::new(500)).expect(0).mount(&server).await;
    let req = ChargeRequest { card_token: None, ..request(Method::Card) };
    let error = provider().create(&account, &req).await.unwrap_err();
    assert_eq!((error.code.as_str(), error.retryable), ("card_token_required", false));
    let req =
        ChargeRequest { payer: Payer { document: None, ..request(Method::Boleto).payer }, ..request(Method::Boleto) };
    let error = provider().create(&account, &req).await.unwrap_err();
    assert_eq!((error.code.as_str(), error.retryable), ("payer_document_required", false));
    let error = provider().create(&Account::default(), &request(Method::Pix)).await.unwrap_err();
    assert_eq!(error.code, "missing_credentials");
}

#[tokio::test]
async fn a_declined_card_is_a_permanent_error_with_pagbanks_code() {
    let (server, account) = pagbank().await;
    let declined = charge("DECLINED", "10002", "NAO AUTORIZADA PELO EMISSOR", json!({}));
    answers(&server, None, 201, json!({"id": ORDER, "charges": [declined]})).await;
    let error = provider().create(&account, &request(Method::Card)).await.unwrap_err();
    assert_eq!(error, ProviderError::permanent("10002", "NAO AUTORIZADA PELO EMISSOR"));
}

/// PagBank's boleto answer: `barcode` holds the line's digits, `formatted_barcode` the printed line.
fn boleto_answer(barcode: &str, formatted: &str) -> Value {
    let boleto = json!({"id": "14A4DAB9-857C-4C29-A2A0-36E9DDCFD114", "barcode": barcode,
        "formatted_barcode": formatted, "due_date": "2026-12-02"});
    json!({"id": ORDER, "charges": [charge("WAITING", "20000", "SUCESSO",
        json!({"payment_method": {"type": "BOLETO", "boleto": boleto}}))]})
}

#[tokio::test]
async fn a_boleto_sends_its_holder_and_answers_the_checked_line() {
    let (server, account) = pagbank().await;
    let due = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
    let issued = boleto::build("290", 11480, due, "0000000000000000000123456").unwrap();
    let body = with_charge(json!({"type": "BOLETO", "boleto": {"due_date": "2026-12-02",
        "instruction_lines": {"line_1": "Pedido 1001 - Doceria da Ana", "line_2": "Não receber após o vencimento"},
        "holder": {"name": "Ana Souza", "tax_id": "52998224725", "email": "ana@example.com"}}}));
    answers(&server, Some(body), 201, boleto_answer(issued.line(), &issued.formatted_line())).await;

    let charge = provider().create(&account, &request(Method::Boleto)).await.unwrap();
    assert_eq!(charge.provider_payment_id, ORDER);
    assert_eq!(charge.instructions.boleto_line, Some(issued.formatted_line()));
    assert_eq!(charge.instructions.boleto_barcode.as_deref(), Some(issued.barcode()));
    assert_eq!(charge.instructions.boleto_barcode.as_ref().map(String::len), Some(44));
    assert_eq!(charge.instructions.due_date, Some(due));
    assert_eq!(charge.expires_at, Some(now() + chrono::Duration::days(3)));

    // A 44-digit barcode in `barcode` is read as one.
    let (server, account) = pagbank().await;
    answers(&server, None, 201, boleto_answer(issued.barcode(), &issued.formatted_line())).await;
    let charge = provider().create(&account, &request(Method::Boleto)).await.unwrap();
    assert_eq!(charge.instructions.boleto_barcode.as_deref(), Some(issued.barcode()));
}

#[tokio::test]
async fn a_boleto_that_fails_its_checks_is_refused() {
    let due = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
    let issued = boleto::build("290", 11480, due, "0000000000000000000123456").unwrap();
    let other = boleto::build("290", 11480, due, "0000000000000000000654321").unwrap();
    let cheaper = boleto::build("290", 1148, due, "0000000000000000000123456").unwrap();
    // One digit of the line's second field changed: its check digit no longer matches.
    let mut corrupted = issued.line().to_owned().into_bytes();
    corrupted[12] = if corrupted[12] == b'9' { b'0' } else { corrupted[12] + 1 };
    let corrupted = String::from_utf8(corrupted).unwrap();
    for (barcode, formatted) in [
        (corrupted.clone(), issued.formatted_line()),
        (issued.line().to_owned(), "03399.85301 29700.000242".to_owned()),
        (other.line().to_owned(), issued.formatted_line()),
        (cheaper.line().to_owned(), cheaper.formatted_line()),
    ] {
        let (server, account) = pagbank().await;
        answers(&server, None, 201, boleto_answer(&barcode, &formatted)).await;
        let error = provider().create(&account, &request(Method::Boleto)).await.unwrap_err();
        assert_eq!((error.code.as_str(), error.retryable), ("invalid_response", false), "{barcode} / {formatted}");
    }
}

#[tokio::test]
async fn server_errors_retry_and_refusals_do_not() {
    let (server, account) = pagbank().await;
    answers(&server, None, 500, json!({"error_messages": [{"code": "50000", "description": "internal_error"}]})).await;
    let error = provider().create(&account, &request(Method::Pix)).await.unwrap_err();
    assert_eq!((error.code.as_str(), error.retryable), ("50000", true));

    let (server, account) = pagbank().await;
    let refusal = json!({"error_messages": [{"code": "40002", "description": "invalid_parameter",
        "parameter_name": "customer.tax_id"}]});
    answers(&server, None, 400, refusal).await;
    let error = provider().create(&account, &request(Method::Pix)).await.unwrap_err();
    assert_eq!((error.code.as_str(), error.retryable), ("40002", false));
    assert!(error.message.contains("customer.tax_id"), "{}", error.message);
}

fn order_ref(method: Method) -> ChargeRef<'static> {
    ChargeRef { method, id: ORDER, amount: 11480 }
}

async fn order_is(server: &MockServer, order: Value) {
    Mock::given(method("GET"))
        .and(path(format!("/orders/{ORDER}")))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(order))
        .mount(server)
        .await;
}

#[tokio::test]
async fn a_refund_cancels_the_paid_charge_for_the_amount() {
    let (server, account) = pagbank().await;
    let paid = charge("PAID", "20000", "SUCESSO", json!({"paid_at": "2026-11-29T10:05:00-03:00"}));
    order_is(&server, json!({"id": ORDER, "qr_codes": [{"id": "QRCO_1", "text": BR_CODE}], "charges": [paid]})).await;
    let mut after = charge("PAID", "20000", "SUCESSO", json!({}));
    after["amount"]["summary"]["refunded"] = json!(5000);
    Mock::given(method("POST"))
        .and(path(format!("/charges/{CHARGE}/cancel")))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(header("x-idempotency-key", "refund-0193e0a47c1e"))
        .and(body_json(json!({"amount": {"value": 5000}})))
        .respond_with(ResponseTemplate::new(201).set_body_json(after))
        .expect(1)
        .mount(&server)
        .await;
    let id = provider().refund(&account, order_ref(Method::Pix), "0193e0a47c1e", 5000).await.unwrap();
    assert_eq!(id, CHARGE);

    let (server, account) = pagbank().await;
    order_is(&server, json!({"id": ORDER, "charges": [charge("WAITING", "20000", "SUCESSO", json!({}))]})).await;
    let error = provider().refund(&account, order_ref(Method::Boleto), "r2", 5000).await.unwrap_err();
    assert_eq!((error.code.as_str(), error.retryable), ("not_paid", false));
}

#[tokio::test]
async fn status_reads_the_order() {
    let paid = charge("PAID", "20000", "SUCESSO", json!({"paid_at": "2026-11-29T10:05:00-03:00"}));
    let cases = [
        (
            json!({"charges": [paid]}),
            Remote::Paid { amount: 11480, at: Utc.with_ymd_and_hms(2026, 11, 29, 13, 5, 0).unwrap() },
        ),
        (json!({"qr_codes": [{"id": "QRCO_1", "expiration_date": "2026-11-29T11:00:00-03:00"}]}), Remote::Pending),
        (json!({"qr_codes": [{"id": "QRCO_1", "expiration_date": "2026-11-29T09:59:00-03:00"}]}), Remote::Gone),
        (json!({"charges": [charge("DECLINED", "10002", "NEGADA", json!({}))]}), Remote::Gone),
        (json!({"charges": [charge("CANCELED", "20000", "SUCESSO", json!({}))]}), Remote::Gone),
        (json!({"charges": [charge("WAITING", "20000", "SUCESSO", json!({}))]}), Remote::Pending),
        (json!({"charges": [charge("IN_ANALYSIS", "20000", "SUCESSO", json!({}))]}), Remote::Pending),
        (json!({"charges": [charge("AUTHORIZED", "20000", "SUCESSO", json!({}))]}), Remote::Pending),
    ];
    for (mut order, expected) in cases {
        order["id"] = json!(ORDER);
        let (server, account) = pagbank().await;
        order_is(&server, order.clone()).await;
        assert_eq!(provider().status(&account, order_ref(Method::Pix)).await.unwrap(), expected, "{order}");
    }
}
