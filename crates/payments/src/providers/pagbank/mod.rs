//! PagBank (PagSeguro) through its Orders API: an order per payment carrying a PIX QR code, a
//! card charge (the card encrypted in the payer's browser by PagBank's SDK) or a boleto charge;
//! refunds by cancelling a paid charge in full or in part; the order's notifications.
//!
//! - [`client`]: [`PagBankClient`], the REST calls (`Authorization: Bearer <token>`, JSON, the
//!   caller's `x-idempotency-key` on every POST).
//! - [`model`]: the order balcao sends and the order PagBank answers and notifies.
//! - [`notify`]: settles payments from the order PagBank posts to the notification URL. The
//!   `x-authenticity-token` check lives in `balcao_webhooks::inbound::pagbank`.
//! - [`adapter`]: [`adapter::PagBankProvider`], PagBank behind the provider seam.
//! - Here: [`PagBankError`], with how PagBank's answers are classified.
//!
//! PagBank answers a refusal with `{"error_messages": [{"code", "description",
//! "parameter_name"}]}`; 408, 429 and 5xx (and no answer at all) are worth retrying with the same
//! idempotency key, any other status is permanent.

use std::fmt;
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

pub mod adapter;
pub mod client;
pub mod model;
pub mod notify;

pub use client::PagBankClient;
pub use model::{
    Amount, AmountSummary, BoletoInfo, BoletoRequest, Charge, ChargeAmount, ChargeRequest, ChargeStatus, Customer,
    EncryptedCard, Holder, InstructionLines, Item, Link, Order, OrderRequest, PaymentMethod, PaymentMethodRequest,
    PaymentResponse, Phone, QrCode, QrCodeRequest,
};

/// PagBank's production API.
pub const PRODUCTION_URL: &str = "https://api.pagseguro.com";
/// PagBank's sandbox API.
pub const SANDBOX_URL: &str = "https://sandbox.api.pagseguro.com";

/// The longest `Retry-After` honoured; a longer one waits this long.
pub use balcao_core::outbound::MAX_RETRY_AFTER;
/// The longest error text kept.
const MAX_MESSAGE: usize = 500;
/// What stands in for the token, should an answer ever echo it.
const REDACTED: &str = "[redacted]";

/// A failed PagBank call. Messages never carry the token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PagBankError {
    /// No answer within the client's timeout; the request may or may not have been applied.
    #[error("PagBank did not answer in time")]
    Timeout,
    /// No answer: connection refused or reset, DNS, TLS.
    #[error("could not reach PagBank: {0}")]
    Network(String),
    /// PagBank answered 408, 429 or 5xx: retry later (after `retry_after` when given) with the
    /// same idempotency key.
    #[error("PagBank is unavailable ({status}): {}", Errors(.errors))]
    Unavailable {
        /// The HTTP status.
        status: u16,
        /// The `Retry-After` delay, at most [`MAX_RETRY_AFTER`].
        retry_after: Option<Duration>,
        /// PagBank's `error_messages`.
        errors: Vec<ApiError>,
    },
    /// PagBank refused the request for good (4xx).
    #[error("PagBank refused the request ({status}): {}", Errors(.errors))]
    Refused {
        /// The HTTP status.
        status: u16,
        /// PagBank's `error_messages`.
        errors: Vec<ApiError>,
    },
    /// PagBank said yes but the answer could not be read.
    #[error("unexpected answer from PagBank: {0}")]
    Decode(String),
    /// The request or the configuration is invalid; nothing was sent.
    #[error("invalid PagBank request: {0}")]
    Invalid(String),
}

impl PagBankError {
    /// Whether the same request may succeed later (timeouts, network failures, 408, 429, 5xx).
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Timeout | Self::Network(_) | Self::Unavailable { .. })
    }

    /// The least time to wait before retrying, when PagBank said so.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::Unavailable { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// PagBank's `error_messages`, when it answered with any.
    pub fn errors(&self) -> &[ApiError] {
        match self {
            Self::Unavailable { errors, .. } | Self::Refused { errors, .. } => errors,
            _ => &[],
        }
    }

    /// The first error's code (`40002`, ...), when PagBank gave one.
    pub fn code(&self) -> Option<&str> {
        self.errors().first().map(|e| e.code.as_str()).filter(|c| !c.is_empty())
    }

    /// The HTTP status PagBank answered with.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Unavailable { status, .. } | Self::Refused { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// One of PagBank's `error_messages`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ApiError {
    /// `40001`, `40002`, ... (empty when PagBank gave none).
    pub code: String,
    /// `invalid_parameter`, or a sentence.
    pub description: String,
    /// The request field at fault.
    pub parameter_name: Option<String>,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.parameter_name, self.code.is_empty()) {
            (Some(parameter), false) => write!(f, "{}: {} ({parameter})", self.code, self.description),
            (Some(parameter), true) => write!(f, "{} ({parameter})", self.description),
            (None, false) => write!(f, "{}: {}", self.code, self.description),
            (None, true) => f.write_str(&self.description),
        }
    }
}

/// Displays a list of errors, `; `-separated.
struct Errors<'a>(&'a [ApiError]);

impl fmt::Display for Errors<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, error) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

/// `text` without `token` and at most [`MAX_MESSAGE`] characters long.
fn scrub(text: &str, token: &str) -> String {
    let text = if token.len() >= 8 { text.replace(token, REDACTED) } else { text.to_owned() };
    text.chars().take(MAX_MESSAGE).collect()
}

/// A string or a number as text.
fn field(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A non-2xx answer classified: 408, 429 and 5xx retry, any other status is permanent.
fn refusal(status: StatusCode, headers: &HeaderMap, body: &[u8], token: &str) -> PagBankError {
    let json: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
    let mut errors: Vec<ApiError> = json["error_messages"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|e| ApiError {
                    code: field(&e["code"]).map(|c| scrub(&c, token)).unwrap_or_default(),
                    description: field(&e["description"])
                        .or_else(|| field(&e["message"]))
                        .map(|d| scrub(&d, token))
                        .unwrap_or_default(),
                    parameter_name: field(&e["parameter_name"]).map(|p| scrub(&p, token)),
                })
                .collect()
        })
        .unwrap_or_default();
    if errors.is_empty() {
        errors.push(ApiError { description: format!("PagBank answered {status}"), ..ApiError::default() });
    }
    let retry =
        matches!(status, StatusCode::TOO_MANY_REQUESTS | StatusCode::REQUEST_TIMEOUT) || status.is_server_error();
    let status = status.as_u16();
    if retry {
        PagBankError::Unavailable {
            status,
            retry_after: balcao_core::outbound::retry_after(headers, MAX_RETRY_AFTER),
            errors,
        }
    } else {
        PagBankError::Refused { status, errors }
    }
}

/// A request that got no answer. The URL is left out (it names objects).
fn network(error: reqwest::Error, token: &str) -> PagBankError {
    if error.is_timeout() {
        return PagBankError::Timeout;
    }
    let error = error.without_url();
    let mut message = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    PagBankError::Network(scrub(&message, token))
}
