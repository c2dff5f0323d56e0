//! Inbound messaging end to end: signed WhatsApp webhooks through `/v1/inbound/whatsapp/{store}`
//! and the product's worker (the real `inbound.process` job with messaging's handler and the real
//! WhatsApp provider on a wiremock server): statuses only move forward, an inbound message opens
//! the customer-service window and emits `message.received`, `PARE` opts out, redeliveries are
//! stored once, and the sandbox's simulated inbound messages take the same path.

use std::time::Duration;

use balcao_tests::{TestApp, Worker};
use diesel::sql_types::{BigInt, Text, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use hmac::{Hmac, Mac};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

pub(super) const SETTINGS: &[(&str, &str)] = &[
    ("BALCAO_JOB_POLL_MS", "100"),
    // The Graph API is a wiremock server on loopback.
    ("BALCAO_WEBHOOKS_ALLOW_HTTP", "true"),
    ("BALCAO_WEBHOOKS_ALLOW_PRIVATE", "true"),
];
const APP_SECRET: &str = "meta-app-secret-inbound-5e1";
pub(super) const PHONE_NUMBER_ID: &str = "106540352242922";
pub(super) const CONTACT: &str = "+5511987654321";

/// An owner, their store and the app.
pub(super) struct Shop {
    pub app: TestApp,
    pub token: String,
    pub store: String,
}

pub(super) async fn shop() -> Shop {
    let app = TestApp::spawn_with(SETTINGS).await;
    let user = app.user().await;
    let store = app.store(&user.token).await;
    Shop { app, token: user.token, store }
}

/// A WhatsApp Cloud API webhook body with one `value`.
pub(super) fn whatsapp_body(value: Value) -> Value {
    json!({"object": "whatsapp_business_account",
        "entry": [{"id": "WABA_1", "changes": [{"field": "messages", "value": value}]}]})
}

/// A contact's text message, as WhatsApp reports it.
pub(super) fn whatsapp_text(id: &str, text: &str, name: &str) -> Value {
    let now = chrono::Utc::now().timestamp().to_string();
    whatsapp_body(json!({
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "5511930000000", "phone_number_id": PHONE_NUMBER_ID},
        "contacts": [{"profile": {"name": name}, "wa_id": CONTACT.trim_start_matches('+')}],
        "messages": [{"from": CONTACT.trim_start_matches('+'), "id": id, "timestamp": now, "type": "text", "text": {"body": text}}]
    }))
}

fn whatsapp_status(id: &str, status: &str, timestamp: i64) -> Value {
    whatsapp_body(json!({
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "5511930000000", "phone_number_id": PHONE_NUMBER_ID},
        "statuses": [{"id": id, "status": status, "timestamp": timestamp.to_string(), "recipient_id": "5511987654321"}]
    }))
}

impl Shop {
    pub fn path(&self, rest: &str) -> String {
        format!("/v1/stores/{}/{rest}", self.store)
    }

    /// The WhatsApp receiver with its app secret, and a `whatsapp_cloud` channel for the phone
    /// number id whose Graph API is `graph` (answering `wamid.X`).
    pub async fn whatsapp(&self, graph: &MockServer) -> String {
        let path = self.path("inbound-sources/whatsapp");
        let secrets = json!({"secrets": {"app_secret": APP_SECRET, "verify_token": "verify-me"}});
        let (status, source) = self.app.call(Method::PUT, &path, Some(&self.token), Some(secrets)).await;
        assert_eq!(status, StatusCode::OK, "{source}");
        let channel = json!({"kind": "whatsapp", "provider": "whatsapp_cloud", "name": "WhatsApp da loja",
            "sender": PHONE_NUMBER_ID, "credentials": {"access_token": "EAAG-test"},
            "settings": {"base_url": graph.uri(), "recipient_interval_secs": 0}});
        let (status, channel) = self.app.post(&self.path("channels"), &self.token, channel).await;
        assert_eq!(status, StatusCode::CREATED, "{channel}");
        channel["id"].as_str().unwrap().to_owned()
    }

    /// Posts a signed WhatsApp delivery; answers the receiver's JSON.
    pub async fn deliver(&self, body: &Value) -> Value {
        let raw = body.to_string();
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(APP_SECRET.as_bytes()).unwrap();
        mac.update(raw.as_bytes());
        let signature = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
        let url = format!("{}/v1/inbound/whatsapp/{}", self.app.base, self.store);
        let response = self
            .app
            .client
            .post(url)
            .header("content-type", "application/json")
            .header("X-Hub-Signature-256", signature)
            .body(raw)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.unwrap()
    }

