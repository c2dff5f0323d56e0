//! The SMS providers end to end against loopback APIs: Zenvia's JSON with `X-API-TOKEN` and
//! Twilio's form with basic auth, checked exactly; a 429 is retried after `Retry-After`; a
//! refusal fails the message with the provider's own error code; tokens are never shown.

use std::time::Duration;

use balcao_tests::TestApp;
use reqwest::StatusCode;
use serde_json::{Value, json};
use wiremock::matchers::{body_json, body_string, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TO: &str = "+5511987654321";
const OTHER: &str = "+5521912345678";
const ZENVIA_TOKEN: &str = "zenvia-test-token-that-never-leaves";
const TWILIO_SID: &str = "AC0123456789abcdef0123456789abcdef";
const TWILIO_TOKEN: &str = "f00dfacef00dfacef00dfacef00dface";
/// `Basic base64("{TWILIO_SID}:{TWILIO_TOKEN}")`.
const TWILIO_AUTH: &str =
    "Basic QUMwMTIzNDU2Nzg5YWJjZGVmMDEyMzQ1Njc4OWFiY2RlZjpmMDBkZmFjZWYwMGRmYWNlZjAwZGZhY2VmMDBkZmFjZQ==";

/// A store with an SMS channel on a loopback API.
struct Shop {
    app: TestApp,
    token: String,
    store: String,
    server: MockServer,
}

impl Shop {
    async fn new(provider: &str, sender: &str, credentials: Value) -> Self {
        let app = TestApp::spawn_with(&[
            ("BALCAO_JOB_POLL_MS", "100"),
            ("BALCAO_WEBHOOKS_ALLOW_HTTP", "true"),
            ("BALCAO_WEBHOOKS_ALLOW_PRIVATE", "true"),
        ])
        .await;
        let user = app.user().await;
        let store = app.store(&user.token).await;
        let server = MockServer::start().await;
        let (status, channel) = app
            .post(
                &format!("/v1/stores/{store}/channels"),
                &user.token,
                json!({"kind": "sms", "provider": provider, "name": "SMS", "sender": sender,
                       "settings": {"base_url": server.uri()}, "credentials": credentials}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{channel}");
        Self { app, token: user.token, store, server }
    }

    async fn zenvia() -> Self {
        Self::new("zenvia", "loja-da-ana", json!({"api_token": ZENVIA_TOKEN})).await
    }

    async fn twilio() -> Self {
        Self::new("twilio", "+15017122661", json!({"account_sid": TWILIO_SID, "auth_token": TWILIO_TOKEN})).await
    }

    async fn queue(&self, to: &str, text: &str) -> String {
        let (status, message) = self
            .app
            .post(
                &format!("/v1/stores/{}/messages", self.store),
                &self.token,
                json!({"channel": "sms", "to": to, "content": {"type": "text", "text": text}}),
            )
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{message}");
        message["id"].as_str().unwrap().to_owned()
    }

    async fn settled(&self, id: &str) -> Value {
        super::support::settled(&self.app, &self.token, &self.store, id).await
    }

    async fn assert_never_shown(&self, secret: &str) {
        for path in [format!("/v1/stores/{}/channels", self.store), format!("/v1/stores/{}/messages", self.store)] {
            let (status, body) = self.app.get(&path, &self.token).await;
            assert_eq!(status, StatusCode::OK, "{path}: {body}");
            assert!(!body.to_string().contains(secret), "{path} shows a secret: {body}");
        }
    }
}

fn zenvia_api(to_digits: &str, text: &str) -> wiremock::MockBuilder {
    Mock::given(method("POST"))
        .and(path("/v2/channels/sms/messages"))
        .and(header("x-api-token", ZENVIA_TOKEN))
        .and(header("content-type", "application/json"))
        .and(body_json(json!({"from": "loja-da-ana", "to": to_digits, "contents": [{"type": "text", "text": text}]})))
}

fn twilio_api(form: &str) -> wiremock::MockBuilder {
    Mock::given(method("POST"))
        .and(path(format!("/2010-04-01/Accounts/{TWILIO_SID}/Messages.json")))
        .and(header("authorization", TWILIO_AUTH))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(body_string(form))
}

fn twilio_created(sid: &str) -> ResponseTemplate {
    ResponseTemplate::new(201).set_body_json(json!({"sid": sid, "status": "queued", "to": TO, "from": "+15017122661"}))
}

#[tokio::test]
async fn zenvia_gets_its_exact_json_and_a_refusal_fails_with_zenvias_code() {
    let shop = Shop::zenvia().await;
    let text = "Seu pedido nº 1042 saiu para entrega 🚚";
    zenvia_api("5511987654321", text)
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "d1a2b3c4-zenvia-message", "from": "loja-da-ana", "to": "5511987654321",
            "direction": "OUT", "channel": "sms", "contents": [{"type": "text", "text": text}]})))
        .expect(1)
        .mount(&shop.server)
        .await;
    zenvia_api("5521912345678", "Oi")
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "code": "VALIDATION_ERROR", "message": "Validation error",
            "details": [{"code": "INVALID_FORMAT", "path": "to", "message": "must be a phone number"}]})))
        .expect(1)
        .mount(&shop.server)
        .await;

    let sent = shop.queue("+55 (11) 98765-4321", text).await;
    let refused = shop.queue(OTHER, "Oi").await;
    let worker = shop.app.worker().await;
    let sent = shop.settled(&sent).await;
    let refused = shop.settled(&refused).await;
    worker.stop().await;
    assert_eq!(sent["status"], "sent", "{sent}");
    assert_eq!(sent["provider_message_id"], "d1a2b3c4-zenvia-message");
    assert_eq!(refused["status"], "failed", "{refused}");
    assert_eq!(refused["error_code"], "VALIDATION_ERROR");
    assert_eq!(refused["error_message"], "Validation error");
    assert_eq!(refused["attempts"], 1, "a refusal is not retried");
    shop.server.verify().await;
    shop.assert_never_shown(ZENVIA_TOKEN).await;
}

