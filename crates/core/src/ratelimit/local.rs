//! GCRA in process: for a server without Redis, and for each server on its own share of a limit
//! while Redis is unreachable. The state is a bounded map of TATs, updated atomically per key.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::{Decision, Rate, decide};

/// In-process limiters, at most `capacity` keys (the least used go first).
pub struct LocalLimiter {
    tats: moka::sync::Cache<String, i64>,
}

impl LocalLimiter {
    /// A limiter table holding at most `capacity` keys.
    pub fn new(capacity: u64) -> Self {
        // A TAT never runs more than a period ahead; an hour covers every rate balcao sets.
        let tats = moka::sync::Cache::builder().max_capacity(capacity).time_to_idle(Duration::from_secs(3600)).build();
        Self { tats }
    }

    /// One request against `key` at `rate`, now.
    pub fn check(&self, key: &str, rate: &Rate) -> Decision {
        self.check_at(key, rate, now_us())
    }

    /// One request against `key` at `rate`, at `now_us` microseconds since the epoch.
    pub fn check_at(&self, key: &str, rate: &Rate, now_us: i64) -> Decision {
        let mut decision = None;
        self.tats.entry(key.to_owned()).and_compute_with(|current| {
            let (d, next) = decide(current.map(|e| e.into_value()), now_us, rate);
            decision = Some(d);
            match next {
                Some(tat) => moka::ops::compute::Op::Put(tat),
                None => moka::ops::compute::Op::Nop,
            }
        });
        decision.unwrap_or_else(|| decide(None, now_us, rate).0)
    }
}

fn now_us() -> i64 {
    let since = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    i64::try_from(since.as_micros()).unwrap_or(i64::MAX)
}
