//! The EFI PIX client against an in-test HTTPS server that requires our client certificate,
//! and boletos through the provider against a wiremock billing API.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod boleto;
mod parsing;
mod provider;
mod server;

use std::time::Duration;

use balcao_payments::providers::efi::{
    CobRequest, CobStatus, Debtor, DebtorDocument, DevolucaoStatus, EfiClient, EfiConfig, EfiError, PixDirection,
    new_txid,
};
use serde_json::json;
use server::{BASIC, CLIENT_SECRET, MockEfi, pki};

const KEY: &str = "71cdf9ba-c695-4e3c-b010-abb521a3f1be";
const E2E: &str = "E12345678202009091221abcdef12345";

fn assert_send<T: Send>(_: &T) {}

fn charge() -> CobRequest {
    CobRequest {
        expires_in_secs: 3600,
        debtor: Some(Debtor { document: DebtorDocument::Cpf("12345678909".into()), name: "Francisco da Silva".into() }),
        amount_cents: 12345,
        pix_key: KEY.into(),
        payer_message: Some("Cobrança dos serviços prestados.".into()),
    }
}

#[tokio::test]
async fn the_client_certificate_is_presented_and_required() {
    let pki = pki();
    let server = MockEfi::start(&pki, 3600).await;
    let client = EfiClient::new(server.config(&pki)).unwrap();
    client.get_charge(&new_txid()).await.unwrap();
    let seen = server.requests();
    assert_eq!(seen.len(), 2, "token and charge");
    assert!(seen.iter().all(|r| r.client_cert_ok), "every request came with our client certificate");

    // A certificate the server's CA did not issue is refused during the handshake.
    let stranger =
        EfiClient::new(EfiConfig { certificate_pem: pki.stranger_pem.clone(), ..server.config(&pki) }).unwrap();
    let error = stranger.get_charge(&new_txid()).await.unwrap_err();
    assert!(matches!(error, EfiError::Network(_)), "{error:?}");
    // No certificate at all is refused too (a plain client that only trusts the test CA).
    let plain = reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(pki.ca_pem.as_bytes()).unwrap()])
        .build()
        .unwrap();
    assert!(plain.post(format!("{}/oauth/token", server.base_url)).send().await.is_err());
    assert_eq!(server.requests().len(), 2, "no refused peer got to send a request");
    assert!(server.rejected_handshakes() >= 2);
}

#[tokio::test]
async fn a_certificate_pem_without_its_key_is_a_config_error() {
    let pki = pki();
    let cert_only = pki.client_pem.split("-----BEGIN PRIVATE KEY-----").next().unwrap().to_owned();
    let config = EfiConfig {
        base_url: "https://127.0.0.1:1".into(),
        client_id: "id".into(),
        client_secret: CLIENT_SECRET.into(),
        certificate_pem: cert_only,
        extra_root_pem: None,
        outbound: balcao_core::outbound::Policy::ALLOW_PRIVATE,
    };
    let error = EfiClient::new(config.clone()).unwrap_err();
    assert!(matches!(error, EfiError::Config(_)), "{error:?}");
    assert!(!error.to_string().contains("BEGIN"), "{error}");
    let plain_http = EfiConfig { base_url: "http://127.0.0.1:1".into(), certificate_pem: pki.client_pem, ..config };
    assert!(matches!(EfiClient::new(plain_http).unwrap_err(), EfiError::Config(_)));
}

#[tokio::test]
async fn one_token_serves_every_call_until_it_expires() {
    let pki = pki();
    let server = MockEfi::start(&pki, 3600).await;
    let client = EfiClient::new(server.config(&pki)).unwrap();
    let txid = new_txid();
    client.create_charge(&txid, &charge()).await.unwrap();
    let read = client.get_charge(&txid);
    assert_send(&read); // callable from spawned tasks and actix handlers
    read.await.unwrap();
    client.refund(E2E, "D1", 1000).await.unwrap();

    assert_eq!(server.token_requests(), 1);
    let token = &server.requests()[0];
    assert_eq!((token.method.as_str(), token.header("authorization")), ("POST", Some(BASIC)));
    assert_eq!(token.json(), json!({ "grant_type": "client_credentials" }));
    assert_eq!(token.header("content-type"), Some("application/json"));
    let api = server.api_requests();
    assert_eq!(api.len(), 3);
    assert!(api.iter().all(|r| r.header("authorization") == Some("Bearer token-1")), "{api:?}");
}

