//! The job that sends one delivery: throttled to the endpoint's rate limit, signed per
//! Standard Webhooks, retried on a Svix-like schedule, with the endpoint's health tracked. Every
//! attempt counts against the store's monthly webhook deliveries; past a hard quota it is not
//! sent and the delivery is given up with the reason, without counting against the endpoint.

use std::time::Duration;

use async_trait::async_trait;
use balcao_core::Core;
use balcao_core::error::Error;
use balcao_core::events;
use balcao_core::id::{EventId, StoreId};
use balcao_core::jobs::{JobContext, JobError, JobHandler, with_jitter};
use balcao_core::usage::{self, Metric};
use chrono::Utc;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};

use super::health::{self, GONE};
use super::model::{DEAD, Delivery, FAILED, SUCCEEDED};
use super::schema::{webhook_attempts as wa, webhook_deliveries as wd};
use super::send::{self, Outcome};
use crate::endpoints::EndpointRow;
use crate::schema::webhook_endpoints as we;

/// The job kind.
pub const DELIVER_JOB: &str = "webhooks.deliver";
/// Attempts per delivery job.
pub const MAX_ATTEMPTS: i32 = 8;
/// Delay before each attempt, in seconds: immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
pub const RETRY_SCHEDULE_SECS: [u64; 8] = [0, 5, 300, 1_800, 7_200, 18_000, 36_000, 36_000];
/// The jitter applied to each delay (±10 %).
pub const JITTER: f64 = 0.1;

/// The job's payload.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeliverPayload {
    /// The store.
    pub store_id: uuid::Uuid,
    /// The delivery.
    pub delivery_id: uuid::Uuid,
}

/// Sends deliveries.
pub struct DeliverJob {
    core: Core,
}

impl DeliverJob {
    /// A handler on the shared handles.
    pub fn new(core: Core) -> Self {
        Self { core }
    }
}

/// The scheduled delay after attempt `attempt` failed, scaled by `scale`, before jitter.
pub fn scheduled_delay(attempt: i32, scale: f64) -> Duration {
    let index = usize::try_from(attempt.max(1)).unwrap_or(1).min(RETRY_SCHEDULE_SECS.len() - 1);
    Duration::from_secs(RETRY_SCHEDULE_SECS[index]).mul_f64(scale.max(0.0))
}

/// The longest a throttled delivery waits before trying for a slot again.
pub const MAX_THROTTLE_WAIT: Duration = Duration::from_secs(60);

impl DeliverJob {
    /// Takes a slot in the endpoint's per-second window (shared by every worker through the
    /// cache); when the window is full, answers how long to wait, spread by the queue's depth.
    async fn throttle(&self, endpoint: &EndpointRow) -> Option<Duration> {
        let now = Utc::now();
        let key = format!("webhooks:rate:{}:{}", endpoint.id, now.timestamp());
        let count = self.core.cache.incr(&key, Duration::from_secs(2)).await;
        let limit = i64::from(endpoint.rate_limit_per_second.max(1));
        if count <= limit {
            return None;
        }
        let next_window = Duration::from_millis(u64::from(1_000 - now.timestamp_subsec_millis().min(999)));
        let windows_ahead = u32::try_from((count - limit - 1) / limit).unwrap_or(u32::MAX);
        let wait = next_window.saturating_add(Duration::from_secs(1).saturating_mul(windows_ahead));
        Some(with_jitter(wait.min(MAX_THROTTLE_WAIT), JITTER))
    }
}

