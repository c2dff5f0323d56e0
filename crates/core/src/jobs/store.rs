//! Job storage: the [`JobStore`] seam and its PostgreSQL implementation.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::sql_types::{BigInt, Double, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use futures_util::StreamExt;
use tokio::sync::{Notify, watch};

use super::{CHANNEL, JobContext};
use crate::db::DbPool;
use crate::error::Result;
use crate::id::JobId;

/// What a worker needs from wherever jobs live.
#[async_trait]
pub trait JobStore: Send + Sync {
    /// Claims up to `limit` due jobs (or jobs whose lease expired) for `worker`.
    async fn claim(&self, worker: &str, limit: i64, lease: Duration) -> Result<Vec<JobContext>>;
    /// Extends the lease of a job `worker` holds.
    async fn extend(&self, id: JobId, worker: &str, lease: Duration) -> Result<()>;
    /// Removes a finished job.
    async fn complete(&self, id: JobId, worker: &str) -> Result<()>;
    /// Puts a failed job back in the queue to run at `run_at`.
    async fn retry(&self, id: JobId, worker: &str, run_at: DateTime<Utc>, error: &str) -> Result<()>;
    /// Puts a job back to run at `run_at` without counting the attempt it just made.
    async fn defer(&self, id: JobId, worker: &str, run_at: DateTime<Utc>) -> Result<()>;
    /// Dead-letters a job: it stays, marked `dead`, for people to inspect and requeue.
    async fn bury(&self, id: JobId, worker: &str, error: &str) -> Result<()>;
    /// Hands a job back untouched (on shutdown), counting this attempt as not made.
    async fn release(&self, id: JobId, worker: &str) -> Result<()>;
    /// Waits until new work may be available or `timeout` passes.
    async fn wait(&self, timeout: Duration);
}

/// Jobs in the `jobs` table.
pub struct PgJobStore {
    pool: DbPool,
    wake: Arc<Notify>,
}

impl PgJobStore {
    /// A store on `pool`, woken through `wake` (see [`spawn_listener`]).
    pub fn new(pool: DbPool, wake: Arc<Notify>) -> Self {
        Self { pool, wake }
    }
}

#[derive(diesel::QueryableByName)]
struct ClaimedRow {
    #[diesel(sql_type = SqlUuid)]
    id: uuid::Uuid,
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = diesel::sql_types::Jsonb)]
    payload: serde_json::Value,
    #[diesel(sql_type = diesel::sql_types::Int4)]
    attempts: i32,
    #[diesel(sql_type = diesel::sql_types::Int4)]
    max_attempts: i32,
}

