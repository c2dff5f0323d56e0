//! The limiter the request path calls: one Redis round trip per decision (the script by its
//! SHA), rate and metering together; while Redis is unreachable, each instance limits alone at
//! its share of the rate (`BALCAO_INSTANCES`) and nothing is metered.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use chrono::Utc;
use deadpool_redis::redis;

use super::local::LocalLimiter;
use super::{Decision, Rate, SCRIPT};
use crate::cache::Breaker;
use crate::id::StoreId;
use crate::tenancy::plan_cache::Plan;
use crate::usage::{self, Metric};

/// Units of a metric counted against a store's month, checked against its plan's allowance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Charge {
    /// The store charged.
    pub store: StoreId,
    /// What is counted.
    pub metric: Metric,
    /// The daily field's detail (an API call's route class), if the metric is split.
    pub detail: Option<&'static str>,
    /// How many units.
    pub units: u32,
    /// The month's allowance, `None` when unlimited.
    pub allowance: Option<i64>,
    /// Whether going past the allowance is refused (a soft quota is reported as overage).
    pub hard: bool,
}

impl Charge {
    /// `units` of `metric` for `store`, with the allowance `plan` gives.
    pub fn new(store: StoreId, metric: Metric, detail: Option<&'static str>, units: u32, plan: &Plan) -> Self {
        Self { store, metric, detail, units, allowance: metric.allowance(plan), hard: !metric.is_soft(plan) }
    }
}

/// Where a charge left the month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuotaState {
    /// The month's total, this charge included unless refused.
    pub used: i64,
    /// The month's allowance, `None` when unlimited.
    pub allowance: Option<i64>,
    /// Refused: the charge would go past a hard allowance.
    pub refused: bool,
}

impl QuotaState {
    /// Units left in the month (0 past the allowance), `None` when unlimited.
    pub fn remaining(&self) -> Option<i64> {
        self.allowance.map(|a| (a - self.used).max(0))
    }
}

/// What the limiter answered for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    /// The rate limit's decision, when a rate was checked.
    pub rate: Option<Decision>,
    /// The month after the charge, when one was made and metered.
    pub quota: Option<QuotaState>,
    /// Redis was unreachable: the in-process limiter decided and nothing was metered.
    pub fallback: bool,
}

impl Outcome {
    /// The request may go: within its rate and not past a hard quota.
    pub fn allowed(&self) -> bool {
        self.rate.is_none_or(|d| d.allowed) && !self.quota.is_some_and(|q| q.refused)
    }
}

/// The rate limiter and usage meter shared by every request of an instance.
pub struct Limiter {
    redis: Option<deadpool_redis::Pool>,
    prefix: String,
    script: redis::Script,
    timeout: Duration,
    breaker: Arc<Breaker>,
    local: LocalLimiter,
    instances: u32,
    fallbacks: AtomicU64,
}

/// How long the day's usage hash lives if no flush takes it (a flush runs every minute).
const DAY_TTL_SECS: u64 = 35 * 24 * 3600;
/// How long a month's totals live: past the month and the days after it when it is reported.
const MONTH_TTL_SECS: u64 = 62 * 24 * 3600;

impl Limiter {
    /// A limiter on Redis at `url` (keys under `prefix`), or in process alone without one; while
    /// Redis is unreachable each of `instances` servers takes its share of every rate.
    pub fn new(url: Option<&str>, prefix: &str, instances: u32) -> Result<Self, String> {
        let timeout = Duration::from_millis(250);
        let redis = match url {
            Some(url) => {
                let mut config = deadpool_redis::Config::from_url(url);
                config.pool = Some(deadpool_redis::PoolConfig {
                    max_size: 32,
                    timeouts: deadpool_redis::Timeouts {
                        wait: Some(timeout),
                        create: Some(timeout),
                        recycle: Some(timeout),
                    },
                    ..Default::default()
                });
                Some(config.create_pool(Some(deadpool_redis::Runtime::Tokio1)).map_err(|e| format!("REDIS_URL: {e}"))?)
            }
            None => None,
        };
        Ok(Self {
            redis,
            prefix: prefix.to_owned(),
            script: redis::Script::new(SCRIPT),
            timeout,
            breaker: Breaker::new("in-process rate limits, usage not metered", Duration::from_secs(1)),
            local: LocalLimiter::new(100_000),
            instances: instances.max(1),
            fallbacks: AtomicU64::new(0),
        })
    }