    /// Delivers `body` and waits until the worker processed it.
    pub async fn deliver_processed(&self, body: &Value) -> Value {
        let received = self.deliver(body).await;
        let id = received["id"].as_str().unwrap();
        for _ in 0..200 {
            let (_, event) = self.app.get(&self.path(&format!("inbound-events/{id}")), &self.token).await;
            if event["status"] != "received" {
                assert_eq!(event["status"], "processed", "{event}");
                return event;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("inbound event {id} was never processed");
    }

    pub async fn send(&self, channel: &str, content: Value, category: &str) -> (StatusCode, Value) {
        let body = json!({"channel": channel, "to": CONTACT, "content": content, "category": category});
        self.app.post(&self.path("messages"), &self.token, body).await
    }

    pub async fn wait_message(&self, id: &str, status: &str) -> Value {
        for _ in 0..200 {
            let (_, message) = self.app.get(&self.path(&format!("messages/{id}")), &self.token).await;
            if message["status"] == status {
                return message;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("message {id} never reached {status}");
    }

    /// How many outbox events of `event_type` this store has for `contact`.
    pub async fn events(&self, event_type: &str, contact: &str) -> i64 {
        #[derive(diesel::QueryableByName)]
        struct Count {
            #[diesel(sql_type = BigInt)]
            n: i64,
        }
        let mut conn = self.app.core.pool.get().await.unwrap();
        diesel::sql_query(
            "SELECT count(*) AS n FROM outbox_events WHERE store_id = $1 AND event_type = $2 AND payload->>'contact' = $3",
        )
        .bind::<SqlUuid, _>(self.store.parse::<uuid::Uuid>().unwrap())
        .bind::<Text, _>(event_type)
        .bind::<Text, _>(contact)
        .get_result::<Count>(&mut conn)
        .await
        .unwrap()
        .n
    }

    pub async fn worker(&self) -> Worker {
        self.app.worker().await
    }
}

async fn graph_server() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "messaging_product": "whatsapp",
            "contacts": [{"input": "5511987654321", "wa_id": "5511987654321"}],
            "messages": [{"id": "wamid.X"}]
        })))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn status_webhooks_move_a_sent_message_forward_only() {
    let shop = shop().await;
    let graph = graph_server().await;
    let channel = shop.whatsapp(&graph).await;
    let worker = shop.worker().await;
    let template = json!({"type": "template", "name": "pedido_enviado", "language": "pt_BR", "body": ["Maria"]});
    let (status, message) = shop.send(&channel, template, "transactional").await;
    assert_eq!(status, StatusCode::ACCEPTED, "{message}");
    let id = message["id"].as_str().unwrap();
    let sent = shop.wait_message(id, "sent").await;
    assert_eq!(sent["provider_message_id"], "wamid.X", "the WhatsApp provider sent it to the Graph API");

    let t0 = chrono::Utc::now().timestamp() - 120;
    shop.deliver_processed(&whatsapp_status("wamid.X", "delivered", t0 + 10)).await;
    let (_, delivered) = shop.app.get(&shop.path(&format!("messages/{id}")), &shop.token).await;
    assert_eq!(delivered["status"], "delivered", "{delivered}");
    shop.deliver_processed(&whatsapp_status("wamid.X", "read", t0 + 20)).await;
    shop.deliver_processed(&whatsapp_status("wamid.X", "sent", t0)).await;
    let (_, read) = shop.app.get(&shop.path(&format!("messages/{id}")), &shop.token).await;
    assert_eq!(read["status"], "read", "a late `sent` does not move it back: {read}");
    let at = |secs: i64| chrono::DateTime::from_timestamp(secs, 0).unwrap();
    let field = |name: &str| read[name].as_str().and_then(|s| s.parse::<chrono::DateTime<chrono::Utc>>().ok());
    assert_eq!(field("delivered_at"), Some(at(t0 + 10)));
    assert_eq!(field("read_at"), Some(at(t0 + 20)));
    assert_eq!(field("sent_at"), sent["sent_at"].as_str().and_then(|s| s.parse().ok()), "sent_at kept");

    // A failure report for a message already read changes nothing either.
    let failed = whatsapp_body(json!({"metadata": {"phone_number_id": PHONE_NUMBER_ID}, "statuses": [{"id": "wamid.X",
        "status": "failed", "timestamp": t0.to_string(), "errors": [{"code": 131026, "title": "Undeliverable"}]}]}));
    shop.deliver_processed(&failed).await;
    let (_, still) = shop.app.get(&shop.path(&format!("messages/{id}")), &shop.token).await;
    assert_eq!((still["status"].as_str(), still["error_code"].as_str()), (Some("read"), None));
    worker.stop().await;
}

