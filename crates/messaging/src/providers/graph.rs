//! Meta Graph API requests and errors, shared by the WhatsApp and Instagram providers.

use std::time::Duration;

use serde_json::Value;

use super::rest;
use crate::channels::ChannelSettings;
use crate::provider::ProviderError;

/// The most of an answer's body read.
pub const MAX_BODY: usize = 64 * 1024;
/// The longest error message kept.
pub const MAX_MESSAGE: usize = 500;

/// Graph API version used when the channel sets no `api_version`.
pub const DEFAULT_API_VERSION: &str = "v21.0";

/// `{base_url}/{api_version}/{node}/messages`, with the channel's settings or the defaults.
pub fn url(settings: &ChannelSettings, default_base_url: &str, node: &str) -> String {
    let base = rest::base_url(settings.base_url.as_deref(), default_base_url);
    let version =
        settings.api_version.as_deref().map(str::trim).filter(|v| !v.is_empty()).unwrap_or(DEFAULT_API_VERSION);
    format!("{base}/{}/{node}/messages", version.trim_matches('/'))
}

/// An answer: its status, `Retry-After` and (the first [`MAX_BODY`] bytes of its) body.
#[derive(Debug)]
pub struct Answer {
    /// The HTTP status.
    pub status: reqwest::StatusCode,
    /// `Retry-After`, capped.
    pub retry_after: Option<Duration>,
    /// The body.
    pub body: Vec<u8>,
}

/// POSTs `body` as JSON with `token` as a bearer token. Network errors and timeouts retry.
pub async fn post(
    client: &balcao_core::outbound::Client,
    url: &str,
    token: &str,
    body: &Value,
) -> Result<Answer, ProviderError> {
    let mut response = rest::request(client, url)?.bearer_auth(token).json(body).send().await.map_err(rest::network)?;
    let status = response.status();
    let retry_after = balcao_core::outbound::retry_after(response.headers(), balcao_core::outbound::MAX_RETRY_AFTER);
    let mut bytes = Vec::new();
    while bytes.len() < MAX_BODY {
        match response.chunk().await {
            Ok(Some(chunk)) => bytes.extend_from_slice(&chunk),
            // The status is known: a body cut short still classifies (a success without
            // its id fails rather than risk a second send).
            Ok(None) | Err(_) => break,
        }
    }
    bytes.truncate(MAX_BODY);
    Ok(Answer { status, retry_after, body: bytes })
}

/// `s` cut to [`MAX_MESSAGE`] bytes on a character boundary.
pub fn truncate(s: &str) -> String {
    if s.len() <= MAX_MESSAGE {
        return s.to_owned();
    }
    let mut end = MAX_MESSAGE;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

/// A Graph API error body's fields.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GraphError {
    /// `error.code`.
    pub code: Option<i64>,
    /// `error.error_subcode`.
    pub subcode: Option<i64>,
    /// `error.message` (or `error.title`).
    pub message: String,
    /// `error.error_data.details` (or `error.error_user_msg`).
    pub details: Option<String>,
    /// `error.is_transient`.
    pub transient: bool,
}

impl GraphError {
    /// Parses `{"error": {...}}`; `None` when the body is not a Graph error.
    pub fn parse(body: &[u8]) -> Option<Self> {
        let value: Value = serde_json::from_slice(body).ok()?;
        let error = value.get("error")?.as_object()?;
        let text = |key: &str| error.get(key).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty());
        let details = error
            .get("error_data")
            .and_then(|d| d.get("details").and_then(Value::as_str).or_else(|| d.as_str()))
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .or_else(|| text("error_user_msg"));
        Some(Self {
            code: error.get("code").and_then(Value::as_i64),
            subcode: error.get("error_subcode").and_then(Value::as_i64),
            message: text("message").or_else(|| text("title")).unwrap_or("Graph API error").to_owned(),
            details: details.map(str::to_owned),
            transient: error.get("is_transient").and_then(Value::as_bool).unwrap_or(false),
        })
    }

    /// The message with its details, cut to [`MAX_MESSAGE`].
    pub fn describe(&self) -> String {
        match &self.details {
            Some(details) if !self.message.contains(details.as_str()) => {
                truncate(&format!("{}: {details}", self.message))
            }
            _ => truncate(&self.message),
        }
    }
}

/// A short message for an answer without a Graph error body.
pub fn status_message(status: u16) -> String {
    let reason = reqwest::StatusCode::from_u16(status).ok().and_then(|s| s.canonical_reason()).unwrap_or("error");
    format!("the provider answered HTTP {status} ({reason})")
}

/// By HTTP status alone: 408, 429 and 5xx retry (after `Retry-After`), the rest is permanent.
pub fn by_status(status: u16, retry_after: Option<Duration>, code: String, message: String) -> ProviderError {
    if status == 408 || status == 429 || status >= 500 {
        ProviderError::Retry { code, message, after: retry_after }
    } else {
        ProviderError::Permanent { code, message }
    }
}
