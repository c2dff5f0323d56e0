//! A store's usage report: the current period's totals per metric against its plan, and a daily
//! series, from the flushed counts (at most a flush, about a minute, behind).

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{Metric, daily, period_end, period_start};
use crate::context::Core;
use crate::error::{Error, Result};
use crate::id::StoreId;
use crate::tenancy::plans::{PgPlanService, Plan, PlanService};

/// The longest daily series a report gives, in days.
pub const MAX_DAYS: i64 = 400;

/// `?from=&to=`: the days of the daily series.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UsageRange {
    /// First day (`YYYY-MM-DD`, UTC), inclusive; by default the first day of `to`'s month, or
    /// of the current period.
    #[param(value_type = Option<String>, format = Date, example = "2026-12-01")]
    pub from: Option<NaiveDate>,
    /// Last day (`YYYY-MM-DD`, UTC), inclusive, not before `from` and at most 400 days after it;
    /// by default the last day of `from`'s month, or of the current period.
    #[param(value_type = Option<String>, format = Date, example = "2026-12-31")]
    pub to: Option<NaiveDate>,
}

fn last_of_month(day: NaiveDate) -> NaiveDate {
    let next = day.with_day(1).and_then(|d| d.checked_add_months(chrono::Months::new(1)));
    next.and_then(|d| d.pred_opt()).unwrap_or(day)
}

impl UsageRange {
    /// The inclusive days asked for, checked; `today` fills in a missing bound.
    pub fn resolve(&self, today: NaiveDate) -> Result<(NaiveDate, NaiveDate)> {
        let (from, to) = match (self.from, self.to) {
            (Some(from), Some(to)) => (from, to),
            (Some(from), None) => (from, last_of_month(from)),
            (None, Some(to)) => (to.with_day(1).unwrap_or(to), to),
            (None, None) => (today.with_day(1).unwrap_or(today), last_of_month(today)),
        };
        if from > to {
            return Err(Error::field("to", "before_from", "must not be before `from`"));
        }
        if (to - from).num_days() >= MAX_DAYS {
            return Err(Error::field("to", "range_too_long", "the series may span at most 400 days"));
        }
        Ok((from, to))
    }
}

/// A usage period: a calendar month in UTC.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct UsagePeriod {
    /// Its first instant.
    pub start: chrono::DateTime<Utc>,
    /// The instant it ends and monthly quotas renew.
    pub end: chrono::DateTime<Utc>,
}

/// One metric's use in the period against the plan's allowance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MetricUsage {
    /// `api_calls`, `whatsapp_messages`, `instagram_messages`, `email_messages`, `sms_messages`
    /// or `webhook_deliveries`.
    #[schema(example = "whatsapp_messages")]
    pub metric: String,
    /// Used this period.
    pub used: i64,
    /// The plan's allowance for the period; null when unlimited.
    pub limit: Option<i64>,
    /// `used` as a percentage of `limit` (two decimals); null when unlimited.
    #[schema(example = 42.5)]
    pub percentage: Option<f64>,
    /// `hard` (refused past the limit with 429 `quota_exceeded`) or `soft` (allowed and
    /// reported as overage).
    #[schema(example = "hard")]
    pub quota: String,
    /// Used past the limit (only a soft quota runs past it); 0 within it.
    pub overage: i64,
}

/// `used` as a percentage of `limit`, two decimals (100 when nothing is allowed and some was used).
pub fn percent(used: i64, limit: i64) -> f64 {
    if limit <= 0 {
        return if used > 0 { 100.0 } else { 0.0 };
    }
    (used as f64 * 10_000.0 / limit as f64).round() / 100.0
}

impl MetricUsage {
    /// `metric`'s figures when `used` of it counted under `plan`.
    pub fn new(metric: Metric, used: i64, plan: &Plan) -> Self {
        let limit = metric.allowance(plan);
        Self {
            metric: metric.name().to_owned(),
            used,
            limit,
            percentage: limit.map(|l| percent(used, l)),
            quota: if metric.is_soft(plan) { "soft" } else { "hard" }.to_owned(),
            overage: limit.map_or(0, |l| (used - l).max(0)),
        }
    }
}

