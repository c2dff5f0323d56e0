//! Fixture times relative to now, so a suite that passes today passes on any later date.
//!
//! Provider payloads carry times the product compares with its clock (expiry, settlement,
//! clearing windows); fixtures build them from these helpers instead of fixed dates.

use chrono::{DateTime, Duration, FixedOffset, Offset, SecondsFormat, Timelike, Utc};

/// Brasília time (UTC-3, no daylight saving since 2019), as providers write it.
pub fn brasilia() -> FixedOffset {
    FixedOffset::west_opt(3 * 3600).unwrap_or_else(|| Utc.fix())
}

/// Now plus `offset`, truncated to whole seconds (providers report seconds).
pub fn at(offset: Duration) -> DateTime<Utc> {
    let t = Utc::now() + offset;
    t.with_nanosecond(0).unwrap_or(t)
}

/// `at` as RFC 3339 in Brasília time with milliseconds: `2026-11-29T10:05:00.000-03:00`.
pub fn brasilia_rfc3339(t: DateTime<Utc>) -> String {
    t.with_timezone(&brasilia()).to_rfc3339_opts(SecondsFormat::Millis, false)
}

/// `at` as the product answers it: RFC 3339 in UTC with `Z` and whole seconds.
pub fn utc_rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// `at` as EFI's billing API writes it: `2026-11-30 07:33:30`, Brasília time.
pub fn efi_local(t: DateTime<Utc>) -> String {
    t.with_timezone(&brasilia()).format("%Y-%m-%d %H:%M:%S").to_string()
}

/// The Brasília calendar day of `t`: `2026-11-30`.
pub fn brasilia_day(t: DateTime<Utc>) -> String {
    t.with_timezone(&brasilia()).format("%Y-%m-%d").to_string()
}
