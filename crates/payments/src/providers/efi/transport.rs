//! What both EFI clients share below their calls: reading an answer, and errors without
//! secrets or URLs.

use std::time::Duration;

use reqwest::{StatusCode, header};

use super::EfiError;

/// The longest provider text kept in an error.
const MAX_ERROR_TEXT: usize = 300;

/// Status, `Retry-After` in seconds, and the body of an answer.
pub(super) async fn read(response: reqwest::Response) -> Result<(StatusCode, Option<Duration>, Vec<u8>), EfiError> {
    let status = response.status();
    let retry_after = response
        .headers()
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    let bytes = response.bytes().await.map_err(transport)?;
    Ok((status, retry_after, bytes.to_vec()))
}

/// No answer: a timeout, or a connection, TLS or transfer failure. The URL is left out.
pub(super) fn transport(error: reqwest::Error) -> EfiError {
    if error.is_timeout() {
        return EfiError::Timeout;
    }
    let error = error.without_url();
    if error.is_builder() { EfiError::Config(chain(&error)) } else { EfiError::Network(chain(&error)) }
}

/// An error with its sources, `outer: inner: innermost`.
pub(super) fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(inner) = source {
        text.push_str(": ");
        text.push_str(&inner.to_string());
        source = inner.source();
    }
    text
}

pub(super) fn clip(text: String) -> String {
    if text.chars().count() <= MAX_ERROR_TEXT { text } else { text.chars().take(MAX_ERROR_TEXT).collect() }
}
