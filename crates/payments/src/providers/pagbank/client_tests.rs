//! The client against a wiremock PagBank: exact JSON bodies and headers, the answers read, and
//! how refusals are classified. Response bodies follow the samples in PagBank's API reference.

use std::time::Duration;

use chrono::{NaiveDate, TimeZone, Utc};
use serde_json::{Value, json};
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::*;
use crate::providers::pagbank::model::{
    Amount, BoletoRequest, ChargeRequest, ChargeStatus, Customer, EncryptedCard, Holder, InstructionLines, Item,
    PaymentMethodRequest, Phone, QrCodeRequest,
};
use crate::providers::pagbank::{MAX_RETRY_AFTER, PRODUCTION_URL};

const ALLOW_PRIVATE: balcao_core::outbound::Policy = balcao_core::outbound::Policy::ALLOW_PRIVATE;

const TOKEN: &str = "4b9d2c6e-1f0a-4d5b-9c8e-7a6f5e4d3c2b1a09f8e7d6c5b4a3";
const ORDER: &str = "ORDE_F87334AC-BB8B-42E2-AA85-8579F70AA328";
const CHARGE: &str = "CHAR_5E4B1D2C-7A3F-4E8B-9C6D-1A2B3C4D5E6F";

async fn pagbank() -> (MockServer, PagBankClient) {
    let server = MockServer::start().await;
    let client = PagBankClient::new(&format!("{}/", server.uri()), TOKEN, ALLOW_PRIVATE).unwrap();
    (server, client)
}

fn customer() -> Customer {
    Customer {
        name: "Ana Souza".into(),
        email: "ana@example.com".into(),
        tax_id: Some("52998224725".into()),
        phones: vec![Phone::from_e164("+5511987654321").unwrap()],
    }
}

fn order(qr_codes: Vec<QrCodeRequest>, charges: Vec<ChargeRequest>) -> OrderRequest {
    OrderRequest {
        reference_id: "pay_7".into(),
        customer: customer(),
        items: vec![Item {
            reference_id: "ord_42".into(),
            name: "Pedido 1001".into(),
            quantity: 1,
            unit_amount: 11480,
        }],
        qr_codes,
        charges,
        notification_urls: vec!["https://loja.example.com/v1/inbound/pagbank/st_1".into()],
    }
}

fn pix_order() -> OrderRequest {
    let qr = QrCodeRequest {
        amount: Amount { value: 11480, currency: None },
        expiration_date: "2026-11-29T11:00:00-03:00".into(),
    };
    order(vec![qr], vec![])
}

fn charge(payment_method: PaymentMethodRequest) -> ChargeRequest {
    ChargeRequest {
        reference_id: "pay_7".into(),
        description: "Loja Teste - pedido 1001".into(),
        amount: Amount { value: 11480, currency: Some("BRL".into()) },
        payment_method,
    }
}

fn charge_json(status: &str, summary: Value, extra: Value) -> Value {
    let mut charge = json!({
        "id": CHARGE, "reference_id": "pay_7", "status": status, "created_at": "2026-11-29T10:00:01.000-03:00",
        "description": "Loja Teste - pedido 1001",
        "amount": {"value": 11480, "currency": "BRL", "summary": summary},
        "payment_response": {"code": "20000", "message": "SUCESSO", "reference": "032416400102"},
        "links": []
    });
    if let (Some(charge), Some(extra)) = (charge.as_object_mut(), extra.as_object()) {
        charge.extend(extra.clone());
    }
    charge
}

