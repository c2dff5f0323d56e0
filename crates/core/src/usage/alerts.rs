//! Alerts at 80% and 100% of a monthly quota, raised after a flush: each is a `usage_alerts`
//! row inserted at most once per store, metric, period and threshold, and only the transaction
//! that inserted it emits `usage.threshold_reached` (so concurrent flushes raise it once). The
//! owners' email follows the event ([`super::notify`]).

use std::collections::BTreeSet;

use chrono::{NaiveDate, NaiveTime, TimeZone, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};

use super::events::{ThresholdReached, USAGE_THRESHOLD_REACHED};
use super::{Metric, daily, period_end};
use crate::context::Core;
use crate::error::{Error, Result};
use crate::events;
use crate::id::StoreId;
use crate::schema::usage_alerts as ua;
use crate::tenancy::plans::{PgPlanService, PlanService};

/// The percentages of an allowance that raise an alert.
pub const THRESHOLDS: [i16; 2] = [80, 100];

/// The thresholds `used` of `allowance` has reached (none for an allowance of 0 unused).
pub fn reached(used: i64, allowance: i64) -> impl Iterator<Item = i16> {
    THRESHOLDS.into_iter().filter(move |t| used > 0 && i128::from(used) * 100 >= i128::from(allowance) * i128::from(*t))
}

/// Raises the alerts the counts of each `(store, month)` reached; answers how many were new.
pub async fn check(core: &Core, touched: &BTreeSet<(StoreId, NaiveDate)>) -> Result<usize> {
    let mut raised = 0;
    for (store, month) in touched {
        raised += check_one(core, *store, *month).await?;
    }
    Ok(raised)
}

/// [`check`] for one store's month.
pub async fn check_one(core: &Core, store: StoreId, month: NaiveDate) -> Result<usize> {
    let plan = match PgPlanService::new(core.clone()).for_store(store).await {
        Ok(plan) => plan,
        // Deleted since: nobody to tell.
        Err(Error::NotFound { .. }) => return Ok(0),
        Err(e) => return Err(e),
    };
    let start = Utc.from_utc_datetime(&month.and_time(NaiveTime::MIN));
    let end = period_end(start);
    let mut conn = core.pool.get().await?;
    let totals = daily::totals(&mut conn, store, month, end.date_naive()).await?;
    conn.transaction::<_, Error, _>(async |conn| {
        let mut raised = 0;
        for metric in Metric::ALL {
            let (Some(limit), Some(used)) = (metric.allowance(&plan), totals.get(metric.name()).copied()) else {
                continue;
            };
            for threshold in reached(used, limit) {
                let inserted = diesel::insert_into(ua::table)
                    .values((
                        ua::store_id.eq(store.uuid()),
                        ua::metric.eq(metric.name()),
                        ua::period.eq(month),
                        ua::threshold.eq(threshold),
                    ))
                    .on_conflict_do_nothing()
                    .execute(conn)
                    .await?;
                if inserted == 0 {
                    continue;
                }
                let payload = ThresholdReached {
                    store_id: store,
                    metric: metric.name().to_owned(),
                    threshold,
                    used,
                    limit,
                    quota: if metric.is_soft(&plan) { "soft" } else { "hard" }.to_owned(),
                    period_start: start,
                    period_end: end,
                    plan: plan.name.clone(),
                };
                events::emit(conn, Some(store), &USAGE_THRESHOLD_REACHED, &payload).await?;
                raised += 1;
            }
        }
        Ok(raised)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_are_reached_at_80_and_100_percent() {
        assert_eq!(reached(79, 100).collect::<Vec<_>>(), Vec::<i16>::new());
        assert_eq!(reached(80, 100).collect::<Vec<_>>(), [80]);
        assert_eq!(reached(4, 5).collect::<Vec<_>>(), [80]);
        assert_eq!(reached(5, 5).collect::<Vec<_>>(), [80, 100]);
        assert_eq!(reached(7, 5).collect::<Vec<_>>(), [80, 100]);
        assert_eq!(reached(0, 0).count(), 0, "nothing used raises nothing");
        assert_eq!(reached(i64::MAX, i64::MAX).count(), 2, "no overflow");
    }
}
