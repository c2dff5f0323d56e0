//! The WhatsApp Cloud provider end to end: a channel pointed at a loopback Graph API, messages
//! sent through the HTTP API and the real worker, requests checked byte for byte against
//! Meta's shapes (written out here by hand), and Meta's errors becoming retries, deferrals or
//! failures.

use std::time::Duration;

use diesel_async::RunQueryDsl;
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::support::{Script, Shop};
use wiremock::matchers::{body_json, body_partial_json, header, method, path};
use wiremock::{Mock, ResponseTemplate};

const PHONE_NUMBER_ID: &str = "106540352242922";
const ACCESS_TOKEN: &str = "EAAGm0PX4ZCpsBA-test-token-that-never-leaves";
const TO: &str = "+5511987654321";
const TO_DIGITS: &str = "5511987654321";

async fn whatsapp(settings: Value) -> Shop {
    Shop::new("whatsapp", "whatsapp_cloud", PHONE_NUMBER_ID, ACCESS_TOKEN, settings).await
}

/// The Cloud API's path, bearer token and exact body.
fn cloud_api(expected: Value) -> wiremock::MockBuilder {
    Mock::given(method("POST"))
        .and(path(format!("/v21.0/{PHONE_NUMBER_ID}/messages")))
        .and(header("authorization", format!("Bearer {ACCESS_TOKEN}").as_str()))
        .and(header("content-type", "application/json"))
        .and(body_json(expected))
}

fn accepted(wamid: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "messaging_product": "whatsapp",
        "contacts": [{"input": TO_DIGITS, "wa_id": TO_DIGITS}],
        "messages": [{"id": wamid}]
    }))
}

fn meta_error(status: u16, code: i64, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(json!({"error": {
        "message": message,
        "type": "OAuthException",
        "code": code,
        "error_data": {"messaging_product": "whatsapp", "details": message},
        "fbtrace_id": "AazBq0CUvT4kVxP1Vl3RK2y"
    }}))
}

fn template() -> Value {
    json!({
        "type": "template", "name": "pedido_enviado", "language": "pt_BR",
        "header": ["#1042"], "body": ["Ana", "R$ 89,90"],
        "buttons": [
            {"sub_type": "url", "index": 0, "parameter": "1042"},
            {"sub_type": "quick_reply", "index": 1, "parameter": "CANCELAR-1042"}
        ]
    })
}

fn template_request(to: &str) -> Value {
    json!({
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to,
        "type": "template",
        "template": {
            "name": "pedido_enviado",
            "language": {"code": "pt_BR"},
            "components": [
                {"type": "header", "parameters": [{"type": "text", "text": "#1042"}]},
                {"type": "body", "parameters": [{"type": "text", "text": "Ana"}, {"type": "text", "text": "R$ 89,90"}]},
                {"type": "button", "sub_type": "url", "index": "0", "parameters": [{"type": "text", "text": "1042"}]},
                {"type": "button", "sub_type": "quick_reply", "index": "1",
                 "parameters": [{"type": "payload", "payload": "CANCELAR-1042"}]}
            ]
        }
    })
}

