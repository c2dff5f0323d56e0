//! GCRA in process, with `governor`: for a server without Redis, and for each server on its own
//! share of a limit while Redis is unreachable. One governor limiter per key, in a bounded map
//! (the least used keys go first); a key whose rate changed (a plan change) starts afresh.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};

use super::{Decision, Rate};

type Cells<C> = RateLimiter<NotKeyed, InMemoryState, C, StateInformationMiddleware>;

/// In-process limiters, at most `capacity` keys, on the clock `C` (the monotonic clock in
/// production; a fake one in tests).
pub struct LocalLimiter<C: Clock = DefaultClock> {
    limiters: moka::sync::Cache<String, Arc<(Rate, Cells<C>)>>,
    clock: C,
}

impl LocalLimiter {
    /// A limiter table holding at most `capacity` keys.
    pub fn new(capacity: u64) -> Self {
        Self::with_clock(capacity, DefaultClock::default())
    }
}

impl<C> LocalLimiter<C>
where
    C: Clock + Clone + Send + Sync + 'static,
{
    /// A limiter table holding at most `capacity` keys, on `clock`.
    pub fn with_clock(capacity: u64, clock: C) -> Self {
        // A limiter idle for an hour is full again at every rate balcao sets: forgetting it is exact.
        let limiters =
            moka::sync::Cache::builder().max_capacity(capacity).time_to_idle(Duration::from_secs(3600)).build();
        Self { limiters, clock }
    }

    /// One request against `key` at `rate`, now.
    pub fn check(&self, key: &str, rate: &Rate) -> Decision {
        let mut entry = self.limiters.get_with_by_ref(key, || Arc::new((*rate, self.cells(rate))));
        if entry.0 != *rate {
            entry = Arc::new((*rate, self.cells(rate)));
            self.limiters.insert(key.to_owned(), Arc::clone(&entry));
        }
        let emission = emission(rate);
        match entry.1.check() {
            Ok(state) => {
                let remaining = state.remaining_burst_capacity();
                let reset = emission.saturating_mul(rate.burst.saturating_sub(remaining));
                Decision { allowed: true, remaining, reset, retry_after: Duration::ZERO }
            }
            Err(refused) => {
                let retry_after = refused.wait_time_from(self.clock.now());
                let tolerance = emission.saturating_mul(rate.burst.saturating_sub(1));
                Decision { allowed: false, remaining: 0, reset: retry_after.saturating_add(tolerance), retry_after }
            }
        }
    }

    /// A governor limiter for `rate`: one cell per emission interval, `burst` at once.
    fn cells(&self, rate: &Rate) -> Cells<C> {
        let burst = NonZeroU32::new(rate.burst).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::with_period(emission(rate)).unwrap_or_else(|| Quota::per_second(NonZeroU32::MAX));
        RateLimiter::direct_with_clock(quota.allow_burst(burst), self.clock.clone())
            .with_middleware::<StateInformationMiddleware>()
    }
}

fn emission(rate: &Rate) -> Duration {
    Duration::from_micros(u64::try_from(rate.emission_us()).unwrap_or(1).max(1))
}