#[async_trait]
impl JobStore for PgJobStore {
    async fn claim(&self, worker: &str, limit: i64, lease: Duration) -> Result<Vec<JobContext>> {
        let mut conn = self.pool.get().await?;
        let rows: Vec<ClaimedRow> = diesel::sql_query(
            "UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_by = $1, \
                 locked_until = now() + make_interval(secs => $2), updated_at = now() \
             WHERE id IN ( \
                 SELECT id FROM jobs \
                 WHERE (status = 'queued' AND run_at <= now()) OR (status = 'running' AND locked_until < now()) \
                 ORDER BY run_at LIMIT $3 FOR UPDATE SKIP LOCKED) \
             RETURNING id, kind, payload, attempts, max_attempts",
        )
        .bind::<Text, _>(worker)
        .bind::<Double, _>(lease.as_secs_f64())
        .bind::<BigInt, _>(limit)
        .load(&mut conn)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| JobContext {
                id: JobId(r.id),
                kind: r.kind,
                payload: r.payload,
                attempt: r.attempts,
                max_attempts: r.max_attempts,
            })
            .collect())
    }

    async fn extend(&self, id: JobId, worker: &str, lease: Duration) -> Result<()> {
        let mut conn = self.pool.get().await?;
        diesel::sql_query(
            "UPDATE jobs SET locked_until = now() + make_interval(secs => $3) \
             WHERE id = $1 AND locked_by = $2 AND status = 'running'",
        )
        .bind::<SqlUuid, _>(id.uuid())
        .bind::<Text, _>(worker)
        .bind::<Double, _>(lease.as_secs_f64())
        .execute(&mut conn)
        .await?;
        Ok(())
    }

    async fn complete(&self, id: JobId, worker: &str) -> Result<()> {
        let mut conn = self.pool.get().await?;
        diesel::sql_query("DELETE FROM jobs WHERE id = $1 AND locked_by = $2")
            .bind::<SqlUuid, _>(id.uuid())
            .bind::<Text, _>(worker)
            .execute(&mut conn)
            .await?;
        Ok(())
    }

    async fn retry(&self, id: JobId, worker: &str, run_at: DateTime<Utc>, error: &str) -> Result<()> {
        let mut conn = self.pool.get().await?;
        diesel::sql_query(
            "UPDATE jobs SET status = 'queued', run_at = $3, last_error = $4, locked_by = NULL, \
                 locked_until = NULL, updated_at = now() \
             WHERE id = $1 AND locked_by = $2",
        )
        .bind::<SqlUuid, _>(id.uuid())
        .bind::<Text, _>(worker)
        .bind::<Timestamptz, _>(run_at)
        .bind::<Text, _>(error)
        .execute(&mut conn)
        .await?;
        Ok(())
    }

    async fn defer(&self, id: JobId, worker: &str, run_at: DateTime<Utc>) -> Result<()> {
        let mut conn = self.pool.get().await?;
        diesel::sql_query(
            "UPDATE jobs SET status = 'queued', run_at = $3, attempts = greatest(attempts - 1, 0), \
                 locked_by = NULL, locked_until = NULL, updated_at = now() \
             WHERE id = $1 AND locked_by = $2",
        )
        .bind::<SqlUuid, _>(id.uuid())
        .bind::<Text, _>(worker)
        .bind::<Timestamptz, _>(run_at)
        .execute(&mut conn)
        .await?;
        Ok(())
    }

    async fn bury(&self, id: JobId, worker: &str, error: &str) -> Result<()> {
        let mut conn = self.pool.get().await?;
        diesel::sql_query(
            "UPDATE jobs SET status = 'dead', last_error = $3, locked_by = NULL, locked_until = NULL, \
                 updated_at = now() \
             WHERE id = $1 AND locked_by = $2",
        )
        .bind::<SqlUuid, _>(id.uuid())
        .bind::<Text, _>(worker)
        .bind::<Text, _>(error)
        .execute(&mut conn)
        .await?;
        Ok(())
    }

    async fn release(&self, id: JobId, worker: &str) -> Result<()> {
        let mut conn = self.pool.get().await?;
        diesel::sql_query(
            "UPDATE jobs SET status = 'queued', attempts = greatest(attempts - 1, 0), locked_by = NULL, \
                 locked_until = NULL, updated_at = now() \
             WHERE id = $1 AND locked_by = $2",
        )
        .bind::<SqlUuid, _>(id.uuid())
        .bind::<Text, _>(worker)
        .execute(&mut conn)
        .await?;
        Ok(())
    }

    async fn wait(&self, timeout: Duration) {
        let _ = tokio::time::timeout(timeout, self.wake.notified()).await;
    }
}

/// Listens on the jobs channel and wakes waiting workers; reconnects after errors until shutdown.
pub fn spawn_listener(
    database_url: String,
    wake: Arc<Notify>,
    mut shutdown: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            if *shutdown.borrow() {
                return;
            }
            match AsyncPgConnection::establish(&database_url).await {
                Ok(mut conn) => {
                    if let Err(error) = diesel::sql_query(format!("LISTEN {CHANNEL}")).execute(&mut conn).await {
                        tracing::warn!(%error, "job listener could not LISTEN");
                    } else {
                        let mut stream = std::pin::pin!(conn.notifications_stream());
                        loop {
                            tokio::select! {
                                _ = shutdown.changed() => return,
                                next = stream.next() => match next {
                                    Some(Ok(_)) => { wake.notify_waiters(); wake.notify_one(); }
                                    Some(Err(error)) => {
                                        tracing::warn!(%error, "job listener lost its connection");
                                        break;
                                    }
                                    None => break,
                                },
                            }
                        }
                    }
                }
                Err(error) => tracing::warn!(%error, "job listener could not connect"),
            }
            // Wake everyone once: a notification may have been missed while disconnected.
            wake.notify_waiters();
            tokio::select! {
                _ = shutdown.changed() => return,
                _ = tokio::time::sleep(Duration::from_secs(1)) => {}
            }
        }
    })
}

/// Counts of jobs by state, for metrics.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct QueueStats {
    /// Waiting to run (due or scheduled).
    pub queued: i64,
    /// Claimed by a worker.
    pub running: i64,
    /// Dead-lettered.
    pub dead: i64,
}

#[derive(diesel::QueryableByName)]
struct StatusCount {
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = BigInt)]
    count: i64,
}

/// Current queue sizes.
pub async fn queue_stats(pool: &DbPool) -> Result<QueueStats> {
    let mut conn = pool.get().await?;
    let rows: Vec<StatusCount> =
        diesel::sql_query("SELECT status, count(*) AS count FROM jobs GROUP BY status").load(&mut conn).await?;
    let mut stats = QueueStats::default();
    for row in rows {
        match row.status.as_str() {
            "queued" => stats.queued = row.count,
            "running" => stats.running = row.count,
            "dead" => stats.dead = row.count,
            _ => {}
        }
    }
    Ok(stats)
}