    /// The Redis pool usage is kept in, if any (the flush job reads it).
    pub fn redis(&self) -> Option<&deadpool_redis::Pool> {
        self.redis.as_ref()
    }

    /// The prefix of every key this limiter writes (empty in production, unique per test).
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// Decisions taken in process because Redis was unreachable, since start.
    pub fn fallbacks(&self) -> u64 {
        self.fallbacks.load(Ordering::Relaxed)
    }

    /// One request: the rate under `key` (hash-tagged, see [`limiter_key`]), and `charge`
    /// counted unless the rate refuses it or it would pass a hard allowance.
    pub async fn check(&self, rate: Option<(&str, Rate)>, charge: Option<&Charge>) -> Outcome {
        if let Some(pool) = self.redis.as_ref().filter(|_| !self.breaker.is_open()) {
            match tokio::time::timeout(self.timeout, self.eval(pool, rate, charge)).await {
                Ok(Ok(outcome)) => return outcome,
                Ok(Err(error)) => self.breaker.trip("rate limit", &error, pool, self.timeout),
                Err(_) => self.breaker.trip("rate limit", "timed out", pool, self.timeout),
            }
        }
        self.in_process(rate)
    }

    fn in_process(&self, rate: Option<(&str, Rate)>) -> Outcome {
        let shared = self.redis.is_some();
        if shared {
            self.fallbacks.fetch_add(1, Ordering::Relaxed);
        }
        let decision = rate.map(|(key, rate)| {
            let share = if shared { rate.divided(self.instances) } else { rate };
            self.local.check(key, &share)
        });
        Outcome { rate: decision, quota: None, fallback: shared }
    }

    async fn eval(
        &self,
        pool: &deadpool_redis::Pool,
        rate: Option<(&str, Rate)>,
        charge: Option<&Charge>,
    ) -> Result<Outcome, String> {
        let mut conn = pool.get().await.map_err(|e| e.to_string())?;
        let today = Utc::now().date_naive();
        let limiter = rate.map(|(key, _)| format!("{}{key}", self.prefix));
        let (day, month) = match charge {
            Some(c) => (
                format!("{}{}", self.prefix, usage::day_key(c.store, today)),
                format!("{}{}", self.prefix, usage::month_key(c.store, today)),
            ),
            None => (limiter.clone().unwrap_or_default(), limiter.clone().unwrap_or_default()),
        };
        let first = limiter.unwrap_or_else(|| day.clone());
        let (emission, tolerance) = rate.map(|(_, r)| (r.emission_us(), r.tolerance_us())).unwrap_or((0, 0));
        let mut call = self.script.key(&first);
        call.key(&day).key(&month).arg(emission).arg(tolerance);
        match charge {
            Some(c) => call
                .arg(c.metric.field(c.detail))
                .arg(c.metric.name())
                .arg(c.units)
                .arg(c.allowance.unwrap_or(-1))
                .arg(u8::from(c.hard)),
            None => call.arg("").arg("").arg(0).arg(-1).arg(0),
        };
        call.arg(DAY_TTL_SECS).arg(MONTH_TTL_SECS);
        let reply: Vec<i64> = call.invoke_async(&mut conn).await.map_err(|e| e.to_string())?;
        let [allowed, remaining, reset, retry, refused, used] = reply[..] else {
            return Err(format!("unexpected reply {reply:?}"));
        };
        let decision = Decision::from_reply(&[allowed, remaining, reset, retry]).ok_or("unexpected reply")?;
        Ok(Outcome {
            rate: rate.map(|_| decision),
            quota: charge.filter(|_| used >= 0).map(|c| QuotaState {
                used,
                allowance: c.allowance,
                refused: refused == 1,
            }),
            fallback: false,
        })
    }
}

/// The key of a limiter for `subject` (a credential's digest, an address, a provider) on
/// `policy`, hash-tagged by `tag` (the store, or the subject when there is none).
pub fn limiter_key(tag: &str, subject: &str, policy: &str) -> String {
    format!("rl:{{{tag}}}:{subject}:{policy}")
}