#[tokio::test]
async fn an_expired_token_is_renewed() {
    let pki = pki();
    let server = MockEfi::start(&pki, 1).await;
    let client = EfiClient::new(server.config(&pki)).unwrap();
    client.get_charge(&new_txid()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    client.get_charge(&new_txid()).await.unwrap();

    assert_eq!(server.token_requests(), 2);
    let bearers: Vec<_> = server.api_requests().iter().map(|r| r.header("authorization").unwrap().to_owned()).collect();
    assert_eq!(bearers, ["Bearer token-1", "Bearer token-2"]);
}

#[tokio::test]
async fn create_charge_sends_efis_body_and_reads_the_answer() {
    let pki = pki();
    let server = MockEfi::start(&pki, 3600).await;
    let client = EfiClient::new(server.config(&pki)).unwrap();
    let txid = new_txid();
    let cob = client.create_charge(&txid, &charge()).await.unwrap();

    let sent = &server.api_requests()[0];
    assert_eq!((sent.method.as_str(), sent.path.clone()), ("PUT", format!("/v2/cob/{txid}")));
    assert_eq!(sent.header("content-type"), Some("application/json"));
    assert_eq!(
        sent.json(),
        json!({
            "calendario": { "expiracao": 3600 },
            "devedor": { "cpf": "12345678909", "nome": "Francisco da Silva" },
            "valor": { "original": "123.45" },
            "chave": KEY,
            "solicitacaoPagador": "Cobrança dos serviços prestados."
        })
    );
    assert_eq!(cob.txid, txid);
    assert_eq!(cob.status, CobStatus::Active);
    assert_eq!(cob.amount_cents, 12345);
    assert_eq!(cob.location.as_deref(), Some("pix.example.com/qr/v2/9d36b84f"));
    assert!(cob.pix_copia_e_cola.unwrap().starts_with("000201"));
    assert!(cob.payments.is_empty());

    // A CNPJ debtor, no message, and centavos below one real.
    let minimal = CobRequest {
        debtor: Some(Debtor { document: DebtorDocument::Cnpj("12345678000195".into()), name: "Loja SA".into() }),
        amount_cents: 5,
        payer_message: None,
        ..charge()
    };
    client.create_charge(&new_txid(), &minimal).await.unwrap();
    let body = server.api_requests()[1].json();
    assert_eq!(body["devedor"], json!({ "cnpj": "12345678000195", "nome": "Loja SA" }));
    assert_eq!(body["valor"], json!({ "original": "0.05" }));
    assert!(body.get("solicitacaoPagador").is_none());
}

#[tokio::test]
async fn bad_arguments_are_refused_before_sending() {
    let pki = pki();
    let server = MockEfi::start(&pki, 3600).await;
    let client = EfiClient::new(server.config(&pki)).unwrap();
    let refused = [
        client.create_charge("short", &charge()).await,
        client.create_charge(&new_txid(), &CobRequest { amount_cents: 0, ..charge() }).await,
        client.create_charge(&new_txid(), &CobRequest { amount_cents: -100, ..charge() }).await,
        client.get_charge("../../oauth/token/xxxxxxxxxxxxxxxxxxxxxx").await,
    ];
    assert!(refused.iter().all(|r| matches!(r, Err(EfiError::InvalidInput(_)))), "{refused:?}");
    assert!(matches!(client.refund(E2E, "D-1", 100).await, Err(EfiError::InvalidInput(_))));
    assert!(matches!(client.refund(E2E, "D1", -1).await, Err(EfiError::InvalidInput(_))));
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn get_charge_reads_the_pix_that_paid_it() {
    let pki = pki();
    let server = MockEfi::start(&pki, 3600).await;
    let client = EfiClient::new(server.config(&pki)).unwrap();
    let txid = new_txid();
    let cob = client.get_charge(&txid).await.unwrap();

    assert_eq!(server.api_requests()[0].path, format!("/v2/cob/{txid}"));
    assert_eq!(server.api_requests()[0].method, "GET");
    assert_eq!((cob.status, cob.amount_cents, cob.expires_in_secs), (CobStatus::Completed, 10000, Some(3600)));
    let [paid] = cob.payments.as_slice() else { panic!("one payment: {:?}", cob.payments) };
    assert_eq!(paid.end_to_end_id, "E12345678202009091221kkkkkkkkkkk");
    assert_eq!((paid.txid.as_deref(), paid.amount_cents), (Some(txid.as_str()), 11000));
    assert_eq!(paid.direction, PixDirection::Received);
    assert_eq!(paid.refunds[0].amount_cents, 1000);
    assert_eq!(paid.refunds[0].status, DevolucaoStatus::Processing);
}

#[tokio::test]
async fn a_401_renews_the_token_once() {
    let pki = pki();
    let server = MockEfi::start(&pki, 3600).await;
    let client = EfiClient::new(server.config(&pki)).unwrap();
    client.get_charge(&new_txid()).await.unwrap();
    server.revoke_tokens();
    client.get_charge(&new_txid()).await.unwrap();

    let paths: Vec<_> = server.requests().iter().map(|r| r.path.split('/').nth(2).unwrap_or("").to_owned()).collect();
    assert_eq!(paths, ["token", "cob", "cob", "token", "cob"]);
    let bearers: Vec<_> = server.api_requests().iter().map(|r| r.header("authorization").unwrap().to_owned()).collect();
    assert_eq!(bearers, ["Bearer token-1", "Bearer token-1", "Bearer token-2"]);

    // A second 401 is final: one renewal per call, no loop.
    server.respond_next(401, json!({ "nome": "nao_autorizado", "mensagem": "Escopo insuficiente" }));
    server.respond_next(401, json!({ "nome": "nao_autorizado", "mensagem": "Escopo insuficiente" }));
    let error = client.get_charge(&new_txid()).await.unwrap_err();
    assert!(matches!(error, EfiError::Api { status: 401, .. }), "{error:?}");
    assert!(!error.is_retryable());
    assert_eq!(server.token_requests(), 3);
}

#[tokio::test]
async fn refund_puts_the_amount_under_our_id() {
    let pki = pki();
    let server = MockEfi::start(&pki, 3600).await;
    let client = EfiClient::new(server.config(&pki)).unwrap();
    let refund = client.refund(E2E, "D1a2b3", 1000).await.unwrap();

    let sent = &server.api_requests()[0];
    assert_eq!(
        (sent.method.as_str(), sent.path.as_str()),
        ("PUT", "/v2/pix/E12345678202009091221abcdef12345/devolucao/D1a2b3")
    );
    assert_eq!(sent.json(), json!({ "valor": "10.00" }));
    assert_eq!((refund.id.as_str(), refund.amount_cents), ("D1a2b3", 1000));
    assert_eq!(refund.status, DevolucaoStatus::Processing);
    assert_eq!(refund.rtr_id.as_deref(), Some("D12345678202009091000abcde123456"));
    assert!(refund.requested_at.is_some());
}

#[tokio::test]
async fn errors_are_classified_and_keep_secrets_out() {
    let pki = pki();
    let server = MockEfi::start(&pki, 3600).await;
    let client = EfiClient::new(server.config(&pki)).unwrap();
    server.respond_next(409, json!({ "nome": "txid_duplicado", "mensagem": "Campo txid informado já foi utilizado" }));
    let duplicate = client.create_charge(&new_txid(), &charge()).await.unwrap_err();
    assert!(matches!(duplicate, EfiError::Api { status: 409, .. }) && !duplicate.is_retryable(), "{duplicate:?}");
    assert_eq!(duplicate.name(), Some("txid_duplicado"));
    for status in [429, 500, 503] {
        server.respond_next(status, json!({ "nome": "erro_aplicacao", "mensagem": "Ocorreu um erro" }));
        let error = client.get_charge(&new_txid()).await.unwrap_err();
        assert!(matches!(error, EfiError::Unavailable { .. }) && error.is_retryable(), "{error:?}");
    }
    // A 200 EFI's shape does not fit, e.g. an amount with one decimal.
    server.respond_next(200, json!({ "txid": "x", "status": "ATIVA", "valor": { "original": "10.5" } }));
    assert!(matches!(client.get_charge(&new_txid()).await, Err(EfiError::Decode(_))));

    let config = EfiConfig { client_secret: "wrong-secret".into(), ..server.config(&pki) };
    let shown = format!("{config:?}");
    assert!(!shown.contains("wrong-secret") && !shown.contains("PRIVATE KEY"), "{shown}");
    let error = EfiClient::new(config).unwrap().get_charge(&new_txid()).await.unwrap_err();
    assert!(matches!(error, EfiError::Auth { status: 401, .. }) && !error.is_retryable(), "{error:?}");
    assert!(!format!("{error} {error:?}").contains("wrong-secret"));
    assert!(!format!("{client:?}").contains("token-1"));

    // Nobody listening: a network error, worth retrying.
    let gone = EfiClient::new(EfiConfig { base_url: "https://127.0.0.1:1".into(), ..server.config(&pki) }).unwrap();
    let error = gone.get_charge(&new_txid()).await.unwrap_err();
    assert!(matches!(error, EfiError::Network(_)) && error.is_retryable(), "{error:?}");
}
