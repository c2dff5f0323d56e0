//! What the delivery suites share: a store with endpoints, the receiver's requests, and an
//! independent HMAC and base64 so no test trusts the crate's own.

use std::time::Duration;

use balcao_tests::TestApp;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use wiremock::{MockServer, Request};

pub const SETTINGS: &[(&str, &str)] = &[
    ("BALCAO_WEBHOOKS_ALLOW_HTTP", "true"),
    ("BALCAO_WEBHOOKS_ALLOW_PRIVATE", "true"),
    ("BALCAO_JOB_POLL_MS", "100"),
    ("BALCAO_WEBHOOKS_RETRY_SCALE", "0.001"),
];

pub struct Shop {
    pub app: TestApp,
    pub token: String,
    pub email: String,
    pub store: String,
}

pub async fn shop(settings: &[(&str, &str)]) -> Shop {
    let app = TestApp::spawn_with(settings).await;
    let user = app.user().await;
    let store = app.store(&user.token).await;
    app.set_plan(&store, "pro").await; // suites here make more endpoints than free's 2
    Shop { app, token: user.token, email: user.email, store }
}

impl Shop {
    /// Creates an endpoint; returns (id, secret).
    pub async fn endpoint(&self, url: &str, types: &[&str]) -> (String, String) {
        let (status, body) = self
            .app
            .post(
                &format!("/v1/stores/{}/webhook-endpoints", self.store),
                &self.token,
                json!({"url": url, "event_types": types, "headers": {"X-Api-Key": "k-123"}}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        (body["id"].as_str().unwrap().to_owned(), body["secret"].as_str().unwrap().to_owned())
    }

    /// Creates a customer, which emits `customer.created`.
    pub async fn customer(&self) {
        let (status, body) =
            self.app.post(&format!("/v1/stores/{}/customers", self.store), &self.token, json!({"name": "Ana"})).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }

    pub fn base(&self, endpoint: &str) -> String {
        format!("/v1/stores/{}/webhook-endpoints/{endpoint}", self.store)
    }

    pub async fn deliveries(&self, endpoint: &str) -> Vec<Value> {
        let (status, body) = self.app.get(&format!("{}/deliveries", self.base(endpoint)), &self.token).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["data"].as_array().cloned().unwrap_or_else(|| panic!("no items: {body}"))
    }

    pub async fn delivery(&self, endpoint: &str, id: &str) -> Value {
        let (status, body) = self.app.get(&format!("{}/deliveries/{id}", self.base(endpoint)), &self.token).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    /// Waits until the endpoint's only delivery reaches `status`; returns it with its attempts.
    pub async fn wait_for(&self, endpoint: &str, status: &str) -> Value {
        for _ in 0..200 {
            if let Some(d) = <[Value]>::first(&self.deliveries(endpoint).await)
                && d["status"] == status
            {
                return self.delivery(endpoint, d["id"].as_str().unwrap()).await;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("delivery never reached {status}: {:?}", self.deliveries(endpoint).await);
    }

    /// Waits until delivery `id` reaches `status`; returns it with its attempts.
    pub async fn wait_for_delivery(&self, endpoint: &str, id: &str, status: &str) -> Value {
        for _ in 0..200 {
            let delivery = self.delivery(endpoint, id).await;
            if delivery["status"] == status {
                return delivery;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("delivery {id} never reached {status}: {:?}", self.delivery(endpoint, id).await);
    }
}

pub async fn received(server: &MockServer, at: &str, count: usize) -> Vec<Request> {
    for _ in 0..200 {
        let requests: Vec<Request> =
            server.received_requests().await.unwrap_or_default().into_iter().filter(|r| r.url.path() == at).collect();
        if requests.len() >= count {
            return requests;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{at} never received {count} requests");
}

pub fn header<'a>(request: &'a Request, name: &str) -> &'a str {
    request.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default()
}

// An independent HMAC-SHA256 (RFC 2104) and base64, so the test does not trust the crate's own.
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let inner: Vec<u8> = block.iter().map(|b| b ^ 0x36).chain(message.iter().copied()).collect();
    let inner_hash = Sha256::digest(&inner);
    let outer: Vec<u8> = block.iter().map(|b| b ^ 0x5c).chain(inner_hash.iter().copied()).collect();
    Sha256::digest(&outer).to_vec()
}

const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

pub fn b64_encode(bytes: &[u8]) -> String {
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(B64[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

pub fn b64_decode(text: &str) -> Vec<u8> {
    let mut bits = 0u32;
    let mut count = 0;
    let mut out = Vec::new();
    for c in text.bytes().filter(|c| *c != b'=') {
        let v = B64.iter().position(|x| *x == c).expect("base64") as u32;
        bits = (bits << 6) | v;
        count += 6;
        if count >= 8 {
            count -= 8;
            out.push((bits >> count) as u8);
        }
    }
    out
}