#[async_trait]
impl JobHandler for DeliverJob {
    async fn run(&self, job: &JobContext) -> Result<(), JobError> {
        let DeliverPayload { store_id, delivery_id } = job.payload()?;
        let mut conn = self.core.pool.get().await.map_err(Error::from)?;
        let delivery: Delivery = wd::table
            .filter(wd::store_id.eq(store_id))
            .filter(wd::id.eq(delivery_id))
            .select(Delivery::as_select())
            .first(&mut conn)
            .await
            .optional()
            .map_err(Error::from)?
            .ok_or_else(|| JobError::Permanent(format!("delivery {delivery_id} is gone")))?;
        let endpoint: EndpointRow = we::table
            .filter(we::store_id.eq(store_id))
            .filter(we::id.eq(delivery.endpoint_id))
            .select(EndpointRow::as_select())
            .first(&mut conn)
            .await
            .optional()
            .map_err(Error::from)?
            .ok_or_else(|| JobError::Permanent("webhook endpoint is gone".into()))?;
        let now = Utc::now();
        if !endpoint.active {
            diesel::update(wd::table.filter(wd::store_id.eq(store_id)).filter(wd::id.eq(delivery_id)))
                .set((
                    wd::status.eq(DEAD),
                    wd::next_attempt_at.eq(None::<chrono::DateTime<Utc>>),
                    wd::updated_at.eq(now),
                ))
                .execute(&mut conn)
                .await
                .map_err(Error::from)?;
            return Err(JobError::Permanent("webhook endpoint is disabled".into()));
        }
        if let Some(after) = self.throttle(&endpoint).await {
            return Err(JobError::Defer { reason: "endpoint rate limit".into(), after });
        }
        // Each attempt counts against the store's monthly deliveries; past a hard quota the
        // delivery is not sent, and the endpoint's health is untouched (it did not fail).
        match usage::charge::consume(&self.core, StoreId(store_id), Metric::WebhookDeliveries, 1).await {
            Ok(_) => {}
            Err(Error::QuotaExceeded { detail, .. }) => {
                not_sent(&mut conn, &delivery, &format!("not sent: {QUOTA_REFUSAL}: {detail}")).await?;
                tracing::info!(delivery = %delivery_id, endpoint = %endpoint.id, "webhook delivery refused by quota");
                return Ok(());
            }
            Err(error) => return Err(error.into()),
        }
        let event = events::load(&mut conn, EventId(delivery.event_id)).await?;
        let signed = send::sign(&self.core, &endpoint, &event, now)?;
        // The pooled connection is not held across the request.
        drop(conn);
        let outcome = send::send(&endpoint.url, &signed, self.core.config.outbound_allow_private).await;
        let mut conn = self.core.pool.get().await.map_err(Error::from)?;
        let attempt = delivery.attempts + 1;
        diesel::insert_into(wa::table)
            .values((
                wa::store_id.eq(store_id),
                wa::id.eq(uuid::Uuid::now_v7()),
                wa::delivery_id.eq(delivery_id),
                wa::attempt.eq(attempt),
                wa::request_headers.eq(&signed.logged),
                wa::response_status.eq(outcome.status.map(i32::from)),
                wa::response_body.eq(&outcome.body),
                wa::duration_ms.eq(outcome.duration_ms),
                wa::error.eq(&outcome.error),
                wa::created_at.eq(Utc::now()),
            ))
            .execute(&mut conn)
            .await
            .map_err(Error::from)?;
        let code = outcome.status.map(i32::from);
        tracing::info!(
            delivery = %delivery_id, endpoint = %endpoint.id, event = %event.id, attempt, status = ?outcome.status,
            error = ?outcome.error, duration_ms = outcome.duration_ms, "webhook delivery attempt"
        );

        if outcome.succeeded() {
            mark(&mut conn, &delivery, SUCCEEDED, code, None).await?;
            health::record_success(&mut conn, &endpoint).await?;
            return Ok(());
        }
        if outcome.status == Some(410) {
            health::disable(&mut conn, &endpoint, GONE).await?;
            mark(&mut conn, &delivery, DEAD, code, None).await?;
            return Ok(());
        }
        if outcome.refused {
            mark(&mut conn, &delivery, DEAD, code, None).await?;
            return Err(JobError::Permanent(outcome.failure()));
        }
        if health::record_failure(&mut conn, &endpoint, self.core.config.webhooks_disable_after).await? {
            mark(&mut conn, &delivery, DEAD, code, None).await?;
            return Err(JobError::Permanent(format!(
                "{}; endpoint disabled after failing continuously",
                outcome.failure()
            )));
        }
        if job.attempt >= job.max_attempts.min(MAX_ATTEMPTS) {
            mark(&mut conn, &delivery, DEAD, code, None).await?;
            return Err(JobError::Permanent(outcome.failure()));
        }
        let after = self.retry_delay(job.attempt, &outcome);
        let next = Utc::now() + chrono::Duration::from_std(after).unwrap_or(chrono::Duration::hours(10));
        mark(&mut conn, &delivery, FAILED, code, Some(next)).await?;
        Err(JobError::Retry { message: outcome.failure(), after: Some(after) })
    }

    fn backoff(&self, attempt: i32) -> Duration {
        with_jitter(scheduled_delay(attempt, self.core.config.webhooks_retry_scale), JITTER)
    }
}

impl DeliverJob {
    /// The schedule's delay, or the endpoint's `Retry-After` when that is longer.
    fn retry_delay(&self, attempt: i32, outcome: &Outcome) -> Duration {
        let after = self.backoff(attempt);
        outcome.retry_after.map_or(after, |retry_after| after.max(retry_after))
    }
}

/// The reason recorded on a delivery the store's monthly quota refused.
pub const QUOTA_REFUSAL: &str = "quota_exceeded";

/// Records an attempt that sent nothing, with `why`, and gives the delivery up.
async fn not_sent(conn: &mut diesel_async::AsyncPgConnection, delivery: &Delivery, why: &str) -> Result<(), Error> {
    diesel::insert_into(wa::table)
        .values((
            wa::store_id.eq(delivery.store_id),
            wa::id.eq(uuid::Uuid::now_v7()),
            wa::delivery_id.eq(delivery.id),
            wa::attempt.eq(delivery.attempts + 1),
            wa::request_headers.eq(serde_json::json!({})),
            wa::response_status.eq(None::<i32>),
            wa::response_body.eq(""),
            wa::duration_ms.eq(0),
            wa::error.eq(Some(why)),
            wa::created_at.eq(Utc::now()),
        ))
        .execute(conn)
        .await?;
    mark(conn, delivery, DEAD, None, None).await
}

async fn mark(
    conn: &mut diesel_async::AsyncPgConnection,
    delivery: &Delivery,
    status: &str,
    code: Option<i32>,
    next_attempt_at: Option<chrono::DateTime<Utc>>,
) -> Result<(), Error> {
    diesel::update(wd::table.filter(wd::store_id.eq(delivery.store_id)).filter(wd::id.eq(delivery.id)))
        .set((
            wd::status.eq(status),
            wd::attempts.eq(wd::attempts + 1),
            code.map(|c| wd::last_status_code.eq(Some(c))),
            wd::next_attempt_at.eq(next_attempt_at),
            wd::updated_at.eq(Utc::now()),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedule_follows_svix() {
        assert_eq!(scheduled_delay(1, 1.0), Duration::from_secs(5));
        assert_eq!(scheduled_delay(2, 1.0), Duration::from_secs(300));
        assert_eq!(scheduled_delay(7, 1.0), Duration::from_secs(36_000));
        assert_eq!(scheduled_delay(20, 1.0), Duration::from_secs(36_000));
        assert_eq!(scheduled_delay(1, 0.01), Duration::from_millis(50));
    }
}
