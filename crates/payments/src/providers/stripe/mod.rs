//! Stripe for card payments. Card data never reaches balcao: balcao creates a PaymentIntent and
//! hands its `client_secret` to the frontend, which confirms it with Stripe Elements; the outcome
//! arrives as a webhook. Splits use Connect's "separate charges and transfers": the charge lands
//! on the platform and [`StripeClient::create_transfer`] moves each share to a connected account.
//!
//! - [`client`]: [`StripeClient`], the REST calls (form-encoded, `Stripe-Version` pinned to
//!   [`API_VERSION`], an `Idempotency-Key` on every POST).
//! - [`webhook`]: [`parse_event`], a verified event body read into a [`StripeEvent`]. The
//!   `Stripe-Signature` check lives in `balcao_webhooks::inbound::stripe`.
//! - Here: [`StripeConfig`], [`StripeError`] with how Stripe's answers are classified, and the
//!   PaymentIntent statuses both halves share.

use std::fmt;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde::Deserialize;

pub mod adapter;
pub mod client;
pub mod notify;
pub mod webhook;

pub use client::{
    CreatePaymentIntent, CreateTransfer, PaymentIntent, Refund, RefundReason, RefundStatus, StripeClient, Transfer,
};
pub use webhook::{
    ChargeRefundedEvent, EventObject, EventType, LastPaymentError, MalformedEvent, PaymentIntentEvent, PaymentMetadata,
    StripeEvent, parse_event,
};

/// Stripe's API.
pub const DEFAULT_BASE_URL: &str = "https://api.stripe.com";

/// The API version every request is pinned to (`Stripe-Version`). Webhook endpoints render events
/// with their own version: configure them with this one too.
pub const API_VERSION: &str = "2025-10-29.clover";

/// What stands in for a secret in `Debug` output and error messages.
const REDACTED: &str = "[redacted]";

/// The longest `Retry-After` honoured; a longer one waits this long.
pub use balcao_core::outbound::MAX_RETRY_AFTER;

/// Where Stripe is and the platform's credentials.
#[derive(Clone, PartialEq, Eq)]
pub struct StripeConfig {
    /// API root without a trailing slash; [`DEFAULT_BASE_URL`] outside tests.
    pub base_url: String,
    /// Secret API key, `sk_live_...` / `sk_test_...` (or a restricted `rk_...`).
    pub secret_key: String,
    /// Webhook endpoint signing secret, `whsec_...`.
    pub webhook_secret: String,
    /// Where the client may connect ([`balcao_core::outbound`]); strict by default.
    pub outbound: balcao_core::outbound::Policy,
}

impl StripeConfig {
    /// A configuration for Stripe's production API.
    pub fn new(secret_key: impl Into<String>, webhook_secret: impl Into<String>) -> Self {
        Self {
            base_url: DEFAULT_BASE_URL.to_owned(),
            secret_key: secret_key.into(),
            webhook_secret: webhook_secret.into(),
            outbound: balcao_core::outbound::Policy::STRICT,
        }
    }

    /// Whether the secret key is a live-mode key.
    pub fn is_live(&self) -> bool {
        self.secret_key.starts_with("sk_live_") || self.secret_key.starts_with("rk_live_")
    }
}

impl fmt::Debug for StripeConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StripeConfig")
            .field("base_url", &self.base_url)
            .field("live", &self.is_live())
            .field("secret_key", &REDACTED)
            .field("webhook_secret", &REDACTED)
            .finish()
    }
}

/// Where a PaymentIntent stands (`status`); unknown future values read as [`Self::Unknown`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentIntentStatus {
    /// Waiting for the customer's card (also after a failed attempt).
    RequiresPaymentMethod,
    /// A payment method is attached; waiting for confirmation.
    RequiresConfirmation,
    /// The customer must act (3-D Secure).
    RequiresAction,
    /// Stripe is processing the payment.
    Processing,
    /// Authorized, waiting for a manual capture.
    RequiresCapture,
    /// Canceled; no more attempts.
    Canceled,
    /// Paid.
    Succeeded,
    /// A status this version of balcao does not know.
    #[serde(other)]
    Unknown,
}

