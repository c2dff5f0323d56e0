//! Boletos through the EFI provider against a wiremock billing API: the exact one-step
//! request, EFI's line verified into the payer's instructions, the charge's state, and what the
//! provider refuses without calling EFI.

use std::collections::BTreeMap;
use std::time::Duration;

use balcao_core::id::StoreId;
use balcao_payments::br::boleto;
use balcao_payments::payments::model::{Method, PaymentId};
use balcao_payments::providers::efi::adapter::EfiProvider;
use balcao_payments::providers::{Account, ChargeRef, ChargeRequest, Payer, PaymentProvider, Remote};
use chrono::{NaiveDate, TimeDelta, Utc};
use serde_json::{Value, json};
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::server::BASIC;

/// A billing-only EFI account on `server` (no certificate: boletos do not need one).
fn account(server: &MockServer) -> Account {
    let credentials = BTreeMap::from([
        ("client_id".to_owned(), "Client_Id_test".to_owned()),
        ("client_secret".to_owned(), "Client_Secret_test".to_owned()),
    ]);
    let outbound = balcao_core::outbound::Policy::ALLOW_PRIVATE;
    Account { settings: json!({"billing_base_url": server.uri()}), credentials, outbound }
}

fn boleto_charge(payment: PaymentId, document: Option<&str>) -> ChargeRequest {
    ChargeRequest {
        store_id: StoreId::new(),
        store_name: "Doceria da Ana".into(),
        payment_id: payment,
        order_number: 1001,
        order_id: uuid::Uuid::now_v7(),
        method: Method::Boleto,
        amount: 11480,
        expires_in: Duration::from_secs(3 * 86_400),
        idempotency_key: format!("payment-{payment}"),
        payer: Payer {
            name: "Ana Souza".into(),
            email: "ana@example.com".into(),
            phone: Some("+5511987654321".into()),
            document: document.map(str::to_owned),
        },
        card_token: None,
        notification_url: Some("https://loja.example.com/v1/inbound/efi/store-1".into()),
        splits: Vec::new(),
    }
}

fn due() -> NaiveDate {
    Utc::now().date_naive() + TimeDelta::days(3)
}

/// A line as EFI (bank 364) would issue it for `amount` due on `due`.
fn line(amount: i64, due: NaiveDate) -> String {
    boleto::build("364", amount, due, "0000100000000000009000101").unwrap().formatted_line()
}

fn issued(line: &str, due: NaiveDate) -> Value {
    json!({"code": 200, "data": {"barcode": line, "link": "https://boleto.example.com/90001",
        "billet_link": "https://boleto.example.com/90001", "pdf": {"charge": "https://boleto.example.com/90001.pdf"},
        "expire_at": due.format("%Y-%m-%d").to_string(), "charge_id": 90001, "status": "waiting", "total": 11480,
        "payment": "banking_billet"}})
}

async fn authorize(server: &MockServer) {
    Mock::given(method("POST"))
        .and(path("/v1/authorize"))
        .and(header("authorization", BASIC))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"access_token": "token-1", "expires_in": 600})))
        .expect(1)
        .mount(server)
        .await;
}

#[tokio::test]
async fn a_boleto_goes_out_with_the_payers_cpf_and_comes_back_verified() {
    let server = MockServer::start().await;
    authorize(&server).await;
    let payment = PaymentId::new();
    let expected = json!({
        "items": [{"name": "Pedido 1001", "value": 11480, "amount": 1}],
        "metadata": {"custom_id": payment.to_string(),
                     "notification_url": "https://loja.example.com/v1/inbound/efi/store-1"},
        "payment": {"banking_billet": {
            "expire_at": due().format("%Y-%m-%d").to_string(),
            "customer": {"name": "Ana Souza", "cpf": "52998224725", "email": "ana@example.com",
                         "phone_number": "11987654321"},
            "configurations": {"days_to_write_off": 0}
        }}
    });
    let printed = line(11480, due());
    Mock::given(method("POST"))
        .and(path("/v1/charge/one-step"))
        .and(header("authorization", "Bearer token-1"))
        .and(body_json(&expected))
        .respond_with(ResponseTemplate::new(200).set_body_json(issued(&printed, due())))
        .expect(1)
        .mount(&server)
        .await;

    let provider = EfiProvider::new();
    assert_eq!(provider.methods(), [Method::Pix, Method::Boleto]);
    let charge = provider.create(&account(&server), &boleto_charge(payment, Some("52998224725"))).await.unwrap();
    assert_eq!(charge.provider_payment_id, "90001");
    assert_eq!(charge.instructions.boleto_line.as_deref(), Some(printed.as_str()));
    let digits: String = printed.chars().filter(char::is_ascii_digit).collect();
    assert_eq!(charge.instructions.boleto_barcode, Some(boleto::line_to_barcode(&digits).unwrap()));
    assert_eq!(charge.instructions.due_date, Some(due()));
    assert_eq!(charge.instructions.pix_code, None);
    let end_of_due = (due() + TimeDelta::days(1)).and_hms_opt(3, 0, 0).unwrap().and_utc();
    assert_eq!(charge.expires_at, Some(end_of_due));
    assert_eq!(charge.status, Remote::Pending);
}

