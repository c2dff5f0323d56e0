//! Charging a store's month for what it sends (messages, webhook deliveries): counted in Redis
//! through the limiter, refused past a hard allowance of its plan.

use chrono::{DateTime, Utc};

use super::{Metric, period_end, period_start};
use crate::context::Core;
use crate::error::{Error, Result};
use crate::id::StoreId;
use crate::ratelimit::{Charge, Policy, QuotaState};
use crate::tenancy::plan_cache::Plan;

/// The `RateLimit` policy of a monthly quota after `state`, named after its metric.
pub fn month_policy(metric: Metric, state: &QuotaState, now: DateTime<Utc>) -> Option<Policy> {
    let allowance = u64::try_from(state.allowance?).unwrap_or(0);
    let end = period_end(now);
    Some(Policy {
        name: metric.name().to_owned(),
        quota: allowance,
        window_secs: u64::try_from((end - period_start(now)).num_seconds()).unwrap_or(0),
        remaining: u64::try_from(state.remaining().unwrap_or(0)).unwrap_or(0),
        reset_secs: u64::try_from((end - now).num_seconds()).unwrap_or(0).max(1),
    })
}

/// The refusal of a charge past a hard monthly allowance: 429 `quota_exceeded` until the month
/// ends, naming the metric's policy.
pub fn refusal(plan: &Plan, metric: Metric, state: &QuotaState, now: DateTime<Utc>) -> Error {
    let policy = month_policy(metric, state, now);
    let retry_after_secs = policy.as_ref().map_or(1, |p| p.reset_secs);
    Error::QuotaExceeded {
        detail: format!(
            "The {} plan allows {} {} a month and this month's are used up; they renew on {}.",
            plan.display_name,
            state.allowance.unwrap_or(0),
            metric.name().replace('_', " "),
            period_end(now).format("%Y-%m-%d"),
        ),
        policies: policy.into_iter().collect(),
        retry_after_secs,
    }
}

/// Counts `units` of `metric` against `store`'s month: refused with 429 `quota_exceeded` past a
/// hard allowance of its plan. `None` when nothing was metered (rate limits off, Redis
/// unreachable, or no such store).
pub async fn consume(core: &Core, store: StoreId, metric: Metric, units: u32) -> Result<Option<QuotaState>> {
    if !core.config.rate_limits.enabled {
        return Ok(None);
    }
    let Some(plan) = core.plans.for_store(&core.pool, store).await? else { return Ok(None) };
    let charge = Charge::new(store, metric, None, units, &plan);
    let outcome = core.limiter.check(None, Some(&charge)).await;
    match outcome.quota {
        Some(state) if state.refused => Err(refusal(&plan, metric, &state, Utc::now())),
        other => Ok(other),
    }
}
