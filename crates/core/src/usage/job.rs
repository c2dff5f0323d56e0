//! The periodic job that flushes usage to PostgreSQL every minute and raises the alerts the
//! flushed counts reached.
//!
//! Each run is keyed by the minute it is due (`usage.flush:<YYYY-MM-DDTHH:MM>`), and every run
//! and every starting worker enqueues the one of the next minute: the keys meet, so however
//! many workers run, one flush is pending at a time.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, DurationRound, Utc};

use super::{alerts, flush};
use crate::context::Core;
use crate::error::Result;
use crate::jobs::{self, JobContext, JobError, JobHandler, NewJob, Registry};

/// The job kind.
pub const FLUSH_JOB: &str = "usage.flush";
/// How often usage is flushed.
pub const FLUSH_EVERY: Duration = Duration::from_secs(60);

/// The next flush's due time after `now`: the start of the next minute.
pub fn next_run(now: DateTime<Utc>) -> DateTime<Utc> {
    let step = chrono::Duration::from_std(FLUSH_EVERY).unwrap_or(chrono::Duration::minutes(1));
    now.duration_trunc(step).unwrap_or(now) + step
}

/// Enqueues the flush due at the start of the next minute, unless it is pending already.
pub async fn schedule(core: &Core) -> Result<()> {
    let run_at = next_run(Utc::now());
    let key = format!("{FLUSH_JOB}:{}", run_at.format("%Y-%m-%dT%H:%M"));
    let job = NewJob::new(FLUSH_JOB, &serde_json::json!({}))?.run_at(run_at).unique_key(key).max_attempts(3);
    let mut conn = core.pool.get().await?;
    jobs::enqueue(&mut conn, job).await?;
    Ok(())
}

/// Flushes usage, raises alerts, and schedules the next run first (so a failed run never stops
/// the schedule; the flush is idempotent, so an overlap is harmless).
pub struct FlushJob {
    core: Core,
}

impl FlushJob {
    /// A handler on the shared handles.
    pub fn new(core: Core) -> Self {
        Self { core }
    }
}

#[async_trait]
impl JobHandler for FlushJob {
    async fn run(&self, _job: &JobContext) -> std::result::Result<(), JobError> {
        schedule(&self.core).await?;
        let flushed = flush::run(&self.core).await?;
        let raised = alerts::check(&self.core, &flushed.touched).await?;
        if flushed.applied > 0 || flushed.skipped > 0 || raised > 0 {
            tracing::info!(applied = flushed.applied, skipped = flushed.skipped, alerts = raised, "usage flushed");
        }
        Ok(())
    }
}

/// Registers the flush job in `registry`.
pub fn register_jobs(registry: &mut Registry, core: &Core) {
    registry.register(FLUSH_JOB, Arc::new(FlushJob::new(core.clone())));
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_next_run_is_the_start_of_the_next_minute() {
        let at = Utc.with_ymd_and_hms(2026, 12, 31, 23, 59, 30).single().unwrap_or_default();
        assert_eq!(next_run(at), Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).single().unwrap_or_default());
        let on = Utc.with_ymd_and_hms(2026, 12, 3, 14, 0, 0).single().unwrap_or_default();
        assert_eq!(next_run(on), on + chrono::Duration::minutes(1));
    }
}