#[tokio::test]
async fn sends_are_the_cloud_api_requests_exactly_and_the_token_stays_sealed() {
    // No wait between messages to one contact: four go to the same one here.
    let shop = whatsapp(json!({"recipient_interval_secs": 0})).await;
    shop.assert_never_shown(ACCESS_TOKEN).await;

    // No inbound message yet: free-form content is refused, a template is always allowed.
    let (status, problem) = shop.send(TO, json!({"type": "text", "text": "Oi"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["code"], "outside_customer_service_window");
    assert_eq!(problem["errors"][0]["field"], "content.type", "{problem}");

    cloud_api(template_request(TO_DIGITS)).respond_with(accepted("wamid.template")).expect(1).mount(&shop.server).await;
    cloud_api(json!({
        "messaging_product": "whatsapp", "recipient_type": "individual", "to": TO_DIGITS,
        "type": "text", "text": {"body": "Seu pedido saiu para entrega: https://loja.com/p/1042", "preview_url": true}
    }))
    .respond_with(accepted("wamid.text"))
    .expect(1)
    .mount(&shop.server)
    .await;
    cloud_api(json!({
        "messaging_product": "whatsapp", "recipient_type": "individual", "to": TO_DIGITS,
        "type": "interactive",
        "interactive": {
            "type": "button",
            "body": {"text": "Confirma a entrega amanhã?"},
            "footer": {"text": "Loja da Ana"},
            "action": {"buttons": [
                {"type": "reply", "reply": {"id": "confirmar", "title": "Confirmar"}},
                {"type": "reply", "reply": {"id": "remarcar", "title": "Remarcar"}}
            ]}
        }
    }))
    .respond_with(accepted("wamid.buttons"))
    .expect(1)
    .mount(&shop.server)
    .await;
    cloud_api(json!({
        "messaging_product": "whatsapp", "recipient_type": "individual", "to": TO_DIGITS,
        "type": "interactive",
        "interactive": {
            "type": "list",
            "body": {"text": "Como prefere receber?"},
            "action": {
                "button": "Ver opções",
                "sections": [
                    {"title": "Entrega", "rows": [
                        {"id": "motoboy", "title": "Motoboy", "description": "Hoje, até 18h"},
                        {"id": "correios", "title": "Correios"}
                    ]},
                    {"title": "Retirada", "rows": [{"id": "loja", "title": "Na loja"}]}
                ]
            }
        }
    }))
    .respond_with(accepted("wamid.list"))
    .expect(1)
    .mount(&shop.server)
    .await;

    let template = shop.queue("+55 (11) 98765-4321", template()).await;
    shop.inbound(TO, 1).await;
    let text = shop
        .queue(
            TO,
            json!({"type": "text", "text": "Seu pedido saiu para entrega: https://loja.com/p/1042", "preview_url": true}),
        )
        .await;
    let buttons = shop
        .queue(
            TO,
            json!({"type": "buttons", "body": "Confirma a entrega amanhã?", "footer": "Loja da Ana",
                   "buttons": [{"id": "confirmar", "title": "Confirmar"}, {"id": "remarcar", "title": "Remarcar"}]}),
        )
        .await;
    let list = shop
        .queue(
            TO,
            json!({"type": "list", "body": "Como prefere receber?", "button": "Ver opções", "sections": [
                {"title": "Entrega", "rows": [
                    {"id": "motoboy", "title": "Motoboy", "description": "Hoje, até 18h"},
                    {"id": "correios", "title": "Correios"}
                ]},
                {"title": "Retirada", "rows": [{"id": "loja", "title": "Na loja"}]}
            ]}),
        )
        .await;

    let worker = shop.app.worker().await;
    for (id, wamid) in
        [(&template, "wamid.template"), (&text, "wamid.text"), (&buttons, "wamid.buttons"), (&list, "wamid.list")]
    {
        let message = shop.settled(id).await;
        assert_eq!(message["status"], "sent", "{message}");
        assert_eq!(message["provider_message_id"], wamid, "{message}");
        assert_eq!(message["attempts"], 1, "{message}");
    }
    worker.stop().await;
    shop.server.verify().await;
    shop.assert_never_shown(ACCESS_TOKEN).await;
}

#[tokio::test]
async fn a_rate_limited_send_is_retried_after_retry_after_and_then_sent() {
    // Without the per-recipient interval, so only Retry-After spaces the two requests.
    let shop = whatsapp(json!({"recipient_interval_secs": 0})).await;
    let script = Script::new(vec![
        meta_error(429, 130429, "Rate limit hit").insert_header("retry-after", "1"),
        accepted("wamid.after-429"),
    ]);
    let times = script.times.clone();
    cloud_api(template_request(TO_DIGITS)).respond_with(script).expect(2).mount(&shop.server).await;

    let id = shop.queue(TO, template()).await;
    let worker = shop.app.worker().await;
    let message = shop.settled(&id).await;
    worker.stop().await;
    assert_eq!(message["status"], "sent", "{message}");
    assert_eq!(message["provider_message_id"], "wamid.after-429");
    assert_eq!(message["attempts"], 2);
    assert_eq!(message["error_code"], Value::Null);
    let times = times.lock().unwrap().clone();
    assert_eq!(times.len(), 2);
    assert!(times[1] - times[0] >= Duration::from_millis(900), "Retry-After was honoured: {:?}", times[1] - times[0]);
}

#[tokio::test]
async fn undeliverable_and_re_engagement_errors_fail_at_once_with_metas_code() {
    let shop = whatsapp(json!({})).await;
    let other = "+5521912345678";
    Mock::given(method("POST"))
        .and(body_partial_json(json!({"to": TO_DIGITS})))
        .respond_with(meta_error(400, 131026, "Message Undeliverable."))
        .expect(1)
        .mount(&shop.server)
        .await;
    Mock::given(method("POST"))
        .and(body_partial_json(json!({"to": "5521912345678"})))
        .respond_with(meta_error(400, 131047, "Re-engagement message"))
        .expect(1)
        .mount(&shop.server)
        .await;

    let undeliverable = shop.queue(TO, template()).await;
    shop.inbound(other, 2).await;
    let late = shop.queue(other, json!({"type": "text", "text": "Ainda quer o produto?"})).await;
    let worker = shop.app.worker().await;
    let failed = shop.settled(&undeliverable).await;
    assert_eq!(failed["status"], "failed", "{failed}");
    assert_eq!(failed["error_code"], "131026");
    assert_eq!(failed["attempts"], 1);
    let failed = shop.settled(&late).await;
    assert_eq!(failed["status"], "failed", "{failed}");
    assert_eq!(failed["error_code"], "131047");
    assert!(failed["error_message"].as_str().unwrap().contains("template"), "{failed}");
    // Nothing is retried.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    worker.stop().await;
    assert_eq!(shop.requests().await, 2);
    shop.server.verify().await;
}

#[tokio::test]
async fn a_pair_rate_limit_defers_the_send_without_spending_an_attempt() {
    let shop = whatsapp(json!({"recipient_interval_secs": 1})).await;
    let script = Script::new(vec![
        meta_error(400, 131056, "(Business Account, Consumer Account) pair rate limit hit"),
        accepted("wamid.after-pair-limit"),
    ]);
    let times = script.times.clone();
    cloud_api(template_request(TO_DIGITS)).respond_with(script).expect(2).mount(&shop.server).await;

    let id = shop.queue(TO, template()).await;
    // One attempt in all: had the deferral spent it, the job would be dead-lettered unsent.
    let mut conn = shop.app.core.pool.get().await.unwrap();
    let jobs = diesel::sql_query("UPDATE jobs SET max_attempts = 1 WHERE kind = 'messaging.send'")
        .execute(&mut conn)
        .await
        .unwrap();
    assert_eq!(jobs, 1);
    drop(conn);

    let worker = shop.app.worker().await;
    let message = shop.settled(&id).await;
    worker.stop().await;
    assert_eq!(message["status"], "sent", "{message}");
    assert_eq!(message["provider_message_id"], "wamid.after-pair-limit");
    assert_eq!(message["error_code"], Value::Null);
    let times = times.lock().unwrap().clone();
    assert_eq!(times.len(), 2);
    assert!(
        times[1] - times[0] >= Duration::from_millis(900),
        "waited the channel's recipient interval: {:?}",
        times[1] - times[0]
    );
}
