//! The worker: claims jobs, runs them under a lease, retries, dead-letters, shuts down gracefully.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;
use tracing::Instrument;

use super::{JobContext, JobError, JobHandler, JobStore};
use crate::id::JobId;

/// Handlers by job kind, registered at start.
#[derive(Default, Clone)]
pub struct Registry {
    handlers: HashMap<String, Arc<dyn JobHandler>>,
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers the handler for `kind`, replacing any earlier one.
    pub fn register(&mut self, kind: &str, handler: Arc<dyn JobHandler>) -> &mut Self {
        self.handlers.insert(kind.to_owned(), handler);
        self
    }

    /// The kinds registered.
    pub fn kinds(&self) -> Vec<&str> {
        self.handlers.keys().map(String::as_str).collect()
    }
}

/// How a worker behaves.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Jobs run at once.
    pub concurrency: usize,
    /// How long a claim holds before another worker may take the job; renewed while running.
    pub lease: Duration,
    /// Longest sleep between checks when no notification arrives.
    pub poll_interval: Duration,
    /// How long shutdown waits for running jobs before handing them back.
    pub shutdown_timeout: Duration,
}

/// Runs jobs from a [`JobStore`] with the handlers of a [`Registry`].
pub struct Worker {
    id: String,
    store: Arc<dyn JobStore>,
    registry: Arc<Registry>,
    config: WorkerConfig,
}

impl Worker {
    /// A worker with a fresh id.
    pub fn new(store: Arc<dyn JobStore>, registry: Registry, config: WorkerConfig) -> Self {
        let id = format!("worker-{}", uuid::Uuid::now_v7());
        Self { id, store, registry: Arc::new(registry), config }
    }

    /// This worker's id, as written in `jobs.locked_by`.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Runs until `shutdown` turns true, then finishes or hands back its jobs.
    pub async fn run(self, mut shutdown: watch::Receiver<bool>) {
        let slots = Arc::new(Semaphore::new(self.config.concurrency.max(1)));
        let mut running: JoinSet<()> = JoinSet::new();
        let mut held: HashMap<tokio::task::Id, JobId> = HashMap::new();
        tracing::info!(worker = %self.id, kinds = ?self.registry.kinds(), "worker started");
        loop {
            if *shutdown.borrow() {
                break;
            }
            let free = slots.available_permits();
            let mut claimed_full = false;
            if free > 0 {
                match self.store.claim(&self.id, i64::try_from(free).unwrap_or(1), self.config.lease).await {
                    Ok(jobs) => {
                        claimed_full = jobs.len() == free;
                        for job in jobs {
                            let Ok(permit) = slots.clone().acquire_owned().await else { break };
                            let id = job.id;
                            let task = self.run_one(job);
                            let handle = running.spawn(async move {
                                task.await;
                                drop(permit);
                            });
                            held.insert(handle.id(), id);
                        }
                    }
                    Err(error) => tracing::warn!(%error, "claiming jobs failed"),
                }
            }
            if claimed_full && slots.available_permits() > 0 {
                continue;
            }
            tokio::select! {
                _ = shutdown.changed() => {}
                _ = self.store.wait(self.config.poll_interval), if slots.available_permits() > 0 => {}
                Some(done) = running.join_next_with_id(), if !running.is_empty() => {
                    let id = match &done { Ok((id, _)) => *id, Err(e) => e.id() };
                    held.remove(&id);
                }
            }
            while let Some(done) = running.try_join_next_with_id() {
                let id = match &done {
                    Ok((id, _)) => *id,
                    Err(e) => e.id(),
                };
                held.remove(&id);
            }
        }
        tracing::info!(worker = %self.id, running = running.len(), "worker stopping");
        let drain = async {
            while let Some(done) = running.join_next_with_id().await {
                let id = match &done {
                    Ok((id, _)) => *id,
                    Err(e) => e.id(),
                };
                held.remove(&id);
            }
        };
        if tokio::time::timeout(self.config.shutdown_timeout, drain).await.is_err() {
            running.abort_all();
            for job in held.values() {
                if let Err(error) = self.store.release(*job, &self.id).await {
                    tracing::warn!(%error, job = %job, "could not hand back a job; its lease will expire");
                }
            }
        }
        tracing::info!(worker = %self.id, "worker stopped");
    }

    fn run_one(&self, job: JobContext) -> impl std::future::Future<Output = ()> + Send + 'static {
        let store = self.store.clone();
        let handler = self.registry.handlers.get(&job.kind).cloned();
        let worker = self.id.clone();
        let lease = self.config.lease;
        let span = tracing::info_span!("job", id = %job.id, kind = %job.kind, attempt = job.attempt);
        async move {
            let Some(handler) = handler else {
                tracing::error!("no handler registered for this job kind");
                let _ = store.bury(job.id, &worker, &format!("no handler for kind {}", job.kind)).await;
                return;
            };
            if job.attempt > job.max_attempts {
                // Its last attempt was claimed by a worker that never reported back.
                let _ = store.bury(job.id, &worker, "lease expired on the last attempt").await;
                return;
            }
            let outcome = {
                let running_job = job.clone();
                let handler = handler.clone();
                let mut work = tokio::spawn(async move { handler.run(&running_job).await });
                let mut beat = tokio::time::interval(lease / 3);
                beat.tick().await;
                loop {
                    tokio::select! {
                        result = &mut work => break result,
                        _ = beat.tick() => {
                            if let Err(error) = store.extend(job.id, &worker, lease).await {
                                tracing::warn!(%error, "could not extend the job's lease");
                            }
                        }
                    }
                }
            };
            let result = match outcome {
                Ok(result) => result,
                Err(join) => Err(JobError::retry(format!("job panicked or was cancelled: {join}"))),
            };
            let recorded = match result {
                Ok(()) => store.complete(job.id, &worker).await,
                Err(JobError::Defer { reason, after }) => {
                    tracing::debug!(%reason, defer_ms = after.as_millis() as u64, "job deferred");
                    let run_at = Utc::now() + chrono::Duration::from_std(after).unwrap_or(chrono::Duration::hours(1));
                    store.defer(job.id, &worker, run_at).await
                }
                Err(JobError::Permanent(message)) => {
                    tracing::warn!(error = %message, "job failed permanently; dead-lettered");
                    store.bury(job.id, &worker, &message).await
                }
                Err(JobError::Retry { message, .. }) if job.attempt >= job.max_attempts => {
                    tracing::warn!(error = %message, "job failed its last attempt; dead-lettered");
                    store.bury(job.id, &worker, &message).await
                }
                Err(JobError::Retry { message, after }) => {
                    let delay = after.unwrap_or_else(|| handler.backoff(job.attempt));
                    let run_at = Utc::now() + chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::hours(1));
                    tracing::info!(error = %message, retry_in_ms = delay.as_millis() as u64, "job failed; will retry");
                    store.retry(job.id, &worker, run_at, &message).await
                }
            };
            if let Err(error) = recorded {
                tracing::error!(%error, "could not record the job's outcome; its lease will expire");
            }
        }
        .instrument(span)
    }
}
