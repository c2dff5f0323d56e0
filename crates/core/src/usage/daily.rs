//! Reading the flushed daily counts: per day and field, and a period's totals per metric.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sql_types::{Int8, Nullable};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::Metric;
use crate::error::Result;
use crate::id::StoreId;
use crate::schema::usage_daily as ud;

/// `store`'s counts from `from` to `to` (both inclusive): `(day, field, count)`, by day then field.
pub async fn rows(
    conn: &mut AsyncPgConnection,
    store: StoreId,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(NaiveDate, String, i64)>> {
    Ok(ud::table
        .filter(ud::store_id.eq(store.uuid()))
        .filter(ud::day.ge(from))
        .filter(ud::day.le(to))
        .order((ud::day.asc(), ud::metric.asc()))
        .select((ud::day, ud::metric, ud::count))
        .load(conn)
        .await?)
}

/// `store`'s totals per metric from `from` to `until` (exclusive): every field of a metric
/// summed (`api_calls.read` and `api_calls.write` are `api_calls`). Metrics with no count are
/// absent.
pub async fn totals(
    conn: &mut AsyncPgConnection,
    store: StoreId,
    from: NaiveDate,
    until: NaiveDate,
) -> Result<BTreeMap<&'static str, i64>> {
    let by_field: Vec<(String, Option<i64>)> = ud::table
        .filter(ud::store_id.eq(store.uuid()))
        .filter(ud::day.ge(from))
        .filter(ud::day.lt(until))
        .group_by(ud::metric)
        // PostgreSQL sums a bigint as numeric: cast back.
        .select((ud::metric, diesel::dsl::sql::<Nullable<Int8>>("sum(count)::bigint")))
        .load(conn)
        .await?;
    let mut out = BTreeMap::new();
    for (field, sum) in by_field {
        if let Some(metric) = Metric::of_field(&field) {
            *out.entry(metric.name()).or_insert(0) += sum.unwrap_or(0);
        }
    }
    Ok(out)
}
