//! Validation of endpoint forms: the URL, event types, headers and limits.

use std::collections::BTreeMap;

use balcao_core::error::{FieldError, Validator};
use reqwest::Url;

use crate::events::{EventCatalog, WILDCARD};
use crate::guard;

/// The longest URL accepted.
pub const MAX_URL_LEN: usize = 2048;
/// The most custom headers per endpoint.
pub const MAX_HEADERS: usize = 20;
/// Headers the delivery itself sets (besides every `webhook-*`).
pub const RESERVED_HEADERS: &[&str] =
    &["content-type", "content-length", "host", "transfer-encoding", "connection", "user-agent"];

/// What the operator allows for destinations.
#[derive(Debug, Clone, Copy, Default)]
pub struct UrlPolicy {
    /// Plain `http://` URLs are accepted.
    pub allow_http: bool,
    /// Literal internal addresses are accepted.
    pub allow_private: bool,
}

/// Checks a destination URL.
pub fn url(v: &mut Validator, raw: &str, policy: UrlPolicy) {
    destination(v, "url", raw, policy);
}

/// Checks an outbound destination URL given in `field`: https (http only when allowed),
/// a host, no credentials or fragment, and no literal internal address unless allowed.
pub fn destination(v: &mut Validator, field: &str, raw: &str, policy: UrlPolicy) {
    let raw = raw.trim();
    if raw.is_empty() || raw.len() > MAX_URL_LEN {
        v.push(FieldError::new(field, "invalid_url", format!("must be a URL of at most {MAX_URL_LEN} characters")));
        return;
    }
    let Ok(parsed) = Url::parse(raw) else {
        v.push(FieldError::new(field, "invalid_url", "must be an absolute URL"));
        return;
    };
    let scheme_ok = parsed.scheme() == "https" || (policy.allow_http && parsed.scheme() == "http");
    if !scheme_ok {
        let message = if policy.allow_http { "must use https or http" } else { "must use https" };
        v.push(FieldError::new(field, "https_required", message));
    } else if parsed.host_str().is_none_or(str::is_empty) {
        v.push(FieldError::new(field, "invalid_url", "must name a host"));
    } else if !parsed.username().is_empty() || parsed.password().is_some() {
        v.push(FieldError::new(field, "credentials_in_url", "must not carry a user or password; use headers"));
    } else if parsed.fragment().is_some() {
        v.push(FieldError::new(field, "invalid_url", "must not have a fragment"));
    } else if let Err(e) = guard::check_literal(&parsed, policy.allow_private) {
        v.push(FieldError::new(field, "destination_forbidden", e.to_string()));
    }
}

/// Checks subscribed event types and returns them without repeats, in their order.
pub fn event_types(v: &mut Validator, types: &[String], catalog: &EventCatalog) -> Vec<String> {
    if types.is_empty() {
        v.push(FieldError::new("event_types", "required", "name at least one event type, or \"*\" for all"));
    }
    let mut out: Vec<String> = Vec::with_capacity(types.len());
    for (i, name) in types.iter().enumerate() {
        let field = format!("event_types[{i}]");
        if name == WILDCARD {
            if types.len() > 1 {
                v.push(FieldError::new(field, "wildcard_alone", "\"*\" subscribes to all and stands alone"));
            }
        } else if !catalog.contains(name) {
            v.push(FieldError::new(field, "unknown_event_type", format!("`{name}` is not a known event type")));
        }
        if !out.contains(name) {
            out.push(name.clone());
        }
    }
    out
}

fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)
}

/// Checks custom headers: RFC 9110 token names, printable values, none reserved.
pub fn headers(v: &mut Validator, headers: &BTreeMap<String, String>) {
    if headers.len() > MAX_HEADERS {
        v.push(FieldError::new("headers", "too_many", format!("at most {MAX_HEADERS} headers")));
    }
    let mut seen: Vec<String> = Vec::new();
    for (name, value) in headers {
        let field = format!("headers.{name}");
        let lower = name.to_ascii_lowercase();
        if name.is_empty() || name.len() > 64 || !name.chars().all(is_token_char) {
            v.push(FieldError::new(field, "invalid_header_name", "must be 1 to 64 token characters"));
        } else if lower.starts_with("webhook-") || RESERVED_HEADERS.contains(&lower.as_str()) {
            v.push(FieldError::new(field, "reserved_header", format!("`{name}` is set by the delivery itself")));
        } else if seen.contains(&lower) {
            v.push(FieldError::new(field, "duplicate_header", "differs from another header only by case"));
        } else if value.len() > 1024 || !value.chars().all(|c| c == '\t' || (' '..='~').contains(&c)) {
            v.push(FieldError::new(field, "invalid_header_value", "must be at most 1024 printable ASCII characters"));
        }
        seen.push(lower);
    }
}

/// Checks the per-endpoint rate limit.
pub fn rate_limit(v: &mut Validator, per_second: i32) {
    v.check((1..=1000).contains(&per_second), "rate_limit_per_second", "out_of_range", "must be 1 to 1000");
}

/// Checks the description.
pub fn description(v: &mut Validator, description: &str) {
    v.length(description, "description", 0, 500);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(f: impl FnOnce(&mut Validator)) -> Vec<(String, String)> {
        let mut v = Validator::new();
        f(&mut v);
        match v.finish() {
            Ok(()) => Vec::new(),
            Err(e) => e.problem().errors.into_iter().map(|e| (e.field, e.code)).collect(),
        }
    }

    #[test]
    fn urls() {
        let strict = UrlPolicy::default();
        assert!(codes(|v| url(v, "https://example.com/hook", strict)).is_empty());
        assert_eq!(codes(|v| url(v, "http://example.com/hook", strict))[0].1, "https_required");
        let lax = UrlPolicy { allow_http: true, allow_private: false };
        assert!(codes(|v| url(v, "http://example.com/hook", lax)).is_empty());
        assert_eq!(codes(|v| url(v, "ftp://example.com/", lax))[0].1, "https_required");
        assert_eq!(codes(|v| url(v, "not a url", strict))[0].1, "invalid_url");
        assert_eq!(codes(|v| url(v, "https://u:p@example.com/", strict))[0].1, "credentials_in_url");
        assert_eq!(codes(|v| url(v, "https://192.168.0.10/", strict))[0].1, "destination_forbidden");
        let private = UrlPolicy { allow_http: false, allow_private: true };
        assert!(codes(|v| url(v, "https://192.168.0.10/", private)).is_empty());
    }

    #[test]
    fn header_rules() {
        let map = |pairs: &[(&str, &str)]| -> BTreeMap<String, String> {
            pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
        };
        assert!(codes(|v| headers(v, &map(&[("X-Api-Key", "abc")]))).is_empty());
        assert_eq!(codes(|v| headers(v, &map(&[("Webhook-Id", "x")])))[0].1, "reserved_header");
        assert_eq!(codes(|v| headers(v, &map(&[("Content-Type", "x")])))[0].1, "reserved_header");
        assert_eq!(codes(|v| headers(v, &map(&[("bad name", "x")])))[0].1, "invalid_header_name");
        assert_eq!(codes(|v| headers(v, &map(&[("X-A", "line\nbreak")])))[0].1, "invalid_header_value");
        assert_eq!(codes(|v| headers(v, &map(&[("X-A", "1"), ("x-a", "2")])))[0].1, "duplicate_header");
    }
}