#[tokio::test]
async fn a_pix_order_sends_the_exact_json_and_headers() {
    let (server, client) = pagbank().await;
    let expected = json!({
        "reference_id": "pay_7",
        "customer": {"name": "Ana Souza", "email": "ana@example.com", "tax_id": "52998224725",
            "phones": [{"country": "55", "area": "11", "number": "987654321", "type": "MOBILE"}]},
        "items": [{"reference_id": "ord_42", "name": "Pedido 1001", "quantity": 1, "unit_amount": 11480}],
        "qr_codes": [{"amount": {"value": 11480}, "expiration_date": "2026-11-29T11:00:00-03:00"}],
        "notification_urls": ["https://loja.example.com/v1/inbound/pagbank/st_1"]
    });
    Mock::given(method("POST"))
        .and(path("/orders"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(header("x-idempotency-key", "payment-7"))
        .and(header("content-type", "application/json"))
        .and(body_json(&expected))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({
            "id": ORDER, "reference_id": "pay_7", "created_at": "2026-11-29T10:00:00.000-03:00",
            "qr_codes": [{
                "id": "QRCO_86FE511B-E945-4FE1-BB5A-0F2B3A7C1A27",
                "expiration_date": "2026-11-29T11:00:00.000-03:00",
                "amount": {"value": 11480},
                "text": "00020101021226850014br.gov.bcb.pix2563api.pagseguro.com/pix/v2/cobv/86FE511B6304A1B2",
                "arrangements": ["PIX"],
                "links": [{"rel": "QRCODE.PNG", "href": "https://api.pagseguro.com/qrcode/QRCO_86FE/png",
                    "media": "image/png", "type": "GET"}]
            }],
            "notification_urls": ["https://loja.example.com/v1/inbound/pagbank/st_1"],
            "links": [{"rel": "SELF", "href": format!("https://api.pagseguro.com/orders/{ORDER}"),
                "media": "application/json", "type": "GET"}]
        })))
        .expect(1)
        .mount(&server)
        .await;

    let created = client.create_order(&pix_order(), "payment-7").await.unwrap();
    assert_eq!(created.id, ORDER);
    assert!(created.charges.is_empty());
    let qr = &created.qr_codes[0];
    assert!(qr.text.as_deref().unwrap().starts_with("000201"));
    assert_eq!(qr.expiration_date, Some(Utc.with_ymd_and_hms(2026, 11, 29, 14, 0, 0).unwrap()));
    assert_eq!(qr.links[0].rel.as_deref(), Some("QRCODE.PNG"));
    assert_eq!(qr.links[0].media.as_deref(), Some("image/png"));
}

#[tokio::test]
async fn a_card_order_carries_the_encrypted_card_and_reads_a_paid_charge() {
    let (server, client) = pagbank().await;
    let card = EncryptedCard { encrypted: "ENC4Jd8x==".into() };
    let request = order(
        vec![],
        vec![charge(PaymentMethodRequest::CreditCard { installments: 1, capture: true, card: card.clone() })],
    );
    assert!(!format!("{request:?}").contains("ENC4Jd8x"), "Debug must hide the encrypted card");
    let mut expected = serde_json::to_value(order(vec![], vec![])).unwrap();
    expected["charges"] = json!([{
        "reference_id": "pay_7", "description": "Loja Teste - pedido 1001",
        "amount": {"value": 11480, "currency": "BRL"},
        "payment_method": {"type": "CREDIT_CARD", "installments": 1, "capture": true,
            "card": {"encrypted": "ENC4Jd8x=="}}
    }]);
    let paid = charge_json(
        "PAID",
        json!({"total": 11480, "paid": 11480, "refunded": 0}),
        json!({"paid_at": "2026-11-29T10:00:02.000-03:00",
            "payment_method": {"type": "CREDIT_CARD", "installments": 1, "capture": true,
                "card": {"brand": "visa", "first_digits": "411111", "last_digits": "1111"}}}),
    );
    Mock::given(method("POST"))
        .and(path("/orders"))
        .and(header("x-idempotency-key", "payment-8"))
        .and(body_json(&expected))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": ORDER, "charges": [paid]})))
        .expect(1)
        .mount(&server)
        .await;

    let created = client.create_order(&request, "payment-8").await.unwrap();
    let charge = &created.charges[0];
    assert_eq!((charge.id.as_str(), charge.status), (CHARGE, ChargeStatus::Paid));
    assert_eq!(charge.paid_amount(), 11480);
    assert_eq!(charge.paid_at, Some(Utc.with_ymd_and_hms(2026, 11, 29, 13, 0, 2).unwrap()));
    assert_eq!(charge.payment_response.as_ref().and_then(|r| r.code.as_deref()), Some("20000"));
    assert!(!charge.failed_unpaid());
}

