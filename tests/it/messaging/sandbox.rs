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
