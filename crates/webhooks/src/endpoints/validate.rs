//! Validation of endpoint forms: the URL, event types, headers and limits.

use std::collections::BTreeMap;

use balcao_core::error::{FieldError, Validator};

use crate::events::{EventCatalog, WILDCARD};

pub use balcao_core::outbound::form::{MAX_URL_LEN, UrlPolicy};
/// The most custom headers per endpoint.
pub const MAX_HEADERS: usize = 20;
/// Headers the delivery itself sets (besides every `webhook-*`).
pub const RESERVED_HEADERS: &[&str] =
    &["content-type", "content-length", "host", "transfer-encoding", "connection", "user-agent"];

/// Checks a destination URL ([`balcao_core::outbound::form::destination`] on `url`).
pub fn url(v: &mut Validator, raw: &str, policy: UrlPolicy) {
    balcao_core::outbound::form::destination(v, "url", raw, policy);
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
    fn urls_follow_the_outbound_form() {
        assert!(codes(|v| url(v, "https://example.com/hook", UrlPolicy::default())).is_empty());
        assert_eq!(
            codes(|v| url(v, "https://192.168.0.10/", UrlPolicy::default()))[0],
            ("url".to_owned(), "destination_forbidden".to_owned())
        );
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
