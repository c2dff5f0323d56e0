//! One signed request to an endpoint: built once (the bytes signed are the bytes sent),
//! sent to an address the SSRF guard checked, without following redirects.
//!
//! The delivery job and the test send ("webhook builder") share it.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use balcao_core::Core;
use balcao_core::error::{Error, Result};
use balcao_core::events::Event;
use chrono::{DateTime, Utc};
use reqwest::Url;

use crate::endpoints::service::secret_context;
use crate::endpoints::{EndpointId, EndpointRow};
use crate::signing::{Secret, signature_header};
use balcao_core::outbound;

/// The request timeout.
pub const TIMEOUT: Duration = Duration::from_secs(15);
/// The most response body bytes kept in the attempt log.
pub const MAX_LOGGED_BODY: usize = 2048;
/// The longest `Retry-After` honoured (a day).
pub const MAX_RETRY_AFTER_SECS: u64 = 86_400;
/// What custom header values are replaced with in the attempt log.
pub const REDACTED: &str = "[redacted]";

/// A signed request, ready to send.
pub struct Signed {
    /// The `webhook-id`: the event id, the same on every attempt.
    pub msg_id: String,
    /// Every header sent.
    pub headers: Vec<(String, String)>,
    /// The headers as logged: signatures kept, custom header values redacted (they often carry credentials).
    pub logged: serde_json::Value,
    /// The exact bytes signed and sent.
    pub body: Vec<u8>,
}

/// Serializes `event` once and signs it with every secret of `endpoint` valid at `now`.
pub fn sign(core: &Core, endpoint: &EndpointRow, event: &Event, now: DateTime<Utc>) -> Result<Signed> {
    let body = serde_json::to_vec(event).map_err(Error::internal)?;
    let sealed = core.config.keyring.open(&endpoint.secrets, &secret_context(EndpointId(endpoint.id)))?;
    let secrets: Vec<Secret> = serde_json::from_slice(&sealed).map_err(Error::internal)?;
    let msg_id = event.id.to_string();
    let timestamp = now.timestamp();
    let signature = signature_header(&secrets, now, &msg_id, timestamp, &body)?;
    let custom: BTreeMap<String, String> = crate::endpoints::service::custom_headers(core, endpoint)?;
    let mut headers: Vec<(String, String)> = vec![
        ("content-type".into(), "application/json".into()),
        ("webhook-id".into(), msg_id.clone()),
        ("webhook-timestamp".into(), timestamp.to_string()),
        ("webhook-signature".into(), signature),
    ];
    headers.extend(custom.iter().map(|(k, v)| (k.clone(), v.clone())));
    let logged: serde_json::Map<String, serde_json::Value> = headers
        .iter()
        .map(|(k, v)| {
            let value = if custom.contains_key(k) { REDACTED.to_owned() } else { v.clone() };
            (k.to_ascii_lowercase(), serde_json::Value::String(value))
        })
        .collect();
    Ok(Signed { msg_id, headers, logged: serde_json::Value::Object(logged), body })
}

/// What one attempt came to.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The response status; `None` when no response came.
    pub status: Option<u16>,
    /// The response body, truncated to [`MAX_LOGGED_BODY`].
    pub body: String,
    /// Why no response came.
    pub error: Option<String>,
    /// The response's `Retry-After`, capped at a day.
    pub retry_after: Option<Duration>,
    /// Whether the destination itself was refused (bad URL or an internal address): retrying cannot help.
    pub refused: bool,
    /// How long it took.
    pub duration_ms: i32,
}

impl Outcome {
    /// Whether the endpoint answered 2xx.
    pub fn succeeded(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }

    /// A one-line reason for a failed attempt.
    pub fn failure(&self) -> String {
        match (&self.status, &self.error) {
            (_, Some(e)) => e.clone(),
            (Some(s), None) => format!("endpoint answered {s}"),
            (None, None) => "no response".to_owned(),
        }
    }
}

fn truncate(bytes: &[u8]) -> String {
    let cut = &bytes[..bytes.len().min(MAX_LOGGED_BODY)];
    let mut text = String::from_utf8_lossy(cut).into_owned();
    while text.len() > MAX_LOGGED_BODY {
        text.pop();
    }
    text
}

async fn read_body(mut response: reqwest::Response) -> Vec<u8> {
    let mut body = Vec::new();
    while body.len() < MAX_LOGGED_BODY {
        match response.chunk().await {
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            _ => break,
        }
    }
    body
}

/// POSTs `signed` to `url`, resolved and checked by the SSRF guard at send time.
pub async fn send(url: &str, signed: &Signed, allow_private: bool) -> Outcome {
    let started = Instant::now();
    let mut outcome = attempt(url, signed, allow_private).await;
    outcome.duration_ms = i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX);
    outcome
}

async fn attempt(url: &str, signed: &Signed, allow_private: bool) -> Outcome {
    let failed = |error: String, refused: bool| Outcome {
        status: None,
        body: String::new(),
        error: Some(error),
        retry_after: None,
        refused,
        duration_ms: 0,
    };
    if let Err(e) = Url::parse(url) {
        return failed(format!("bad url: {e}"), true);
    }
    // The shared outbound client resolves the host when it connects, checks every address and
    // connects to the checked ones only, so a DNS answer cannot change in between.
    let policy = outbound::Policy { allow_private };
    let client = match outbound::shared(policy) {
        Ok(client) => client,
        Err(e) => return failed(format!("client: {e}"), false),
    };
    let request = match client.post(url) {
        Ok(request) => request,
        Err(refused) => return failed(format!("destination refused: {refused}"), true),
    };
    let mut request = request.timeout(TIMEOUT).body(signed.body.clone());
    for (name, value) in &signed.headers {
        request = request.header(name.as_str(), value.as_str());
    }
    match request.send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            let retry_after =
                balcao_core::outbound::retry_after(response.headers(), Duration::from_secs(MAX_RETRY_AFTER_SECS));
            let body = truncate(&read_body(response).await);
            Outcome { status: Some(status), body, error: None, retry_after, refused: false, duration_ms: 0 }
        }
        Err(e) => match outbound::refusal(&e) {
            Some(refused) => failed(format!("destination refused: {refused}"), true),
            None => failed(format!("request failed: {}", e.without_url()), false),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logged_bodies_are_truncated() {
        assert_eq!(truncate(&[b'a'; 5000]).len(), MAX_LOGGED_BODY);
        assert_eq!(truncate(b"ok"), "ok");
    }

    #[tokio::test]
    async fn internal_destinations_are_refused_before_any_request() {
        let signed = Signed { msg_id: "m".into(), headers: vec![], logged: serde_json::json!({}), body: vec![] };
        let outcome = send("http://127.0.0.1:9/hook", &signed, false).await;
        assert!(outcome.refused && outcome.status.is_none(), "{outcome:?}");
        assert!(send("not a url", &signed, false).await.refused);
    }
}
