//! What the provider suites share: a store with a channel on a loopback provider API, and a
//! scripted responder.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use balcao_tests::TestApp;
use diesel::sql_types::{Integer, Text, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use reqwest::StatusCode;
use serde_json::{Value, json};
use wiremock::{MockServer, Request, Respond, ResponseTemplate};

/// A store with a channel on a loopback Graph API.
pub struct Shop {
    pub app: TestApp,
    pub token: String,
    pub store: String,
    pub channel: String,
    pub server: MockServer,
}

impl Shop {
    /// An app (worker polling every 100 ms), a store and a `kind` channel through `provider`,
    /// its `base_url` on a mock server, plus `settings`.
    pub async fn new(kind: &str, provider: &str, sender: &str, token: &str, settings: Value) -> Self {
        let app = TestApp::spawn_with(&[
            ("BALCAO_JOB_POLL_MS", "100"),
            ("BALCAO_WEBHOOKS_ALLOW_HTTP", "true"),
            ("BALCAO_WEBHOOKS_ALLOW_PRIVATE", "true"),
        ])
        .await;
        let user = app.user().await;
        let store = app.store(&user.token).await;
        let server = MockServer::start().await;
        let mut all = json!({"base_url": server.uri()});
        for (k, v) in settings.as_object().into_iter().flatten() {
            all[k] = v.clone();
        }
        let (status, channel) = app
            .post(
                &format!("/v1/stores/{store}/channels"),
                &user.token,
                json!({"kind": kind, "provider": provider, "name": "Atendimento", "sender": sender,
                       "settings": all, "credentials": {"access_token": token}}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{channel}");
        assert!(!channel.to_string().contains(token), "the token is never returned: {channel}");
        assert_eq!(channel["configured_credentials"], json!(["access_token"]));
        let channel = channel["id"].as_str().unwrap().to_owned();
        Self { app, token: user.token, store, channel, server }
    }

    /// Queues a message on the channel; answers the status and the body.
    pub async fn send(&self, to: &str, content: Value) -> (StatusCode, Value) {
        self.app
            .post(
                &format!("/v1/stores/{}/messages", self.store),
                &self.token,
                json!({"channel": self.channel, "to": to, "content": content}),
            )
            .await
    }

    /// Queues a message that must be accepted; answers its id.
    pub async fn queue(&self, to: &str, content: Value) -> String {
        let (status, message) = self.send(to, content).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{message}");
        assert_eq!(message["status"], "queued");
        message["id"].as_str().unwrap().to_owned()
    }

    /// The message once it is `sent` or `failed` (panics when it never gets there).
    pub async fn settled(&self, id: &str) -> Value {
        settled(&self.app, &self.token, &self.store, id).await
    }

    /// Records an inbound message from `contact` `hours_ago` hours ago, opening (or not) the
    /// customer-service window, as the inbound flow will.
    pub async fn inbound(&self, contact: &str, hours_ago: i32) {
        let mut conn = self.app.core.pool.get().await.unwrap();
        diesel::sql_query(
            "INSERT INTO conversations (store_id, id, channel_id, contact, last_inbound_at) \
             VALUES ($1, $2, $3, $4, now() - make_interval(hours => $5)) \
             ON CONFLICT (store_id, channel_id, contact) DO UPDATE SET last_inbound_at = excluded.last_inbound_at",
        )
        .bind::<SqlUuid, _>(self.store.parse::<uuid::Uuid>().unwrap())
        .bind::<SqlUuid, _>(uuid::Uuid::now_v7())
        .bind::<SqlUuid, _>(self.channel.parse::<uuid::Uuid>().unwrap())
        .bind::<Text, _>(contact)
        .bind::<Integer, _>(hours_ago)
        .execute(&mut conn)
        .await
        .unwrap();
    }

    /// Asserts that no response of the API shows `secret`: the channel, the channel list and the
    /// messages.
    pub async fn assert_never_shown(&self, secret: &str) {
        for path in [
            format!("/v1/stores/{}/channels/{}", self.store, self.channel),
            format!("/v1/stores/{}/channels", self.store),
            format!("/v1/stores/{}/messages", self.store),
        ] {
            let (status, body) = self.app.get(&path, &self.token).await;
            assert_eq!(status, StatusCode::OK, "{path}: {body}");
            assert!(!body.to_string().contains(secret), "{path} shows the token: {body}");
        }
    }

    /// How many requests the mock server received.
    pub async fn requests(&self) -> usize {
        self.server.received_requests().await.unwrap_or_default().len()
    }
}

/// Answers the scripted responses in order (the last one from then on), noting when each
/// request came.
pub struct Script {
    responses: Vec<ResponseTemplate>,
    pub times: Arc<Mutex<Vec<Instant>>>,
}

impl Script {
    pub fn new(responses: Vec<ResponseTemplate>) -> Self {
        Self { responses, times: Arc::default() }
    }
}

impl Respond for Script {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        let mut times = self.times.lock().unwrap();
        let i = times.len().min(self.responses.len() - 1);
        times.push(Instant::now());
        self.responses[i].clone()
    }
}

/// Message `id` once it is `sent` or `failed` (panics when it never gets there).
pub async fn settled(app: &TestApp, token: &str, store: &str, id: &str) -> Value {
    let mut last = Value::Null;
    for _ in 0..300 {
        let (_, message) = app.get(&format!("/v1/stores/{store}/messages/{id}"), token).await;
        if message["status"] == "sent" || message["status"] == "failed" {
            return message;
        }
        last = message;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("message {id} never settled: {last}");
}