#[tokio::test]
async fn an_inbound_message_opens_the_window_and_is_announced() {
    let shop = shop().await;
    let graph = graph_server().await;
    let channel = shop.whatsapp(&graph).await;
    let text = json!({"type": "text", "text": "Seu pedido está pronto!"});
    let (status, problem) = shop.send(&channel, text.clone(), "transactional").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["code"], "outside_customer_service_window");

    let worker = shop.worker().await;
    shop.deliver_processed(&whatsapp_text("wamid.IN1", "Oi, tem bolo de cenoura?", "Maria Souza")).await;
    let (status, list) = shop.app.get(&shop.path("conversations"), &shop.token).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let conversation = &list["data"][0];
    assert_eq!(conversation["contact"], CONTACT, "{list}");
    assert_eq!(conversation["contact_name"], "Maria Souza");
    assert_eq!(conversation["channel_id"], channel.as_str());
    assert_eq!(conversation["channel_kind"], "whatsapp");
    assert_eq!(conversation["status"], "open");
    assert!(conversation["window_expires_at"].is_string(), "{conversation}");
    assert_eq!(conversation["last_message"]["direction"], "inbound");
    assert_eq!(conversation["last_message"]["text"], "Oi, tem bolo de cenoura?");
    assert_eq!(shop.events("message.received", CONTACT).await, 1);

    let (status, queued) = shop.send(&channel, text, "transactional").await;
    assert_eq!(status, StatusCode::ACCEPTED, "the window is open now: {queued}");
    let sent = shop.wait_message(queued["id"].as_str().unwrap(), "sent").await;
    assert_eq!(sent["conversation_id"], conversation["id"]);
    worker.stop().await;
}

#[tokio::test]
async fn pare_opts_out_of_marketing_with_a_confirmation_and_voltar_opts_back_in() {
    let shop = shop().await;
    let graph = graph_server().await;
    let channel = shop.whatsapp(&graph).await;
    let worker = shop.worker().await;
    shop.deliver_processed(&whatsapp_text("wamid.STOP", "Pare!", "Maria")).await;

    let (_, suppressions) = shop.app.get(&shop.path("suppressions?kind=whatsapp"), &shop.token).await;
    assert_eq!(suppressions["data"][0]["contact"], CONTACT, "{suppressions}");
    assert_eq!(suppressions["data"][0]["source"], "keyword");
    let (_, messages) = shop.app.get(&shop.path(&format!("messages?contact=%2B{}", &CONTACT[1..])), &shop.token).await;
    let confirmation = messages["data"].as_array().unwrap().iter().find(|m| m["direction"] == "outbound");
    let confirmation = confirmation.unwrap_or_else(|| panic!("no confirmation queued: {messages}"));
    assert_eq!(confirmation["category"], "transactional");
    assert!(confirmation["content"]["text"].as_str().unwrap().contains("Para voltar, responda VOLTAR"));

    let promo = json!({"type": "text", "text": "Promoção de Natal: 20% off!"});
    let (status, problem) = shop.send(&channel, promo.clone(), "marketing").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["code"], "recipient_opted_out");
    let (status, accepted) =
        shop.send(&channel, json!({"type": "text", "text": "Seu pedido saiu."}), "transactional").await;
    assert_eq!(status, StatusCode::ACCEPTED, "{accepted}");

    shop.deliver_processed(&whatsapp_text("wamid.BACK", "voltar", "Maria")).await;
    let (_, suppressions) = shop.app.get(&shop.path("suppressions"), &shop.token).await;
    assert_eq!(suppressions["data"], json!([]), "VOLTAR removed the opt-out");
    let (status, _) = shop.send(&channel, promo, "marketing").await;
    assert_eq!(status, StatusCode::ACCEPTED);
    worker.stop().await;
}

