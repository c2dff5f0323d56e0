//! Load scenario: webhook deliveries per second from the real worker to a receiver on loopback.
//!
//! Run with `cargo bench -p balcao-tests --bench webhook_throughput` (PostgreSQL and Redis running).
//! Settings: `LOAD_EVENTS` (default 2000) events, each delivered to one endpoint;
//! `LOAD_CONCURRENCY` (default 32) jobs the worker runs at once.
//! The events are written to the outbox first; the clock starts when the worker starts, and
//! stops when every delivery has succeeded, so it covers fan-out (dispatch and the webhook
//! subscriber) as well as the signed sends and their attempt logs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::time::{Duration, Instant};

use balcao_core::events;
use balcao_core::id::StoreId;
use balcao_tests::TestApp;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use diesel_async::{AsyncConnection, RunQueryDsl};
use reqwest::StatusCode;
use serde_json::json;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// The events the bench writes: low-stock signals with a partial payload, which the delivery
/// path signs and sends as they are.
const LOAD: events::EventKind<serde_json::Value> =
    events::EventKind::new("product.low_stock", "A bench event.", || json!({}));

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    let mut conn = app.core.pool.get().await.unwrap();
    diesel::sql_query(sql).get_result::<Count>(&mut conn).await.unwrap().n
}

fn main() {
    let total = setting("LOAD_EVENTS", 2000);
    let concurrency = setting("LOAD_CONCURRENCY", 32).to_string();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(async move {
        let app = TestApp::spawn_with(&[
            ("BALCAO_WEBHOOKS_ALLOW_HTTP", "true"),
            ("BALCAO_WEBHOOKS_ALLOW_PRIVATE", "true"),
            ("BALCAO_WORKER_CONCURRENCY", &concurrency),
            ("BALCAO_JOB_POLL_MS", "50"),
            ("BALCAO_DB_POOL_SIZE", "40"),
        ])
        .await;
        let user = app.user().await;
        let store = app.store(&user.token).await;
        let receiver = MockServer::start().await;
        Mock::given(method("POST")).respond_with(ResponseTemplate::new(204)).mount(&receiver).await;
        let (status, body) = app
            .post(
                &format!("/v1/stores/{store}/webhook-endpoints"),
                &user.token,
                json!({"url": format!("{}/hook", receiver.uri()), "event_types": ["*"], "rate_limit_per_second": 1000}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");

        let store_id = StoreId(store.parse().unwrap());
        let mut conn = app.core.pool.get().await.unwrap();
        for chunk in 0..total.div_ceil(500) {
            let n = (total - chunk * 500).min(500);
            conn.transaction::<_, balcao_core::Error, _>(async |conn| {
                for i in 0..n {
                    let data = json!({"sku": format!("LOAD-{chunk}-{i}"), "available": 3, "threshold": 5});
                    events::emit(conn, Some(store_id), &LOAD, &data).await?;
                }
                Ok(())
            })
            .await
            .unwrap();
        }
        drop(conn);

        let started = Instant::now();
        let worker = app.worker().await;
        let total = i64::try_from(total).unwrap();
        loop {
            let done = count(&app, "SELECT count(*) AS n FROM webhook_deliveries WHERE status = 'succeeded'").await;
            if done >= total {
                break;
            }
            assert!(started.elapsed() < Duration::from_secs(600), "only {done} of {total} delivered in 10 minutes");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let elapsed = started.elapsed().as_secs_f64();
        worker.stop().await;
        let attempts = count(&app, "SELECT count(*) AS n FROM webhook_attempts").await;
        let received = receiver.received_requests().await.map(|r| r.len()).unwrap_or_default();
        println!(
            "webhook throughput: {total} events -> {total} deliveries in {elapsed:.2} s = {:.0} deliveries/s \
             (worker concurrency {concurrency}; {attempts} attempts logged, {received} requests received)",
            total as f64 / elapsed,
        );
    });
}
