//! Every store's use of one metric this period, ranked: what an operator sorts by. (It reads
//! across stores by design; it is the platform's view, not a tenant's.)

use std::collections::HashMap;

use chrono::Utc;
use diesel::sql_types::{Date, Int8, Text, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::report::{MetricUsage, UsagePeriod};
use super::{Metric, period_end, period_start};
use crate::context::Core;
use crate::error::Result;
use crate::id::StoreId;
use crate::tenancy::plans::{PgPlanService, PlanService};

/// The most stores one page of a ranking holds.
pub const MAX_LIMIT: i64 = 100;

/// Which way a ranking runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
#[schema(as = UsageOrder)]
pub enum Order {
    /// The most used first.
    #[default]
    Desc,
    /// The least used first.
    Asc,
}

/// One store's place in a ranking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct StoreUsage {
    /// The store.
    pub store_id: StoreId,
    /// Its name.
    pub name: String,
    /// Its plan.
    #[schema(example = "pro")]
    pub plan: String,
    /// The metric's figures for the store this period.
    pub usage: MetricUsage,
}

/// A page of a ranking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Ranking {
    /// The period ranked (the current one).
    pub period: UsagePeriod,
    /// The metric ranked by.
    pub metric: String,
    /// The stores, in order (ties by store id).
    pub data: Vec<StoreUsage>,
    /// The offset of the next page, null after the last.
    pub next_offset: Option<i64>,
}

#[derive(diesel::QueryableByName)]
struct Row {
    #[diesel(sql_type = SqlUuid)]
    id: uuid::Uuid,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    plan: String,
    #[diesel(sql_type = Int8)]
    used: i64,
}

/// Every live store's use of `metric` this period, in `order`, `limit` (1 to 100) from `offset`.
pub async fn ranking(core: &Core, metric: Metric, order: Order, limit: i64, offset: i64) -> Result<Ranking> {
    let now = Utc::now();
    let (start, end) = (period_start(now), period_end(now));
    let limit = limit.clamp(1, MAX_LIMIT);
    let offset = offset.max(0);
    let direction = match order {
        Order::Desc => "DESC",
        Order::Asc => "ASC",
    };
    let sql = format!(
        "SELECT s.id, s.name, s.plan, COALESCE(SUM(d.count), 0)::bigint AS used \
         FROM stores s LEFT JOIN usage_daily d ON d.store_id = s.id AND d.day >= $1 AND d.day < $2 \
           AND split_part(d.metric, '.', 1) = $3 \
         WHERE s.deleted_at IS NULL GROUP BY s.id, s.name, s.plan \
         ORDER BY used {direction}, s.id ASC LIMIT $4 OFFSET $5"
    );
    let mut conn = core.pool.get().await?;
    let rows: Vec<Row> = diesel::sql_query(sql)
        .bind::<Date, _>(start.date_naive())
        .bind::<Date, _>(end.date_naive())
        .bind::<Text, _>(metric.name())
        .bind::<Int8, _>(limit + 1)
        .bind::<Int8, _>(offset)
        .load(&mut conn)
        .await?;
    drop(conn);
    let plans: HashMap<String, _> =
        PgPlanService::new(core.clone()).list().await?.into_iter().map(|p| (p.name.clone(), p)).collect();
    let more = i64::try_from(rows.len()).unwrap_or(i64::MAX) > limit;
    let data = rows
        .into_iter()
        .take(usize::try_from(limit).unwrap_or(0))
        .filter_map(|row| {
            let plan = plans.get(&row.plan)?;
            Some(StoreUsage {
                store_id: StoreId(row.id),
                name: row.name,
                plan: row.plan,
                usage: MetricUsage::new(metric, row.used, plan),
            })
        })
        .collect();
    Ok(Ranking {
        period: UsagePeriod { start, end },
        metric: metric.name().to_owned(),
        data,
        next_offset: more.then_some(offset + limit),
    })
}