#[tokio::test]
async fn a_redelivered_message_is_stored_once() {
    let shop = shop().await;
    let graph = graph_server().await;
    shop.whatsapp(&graph).await;
    let worker = shop.worker().await;
    let body = whatsapp_text("wamid.TWICE", "Quero 2 brigadeiros", "Ana");
    let first = shop.deliver_processed(&body).await;
    let again = shop.deliver(&body).await;
    assert_eq!((again["duplicate"].as_bool(), again["id"].as_str()), (Some(true), first["id"].as_str()));
    // The same message in another delivery (Meta batches differently on retries).
    let mut batched = body.clone();
    batched["entry"][0]["id"] = json!("WABA_RETRY");
    let second = shop.deliver_processed(&batched).await;
    assert_ne!(second["id"], first["id"]);

    let (_, list) = shop.app.get(&shop.path("conversations"), &shop.token).await;
    assert_eq!(list["data"].as_array().map(Vec::len), Some(1), "{list}");
    let id = list["data"][0]["id"].as_str().unwrap();
    let (_, detail) = shop.app.get(&shop.path(&format!("conversations/{id}")), &shop.token).await;
    let messages = detail["messages"]["data"].as_array().unwrap();
    assert_eq!(messages.len(), 1, "{detail}");
    assert_eq!(messages[0]["provider_message_id"], "wamid.TWICE");
    assert_eq!(messages[0]["status"], "received");
    assert_eq!(shop.events("message.received", CONTACT).await, 1);
    worker.stop().await;
}

#[tokio::test]
async fn a_message_for_an_unknown_number_fails_the_event_until_the_channel_exists() {
    let shop = shop().await;
    let graph = graph_server().await;
    shop.whatsapp(&graph).await;
    let worker = shop.worker().await;
    let mut body = whatsapp_text("wamid.ELSEWHERE", "Oi", "Ana");
    body["entry"][0]["changes"][0]["value"]["metadata"]["phone_number_id"] = json!("999000999");
    let received = shop.deliver(&body).await;
    let id = received["id"].as_str().unwrap();
    for _ in 0..200 {
        let (_, event) = shop.app.get(&shop.path(&format!("inbound-events/{id}")), &shop.token).await;
        if event["status"] == "failed" {
            assert!(event["error"].as_str().unwrap().contains("999000999"), "{event}");
            worker.stop().await;
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the event never failed");
}

#[tokio::test]
async fn the_sandbox_simulates_inbound_messages_on_the_same_path() {
    let shop = shop().await;
    let body = json!({"kind": "whatsapp", "provider": "sandbox", "name": "Teste", "sender": "sandbox"});
    let (status, channel) = shop.app.post(&shop.path("channels"), &shop.token, body).await;
    assert_eq!(status, StatusCode::CREATED, "{channel}");
    let simulate = shop.path(&format!("channels/{}/simulate-inbound", channel["id"].as_str().unwrap()));
    let (status, message) =
        shop.app.post(&simulate, &shop.token, json!({"from": "+55 11 98765-4321", "text": "Oi!", "name": "Bia"})).await;
    assert_eq!(status, StatusCode::CREATED, "{message}");
    assert_eq!((message["direction"].as_str(), message["status"].as_str()), (Some("inbound"), Some("received")));
    assert_eq!(message["contact"], CONTACT);
    assert_eq!(shop.events("message.received", CONTACT).await, 1);
    let (status, queued) = shop.send("whatsapp", json!({"type": "text", "text": "Olá, Bia!"}), "transactional").await;
    assert_eq!(status, StatusCode::ACCEPTED, "the window opened: {queued}");

    let (status, _) = shop.app.post(&simulate, &shop.token, json!({"from": CONTACT, "text": "SAIR"})).await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, problem) = shop.send("whatsapp", json!({"type": "text", "text": "Oferta!"}), "marketing").await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("recipient_opted_out")));

    for (body, field) in [
        (json!({"from": "11987654321", "text": "Oi"}), "from"),
        (json!({"from": CONTACT, "text": "  "}), "text"),
        (json!({"from": CONTACT}), "text"),
    ] {
        let (status, problem) = shop.app.post(&simulate, &shop.token, body.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {problem}");
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }
    let graph = graph_server().await;
    let real = shop.whatsapp(&graph).await;
    let (status, problem) = shop
        .app
        .post(
            &shop.path(&format!("channels/{real}/simulate-inbound")),
            &shop.token,
            json!({"from": CONTACT, "text": "Oi"}),
        )
        .await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("not_a_sandbox_channel")));
    let missing = shop.path(&format!("channels/{}/simulate-inbound", uuid::Uuid::now_v7()));
    let (status, _) = shop.app.post(&missing, &shop.token, json!({"from": CONTACT, "text": "Oi"})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