#[tokio::test]
async fn a_boleto_order_sends_its_due_date_lines_and_holder() {
    let (server, client) = pagbank().await;
    let boleto = BoletoRequest {
        due_date: NaiveDate::from_ymd_opt(2026, 12, 2).unwrap(),
        instruction_lines: InstructionLines { line_1: "Pedido 1001 - Loja Teste".into(), line_2: "Linha 2".into() },
        holder: Holder { name: "Ana Souza".into(), tax_id: "52998224725".into(), email: "ana@example.com".into() },
    };
    let request = order(vec![], vec![charge(PaymentMethodRequest::Boleto { boleto })]);
    let mut expected = serde_json::to_value(order(vec![], vec![])).unwrap();
    expected["charges"] = json!([{
        "reference_id": "pay_7", "description": "Loja Teste - pedido 1001",
        "amount": {"value": 11480, "currency": "BRL"},
        "payment_method": {"type": "BOLETO", "boleto": {"due_date": "2026-12-02",
            "instruction_lines": {"line_1": "Pedido 1001 - Loja Teste", "line_2": "Linha 2"},
            "holder": {"name": "Ana Souza", "tax_id": "52998224725", "email": "ana@example.com"}}}
    }]);
    let waiting = charge_json(
        "WAITING",
        json!({"total": 11480, "paid": 0, "refunded": 0}),
        json!({"payment_method": {"type": "BOLETO", "boleto": {
            "id": "14A4DAB9-857C-4C29-A2A0-36E9DDCFD114",
            "barcode": "03399853012970000024227020901016278150000015630",
            "formatted_barcode": "03399.85301 29700.000242 27020.901016 2 78150000015630",
            "due_date": "2026-12-02"}}}),
    );
    Mock::given(method("POST"))
        .and(path("/orders"))
        .and(body_json(&expected))
        .respond_with(ResponseTemplate::new(201).set_body_json(json!({"id": ORDER, "charges": [waiting]})))
        .expect(1)
        .mount(&server)
        .await;

    let created = client.create_order(&request, "payment-9").await.unwrap();
    let info = created.charges[0].boleto().unwrap();
    assert_eq!(info.barcode.as_deref(), Some("03399853012970000024227020901016278150000015630"));
    assert_eq!(info.formatted_barcode.as_deref(), Some("03399.85301 29700.000242 27020.901016 2 78150000015630"));
    assert_eq!(created.charges[0].status, ChargeStatus::Waiting);
}

#[tokio::test]
async fn get_is_a_plain_get_and_cancel_posts_the_amount_with_its_key() {
    let (server, client) = pagbank().await;
    Mock::given(method("GET"))
        .and(path(format!("/orders/{ORDER}")))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": ORDER, "charges": [charge_json(
            "PAID", json!({"total": 11480, "paid": 11480, "refunded": 0}), json!({}))]})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/charges/{CHARGE}/cancel")))
        .and(header("x-idempotency-key", "refund-abc"))
        .and(body_json(json!({"amount": {"value": 5000}})))
        .respond_with(ResponseTemplate::new(201).set_body_json(charge_json(
            "PAID",
            json!({"total": 11480, "paid": 11480, "refunded": 5000}),
            json!({}),
        )))
        .expect(1)
        .mount(&server)
        .await;

    let order = client.get_order(ORDER).await.unwrap();
    assert_eq!(order.charges[0].status, ChargeStatus::Paid);
    let cancelled = client.cancel_charge(CHARGE, 5000, "refund-abc").await.unwrap();
    assert_eq!(cancelled.id, CHARGE);
    assert_eq!(cancelled.amount.summary.map(|s| s.refunded), Some(5000));
    let requests = server.received_requests().await.unwrap();
    assert!(requests[0].headers.get("x-idempotency-key").is_none(), "a GET carries no idempotency key");
}

async fn answer(template: ResponseTemplate) -> PagBankError {
    let (server, client) = pagbank().await;
    Mock::given(method("POST")).respond_with(template).mount(&server).await;
    client.create_order(&pix_order(), "k").await.unwrap_err()
}

#[tokio::test]
async fn client_errors_are_permanent_with_pagbanks_code() {
    let body = json!({"error_messages": [{"code": "40002", "description": "invalid_parameter",
        "parameter_name": "customer.tax_id"}]});
    let error = answer(ResponseTemplate::new(400).set_body_json(body)).await;
    assert!(!error.is_retryable());
    assert_eq!((error.status(), error.code()), (Some(400), Some("40002")));
    assert_eq!(error.errors()[0].parameter_name.as_deref(), Some("customer.tax_id"));
    assert_eq!(error.to_string(), "PagBank refused the request (400): 40002: invalid_parameter (customer.tax_id)");

    let error = answer(ResponseTemplate::new(409).set_body_json(json!({"error_messages": [{"code": 40901,
        "message": "duplicated idempotency key with different body"}]})))
    .await;
    assert_eq!(error.code(), Some("40901"));
    assert_eq!(error.errors()[0].description, "duplicated idempotency key with different body");

    let error = answer(ResponseTemplate::new(401).set_body_string("<html>")).await;
    assert!(matches!(&error, PagBankError::Refused { status: 401, .. }) && error.code().is_none());
    assert_eq!(error.errors()[0].description, "PagBank answered 401 Unauthorized");
}

#[tokio::test]
async fn the_token_never_reaches_error_messages() {
    let body = json!({"error_messages": [{"code": "UNAUTHORIZED", "description": format!("Invalid token {TOKEN}")}]});
    let error = answer(ResponseTemplate::new(401).set_body_json(body)).await;
    let shown = format!("{error} {error:?}");
    assert!(!shown.contains(TOKEN) && shown.contains("[redacted]"), "{shown}");
    let (_, client) = pagbank().await;
    assert!(!format!("{client:?}").contains(TOKEN));
}

