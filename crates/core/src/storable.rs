//! Input PostgreSQL cannot store, found before it gets there: the NUL character (`\u0000`, refused
//! in text and jsonb) and timestamps before year 0 (PostgreSQL stops at 4713 BC; RFC 3339 years
//! run from 0000 to 9999). Each is reported naming the field, with its own code.

use chrono::{DateTime, Datelike, FixedOffset};
use serde_json::Value;

use crate::error::{Error, FieldError};

/// The field error code for a NUL character.
pub const NUL_CHARACTER: &str = "nul_character";
/// The field error code for a timestamp before year 0.
pub const TIMESTAMP_OUT_OF_RANGE: &str = "timestamp_out_of_range";

/// The 422 for `field`, whose text `code` names what cannot be stored.
pub fn refusal(field: impl Into<String>, code: &str) -> Error {
    let message = match code {
        NUL_CHARACTER => "must not contain the NUL character (\\u0000)",
        _ => "must be a timestamp from year 0000 to 9999",
    };
    Error::Validation(vec![FieldError::new(field, code, message)])
}

/// What is wrong with one string, if anything: its code.
pub fn text(value: &str) -> Option<&'static str> {
    if value.contains('\0') {
        return Some(NUL_CHARACTER);
    }
    // chrono reads negative years that PostgreSQL cannot store; nothing else it reads is out of range.
    let signed = value.starts_with('-') && value.as_bytes().get(1).is_some_and(u8::is_ascii_digit);
    let early = signed && value.parse::<DateTime<FixedOffset>>().is_ok_and(|t| t.year() < 0);
    early.then_some(TIMESTAMP_OUT_OF_RANGE)
}

/// The first string (value or key) of a JSON document that cannot be stored, as a path such as
/// `items[0].name` (`body` for the document itself) with its code. Cheap unless the document
/// spells `\u0000` or holds a string starting with `-` and a digit.
pub fn json(bytes: &[u8]) -> Option<(String, &'static str)> {
    let suspect = |w: &[u8]| w == b"\\u0000" || (w[0] == b'"' && w[1] == b'-' && w[2].is_ascii_digit());
    if !bytes.windows(6).any(suspect) {
        return None;
    }
    let value: Value = serde_json::from_slice(bytes).ok()?;
    find(&value, String::new())
}

fn find(value: &Value, path: String) -> Option<(String, &'static str)> {
    match value {
        Value::String(s) => text(s).map(|code| (if path.is_empty() { "body".to_owned() } else { path }, code)),
        Value::Array(items) => items.iter().enumerate().find_map(|(i, item)| find(item, format!("{path}[{i}]"))),
        Value::Object(map) => map.iter().find_map(|(key, item)| {
            let field = if path.is_empty() {
                key.replace('\0', "\\u0000")
            } else {
                format!("{path}.{}", key.replace('\0', "\\u0000"))
            };
            if key.contains('\0') { Some((field, NUL_CHARACTER)) } else { find(item, field) }
        }),
        _ => None,
    }
}

/// The first query parameter whose name or value cannot be stored, with its code (a bad name
/// is reported as `query`).
pub fn query(query: &str) -> Option<(String, &'static str)> {
    let signed = query.contains("=-") || query.to_ascii_uppercase().contains("=%2D");
    if !query.contains("%00") && !signed {
        return None;
    }
    form_urlencoded::parse(query.as_bytes()).find_map(|(key, value)| {
        if key.contains('\0') || key.is_empty() {
            return key.contains('\0').then(|| ("query".to_owned(), NUL_CHARACTER));
        }
        text(&value).map(|code| (key.into_owned(), code))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_json_field() {
        let at = |body: &[u8]| json(body);
        assert_eq!(at(br#"{"name": "a\u0000b"}"#), Some(("name".into(), NUL_CHARACTER)));
        assert_eq!(at(br#"{"items": [{"x": 1}, {"note": "\u0000"}]}"#), Some(("items[1].note".into(), NUL_CHARACTER)));
        assert_eq!(at(br#"{"meta": {"k\u0000": "v"}}"#), Some(("meta.k\\u0000".into(), NUL_CHARACTER)));
        assert_eq!(at(br#""\u0000""#), Some(("body".into(), NUL_CHARACTER)));
        let early = br#"{"starts_at": "-5000-01-01T00:00:00Z", "x": -5}"#;
        assert_eq!(at(early), Some(("starts_at".into(), TIMESTAMP_OUT_OF_RANGE)));
        // An escaped backslash before `u0000` is text, not NUL; a negative number is no timestamp.
        assert_eq!(at(br#"{"name": "\\u0000", "delta": -5, "t": "-5 dias"}"#), None);
        assert_eq!(at(br#"{"at": "2026-01-01T00:00:00Z"}"#), None);
    }

    #[test]
    fn names_the_query_parameter() {
        assert_eq!(query("limit=5&tag=a%00b"), Some(("tag".into(), NUL_CHARACTER)));
        assert_eq!(query("a%00=1"), Some(("query".into(), NUL_CHARACTER)));
        assert_eq!(query("from=-0001-12-31T00:00:00Z"), Some(("from".into(), TIMESTAMP_OUT_OF_RANGE)));
        assert_eq!(query("to=%2D5000-01-01T00:00:00Z"), Some(("to".into(), TIMESTAMP_OUT_OF_RANGE)));
        assert_eq!(query("tag=%2500&delta=-5"), None);
    }
}