/// A failed Stripe call.
///
/// [`is_retryable`](Self::is_retryable) says whether the same request may be sent again. A POST
/// must then be retried with the *same* idempotency key: Stripe answers a replay with the first
/// outcome instead of charging, refunding or transferring twice. Messages never carry secrets.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StripeError {
    /// No answer within the client's timeout; the request may or may not have been applied.
    #[error("Stripe did not answer in time")]
    Timeout,
    /// No answer: connection refused or reset, DNS, TLS.
    #[error("could not reach Stripe: {0}")]
    Network(String),
    /// Stripe answered with a status worth retrying: 429, 5xx, a lock timeout, or
    /// `Stripe-Should-Retry: true`. Wait at least `retry_after` when Stripe gave one. Stripe
    /// stores the answer to a POST that began executing under its idempotency key, so a replay
    /// after a 500 may return the same 500: reconcile (retrieve) before giving up.
    #[error("Stripe is unavailable ({status}): {error}")]
    Unavailable {
        /// The HTTP status.
        status: u16,
        /// The `Retry-After` delay, at most an hour.
        retry_after: Option<Duration>,
        /// Stripe's error object.
        error: Box<ApiError>,
    },
    /// Stripe refused the request for good (4xx, or `Stripe-Should-Retry: false`): sending it
    /// again fails the same way.
    #[error("Stripe refused the request ({status}): {error}")]
    Refused {
        /// The HTTP status (402 for a declined card).
        status: u16,
        /// Stripe's error object.
        error: Box<ApiError>,
    },
    /// Stripe said yes but the answer could not be read. Permanent: a replay returns the same body.
    #[error("unexpected answer from Stripe: {0}")]
    Decode(String),
    /// The request or the configuration is invalid; nothing was sent.
    #[error("invalid Stripe request: {0}")]
    Invalid(String),
}

impl StripeError {
    /// Whether the same request may succeed later (timeouts, network failures, 429, 5xx).
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Timeout | Self::Network(_) | Self::Unavailable { .. })
    }

    /// The least time to wait before retrying, when Stripe said so.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Unavailable { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// Stripe's error object, when Stripe answered.
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Self::Unavailable { error, .. } | Self::Refused { error, .. } => Some(&**error),
            _ => None,
        }
    }

    /// Stripe's `error.code` (`card_declined`, `amount_too_small`, ...), when it gave one.
    pub fn code(&self) -> Option<&str> {
        self.api_error().and_then(|e| e.code.as_deref())
    }

    /// The HTTP status Stripe answered with.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Unavailable { status, .. } | Self::Refused { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// Stripe's `error` object, with secrets scrubbed from the message.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ApiError {
    /// `error.type`: `card_error`, `invalid_request_error`, `idempotency_error` or `api_error`.
    pub kind: Option<String>,
    /// `error.code`, e.g. `card_declined`, `resource_missing`.
    pub code: Option<String>,
    /// `error.decline_code` for card declines, e.g. `insufficient_funds`.
    pub decline_code: Option<String>,
    /// `error.message`; for `card_error` it may be shown to the customer.
    pub message: String,
    /// `error.param`, the parameter at fault.
    pub param: Option<String>,
    /// The `Request-Id` header, for Stripe's support.
    pub request_id: Option<String>,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = self.kind.as_deref().unwrap_or("error");
        match &self.code {
            Some(code) => write!(f, "{kind}/{code}: {}", self.message),
            None => write!(f, "{kind}: {}", self.message),
        }
    }
}

/// The longest error message kept.
const MAX_MESSAGE: usize = 500;

/// `text` with every token that looks like a credential (`sk_...`, `rk_...`, `whsec_...`, a
/// PaymentIntent client secret) replaced, and at most [`MAX_MESSAGE`] characters long.
pub(crate) fn scrub(text: &str) -> String {
    fn flush(token: &mut String, out: &mut String) {
        let secret = ["sk_", "rk_", "whsec_"].iter().any(|p| token.starts_with(p)) || token.contains("_secret_");
        out.push_str(if secret { REDACTED } else { token });
        token.clear();
    }
    let mut out = String::with_capacity(text.len());
    let mut token = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || c == '_' || c == '*' {
            token.push(c);
        } else {
            flush(&mut token, &mut out);
            out.push(c);
        }
    }
    flush(&mut token, &mut out);
    out.chars().take(MAX_MESSAGE).collect()
}

