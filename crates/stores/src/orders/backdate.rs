//! Moving an order back in time, for demo data and fixtures that need a history.

use balcao_core::Core;
use balcao_core::error::{Error, Result};
use balcao_core::id::StoreId;
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};

use super::schema::{order_timeline, orders};
use crate::ids::OrderId;

/// Dates an order as placed at `placed_at` (not in the future): its timeline entries follow
/// one `step` apart in their order (none later than now), the payment window keeps its length,
/// and `updated_at` becomes the last entry's time.
pub async fn backdate(
    core: &Core,
    store: StoreId,
    order: OrderId,
    placed_at: DateTime<Utc>,
    step: Duration,
) -> Result<()> {
    let now = Utc::now();
    let placed_at = placed_at.min(now);
    let mut conn = core.pool.get().await?;
    conn.transaction::<_, Error, _>(async |conn| {
        let (created_at, expires_at): (DateTime<Utc>, Option<DateTime<Utc>>) = orders::table
            .filter(orders::store_id.eq(store.uuid()))
            .filter(orders::id.eq(order.uuid()))
            .select((orders::created_at, orders::expires_at))
            .for_update()
            .first(conn)
            .await
            .optional()?
            .ok_or_else(|| Error::not_found("order"))?;
        let entries: Vec<uuid::Uuid> = order_timeline::table
            .filter(order_timeline::store_id.eq(store.uuid()))
            .filter(order_timeline::order_id.eq(order.uuid()))
            .order((order_timeline::created_at.asc(), order_timeline::id.asc()))
            .select(order_timeline::id)
            .load(conn)
            .await?;
        let mut last = placed_at;
        for (k, entry) in entries.iter().enumerate() {
            let at = (placed_at + step * i32::try_from(k).unwrap_or(i32::MAX)).min(now);
            diesel::update(order_timeline::table)
                .filter(order_timeline::store_id.eq(store.uuid()))
                .filter(order_timeline::id.eq(entry))
                .set(order_timeline::created_at.eq(at))
                .execute(conn)
                .await?;
            last = at;
        }
        diesel::update(orders::table)
            .filter(orders::store_id.eq(store.uuid()))
            .filter(orders::id.eq(order.uuid()))
            .set((
                orders::created_at.eq(placed_at),
                orders::updated_at.eq(last),
                orders::expires_at.eq(expires_at.map(|at| at - (created_at - placed_at))),
            ))
            .execute(conn)
            .await?;
        Ok(())
    })
    .await
}
