//! What the inbound suites share: secrets, signatures, a recording handler and a store
//! with sources.

use async_trait::async_trait;
use balcao_core::jobs::JobError;
use balcao_tests::{TestApp, Worker};
use balcao_webhooks::inbound::receiver::{
    InboundEvent, InboundHandler, InboundHandlers, InboundProcessJob, PROCESS_JOB, Provider,
};
use diesel::sql_types::{BigInt, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use hmac::{Hmac, Mac};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const SETTINGS: &[(&str, &str)] = &[("BALCAO_JOB_POLL_MS", "100")];
pub const APP_SECRET: &str = "meta-app-secret-9f2c";
pub const VERIFY_TOKEN: &str = "verify-token-71ab";
pub const STRIPE_SECRET: &str = "whsec_stripe_test_4b1d";
pub const META_BODY: &str = r#"{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messages":[{"id":"wamid.1","text":{"body":"oi"}}]}}]}]}"#;

pub fn hmac_sha256_hex(key: &str, message: &[u8]) -> String {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(message);
    hex::encode(mac.finalize().into_bytes())
}

/// Standard base64 with padding (the tests crate does not depend on `base64`).
pub fn b64(bytes: &[u8]) -> String {
    const ABC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            out.push(if i <= chunk.len() { ABC[((n >> (18 - 6 * i)) & 63) as usize] as char } else { '=' });
        }
    }
    out
}

/// A handler that records every event it gets, and fails for good when told to.
#[derive(Clone)]
pub struct Recorder {
    pub providers: Vec<Provider>,
    pub seen: Arc<Mutex<Vec<InboundEvent>>>,
    pub fail: bool,
}

impl Recorder {
    pub fn new(providers: &[Provider]) -> Self {
        Self { providers: providers.to_vec(), seen: Arc::default(), fail: false }
    }

    pub fn seen(&self) -> Vec<InboundEvent> {
        self.seen.lock().unwrap().clone()
    }

    pub async fn wait_for(&self, count: usize) -> Vec<InboundEvent> {
        for _ in 0..200 {
            if self.seen().len() >= count {
                return self.seen();
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the handler saw {} events, expected {count}", self.seen().len());
    }
}

#[async_trait]
impl InboundHandler for Recorder {
    fn name(&self) -> &str {
        "recorder"
    }

    fn providers(&self) -> &[Provider] {
        &self.providers
    }

    async fn handle(&self, event: &InboundEvent) -> Result<(), JobError> {
        self.seen.lock().unwrap().push(event.clone());
        if self.fail { Err(JobError::Permanent("test handler refuses".into())) } else { Ok(()) }
    }
}

pub struct Shop {
    pub app: TestApp,
    pub token: String,
    pub store: String,
}

pub async fn shop() -> Shop {
    let app = TestApp::spawn_with(SETTINGS).await;
    let user = app.user().await;
    let store = app.store(&user.token).await;
    Shop { app, token: user.token, store }
}

impl Shop {
    pub async fn put_source(&self, provider: &str, body: Value) -> (StatusCode, Value) {
        let path = format!("/v1/stores/{}/inbound-sources/{provider}", self.store);
        self.app.call(Method::PUT, &path, Some(&self.token), Some(body)).await
    }

    pub async fn configure(&self, provider: &str, body: Value) -> Value {
        let (status, source) = self.put_source(provider, body).await;
        assert_eq!(status, StatusCode::OK, "{source}");
        source
    }

    pub fn receiver(&self, provider: &str) -> String {
        format!("{}/v1/inbound/{provider}/{}", self.app.base, self.store)
    }

    pub fn post(&self, provider: &str, body: &str) -> reqwest::RequestBuilder {
        self.app.client.post(self.receiver(provider)).header("content-type", "application/json").body(body.to_owned())
    }

    pub async fn meta(&self, body: &str, signature: &str) -> reqwest::Response {
        self.post("whatsapp", body).header("X-Hub-Signature-256", signature).send().await.unwrap()
    }

    pub async fn stripe(&self, body: &str, t: i64, secret: &str) -> reqwest::Response {
        let signature = hmac_sha256_hex(secret, format!("{t}.{body}").as_bytes());
        self.post("stripe", body).header("Stripe-Signature", format!("t={t},v1={signature}")).send().await.unwrap()
    }

    pub async fn events(&self) -> i64 {
        #[derive(diesel::QueryableByName)]
        struct Count {
            #[diesel(sql_type = BigInt)]
            n: i64,
        }
        let mut conn = self.app.core.pool.get().await.unwrap();
        diesel::sql_query("SELECT count(*) AS n FROM inbound_events WHERE store_id = $1")
            .bind::<SqlUuid, _>(self.store.parse::<uuid::Uuid>().unwrap())
            .get_result::<Count>(&mut conn)
            .await
            .unwrap()
            .n
    }

    pub async fn event(&self, id: &str) -> Value {
        let (status, body) = self.app.get(&format!("/v1/stores/{}/inbound-events/{id}", self.store), &self.token).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    pub async fn wait_status(&self, id: &str, status: &str) -> Value {
        for _ in 0..200 {
            let event = self.event(id).await;
            if event["status"] == status {
                return event;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("event never reached {status}: {}", self.event(id).await);
    }

    pub async fn worker(&self, recorder: &Recorder) -> Worker {
        let core = self.app.core.clone();
        let recorder = recorder.clone();
        self.app
            .worker_with(move |registry| {
                let mut handlers = InboundHandlers::new();
                handlers.register(Arc::new(recorder));
                registry.register(PROCESS_JOB, Arc::new(InboundProcessJob::new(core, handlers)));
            })
            .await
    }
}

pub fn meta_signature(body: &str) -> String {
    format!("sha256={}", hmac_sha256_hex(APP_SECRET, body.as_bytes()))
}

pub async fn accepted(response: reqwest::Response) -> Value {
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["received"], true, "{body}");
    body
}
