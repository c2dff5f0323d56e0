//! The PostgreSQL job queue and the outbox, against a real database.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use balcao_core::Core;
use balcao_core::events::{self, Event, EventBus, EventKind, EventSubscriber};
use balcao_core::jobs::{
    self, JobContext, JobError, JobHandler, JobStore, NewJob, PgJobStore, Registry, Worker, WorkerConfig,
};
use balcao_tests::TestApp;
use diesel::sql_types::{Integer, Nullable, Text};
use diesel_async::AsyncConnection;
use serde_json::json;
use tokio::sync::{Notify, watch};

/// Counts runs and fails until `succeed_from` (never, when 0).
struct Flaky {
    runs: Arc<AtomicUsize>,
    succeed_from: usize,
    delay: Duration,
}

#[async_trait]
impl JobHandler for Flaky {
    async fn run(&self, _job: &JobContext) -> Result<(), JobError> {
        let run = self.runs.fetch_add(1, Ordering::SeqCst) + 1;
        tokio::time::sleep(self.delay).await;
        if self.succeed_from != 0 && run >= self.succeed_from {
            Ok(())
        } else {
            Err(JobError::retry(format!("boom {run}")))
        }
    }

    fn backoff(&self, _attempt: i32) -> Duration {
        Duration::from_millis(20)
    }
}

fn flaky(succeed_from: usize, delay: Duration) -> (Arc<AtomicUsize>, Arc<dyn JobHandler>) {
    let runs = Arc::new(AtomicUsize::new(0));
    (runs.clone(), Arc::new(Flaky { runs, succeed_from, delay }))
}

