//! The billing client against a wiremock EFI: the exact token and charge requests, one token
//! for many calls, one renewal on a 401, and how refusals are classified.

use chrono::NaiveDate;
use serde_json::{Value, json};
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::*;
use crate::providers::efi::billing_model::{BoletoCustomer, ChargeStatus, PayerDocument};

const CLIENT_ID: &str = "Client_Id_test";
const CLIENT_SECRET: &str = "Client_Secret_test";
/// `base64("Client_Id_test:Client_Secret_test")`, computed outside Rust.
const BASIC: &str = "Basic Q2xpZW50X0lkX3Rlc3Q6Q2xpZW50X1NlY3JldF90ZXN0";
const LINE: &str = "36490.00019 00000.000004 00000.000000 1 11940000011480";

fn config(base_url: String) -> BillingConfig {
    BillingConfig {
        base_url,
        client_id: CLIENT_ID.into(),
        client_secret: CLIENT_SECRET.into(),
        outbound: balcao_core::outbound::Policy::ALLOW_PRIVATE,
    }
}

async fn efi() -> (MockServer, EfiBillingClient) {
    let server = MockServer::start().await;
    let client = EfiBillingClient::new(config(server.uri())).unwrap();
    (server, client)
}

fn token(value: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"access_token": value, "expires_in": 600, "token_type": "Bearer"}))
}

async fn authorize(server: &MockServer, value: &str) {
    Mock::given(method("POST"))
        .and(path("/v1/authorize"))
        .and(header("authorization", BASIC))
        .and(body_json(json!({"grant_type": "client_credentials"})))
        .respond_with(token(value))
        .mount(server)
        .await;
}

fn waiting_charge(id: u64) -> Value {
    json!({"code": 200, "data": {"charge_id": id, "total": 11480, "status": "waiting", "custom_id": "pay-1",
        "created_at": "2026-11-29 10:00:00", "notification_url": null, "items": [], "history": []}})
}

fn request(document: PayerDocument) -> BoletoRequest {
    BoletoRequest {
        item_name: "Pedido 1001".into(),
        amount_cents: 11480,
        expire_at: NaiveDate::from_ymd_opt(2026, 12, 2).unwrap(),
        customer: BoletoCustomer {
            name: "Ana Souza".into(),
            document,
            email: Some("ana@example.com".into()),
            phone_number: Some("11987654321".into()),
        },
        custom_id: Some("0193b3c0-0000-7000-8000-000000000001".into()),
        notification_url: Some("https://loja.example.com/v1/inbound/efi/s1".into()),
        days_to_write_off: Some(0),
    }
}

fn issued(charge_id: u64) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"code": 200, "data": {
        "barcode": LINE, "pix": {"qrcode": "00020101021226990014BR.GOV.BCB.PIX", "qrcode_image": "data:image/svg+xml;base64,PHN2Zz4="},
        "link": "https://boleto.example.com/emissao/1", "billet_link": "https://boleto.example.com/1",
        "pdf": {"charge": "https://boleto.example.com/1.pdf"}, "expire_at": "2026-12-02", "charge_id": charge_id,
        "status": "waiting", "total": 11480, "payment": "banking_billet"}}))
}