#[tokio::test]
async fn a_corrupted_line_is_refused_for_good() {
    let server = MockServer::start().await;
    authorize(&server).await;
    // The general check digit (position 33 of the line) is wrong.
    let mut corrupted = line(11480, due()).into_bytes();
    let general = 38;
    assert_eq!(corrupted[general - 1], b' ');
    corrupted[general] = if corrupted[general] == b'9' { b'1' } else { corrupted[general] + 1 };
    let corrupted = String::from_utf8(corrupted).unwrap();
    Mock::given(method("POST"))
        .and(path("/v1/charge/one-step"))
        .respond_with(ResponseTemplate::new(200).set_body_json(issued(&corrupted, due())))
        .expect(1)
        .mount(&server)
        .await;

    let error =
        EfiProvider::new().create(&account(&server), &boleto_charge(PaymentId::new(), Some("52998224725"))).await;
    let error = error.unwrap_err();
    assert_eq!((error.code.as_str(), error.retryable), ("invalid_response", false), "{error}");
    assert!(error.message.contains("general check digit"), "{error}");
}

#[tokio::test]
async fn a_payer_without_a_document_is_refused_before_calling_efi() {
    let server = MockServer::start().await;
    let error = EfiProvider::new().create(&account(&server), &boleto_charge(PaymentId::new(), None)).await;
    let error = error.unwrap_err();
    assert_eq!((error.code.as_str(), error.retryable), ("payer_document_required", false));
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn the_charge_state_answers_reconciliation_and_refunds_are_refused() {
    let server = MockServer::start().await;
    authorize(&server).await;
    for (id, status) in [(1, "waiting"), (2, "paid"), (3, "settled"), (4, "canceled"), (5, "expired"), (6, "unpaid")] {
        Mock::given(method("GET"))
            .and(path(format!("/v1/charge/{id}")))
            .and(header("authorization", "Bearer token-1"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"code": 200, "data": {
                "charge_id": id, "total": 11480, "status": status, "custom_id": null,
                "created_at": "2026-11-29 10:00:00", "history": []}})))
            .expect(1)
            .mount(&server)
            .await;
    }
    let provider = EfiProvider::new();
    let account = account(&server);
    let mut seen = Vec::new();
    for id in ["1", "2", "3", "4", "5", "6"] {
        let remote = provider.status(&account, ChargeRef { method: Method::Boleto, id, amount: 11480 }).await.unwrap();
        seen.push(match remote {
            Remote::Paid { amount, .. } => format!("paid {amount}"),
            other => format!("{other:?}"),
        });
    }
    assert_eq!(seen, ["Pending", "paid 11480", "paid 11480", "Gone", "Gone", "Pending"]);

    let charge = ChargeRef { method: Method::Boleto, id: "2", amount: 11480 };
    let refused = provider.refund(&account, charge, "r1", 11480).await.unwrap_err();
    assert_eq!((refused.code.as_str(), refused.retryable), ("refund_unsupported", false));
    assert!(refused.message.contains("outside balcao"), "{refused}");
    let calls = server.received_requests().await.unwrap().len();
    assert_eq!(calls, 7, "one token and six reads; the refund called nothing");
}