/// One day's counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct DailyUsage {
    /// The day (UTC).
    #[schema(value_type = String, format = Date, example = "2026-12-03")]
    pub day: NaiveDate,
    /// Counts by daily field: API calls by route class (`api_calls.read`, `api_calls.write`,
    /// `api_calls.expensive`), messages by channel kind (`whatsapp_messages`, ...),
    /// `webhook_deliveries`. A field that counted nothing that day is absent.
    #[schema(example = json!({"api_calls.read": 120, "api_calls.write": 14, "whatsapp_messages": 3}))]
    pub counts: BTreeMap<String, i64>,
}

/// A store's usage: the current period against its plan, and the daily series asked for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct UsageReport {
    /// The current period.
    pub period: UsagePeriod,
    /// The store's plan.
    #[schema(example = "free")]
    pub plan: String,
    /// Every metric's use this period, in a fixed order.
    pub metrics: Vec<MetricUsage>,
    /// The series' first day.
    #[schema(value_type = String, format = Date)]
    pub from: NaiveDate,
    /// The series' last day.
    #[schema(value_type = String, format = Date)]
    pub to: NaiveDate,
    /// One entry per day from `from` to `to`, each day present (empty counts when nothing).
    pub daily: Vec<DailyUsage>,
}

/// `store`'s usage report for `range`.
pub async fn report(core: &Core, store: StoreId, range: &UsageRange) -> Result<UsageReport> {
    let now = Utc::now();
    let (from, to) = range.resolve(now.date_naive())?;
    let plan = PgPlanService::new(core.clone()).for_store(store).await?;
    let (start, end) = (period_start(now), period_end(now));
    let mut conn = core.pool.get().await?;
    let totals = daily::totals(&mut conn, store, start.date_naive(), end.date_naive()).await?;
    let rows = daily::rows(&mut conn, store, from, to).await?;
    drop(conn);
    let metrics = Metric::ALL
        .into_iter()
        .map(|m| MetricUsage::new(m, totals.get(m.name()).copied().unwrap_or(0), &plan))
        .collect();
    let mut by_day: BTreeMap<NaiveDate, BTreeMap<String, i64>> = BTreeMap::new();
    for (day, field, count) in rows {
        by_day.entry(day).or_default().insert(field, count);
    }
    let daily = from
        .iter_days()
        .take_while(|d| *d <= to)
        .map(|day| DailyUsage { day, counts: by_day.remove(&day).unwrap_or_default() })
        .collect();
    Ok(UsageReport { period: UsagePeriod { start, end }, plan: plan.name, metrics, from, to, daily })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
    }

    #[test]
    fn a_range_defaults_to_a_month_and_is_checked() {
        let today = day(2026, 2, 10);
        let none = UsageRange::default();
        assert_eq!(none.resolve(today).ok(), Some((day(2026, 2, 1), day(2026, 2, 28))));
        let from = UsageRange { from: Some(day(2026, 12, 5)), to: None };
        assert_eq!(from.resolve(today).ok(), Some((day(2026, 12, 5), day(2026, 12, 31))));
        let to = UsageRange { from: None, to: Some(day(2026, 3, 9)) };
        assert_eq!(to.resolve(today).ok(), Some((day(2026, 3, 1), day(2026, 3, 9))));
        let backwards = UsageRange { from: Some(day(2026, 3, 2)), to: Some(day(2026, 3, 1)) };
        assert!(matches!(backwards.resolve(today), Err(Error::Validation(e)) if e[0].field == "to"));
        let long = UsageRange { from: Some(day(2025, 1, 1)), to: Some(day(2026, 2, 5)) };
        assert!(matches!(long.resolve(today), Err(Error::Validation(e)) if e[0].code == "range_too_long"));
        let most = UsageRange { from: Some(day(2025, 1, 1)), to: Some(day(2025, 1, 1) + chrono::Duration::days(399)) };
        assert!(most.resolve(today).is_ok(), "400 days inclusive");
    }

    #[test]
    fn percentages_have_two_decimals() {
        assert_eq!(percent(1, 3), 33.33);
        assert_eq!(percent(150, 100), 150.0);
        assert_eq!(percent(0, 0), 0.0);
        assert_eq!(percent(1, 0), 100.0);
    }
}
