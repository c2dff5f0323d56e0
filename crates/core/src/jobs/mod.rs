//! A PostgreSQL job queue and its worker.
//!
//! - [`enqueue`] writes a job inside the caller's transaction and wakes workers
//!   with `NOTIFY` on commit; a `unique_key` deduplicates live jobs.
//! - [`Worker`] claims due jobs with `FOR UPDATE SKIP LOCKED`, runs them with a
//!   lease it keeps extending, retries failures with exponential backoff and
//!   jitter, and dead-letters a job after its last attempt. A job whose worker
//!   died is claimed again once its lease expires.
//! - [`JobStore`] is the seam for another execution backend.

mod store;
mod worker;

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::sql_types::{Int4, Jsonb, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;

pub use store::{JobStore, PgJobStore, QueueStats, queue_stats, spawn_listener};
pub use worker::{Registry, Worker, WorkerConfig};

use crate::error::{Error, Result};
use crate::id::JobId;

/// The `LISTEN`/`NOTIFY` channel that wakes workers.
pub const CHANNEL: &str = "balcao_jobs";

/// A job to enqueue.
#[derive(Debug, Clone)]
pub struct NewJob {
    kind: String,
    payload: serde_json::Value,
    run_at: Option<DateTime<Utc>>,
    unique_key: Option<String>,
    max_attempts: i32,
}

impl NewJob {
    /// A job of `kind` (the name its handler is registered under) with a JSON payload.
    pub fn new(kind: &str, payload: &impl Serialize) -> Result<Self> {
        Ok(Self {
            kind: kind.to_owned(),
            payload: serde_json::to_value(payload).map_err(Error::internal)?,
            run_at: None,
            unique_key: None,
            max_attempts: 8,
        })
    }

    /// Runs no earlier than `run_at`.
    pub fn run_at(mut self, run_at: DateTime<Utc>) -> Self {
        self.run_at = Some(run_at);
        self
    }

    /// Skipped when a live (queued or running) job has the same key.
    pub fn unique_key(mut self, key: impl Into<String>) -> Self {
        self.unique_key = Some(key.into());
        self
    }

    /// Attempts before the job is dead-lettered (at least 1).
    pub fn max_attempts(mut self, attempts: i32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }
}

#[derive(diesel::QueryableByName)]
struct Inserted {
    #[diesel(sql_type = SqlUuid)]
    id: uuid::Uuid,
}

/// Enqueues a job on `conn` (inside the caller's transaction when there is one).
///
/// Returns `None` when a live job with the same unique key already exists.
pub async fn enqueue(conn: &mut AsyncPgConnection, job: NewJob) -> Result<Option<JobId>> {
    let inserted: Option<Inserted> = diesel::sql_query(
        "INSERT INTO jobs (id, kind, payload, run_at, unique_key, max_attempts) \
         VALUES ($1, $2, $3, COALESCE($4, now()), $5, $6) \
         ON CONFLICT (unique_key) WHERE unique_key IS NOT NULL AND status <> 'dead' DO NOTHING \
         RETURNING id",
    )
    .bind::<SqlUuid, _>(JobId::new().uuid())
    .bind::<Text, _>(&job.kind)
    .bind::<Jsonb, _>(&job.payload)
    .bind::<Nullable<Timestamptz>, _>(job.run_at)
    .bind::<Nullable<Text>, _>(&job.unique_key)
    .bind::<Int4, _>(job.max_attempts)
    .load::<Inserted>(conn)
    .await?
    .into_iter()
    .next();
    if inserted.is_some() {
        diesel::sql_query(format!("NOTIFY {CHANNEL}")).execute(conn).await?;
    }
    Ok(inserted.map(|row| JobId(row.id)))
}

/// A claimed job handed to its handler.
#[derive(Debug, Clone)]
pub struct JobContext {
    /// The job's id.
    pub id: JobId,
    /// The handler name.
    pub kind: String,
    /// The payload given at enqueue.
    pub payload: serde_json::Value,
    /// This attempt's number, from 1.
    pub attempt: i32,
    /// Attempts allowed in all.
    pub max_attempts: i32,
}

impl JobContext {
    /// The payload as a typed value; a payload that does not parse fails the job for good.
    pub fn payload<T: serde::de::DeserializeOwned>(&self) -> Result<T, JobError> {
        serde_json::from_value(self.payload.clone()).map_err(|e| JobError::Permanent(format!("bad payload: {e}")))
    }
}

/// Why a job did not finish.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// Try again later (after the given delay, or on the backoff schedule).
    #[error("{message}")]
    Retry { message: String, after: Option<Duration> },
    /// Trying again cannot help: dead-letter now.
    #[error("{0}")]
    Permanent(String),
    /// Not now, and not a failure (a rate limit, a window not yet open): run again after
    /// `after` without counting this attempt.
    #[error("deferred: {reason}")]
    Defer { reason: String, after: Duration },
}

impl JobError {
    /// A retryable failure on the backoff schedule.
    pub fn retry(message: impl std::fmt::Display) -> Self {
        Self::Retry { message: message.to_string(), after: None }
    }
}

impl From<Error> for JobError {
    fn from(err: Error) -> Self {
        match err {
            Error::NotFound { .. } | Error::Validation(_) => Self::Permanent(err.to_string()),
            other => Self::retry(other),
        }
    }
}

/// Runs one kind of job.
#[async_trait]
pub trait JobHandler: Send + Sync {
    /// Does the work; an error retries or dead-letters the job.
    async fn run(&self, job: &JobContext) -> Result<(), JobError>;

    /// The delay before attempt `attempt + 1` after attempt `attempt` failed.
    fn backoff(&self, attempt: i32) -> Duration {
        default_backoff(attempt)
    }
}

/// Exponential backoff from 2 s, capped at one hour, with ±25 % jitter.
pub fn default_backoff(attempt: i32) -> Duration {
    let exp = u32::try_from(attempt.saturating_sub(1).clamp(0, 16)).unwrap_or(0);
    let base = (2_000u64.saturating_mul(1u64 << exp)).min(3_600_000);
    with_jitter(Duration::from_millis(base), 0.25)
}

/// `delay` scaled by a random factor in `1 ± spread`.
pub fn with_jitter(delay: Duration, spread: f64) -> Duration {
    let factor = 1.0 + spread * (rand::random::<f64>() * 2.0 - 1.0);
    delay.mul_f64(factor.max(0.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_caps() {
        let first = default_backoff(1);
        assert!(first >= Duration::from_millis(1_500) && first <= Duration::from_millis(2_500), "{first:?}");
        let fifth = default_backoff(5);
        assert!(fifth >= Duration::from_secs(24) && fifth <= Duration::from_secs(40), "{fifth:?}");
        assert!(default_backoff(30) <= Duration::from_secs(4_500));
    }
}