#[tokio::test]
async fn server_errors_and_rate_limits_retry() {
    let error = answer(ResponseTemplate::new(500).set_body_json(json!({"error_messages": [{"code": "50000",
        "description": "internal_error"}]})))
    .await;
    assert!(error.is_retryable() && error.retry_after().is_none());
    assert_eq!((error.status(), error.code()), (Some(500), Some("50000")));
    assert!(answer(ResponseTemplate::new(503)).await.is_retryable());
    assert!(answer(ResponseTemplate::new(408)).await.is_retryable());
    let error = answer(ResponseTemplate::new(429).insert_header("retry-after", "2")).await;
    assert_eq!((error.is_retryable(), error.retry_after()), (true, Some(Duration::from_secs(2))));
    let error = answer(ResponseTemplate::new(429).insert_header("retry-after", "86400")).await;
    assert_eq!(error.retry_after(), Some(MAX_RETRY_AFTER));
}

#[tokio::test]
async fn unreachable_pagbank_is_retryable_and_bad_bodies_are_not() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let client = PagBankClient::new(&format!("http://127.0.0.1:{port}"), TOKEN, ALLOW_PRIVATE).unwrap();
    let error = client.get_order(ORDER).await.unwrap_err();
    assert!(matches!(error, PagBankError::Network(_)) && error.is_retryable(), "{error:?}");

    let error = answer(ResponseTemplate::new(201).set_body_string("{\"id\": 1}")).await;
    assert!(matches!(error, PagBankError::Decode(_)) && !error.is_retryable());
}

#[tokio::test]
async fn invalid_input_sends_nothing() {
    let (server, client) = pagbank().await;
    Mock::given(wiremock::matchers::any()).respond_with(ResponseTemplate::new(500)).expect(0).mount(&server).await;
    for key in ["", "has space", "tab\t", "ção", &"k".repeat(256)] {
        assert!(matches!(client.create_order(&pix_order(), key).await, Err(PagBankError::Invalid(_))), "{key:?}");
    }
    let mut free = pix_order();
    free.items[0].unit_amount = 0;
    assert!(matches!(client.create_order(&free, "k").await, Err(PagBankError::Invalid(_))));
    for id in ["ORDE_1/../charges", "CHAR_1", "ORDE_", "ORDE_1?x=1", ""] {
        assert!(matches!(client.get_order(id).await, Err(PagBankError::Invalid(_))), "{id}");
    }
    for id in ["CHAR_1/x", ORDER, "CHAR_"] {
        assert!(matches!(client.cancel_charge(id, 100, "k").await, Err(PagBankError::Invalid(_))), "{id}");
    }
    assert!(matches!(client.cancel_charge(CHARGE, 0, "k").await, Err(PagBankError::Invalid(_))));
}

#[test]
fn new_checks_the_base_url_and_the_token() {
    assert!(PagBankClient::new("ftp://x", TOKEN, ALLOW_PRIVATE).is_err());
    assert!(PagBankClient::new("not a url", TOKEN, ALLOW_PRIVATE).is_err());
    assert!(PagBankClient::new("https://api.pagseguro.com?x=1", TOKEN, ALLOW_PRIVATE).is_err());
    assert!(PagBankClient::new(PRODUCTION_URL, "", ALLOW_PRIVATE).is_err());
    assert!(PagBankClient::new(PRODUCTION_URL, "tok\r\nX-Evil: 1", ALLOW_PRIVATE).is_err());
    let Err(PagBankError::Invalid(message)) = PagBankClient::new(PRODUCTION_URL, "secret part", ALLOW_PRIVATE) else {
        panic!("a token with a space must be refused");
    };
    assert!(!message.contains("secret"), "{message}");
    let client = PagBankClient::new("https://sandbox.api.pagseguro.com/", TOKEN, ALLOW_PRIVATE).unwrap();
    assert_eq!(format!("{client:?}"), "PagBankClient { base_url: \"https://sandbox.api.pagseguro.com\", .. }");
}

#[test]
fn phones_are_split_for_brazilian_numbers_only() {
    let phone = Phone::from_e164("+551133334444").unwrap();
    assert_eq!((phone.area.as_str(), phone.number.as_str()), ("11", "33334444"));
    for other in ["+14155550100", "+55119", "5511987654321", "+55 11 98765-4321", "+551198765432100"] {
        assert_eq!(Phone::from_e164(other), None, "{other}");
    }
}
