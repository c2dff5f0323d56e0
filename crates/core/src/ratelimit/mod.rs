//! Rate limits with GCRA (the generic cell rate algorithm): a rate of `limit` requests per
//! `period` with a burst of `burst` requests at once.
//!
//! The state of a limiter is one timestamp, the theoretical arrival time (TAT) of the next
//! request. In Redis it is kept and updated by one Lua script ([`SCRIPT`]): atomic, on the
//! server's clock (so instances with skewed clocks agree), one key per limiter, no read-then-
//! write race. [`decide`] is the script's arithmetic in Rust, the reference its tests compare
//! with. In process (a server without Redis, and the fallback while Redis is unreachable) the
//! `governor` crate decides ([`local`]), checked against the same reference table.

pub mod limiter;
pub mod local;

pub use limiter::{Charge, Limiter, Outcome, QuotaState, limiter_key};

use std::time::Duration;

/// The Lua script every Redis-backed decision runs (evaluated by its SHA): the rate and the
/// request's metering in one round trip.
pub const SCRIPT: &str = include_str!("gcra.lua");

/// A rate: `burst` requests at once, refilling at `limit` requests per `period`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rate {
    /// Requests per period.
    pub limit: u32,
    /// The period.
    pub period: Duration,
    /// Requests allowed at once, from a full bucket.
    pub burst: u32,
}

impl Rate {
    /// `limit` per `period` with a burst of `burst` (each at least 1).
    pub fn new(limit: u32, period: Duration, burst: u32) -> Self {
        Self { limit: limit.max(1), period: period.max(Duration::from_micros(1)), burst: burst.max(1) }
    }

    /// The time one request's cell takes to drain: `period / limit`, in microseconds.
    pub fn emission_us(&self) -> i64 {
        let period = i64::try_from(self.period.as_micros()).unwrap_or(i64::MAX);
        (period / i64::from(self.limit.max(1))).max(1)
    }

    /// How far ahead of now the TAT may run and still admit a request: `(burst - 1)` cells.
    /// (Taking `burst` cells here is the classic mistake: it admits `burst + 1` at once.)
    pub fn tolerance_us(&self) -> i64 {
        self.emission_us().saturating_mul(i64::from(self.burst.max(1) - 1))
    }

    /// This rate shared out over `instances` servers that cannot see each other: each gets its
    /// part, at least one request.
    pub fn divided(&self, instances: u32) -> Self {
        let n = instances.max(1);
        Self::new((self.limit / n).max(1), self.period, (self.burst / n).max(1))
    }
}

/// What a limiter answered for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    /// The request may go.
    pub allowed: bool,
    /// Requests that could go right after this one.
    pub remaining: u32,
    /// Until the bucket is full again.
    pub reset: Duration,
    /// Until a refused request would be allowed (zero when allowed).
    pub retry_after: Duration,
}

impl Decision {
    /// A decision from the script's reply `{allowed, remaining, us until full, us until allowed}`.
    pub fn from_reply(reply: &[i64]) -> Option<Self> {
        let [allowed, remaining, reset, retry] = reply else { return None };
        Some(Self {
            allowed: *allowed == 1,
            remaining: u32::try_from(*remaining).unwrap_or(0),
            reset: micros(*reset),
            retry_after: micros(*retry),
        })
    }
}

fn micros(us: i64) -> Duration {
    Duration::from_micros(u64::try_from(us).unwrap_or(0))
}

/// One GCRA step at `now_us` for a limiter whose stored TAT is `tat_us` (none when fresh):
/// the decision and, when allowed, the TAT to store. The Lua script does exactly this.
pub fn decide(tat_us: Option<i64>, now_us: i64, rate: &Rate) -> (Decision, Option<i64>) {
    let emission = rate.emission_us();
    let tolerance = rate.tolerance_us();
    let tat = tat_us.unwrap_or(now_us).max(now_us);
    let new_tat = tat.saturating_add(emission);
    let allow_at = new_tat - emission - tolerance;
    if now_us < allow_at {
        let reply = [0, 0, tat - now_us, allow_at - now_us];
        return (Decision::from_reply(&reply).unwrap_or(REFUSED), None);
    }
    let remaining = (tolerance + emission - (new_tat - now_us)) / emission;
    let reply = [1, remaining, new_tat - now_us, 0];
    (Decision::from_reply(&reply).unwrap_or(REFUSED), Some(new_tat))
}

/// One policy as the `RateLimit-Policy` and `RateLimit` headers describe it
/// (draft-ietf-httpapi-ratelimit-headers, RFC 8941 structured-field lists).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// The policy's name: `read`, `write`, `expensive`, `storefront`, `auth`, `inbound`, `month`.
    pub name: String,
    /// Requests (or units) the window allows.
    pub quota: u64,
    /// The window, in seconds.
    pub window_secs: u64,
    /// Left now.
    pub remaining: u64,
    /// Seconds until the quota is whole again.
    pub reset_secs: u64,
}

impl Policy {
    /// The policy of a rate after `decision`: the burst over the time it takes to refill.
    pub fn of_rate(name: &str, rate: &Rate, decision: &Decision) -> Self {
        let refill = rate.period.as_secs_f64() * f64::from(rate.burst) / f64::from(rate.limit.max(1));
        Self {
            name: name.to_owned(),
            quota: u64::from(rate.burst),
            window_secs: (refill.ceil() as u64).max(1),
            remaining: u64::from(decision.remaining),
            reset_secs: ceil_secs(decision.reset),
        }
    }

    /// This policy's `RateLimit-Policy` list member: `"read";q=20;w=2`.
    pub fn policy_item(&self) -> String {
        format!("\"{}\";q={};w={}", self.name, self.quota, self.window_secs)
    }

    /// This policy's `RateLimit` list member: `"read";r=19;t=1`.
    pub fn limit_item(&self) -> String {
        format!("\"{}\";r={};t={}", self.name, self.remaining, self.reset_secs)
    }
}

/// Whole seconds, rounded up: a client waiting this long is never early.
pub fn ceil_secs(d: Duration) -> u64 {
    let secs = d.as_secs();
    if d.subsec_nanos() > 0 { secs + 1 } else { secs }
}

/// The `RateLimit-Policy` header name.
pub const RATELIMIT_POLICY: &str = "ratelimit-policy";
/// The `RateLimit` header name.
pub const RATELIMIT: &str = "ratelimit";

const REFUSED: Decision = Decision { allowed: false, remaining: 0, reset: Duration::ZERO, retry_after: Duration::ZERO };

#[cfg(test)]
mod tests;