#[tokio::test]
async fn twilio_gets_its_exact_form_with_basic_auth_and_a_refusal_fails_with_twilios_code() {
    let shop = Shop::twilio().await;
    twilio_api("To=%2B5511987654321&From=%2B15017122661&Body=Seu+pedido+n%C2%BA+1042+saiu+%26+chega+hoje")
        .respond_with(twilio_created("SM0123456789abcdef0123456789abcdef"))
        .expect(1)
        .mount(&shop.server)
        .await;
    twilio_api("To=%2B5521912345678&From=%2B15017122661&Body=Oi")
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({
            "code": 21211, "message": "The 'To' number +5521912345678 is not a valid phone number.",
            "more_info": "https://www.twilio.com/docs/errors/21211", "status": 400})))
        .expect(1)
        .mount(&shop.server)
        .await;

    let sent = shop.queue(TO, "Seu pedido nº 1042 saiu & chega hoje").await;
    let refused = shop.queue(OTHER, "Oi").await;
    let worker = shop.app.worker().await;
    let sent = shop.settled(&sent).await;
    let refused = shop.settled(&refused).await;
    worker.stop().await;
    assert_eq!(sent["status"], "sent", "{sent}");
    assert_eq!(sent["provider_message_id"], "SM0123456789abcdef0123456789abcdef");
    assert_eq!(refused["status"], "failed", "{refused}");
    assert_eq!(refused["error_code"], "21211");
    assert_eq!(refused["attempts"], 1, "a refusal is not retried");
    shop.server.verify().await;
    shop.assert_never_shown(TWILIO_TOKEN).await;
}

#[tokio::test]
async fn a_rate_limited_send_is_retried_after_retry_after_and_then_sent() {
    let shop = Shop::twilio().await;
    let form = "To=%2B5511987654321&From=%2B15017122661&Body=Oi";
    twilio_api(form)
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "1").set_body_json(json!({
            "code": 20429, "message": "Too Many Requests", "status": 429})))
        .up_to_n_times(1)
        .expect(1)
        .mount(&shop.server)
        .await;
    twilio_api(form).respond_with(twilio_created("SMafter429")).expect(1).mount(&shop.server).await;

    let id = shop.queue(TO, "Oi").await;
    let started = std::time::Instant::now();
    let worker = shop.app.worker().await;
    let message = shop.settled(&id).await;
    worker.stop().await;
    assert_eq!(message["status"], "sent", "{message}");
    assert_eq!(message["provider_message_id"], "SMafter429");
    assert_eq!(message["attempts"], 2);
    assert!(started.elapsed() >= Duration::from_millis(900), "Retry-After was honoured: {:?}", started.elapsed());
    shop.server.verify().await;
}