struct Running {
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Running {
    async fn stop(self) {
        let _ = self.stop.send(true);
        tokio::time::timeout(Duration::from_secs(10), self.task).await.expect("worker stops").expect("worker task");
    }
}

fn start(core: &Core, registry: Registry, lease: Duration) -> Running {
    let (stop, rx) = watch::channel(false);
    let wake = Arc::new(Notify::new());
    let listener = jobs::spawn_listener(core.config.database_url.clone(), wake.clone(), rx.clone());
    let store = Arc::new(PgJobStore::new(core.pool.clone(), wake));
    let config = WorkerConfig {
        concurrency: 2,
        lease,
        poll_interval: Duration::from_millis(100),
        shutdown_timeout: Duration::from_secs(5),
    };
    let worker = Worker::new(store, registry, config);
    let task = tokio::spawn(async move {
        worker.run(rx).await;
        let _ = listener.await;
    });
    Running { stop, task }
}

#[derive(diesel::QueryableByName, Debug)]
struct JobState {
    #[diesel(sql_type = Text)]
    status: String,
    #[diesel(sql_type = Integer)]
    attempts: i32,
    #[diesel(sql_type = Nullable<Text>)]
    last_error: Option<String>,
}

async fn job_states(core: &Core) -> Vec<JobState> {
    use diesel_async::RunQueryDsl;
    let mut conn = core.pool.get().await.unwrap();
    diesel::sql_query("SELECT status, attempts, last_error FROM jobs WHERE kind LIKE 'test.%' ORDER BY created_at")
        .load(&mut conn)
        .await
        .unwrap()
}

async fn enqueue(core: &Core, job: NewJob) -> Option<balcao_core::id::JobId> {
    let mut conn = core.pool.get().await.unwrap();
    jobs::enqueue(&mut conn, job).await.unwrap()
}

async fn wait_until<F: AsyncFn() -> bool>(what: &str, check: F) {
    for _ in 0..200 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

#[tokio::test]
async fn failing_job_is_retried_then_dead_lettered() {
    let app = TestApp::spawn().await;
    let (runs, handler) = flaky(0, Duration::ZERO);
    let mut registry = Registry::new();
    registry.register("test.flaky", handler);
    let worker = start(&app.core, registry, Duration::from_secs(30));
    enqueue(&app.core, NewJob::new("test.flaky", &serde_json::json!({})).unwrap().max_attempts(3)).await;
    wait_until("dead letter", async || job_states(&app.core).await.first().is_some_and(|j| j.status == "dead")).await;
    worker.stop().await;
    let states = job_states(&app.core).await;
    assert_eq!(runs.load(Ordering::SeqCst), 3, "ran once per attempt");
    assert_eq!(states[0].attempts, 3);
    assert_eq!(states[0].last_error.as_deref(), Some("boom 3"));
}

/// Defers itself `defers` times, then succeeds.
struct Patient {
    runs: Arc<AtomicUsize>,
    defers: usize,
}

#[async_trait]
impl JobHandler for Patient {
    async fn run(&self, _job: &JobContext) -> Result<(), JobError> {
        if self.runs.fetch_add(1, Ordering::SeqCst) < self.defers {
            return Err(JobError::Defer { reason: "not yet".into(), after: Duration::from_millis(20) });
        }
        Ok(())
    }
}

#[tokio::test]
async fn deferring_does_not_spend_attempts() {
    let app = TestApp::spawn().await;
    let runs = Arc::new(AtomicUsize::new(0));
    let mut registry = Registry::new();
    registry.register("test.patient", Arc::new(Patient { runs: runs.clone(), defers: 5 }));
    let worker = start(&app.core, registry, Duration::from_secs(30));
    // Two attempts allowed, five deferrals: it still completes.
    enqueue(&app.core, NewJob::new("test.patient", &serde_json::json!({})).unwrap().max_attempts(2)).await;
    wait_until("completion", async || runs.load(Ordering::SeqCst) == 6 && job_states(&app.core).await.is_empty()).await;
    worker.stop().await;
}

#[tokio::test]
async fn job_that_recovers_is_completed_and_removed() {
    let app = TestApp::spawn().await;
    let (runs, handler) = flaky(2, Duration::ZERO);
    let mut registry = Registry::new();
    registry.register("test.flaky", handler);
    let worker = start(&app.core, registry, Duration::from_secs(30));
    enqueue(&app.core, NewJob::new("test.flaky", &serde_json::json!({})).unwrap()).await;
    wait_until("completion", async || runs.load(Ordering::SeqCst) >= 2 && job_states(&app.core).await.is_empty()).await;
    worker.stop().await;
    assert_eq!(runs.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn job_left_by_a_killed_worker_runs_again_after_its_lease() {
    let app = TestApp::spawn().await;
    enqueue(&app.core, NewJob::new("test.flaky", &serde_json::json!({})).unwrap()).await;
    // A worker claims the job with a one-second lease and dies without a word.
    let dead = PgJobStore::new(app.core.pool.clone(), Arc::new(Notify::new()));
    let claimed = dead.claim("killed-worker", 10, Duration::from_secs(1)).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(job_states(&app.core).await[0].status, "running");

    let (runs, handler) = flaky(1, Duration::ZERO);
    let mut registry = Registry::new();
    registry.register("test.flaky", handler);
    let worker = start(&app.core, registry, Duration::from_secs(30));
    // Not before the lease expires...
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(runs.load(Ordering::SeqCst), 0, "a leased job is not taken early");
    // ...but soon after.
    wait_until("recovery", async || job_states(&app.core).await.is_empty()).await;
    worker.stop().await;
    assert_eq!(runs.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn unique_keys_deduplicate_and_run_at_delays() {
    let app = TestApp::spawn().await;
    let first = enqueue(&app.core, NewJob::new("test.once", &1).unwrap().unique_key("k")).await;
    let second = enqueue(&app.core, NewJob::new("test.once", &2).unwrap().unique_key("k")).await;
    assert!(first.is_some());
    assert!(second.is_none(), "a live job with the same key exists");

    let later = chrono::Utc::now() + chrono::Duration::hours(1);
    enqueue(&app.core, NewJob::new("test.later", &()).unwrap().run_at(later)).await;
    let store = PgJobStore::new(app.core.pool.clone(), Arc::new(Notify::new()));
    let claimed = store.claim("w", 10, Duration::from_secs(30)).await.unwrap();
    assert_eq!(claimed.iter().map(|j| j.kind.as_str()).collect::<Vec<_>>(), vec!["test.once"], "future jobs wait");
}

#[tokio::test]
async fn shutdown_waits_for_running_jobs() {
    let app = TestApp::spawn().await;
    let (runs, handler) = flaky(1, Duration::from_millis(700));
    let mut registry = Registry::new();
    registry.register("test.slow", handler);
    let worker = start(&app.core, registry, Duration::from_secs(30));
    enqueue(&app.core, NewJob::new("test.slow", &()).unwrap()).await;
    wait_until("start", async || runs.load(Ordering::SeqCst) == 1).await;
    worker.stop().await;
    assert!(job_states(&app.core).await.is_empty(), "the running job finished before the worker stopped");
}

struct Recorder {
    seen: Arc<std::sync::Mutex<Vec<Event>>>,
}

#[async_trait]
impl EventSubscriber for Recorder {
    fn name(&self) -> &str {
        "test.recorder"
    }

    fn accepts(&self, event_type: &str) -> bool {
        event_type.starts_with("test.")
    }

    async fn handle(&self, event: &Event) -> Result<(), JobError> {
        self.seen.lock().unwrap().push(event.clone());
        Ok(())
    }
}

const ROLLED_BACK: EventKind<serde_json::Value> = EventKind::new("test.rolled_back", "Never committed.", || json!({}));
const COMMITTED: EventKind<serde_json::Value> = EventKind::new("test.committed", "Committed.", || json!({}));
const IGNORED: EventKind<serde_json::Value> = EventKind::new("other.ignored", "No subscriber wants it.", || json!({}));

#[tokio::test]
async fn outbox_events_reach_subscribers_only_when_committed() {
    let app = TestApp::spawn().await;
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut bus = EventBus::new();
    bus.subscribe(Arc::new(Recorder { seen: seen.clone() }));
    let mut registry = Registry::new();
    bus.register_jobs(&mut registry, app.core.pool.clone());
    let worker = start(&app.core, registry, Duration::from_secs(30));

    let mut conn = app.core.pool.get().await.unwrap();
    let rolled_back = conn
        .transaction::<(), balcao_core::Error, _>(async |conn| {
            events::emit(conn, None, &ROLLED_BACK, &serde_json::json!({"n": 1})).await?;
            Err(balcao_core::Error::internal("roll back"))
        })
        .await;
    assert!(rolled_back.is_err());
    let id = conn
        .transaction::<_, balcao_core::Error, _>(async |conn| {
            events::emit(conn, None, &COMMITTED, &serde_json::json!({"n": 2})).await
        })
        .await
        .unwrap();
    events::emit(&mut conn, None, &IGNORED, &serde_json::json!({})).await.unwrap();
    drop(conn);

    wait_until("delivery", async || !seen.lock().unwrap().is_empty()).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    worker.stop().await;
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert_eq!(seen[0].id, id);
    assert_eq!(seen[0].event_type, "test.committed");
    assert_eq!(seen[0].data, serde_json::json!({"n": 2}));
}