#[tokio::test]
async fn one_token_from_basic_auth_serves_every_call() {
    let (server, client) = efi().await;
    Mock::given(method("POST"))
        .and(path("/v1/authorize"))
        .and(header("authorization", BASIC))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({"grant_type": "client_credentials"})))
        .respond_with(token("token-1"))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/charge/4242"))
        .and(header("authorization", "Bearer token-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(waiting_charge(4242)))
        .expect(2)
        .mount(&server)
        .await;

    let first = client.get_charge(4242).await.unwrap();
    client.get_charge(4242).await.unwrap();
    assert_eq!(first.charge_id, 4242);
    assert_eq!((first.total, first.status, first.custom_id.as_deref()), (11480, ChargeStatus::Waiting, Some("pay-1")));
    let paths: Vec<String> =
        server.received_requests().await.unwrap().iter().map(|r| r.url.path().to_owned()).collect();
    assert_eq!(paths, ["/v1/authorize", "/v1/charge/4242", "/v1/charge/4242"]);
}

#[tokio::test]
async fn a_cpf_boleto_sends_efis_exact_one_step_body() {
    let (server, client) = efi().await;
    authorize(&server, "token-1").await;
    let expected = json!({
        "items": [{"name": "Pedido 1001", "value": 11480, "amount": 1}],
        "metadata": {"custom_id": "0193b3c0-0000-7000-8000-000000000001",
                     "notification_url": "https://loja.example.com/v1/inbound/efi/s1"},
        "payment": {"banking_billet": {
            "expire_at": "2026-12-02",
            "customer": {"name": "Ana Souza", "cpf": "52998224725", "email": "ana@example.com",
                         "phone_number": "11987654321"},
            "configurations": {"days_to_write_off": 0}
        }}
    });
    Mock::given(method("POST"))
        .and(path("/v1/charge/one-step"))
        .and(header("authorization", "Bearer token-1"))
        .and(body_json(&expected))
        .respond_with(issued(90001))
        .expect(1)
        .mount(&server)
        .await;

    let boleto = client.create_boleto(&request(PayerDocument::Cpf("52998224725".into()))).await.unwrap();
    assert_eq!((boleto.charge_id, boleto.line.as_str(), boleto.total), (90001, LINE, 11480));
    assert_eq!(boleto.expire_at, NaiveDate::from_ymd_opt(2026, 12, 2));
    assert_eq!(boleto.status, ChargeStatus::Waiting);
    assert_eq!(boleto.pix_code.as_deref(), Some("00020101021226990014BR.GOV.BCB.PIX"));
    assert_eq!(boleto.link.as_deref(), Some("https://boleto.example.com/1"));
    assert_eq!(boleto.pdf_url.as_deref(), Some("https://boleto.example.com/1.pdf"));
}

#[tokio::test]
async fn a_cnpj_boleto_names_the_company_and_leaves_out_what_is_unknown() {
    let (server, client) = efi().await;
    authorize(&server, "token-1").await;
    let expected = json!({
        "items": [{"name": "Pedido 1001", "value": 11480, "amount": 1}],
        "payment": {"banking_billet": {
            "expire_at": "2026-12-02",
            "customer": {"juridical_person": {"corporate_name": "Doces da Ana LTDA", "cnpj": "11222333000181"}}
        }}
    });
    Mock::given(method("POST"))
        .and(path("/v1/charge/one-step"))
        .and(body_json(&expected))
        .respond_with(issued(90002))
        .expect(1)
        .mount(&server)
        .await;
    let mut req = request(PayerDocument::Cnpj("11222333000181".into()));
    req.customer = BoletoCustomer { name: "Doces da Ana LTDA".into(), email: None, phone_number: None, ..req.customer };
    (req.custom_id, req.notification_url, req.days_to_write_off) = (None, None, None);
    assert_eq!(client.create_boleto(&req).await.unwrap().charge_id, 90002);
}

#[tokio::test]
async fn bad_requests_are_refused_before_sending() {
    let (server, client) = efi().await;
    let good = request(PayerDocument::Cpf("52998224725".into()));
    let refused = [
        BoletoRequest { amount_cents: 0, ..good.clone() },
        BoletoRequest {
            customer: BoletoCustomer { document: PayerDocument::Cpf("5299822472".into()), ..good.customer.clone() },
            ..good.clone()
        },
        BoletoRequest { days_to_write_off: Some(121), ..good.clone() },
    ];
    for req in &refused {
        assert!(matches!(client.create_boleto(req).await, Err(EfiError::InvalidInput(_))));
    }
    for token in ["../charge/1/cancel", "", "a b", &"x".repeat(129)] {
        assert!(matches!(client.get_notification(token).await, Err(EfiError::InvalidInput(_))), "{token}");
    }
    assert!(server.received_requests().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_401_renews_the_token_once_and_a_second_is_final() {
    let (server, client) = efi().await;
    Mock::given(method("POST"))
        .and(path("/v1/authorize"))
        .respond_with(token("token-1"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST")).and(path("/v1/authorize")).respond_with(token("token-2")).mount(&server).await;
    let refused = ResponseTemplate::new(401)
        .set_body_json(json!({"code": 401, "error": "unauthorized", "error_description": "Token inválido"}));
    Mock::given(method("GET"))
        .and(path("/v1/charge/7"))
        .and(header("authorization", "Bearer token-1"))
        .respond_with(refused.clone())
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/charge/7"))
        .and(header("authorization", "Bearer token-2"))
        .respond_with(ResponseTemplate::new(200).set_body_json(waiting_charge(7)))
        .mount(&server)
        .await;

    assert_eq!(client.get_charge(7).await.unwrap().charge_id, 7);
    let seen: Vec<String> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| format!("{} {}", r.url.path(), r.headers.get("authorization").map_or("", |v| v.to_str().unwrap())))
        .collect();
    assert_eq!(
        seen,
        [
            "/v1/authorize Basic Q2xpZW50X0lkX3Rlc3Q6Q2xpZW50X1NlY3JldF90ZXN0",
            "/v1/charge/7 Bearer token-1",
            "/v1/authorize Basic Q2xpZW50X0lkX3Rlc3Q6Q2xpZW50X1NlY3JldF90ZXN0",
            "/v1/charge/7 Bearer token-2"
        ]
    );

    // Refused again with a fresh token: one renewal per call, no loop.
    Mock::given(method("GET")).and(path("/v1/charge/8")).respond_with(refused).mount(&server).await;
    let error = client.get_charge(8).await.unwrap_err();
    assert!(matches!(error, EfiError::Api { status: 401, .. }) && !error.is_retryable(), "{error:?}");
    assert_eq!(error.name(), Some("unauthorized"));
    let authorizations =
        server.received_requests().await.unwrap().iter().filter(|r| r.url.path() == "/v1/authorize").count();
    assert_eq!(authorizations, 3);
}

#[tokio::test]
async fn server_errors_and_limits_are_retryable_refusals_are_not() {
    let (server, client) = efi().await;
    authorize(&server, "token-1").await;
    let failing = json!({"code": 500, "error": "internal_server_error", "error_description": "Erro interno"});
    Mock::given(method("POST"))
        .and(path("/v1/charge/one-step"))
        .respond_with(ResponseTemplate::new(500).set_body_json(&failing))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/charge/one-step"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "7").set_body_string("slow down"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    let invalid = json!({"code": 3500034, "error": "validation_error", "error_description":
        {"property": "/payment/banking_billet/customer/cpf", "message": "O campo cpf é inválido"}});
    Mock::given(method("POST"))
        .and(path("/v1/charge/one-step"))
        .respond_with(ResponseTemplate::new(400).set_body_json(&invalid))
        .mount(&server)
        .await;
    let req = request(PayerDocument::Cpf("52998224725".into()));

    let error = client.create_boleto(&req).await.unwrap_err();
    assert!(
        matches!(&error, EfiError::Unavailable { status: 500, name, message, .. }
        if name == "internal_server_error" && message == "Erro interno"),
        "{error:?}"
    );
    assert!(error.is_retryable());
    let error = client.create_boleto(&req).await.unwrap_err();
    assert!(
        matches!(&error, EfiError::Unavailable { status: 429, name, retry_after, .. }
        if name == "http_429" && *retry_after == Some(Duration::from_secs(7))),
        "{error:?}"
    );
    let error = client.create_boleto(&req).await.unwrap_err();
    assert!(!error.is_retryable(), "{error:?}");
    assert_eq!(
        error.to_string(),
        "EFI refused the request (400): validation_error: /payment/banking_billet/customer/cpf: O campo cpf é inválido"
    );

    // Nobody listening: a network error, worth retrying.
    let gone = EfiBillingClient::new(config("http://127.0.0.1:1".into())).unwrap();
    let error = gone.get_charge(1).await.unwrap_err();
    assert!(matches!(error, EfiError::Network(_)) && error.is_retryable(), "{error:?}");
}

#[tokio::test]
async fn wrong_credentials_are_an_auth_error_that_keeps_secrets_out() {
    let (server, _) = efi().await;
    Mock::given(method("POST"))
        .and(path("/v1/authorize"))
        .respond_with(ResponseTemplate::new(401).set_body_json(json!({"error": "invalid_client",
            "error_description": "Invalid or inactive credentials"})))
        .mount(&server)
        .await;
    let config = BillingConfig { client_secret: "wrong-secret".into(), ..config(server.uri()) };
    assert!(!format!("{config:?}").contains("wrong-secret"));
    let client = EfiBillingClient::new(config).unwrap();
    let error = client.get_charge(1).await.unwrap_err();
    assert!(matches!(error, EfiError::Auth { status: 401, .. }) && !error.is_retryable(), "{error:?}");
    assert!(!format!("{error} {error:?} {client:?}").contains("wrong-secret"));
    let bad = [config_with("ftp://efi.example.com"), config_with("https://efi.example.com?x=1"), config_with("nope")];
    assert!(bad.into_iter().all(|c| matches!(EfiBillingClient::new(c), Err(EfiError::Config(_)))));
}

fn config_with(base_url: &str) -> BillingConfig {
    config(base_url.into())
}

#[tokio::test]
async fn a_notification_reads_its_history_and_cancel_is_a_put() {
    let (server, client) = efi().await;
    authorize(&server, "token-1").await;
    Mock::given(method("GET"))
        .and(path("/v1/notification/09027955-5e06-4ff0-a9c7-46b47b8f1b27"))
        .and(header("authorization", "Bearer token-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"code": 200, "data": [
            {"created_at": "2026-11-29 09:12:23", "custom_id": "pay-1", "id": 1, "identifiers": {"charge_id": 90001},
             "status": {"current": "waiting", "previous": null}, "type": "charge"},
            {"created_at": "2026-11-30 07:33:30", "custom_id": "pay-1", "id": 2, "identifiers": {"charge_id": 90001},
             "received_by_bank_at": "2026-11-30", "status": {"current": "paid", "previous": "waiting"},
             "type": "charge", "value": 11480}
        ]})))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/v1/charge/90001/cancel"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"code": 200})))
        .expect(1)
        .mount(&server)
        .await;

    let entries = client.get_notification("09027955-5e06-4ff0-a9c7-46b47b8f1b27").await.unwrap();
    let [waiting, paid] = entries.as_slice() else { panic!("two entries: {entries:?}") };
    assert_eq!((waiting.id, waiting.status.clone(), waiting.value), (1, ChargeStatus::Waiting, None));
    assert_eq!((paid.kind.as_str(), paid.charge_id, paid.custom_id.as_deref()), ("charge", Some(90001), Some("pay-1")));
    assert_eq!(
        (paid.status.clone(), paid.previous.as_deref(), paid.value),
        (ChargeStatus::Paid, Some("waiting"), Some(11480))
    );
    assert_eq!(paid.received_by_bank_at, NaiveDate::from_ymd_opt(2026, 11, 30));
    // São Paulo time, three hours behind UTC.
    assert_eq!(paid.created_at.unwrap().to_rfc3339(), "2026-11-30T10:33:30+00:00");
    client.cancel_charge(90001).await.unwrap();
}
