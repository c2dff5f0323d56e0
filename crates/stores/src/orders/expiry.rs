//! Unpaid orders expire after the payment window: a scheduled job cancels them and releases stock.

use std::sync::Arc;

use async_trait::async_trait;
use balcao_core::Core;
use balcao_core::error::Error;
use balcao_core::id::StoreId;
use balcao_core::jobs::{self, JobContext, JobError, JobHandler, NewJob, Registry};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};

use super::schema::orders;
use super::service::{Actor, move_order};
use super::status::OrderStatus;
use crate::catalog::cache;
use crate::ids::OrderId;

/// The job that expires one unpaid order.
pub const EXPIRE_JOB: &str = "orders.expire_unpaid";

#[derive(Serialize, Deserialize)]
struct Expire {
    store_id: StoreId,
    order_id: OrderId,
}

/// Schedules the expiry of an order (inside the checkout's transaction).
pub async fn schedule(
    conn: &mut AsyncPgConnection,
    store: StoreId,
    order: OrderId,
    at: DateTime<Utc>,
) -> balcao_core::Result<()> {
    let job = NewJob::new(EXPIRE_JOB, &Expire { store_id: store, order_id: order })?
        .run_at(at)
        .unique_key(format!("{EXPIRE_JOB}:{order}"));
    jobs::enqueue(conn, job).await?;
    Ok(())
}

/// Keeps an unpaid order (and its stock) held until at least `at`, e.g. through a boleto's due
/// date and clearing window; the expiry job already scheduled re-reads the time when it runs.
pub async fn hold_until(
    conn: &mut AsyncPgConnection,
    store: StoreId,
    order: OrderId,
    at: DateTime<Utc>,
) -> balcao_core::Result<()> {
    diesel::update(
        orders::table
            .filter(orders::store_id.eq(store.uuid()))
            .filter(orders::id.eq(order.uuid()))
            .filter(orders::status.eq(OrderStatus::PendingPayment.as_str()))
            .filter(orders::expires_at.lt(at)),
    )
    .set(orders::expires_at.eq(Some(at)))
    .execute(conn)
    .await?;
    schedule(conn, store, order, at).await
}

struct ExpireUnpaid {
    core: Core,
}

#[async_trait]
impl JobHandler for ExpireUnpaid {
    async fn run(&self, job: &JobContext) -> Result<(), JobError> {
        let Expire { store_id, order_id } = job.payload()?;
        let mut conn = self.core.pool.get().await.map_err(Error::from)?;
        let expired = conn
            .transaction::<_, Error, _>(async |conn| {
                let found: Option<(String, Option<DateTime<Utc>>)> = orders::table
                    .filter(orders::store_id.eq(store_id.uuid()))
                    .filter(orders::id.eq(order_id.uuid()))
                    .select((orders::status, orders::expires_at))
                    .for_update()
                    .first(conn)
                    .await
                    .optional()?;
                match found {
                    Some((status, Some(at))) if status == OrderStatus::PendingPayment.as_str() => {
                        if at > Utc::now() {
                            // Early (the window was extended): try again when it ends.
                            return Ok(Some(at));
                        }
                        let note = "The payment window ended; reserved stock was released.";
                        move_order(conn, store_id, order_id, OrderStatus::Cancelled, Actor::System, note, None).await?;
                        Ok(None)
                    }
                    // Paid, cancelled or gone: nothing to do.
                    _ => Ok(None),
                }
            })
            .await?;
        if let Some(at) = expired {
            let after = (at - Utc::now()).to_std().unwrap_or_default();
            return Err(JobError::Retry { message: "payment window still open".into(), after: Some(after) });
        }
        cache::invalidate(&self.core, store_id).await;
        Ok(())
    }
}

/// Registers this module's jobs.
pub fn register_jobs(registry: &mut Registry, core: &Core) {
    registry.register(EXPIRE_JOB, Arc::new(ExpireUnpaid { core: core.clone() }));
}
