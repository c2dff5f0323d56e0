//! The sandbox provider: the default for a store without credentials.

use std::time::Duration;

use balcao_tests::TestApp;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn wait_status(app: &TestApp, token: &str, store: &str, id: &str, status: &str) -> Value {
    for _ in 0..200 {
        let (_, message) = app.get(&format!("/v1/stores/{store}/messages/{id}"), token).await;
        if message["status"] == status {
            return message;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("message {id} never reached {status}");
}

#[tokio::test]
async fn a_store_without_credentials_sends_through_the_sandbox_and_simulates_statuses() {
    let app = TestApp::spawn_with(&[("BALCAO_JOB_POLL_MS", "100")]).await;
    let (token, store) = {
        let user = app.user().await;
        let store = app.store(&user.token).await;
        (user.token, store)
    };
    let (status, message) = app
        .post(
            &format!("/v1/stores/{store}/messages"),
            &token,
            json!({"channel": "sms", "to": "+55 11 98765-4321", "content": {"type": "text", "text": "Seu pedido saiu"}}),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{message}");
    assert_eq!(message["status"], "queued");
    assert_eq!(message["contact"], "+5511987654321");
    let id = message["id"].as_str().unwrap().to_owned();

    let worker = app.worker().await;
    let sent = wait_status(&app, &token, &store, &id, "sent").await;
    assert_eq!(sent["provider_message_id"], format!("sbx_{id}"));
    assert_eq!(sent["attempts"], 1);

    let simulate = format!("/v1/stores/{store}/messages/{id}/simulate");
    let (status, read) = app.post(&simulate, &token, json!({"status": "read"})).await;
    assert_eq!(status, StatusCode::OK, "{read}");
    assert_eq!(read["status"], "read");
    let (_, still) = app.post(&simulate, &token, json!({"status": "delivered"})).await;
    assert_eq!(still["status"], "read", "statuses only move forward");
    let (status, problem) = app.post(&simulate, &token, json!({"status": "lost"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "status");

    let (_, channels) = app.get(&format!("/v1/stores/{store}/channels"), &token).await;
    assert_eq!(channels["data"][0]["provider"], "sandbox", "{channels}");
    assert_eq!(channels["data"][0]["kind"], "sms");
    worker.stop().await;
}

#[tokio::test]
async fn bad_sends_name_the_field() {
    let app = TestApp::spawn().await;
    let user = app.user().await;
    let store = app.store(&user.token).await;
    let path = format!("/v1/stores/{store}/messages");
    let cases = [
        (json!({"channel": "fax", "to": "+5511987654321", "content": {"type": "text", "text": "x"}}), "channel"),
        (json!({"channel": "sms", "to": "11987654321", "content": {"type": "text", "text": "x"}}), "to"),
        (
            json!({"channel": "sms", "to": "+5511987654321", "content": {"type": "image", "url": "https://x.y/z.png"}}),
            "content.type",
        ),
        (
            json!({"channel": "email", "to": "ana@example.com", "content": {"type": "email", "subject": "", "text": "x"}}),
            "content.subject",
        ),
        (json!({"channel": "sms", "to": "+5511987654321", "content": {"type": "fax"}}), "content"),
    ];
    for (body, field) in cases {
        let (status, problem) = app.post(&path, &user.token, body.clone()).await;
        assert!(status.is_client_error(), "{body}: {status} {problem}");
        let named = problem["errors"][0]["field"].as_str().unwrap_or_default();
        assert!(named.starts_with(field), "{body}: expected {field}, got {problem}");
    }
}

#[tokio::test]
async fn sends_keep_to_the_sender_and_recipient_limits_without_spending_attempts() {
    let app = TestApp::spawn_with(&[("BALCAO_JOB_POLL_MS", "100")]).await;
    let user = app.user().await;
    let store = app.store(&user.token).await;
    let (status, channel) = app
        .post(
            &format!("/v1/stores/{store}/channels"),
            &user.token,
            json!({"kind": "sms", "provider": "sandbox", "name": "Limited", "sender": "LOJA",
                "settings": {"rate_limit_per_second": 2, "recipient_interval_secs": 1}}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{channel}");
    let channel = channel["id"].as_str().unwrap();
    let mut ids = Vec::new();
    for to in ["+5511900000001", "+5511900000001", "+5511900000002", "+5511900000003", "+5511900000004"] {
        let (status, message) = app
            .post(
                &format!("/v1/stores/{store}/messages"),
                &user.token,
                json!({"channel": channel, "to": to, "content": {"type": "text", "text": "Oi"}}),
            )
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{message}");
        ids.push(message["id"].as_str().unwrap().to_owned());
    }
    let worker = app.worker().await;
    let mut sent = Vec::new();
    for id in &ids {
        sent.push(wait_status(&app, &user.token, &store, id, "sent").await);
    }
    let at = |m: &Value| m["sent_at"].as_str().unwrap().parse::<chrono::DateTime<chrono::Utc>>().unwrap();
    let same_recipient = (at(&sent[1]) - at(&sent[0])).abs();
    assert!(same_recipient >= chrono::Duration::milliseconds(900), "same recipient {same_recipient} apart");
    let first = sent.iter().map(at).min().unwrap();
    let last = sent.iter().map(at).max().unwrap();
    assert!(
        last - first >= chrono::Duration::milliseconds(900),
        "five messages at two per second took {}",
        last - first
    );
    for message in &sent {
        assert_eq!(message["attempts"], 1, "waiting for a limit is not an attempt: {message}");
    }
    worker.stop().await;
}

#[tokio::test]
async fn channel_forms_are_validated_and_internal_base_urls_refused() {
    let app = TestApp::spawn().await;
    let user = app.user().await;
    let store = app.store(&user.token).await;
    let path = format!("/v1/stores/{store}/channels");
    let whatsapp = |settings: Value, credentials: Value| {
        json!({"kind": "whatsapp", "provider": "whatsapp_cloud", "name": "Loja", "sender": "1234567890",
            "settings": settings, "credentials": credentials})
    };
    let cases = [
        (whatsapp(json!({"base_url": "http://127.0.0.1:9"}), json!({"access_token": "t"})), "settings.base_url"),
        (whatsapp(json!({"base_url": "https://10.0.0.7"}), json!({"access_token": "t"})), "settings.base_url"),
        (whatsapp(json!({}), json!({})), "credentials.access_token"),
        (whatsapp(json!({}), json!({"access_token": "t", "password": "x"})), "credentials.password"),
        (whatsapp(json!({"rate_limit_per_second": 0}), json!({"access_token": "t"})), "settings.rate_limit_per_second"),
        (
            json!({"kind": "sms", "provider": "whatsapp_cloud", "name": "x", "credentials": {"access_token": "t"}}),
            "provider",
        ),
        (json!({"kind": "email", "provider": "smtp", "name": "x", "sender": "not an address"}), "sender"),
        (
            json!({"kind": "email", "provider": "smtp", "name": "x", "sender": "Loja <a@loja.example>",
                "credentials": {"smtp_url": "smtps://u:p@127.0.0.1:465"}}),
            "credentials.smtp_url",
        ),
        (
            json!({"kind": "email", "provider": "smtp", "name": "x", "sender": "Loja <a@loja.example>",
                "credentials": {"smtp_url": "smtp://mail.loja.example:25"}}),
            "credentials.smtp_url",
        ),
    ];
    for (body, field) in cases {
        let (status, problem) = app.post(&path, &user.token, body.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {problem}");
        let fields: Vec<&str> =
            problem["errors"].as_array().unwrap().iter().filter_map(|e| e["field"].as_str()).collect();
        assert!(fields.contains(&field), "{body}: expected {field} in {fields:?}");
    }
    let (status, created) = app
        .post(&path, &user.token, whatsapp(json!({"api_version": "v22.0"}), json!({"access_token": "EAAG-secret"})))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["configured_credentials"], json!(["access_token"]));
    assert!(!created.to_string().contains("EAAG-secret"));
}
