//! What the HTTP API providers share: one client with timeouts, and how a refusal or a
//! network failure becomes a [`ProviderError`] (429 and 5xx retry, honouring `Retry-After`;
//! other 4xx fail with the provider's own error code).

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use balcao_core::outbound::{self, Policy};

use crate::provider::ProviderError;

/// The longest one provider call may take, connection included.
pub const TIMEOUT: Duration = Duration::from_secs(20);
/// The longest to wait for a connection.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// The most characters of a provider's error message kept on the message.
const MAX_ERROR_MESSAGE: usize = 500;

/// A client with [`TIMEOUT`] and [`CONNECT_TIMEOUT`] that reaches only the destinations
/// `policy` allows ([`balcao_core::outbound`]), to be shared by every provider (it pools
/// connections per host).
pub fn client(policy: Policy) -> Result<outbound::Client, reqwest::Error> {
    outbound::Client::build(outbound::builder(policy).timeout(TIMEOUT).connect_timeout(CONNECT_TIMEOUT), policy)
}

/// A request to `url` through `client`; a forbidden destination fails the message for good.
pub fn request(client: &outbound::Client, url: &str) -> Result<reqwest::RequestBuilder, ProviderError> {
    client.post(url).map_err(refused)
}

/// A destination the outbound policy refused: permanent, and the message does not say where
/// the name resolved to.
pub fn refused(refusal: outbound::Refused) -> ProviderError {
    ProviderError::permanent(refusal.code(), format!("{refusal} (the channel's base_url)"))
}

/// `base_url` from the channel's settings (without a trailing slash), or `default`.
pub fn base_url<'a>(configured: Option<&'a str>, default: &'a str) -> &'a str {
    configured.map(str::trim).filter(|u| !u.is_empty()).unwrap_or(default).trim_end_matches('/')
}

/// A request that got no answer (connection, TLS, timeout): worth retrying. The URL is left
/// out of the message: it may name an account.
pub fn network(error: reqwest::Error) -> ProviderError {
    if let Some(refusal) = outbound::refusal(&error) {
        return refused(refusal);
    }
    let code = if error.is_timeout() { "provider_timeout" } else { "network_error" };
    ProviderError::retry(code, error.without_url().to_string())
}

/// The `code` (a string or a number) and `message` (or `description`) of a provider's JSON
/// error body, when it has them.
pub fn error_fields(body: &[u8]) -> (Option<String>, Option<String>) {
    let Ok(json) = serde_json::from_slice::<serde_json::Value>(body) else { return (None, None) };
    let code = match &json["code"] {
        serde_json::Value::String(s) if !s.is_empty() => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    let message = ["message", "description"]
        .iter()
        .find_map(|k| json[*k].as_str())
        .filter(|m| !m.is_empty())
        .map(|m| m.chars().take(MAX_ERROR_MESSAGE).collect());
    (code, message)
}

/// A non-2xx answer classified: 429, 408 and 5xx retry (after `Retry-After` when given);
/// any other status fails the message with the provider's `code` (or `http_<status>`).
pub fn refusal(provider: &str, status: StatusCode, headers: &HeaderMap, body: &[u8]) -> ProviderError {
    let (code, message) = error_fields(body);
    let message = message.unwrap_or_else(|| format!("{provider} answered {status}"));
    if status == StatusCode::TOO_MANY_REQUESTS {
        let code = code.unwrap_or_else(|| "rate_limited".to_owned());
        return ProviderError::Retry {
            code,
            message,
            after: outbound::retry_after(headers, outbound::MAX_RETRY_AFTER),
        };
    }
    if status.is_server_error() || status == StatusCode::REQUEST_TIMEOUT {
        let code = code.unwrap_or_else(|| "provider_unavailable".to_owned());
        return ProviderError::Retry {
            code,
            message,
            after: outbound::retry_after(headers, outbound::MAX_RETRY_AFTER),
        };
    }
    ProviderError::Permanent { code: code.unwrap_or_else(|| format!("http_{}", status.as_u16())), message }
}

/// Sends `request` and answers the body of a 2xx, or the classified refusal of `provider`.
pub async fn exchange(request: reqwest::RequestBuilder, provider: &str) -> Result<Vec<u8>, ProviderError> {
    let response = request.send().await.map_err(network)?;
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.bytes().await.map_err(network)?;
    if !status.is_success() {
        return Err(refusal(provider, status, &headers, &body));
    }
    Ok(body.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(retry_after: &'static str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(reqwest::header::RETRY_AFTER, reqwest::header::HeaderValue::from_static(retry_after));
        h
    }

    #[test]
    fn refusals_are_classified() {
        let twilio = br#"{"code": 21211, "message": "The 'To' number is not valid.", "status": 400}"#;
        assert_eq!(
            refusal("twilio", StatusCode::BAD_REQUEST, &HeaderMap::new(), twilio),
            ProviderError::permanent("21211", "The 'To' number is not valid.")
        );
        let zenvia = br#"{"code": "VALIDATION_ERROR", "message": "Validation error"}"#;
        assert_eq!(
            refusal("zenvia", StatusCode::BAD_REQUEST, &HeaderMap::new(), zenvia),
            ProviderError::permanent("VALIDATION_ERROR", "Validation error")
        );
        assert_eq!(
            refusal("zenvia", StatusCode::UNAUTHORIZED, &HeaderMap::new(), b"nope"),
            ProviderError::permanent("http_401", "zenvia answered 401 Unauthorized")
        );
        assert_eq!(
            refusal("twilio", StatusCode::TOO_MANY_REQUESTS, &headers("3"), b"{}"),
            ProviderError::Retry {
                code: "rate_limited".into(),
                message: "twilio answered 429 Too Many Requests".into(),
                after: Some(Duration::from_secs(3)),
            }
        );
        assert!(matches!(
            refusal("zenvia", StatusCode::BAD_GATEWAY, &HeaderMap::new(), b""),
            ProviderError::Retry { after: None, .. }
        ));
    }

    #[test]
    fn base_urls_default_and_lose_the_trailing_slash() {
        assert_eq!(base_url(None, "https://api.zenvia.com"), "https://api.zenvia.com");
        assert_eq!(base_url(Some("http://127.0.0.1:9/"), "https://x"), "http://127.0.0.1:9");
        assert_eq!(base_url(Some(" "), "https://x"), "https://x");
    }
}
