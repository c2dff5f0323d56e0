//! The Instagram provider end to end: a channel pointed at a loopback Graph API, messages sent
//! through the HTTP API and the real worker, requests checked exactly against Meta's shapes
//! (written out here by hand), the window and the human agent tag, and Meta's errors.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{Value, json};
use wiremock::matchers::{body_json, body_partial_json, header, method, path};
use wiremock::{Mock, ResponseTemplate};

use super::support::{Script, Shop};

const IG_ACCOUNT_ID: &str = "17841400000000001";
const ACCESS_TOKEN: &str = "IGAAJ-test-instagram-token-never-shown";
const ANA: &str = "6543210987654321";
const BRUNO: &str = "6543210987654322";
const CAROL: &str = "6543210987654323";

async fn instagram(settings: Value) -> Shop {
    Shop::new("instagram", "instagram", IG_ACCOUNT_ID, ACCESS_TOKEN, settings).await
}

/// The messaging path, bearer token and exact body.
fn messages_api(expected: Value) -> wiremock::MockBuilder {
    Mock::given(method("POST"))
        .and(path(format!("/v21.0/{IG_ACCOUNT_ID}/messages")))
        .and(header("authorization", format!("Bearer {ACCESS_TOKEN}").as_str()))
        .and(header("content-type", "application/json"))
        .and(body_json(expected))
}

fn accepted(to: &str, mid: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"recipient_id": to, "message_id": mid}))
}

#[tokio::test]
async fn replies_are_the_messaging_api_requests_exactly_with_the_human_agent_tag_when_late() {
    let shop = instagram(json!({"human_agent": true})).await;
    shop.assert_never_shown(ACCESS_TOKEN).await;

    // Carol never wrote: nothing may be sent to her.
    let (status, problem) = shop.send(CAROL, json!({"type": "text", "text": "Oi"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["code"], "outside_customer_service_window");
    assert_eq!(problem["errors"][0]["field"], "content.type", "{problem}");
    // Instagram carries text and images only.
    shop.inbound(CAROL, 1).await;
    let (status, problem) = shop.send(CAROL, json!({"type": "document", "url": "https://loja.com/nf.pdf"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "content.type", "{problem}");

    messages_api(json!({
        "recipient": {"id": ANA},
        "messaging_type": "RESPONSE",
        "message": {"text": "Temos sim, no tamanho M!"}
    }))
    .respond_with(accepted(ANA, "aWdfZAG1faXRlbTox-text"))
    .expect(1)
    .mount(&shop.server)
    .await;
    messages_api(json!({
        "recipient": {"id": ANA},
        "messaging_type": "RESPONSE",
        "message": {"attachment": {"type": "image", "payload": {"url": "https://cdn.loja.com/vestido-m.jpg"}}}
    }))
    .respond_with(accepted(ANA, "aWdfZAG1faXRlbTox-image"))
    .expect(1)
    .mount(&shop.server)
    .await;
    messages_api(json!({
        "recipient": {"id": BRUNO},
        "messaging_type": "MESSAGE_TAG",
        "tag": "HUMAN_AGENT",
        "message": {"text": "Bruno, seu reembolso foi aprovado."}
    }))
    .respond_with(accepted(BRUNO, "aWdfZAG1faXRlbTox-agent"))
    .expect(1)
    .mount(&shop.server)
    .await;

    shop.inbound(ANA, 1).await;
    // Three days: outside the 24-hour window, inside the human agent's 7 days.
    shop.inbound(BRUNO, 72).await;
    let text = shop.queue(ANA, json!({"type": "text", "text": "Temos sim, no tamanho M!"})).await;
    let image = shop.queue(ANA, json!({"type": "image", "url": "https://cdn.loja.com/vestido-m.jpg"})).await;
    let agent = shop.queue(BRUNO, json!({"type": "text", "text": "Bruno, seu reembolso foi aprovado."})).await;

    let worker = shop.app.worker().await;
    for (id, mid) in
        [(&text, "aWdfZAG1faXRlbTox-text"), (&image, "aWdfZAG1faXRlbTox-image"), (&agent, "aWdfZAG1faXRlbTox-agent")]
    {
        let message = shop.settled(id).await;
        assert_eq!(message["status"], "sent", "{message}");
        assert_eq!(message["provider_message_id"], mid, "{message}");
    }
    worker.stop().await;
    shop.server.verify().await;
    shop.assert_never_shown(ACCESS_TOKEN).await;
}

#[tokio::test]
async fn a_closed_window_fails_at_once_and_a_server_error_is_retried() {
    let shop = instagram(json!({})).await;
    Mock::given(method("POST"))
        .and(body_partial_json(json!({"recipient": {"id": ANA}})))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({"error": {
            "message": "This message is sent outside of allowed window.",
            "type": "OAuthException",
            "code": 10,
            "error_subcode": 2018278,
            "fbtrace_id": "A5fOa3XkTq1sxQ2h8Rk7r0F"
        }})))
        .expect(1)
        .mount(&shop.server)
        .await;
    let script = Script::new(vec![
        ResponseTemplate::new(503).insert_header("retry-after", "1").set_body_string("upstream unavailable"),
        accepted(BRUNO, "aWdfZAG1faXRlbTox-retried"),
    ]);
    let times = script.times.clone();
    messages_api(json!({
        "recipient": {"id": BRUNO},
        "messaging_type": "RESPONSE",
        "message": {"text": "Seu pedido chega amanhã."}
    }))
    .respond_with(script)
    .expect(2)
    .mount(&shop.server)
    .await;

    // The store saw a message a moment ago, but Meta knows better: the window is closed.
    shop.inbound(ANA, 1).await;
    shop.inbound(BRUNO, 1).await;
    let closed = shop.queue(ANA, json!({"type": "text", "text": "Ainda quer o vestido?"})).await;
    let retried = shop.queue(BRUNO, json!({"type": "text", "text": "Seu pedido chega amanhã."})).await;

    let worker = shop.app.worker().await;
    let failed = shop.settled(&closed).await;
    assert_eq!(failed["status"], "failed", "{failed}");
    assert_eq!(failed["error_code"], "10/2018278");
    assert!(failed["error_message"].as_str().unwrap().contains("window"), "{failed}");
    assert_eq!(failed["attempts"], 1);
    let sent = shop.settled(&retried).await;
    assert_eq!(sent["status"], "sent", "{sent}");
    assert_eq!(sent["provider_message_id"], "aWdfZAG1faXRlbTox-retried");
    assert_eq!(sent["attempts"], 2);
    let times = times.lock().unwrap().clone();
    assert!(times[1] - times[0] >= Duration::from_millis(900), "Retry-After was honoured");
    worker.stop().await;
    shop.server.verify().await;
}
