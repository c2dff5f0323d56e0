//! Timestamps as the API takes them in: RFC 3339 whose instant, in UTC, falls in the years
//! 0001 to 9999, the years RFC 3339 can write.
//!
//! chrono reads more than that (`0000-01-01T00:00:00+01:00` is in year −1 once in UTC, and
//! `+10000-01-01T00:00:00Z` has five digits), PostgreSQL stores it, and every later answer
//! would carry a timestamp no client can parse. Input fields deserialize through
//! [`deserialize`], [`option`] or [`patch`]; provider payloads go through [`in_range`].

use chrono::{DateTime, Datelike, Utc};
use serde::{Deserialize, Deserializer, de::Error as _};

/// What a refused timestamp's message says about the range.
pub const RANGE: &str = "a timestamp must fall between 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z";

/// `at` when its year in UTC is 1 to 9999.
pub fn in_range(at: DateTime<Utc>) -> Option<DateTime<Utc>> {
    (1..=9999).contains(&at.year()).then_some(at)
}

/// A required RFC 3339 timestamp in range (`#[serde(deserialize_with = "...")]`).
pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<DateTime<Utc>, D::Error> {
    let at = DateTime::<Utc>::deserialize(deserializer)?;
    in_range(at).ok_or_else(|| D::Error::custom(RANGE))
}

/// An optional one (`#[serde(default, deserialize_with = "...")]`).
pub fn option<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    match Option::<DateTime<Utc>>::deserialize(deserializer)? {
        Some(at) => in_range(at).map(Some).ok_or_else(|| D::Error::custom(RANGE)),
        None => Ok(None),
    }
}

/// A PATCH field that may be absent, `null` or a timestamp (see [`crate::patch::double_option`]).
pub fn patch<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Option<DateTime<Utc>>>, D::Error> {
    option(deserializer).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    struct Body {
        #[serde(deserialize_with = "deserialize")]
        at: DateTime<Utc>,
        #[serde(default, deserialize_with = "option")]
        until: Option<DateTime<Utc>>,
        #[serde(default, deserialize_with = "patch")]
        ends: Option<Option<DateTime<Utc>>>,
    }

    fn parse(json: &str) -> Result<Body, String> {
        serde_json::from_str(json).map_err(|e| e.to_string())
    }

    #[test]
    fn the_years_rfc_3339_can_write_are_taken() {
        let body = parse(r#"{"at": "0001-01-01T00:00:00Z", "until": "9999-12-31T23:59:59Z", "ends": null}"#);
        let body = body.unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(body.at.year(), 1);
        assert_eq!(body.until.map(|t| t.year()), Some(9999));
        assert_eq!(body.ends, Some(None));
        let body = parse(r#"{"at": "2026-12-02T10:00:00-03:00"}"#).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((body.until, body.ends), (None, None));
    }

    #[test]
    fn instants_outside_them_are_refused() {
        for at in ["0000-01-01T00:00:00+01:00", "+10000-01-01T00:00:00Z", "9999-12-31T23:00:00-03:00"] {
            let err = parse(&format!(r#"{{"at": "2026-01-01T00:00:00Z", "until": "{at}"}}"#)).err();
            assert!(err.is_some_and(|e| e.contains(RANGE)), "{at} should be refused");
            let err = parse(&format!(r#"{{"at": "{at}"}}"#)).err();
            assert!(err.is_some_and(|e| e.contains(RANGE)), "{at} should be refused");
            let err = parse(&format!(r#"{{"at": "2026-01-01T00:00:00Z", "ends": "{at}"}}"#)).err();
            assert!(err.is_some_and(|e| e.contains(RANGE)), "{at} should be refused");
        }
    }

    #[test]
    fn provider_times_out_of_range_are_dropped() {
        assert!(in_range(DateTime::<Utc>::MIN_UTC).is_none());
        assert!(in_range(DateTime::<Utc>::MAX_UTC).is_none());
        assert!(in_range(DateTime::<Utc>::UNIX_EPOCH).is_some());
    }
}