/// Stripe's `{"error": {...}}` body.
#[derive(Deserialize)]
struct ErrorBody {
    error: RawError,
}

#[derive(Deserialize, Default)]
struct RawError {
    #[serde(rename = "type")]
    kind: Option<String>,
    code: Option<String>,
    decline_code: Option<String>,
    message: Option<String>,
    param: Option<String>,
}

/// A non-2xx answer classified. `Stripe-Should-Retry` decides when present; otherwise 408, 429,
/// 5xx and a 409 `lock_timeout` retry and any other status is permanent.
fn refusal(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> StripeError {
    let raw = serde_json::from_slice::<ErrorBody>(body).map(|b| b.error).unwrap_or_default();
    let present = |v: Option<String>| v.filter(|s| !s.trim().is_empty());
    let error = Box::new(ApiError {
        kind: present(raw.kind),
        code: present(raw.code),
        decline_code: present(raw.decline_code),
        message: present(raw.message).map(|m| scrub(&m)).unwrap_or_else(|| format!("Stripe answered {status}")),
        param: present(raw.param),
        request_id: header_text(headers, "request-id"),
    });
    let retry = match header_text(headers, "stripe-should-retry").as_deref() {
        Some("true") => true,
        Some("false") => false,
        _ => {
            matches!(status, StatusCode::TOO_MANY_REQUESTS | StatusCode::REQUEST_TIMEOUT)
                || status.is_server_error()
                || (status == StatusCode::CONFLICT && error.code.as_deref() == Some("lock_timeout"))
        }
    };
    let status = status.as_u16();
    if retry {
        StripeError::Unavailable {
            status,
            retry_after: balcao_core::outbound::retry_after(headers, MAX_RETRY_AFTER),
            error,
        }
    } else {
        StripeError::Refused { status, error }
    }
}

/// A request that got no answer. The URL is left out (it names objects), and so are secrets.
fn network(error: reqwest::Error) -> StripeError {
    if error.is_timeout() {
        return StripeError::Timeout;
    }
    let error = error.without_url();
    let mut message = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    StripeError::Network(scrub(&message))
}

/// A short, printable header value.
fn header_text(headers: &HeaderMap, name: &str) -> Option<String> {
    let value = headers.get(name)?.to_str().ok()?.trim();
    (!value.is_empty()).then(|| value.chars().take(100).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_secrets() {
        let config = StripeConfig::new("sk_live_abc123", "whsec_def456");
        let shown = format!("{config:?}");
        assert!(!shown.contains("abc123") && !shown.contains("def456"), "{shown}");
        assert!(shown.contains("api.stripe.com") && shown.contains("live: true"), "{shown}");
    }

    #[test]
    fn scrub_removes_keys_and_client_secrets() {
        assert_eq!(
            scrub("Invalid API Key provided: sk_test_****************1234."),
            "Invalid API Key provided: [redacted]."
        );
        assert_eq!(scrub("bad 'pi_1_secret_abc' and whsec_x"), "bad '[redacted]' and [redacted]");
        assert_eq!(scrub("No such payment_intent: 'pi_123'"), "No such payment_intent: 'pi_123'");
        assert_eq!(scrub(&"é".repeat(900)).chars().count(), MAX_MESSAGE);
    }

    #[test]
    fn unknown_statuses_do_not_fail() {
        let status: PaymentIntentStatus = serde_json::from_str("\"requires_capture\"").unwrap();
        assert_eq!(status, PaymentIntentStatus::RequiresCapture);
        let status: PaymentIntentStatus = serde_json::from_str("\"brand_new\"").unwrap();
        assert_eq!(status, PaymentIntentStatus::Unknown);
    }
}
