//! Load scenario: messages dispatched per second through the real dispatcher and send job
//! to a fake WhatsApp Cloud API on loopback.
//!
//! Run with `cargo bench -p balcao-tests --bench messaging_throughput` (PostgreSQL and Redis running).
//! Settings: `LOAD_MESSAGES` (default 2000) messages to distinct recipients; `LOAD_CONCURRENCY`
//! (default 32) jobs the worker runs at once. Messages are queued through the dispatcher
//! first (timed separately); the send clock starts when the worker starts and stops when
//! every message is `sent`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::time::{Duration, Instant};

use balcao_core::id::StoreId;
use balcao_messaging::Content;
use balcao_messaging::messages::{Category, MessageDispatcher, PgDispatcher, SendMessage};
use balcao_tests::TestApp;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use diesel_async::RunQueryDsl;
use reqwest::StatusCode;
use serde_json::json;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, ResponseTemplate};

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn main() {
    let total = setting("LOAD_MESSAGES", 2000);
    let concurrency = setting("LOAD_CONCURRENCY", 32).to_string();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(async move {
        let app = TestApp::spawn_with(&[
            ("BALCAO_WORKER_CONCURRENCY", &concurrency),
            ("BALCAO_JOB_POLL_MS", "50"),
            ("BALCAO_DB_POOL_SIZE", "40"),
            ("BALCAO_WEBHOOKS_ALLOW_HTTP", "true"),
            ("BALCAO_WEBHOOKS_ALLOW_PRIVATE", "true"),
        ])
        .await;
        let user = app.user().await;
        let store = app.store(&user.token).await;
        let graph = MockServer::start().await;
        // Each answer carries its own wamid, as the Cloud API's do.
        let counter = std::sync::atomic::AtomicU64::new(0);
        Mock::given(method("POST"))
            .respond_with(move |_: &wiremock::Request| {
                let n = counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                ResponseTemplate::new(200).set_body_json(json!({
                    "messaging_product": "whatsapp",
                    "contacts": [{"input": "5511900000000", "wa_id": "5511900000000"}],
                    "messages": [{"id": format!("wamid.bench{n}")}]
                }))
            })
            .mount(&graph)
            .await;
        let (status, channel) = app
            .post(
                &format!("/v1/stores/{store}/channels"),
                &user.token,
                json!({"kind": "whatsapp", "provider": "whatsapp_cloud", "name": "Bench", "sender": "100200300",
                    "settings": {"base_url": graph.uri(), "rate_limit_per_second": 1000},
                    "credentials": {"access_token": "bench-token"}}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{channel}");
        let channel = channel["id"].as_str().unwrap().to_owned();

        let dispatcher = PgDispatcher::new(app.core.clone(), balcao_gateway::worker::marketing_consent());
        let store_id = StoreId(store.parse().unwrap());
        let queued_at = Instant::now();
        for i in 0..total {
            let req = SendMessage {
                channel: channel.clone(),
                to: format!("+55119{:08}", i),
                content: Content::Template {
                    name: "pedido_confirmado".into(),
                    language: "pt_BR".into(),
                    header: vec![],
                    body: vec![format!("#{i}")],
                    buttons: vec![],
                },
                category: Category::Transactional,
            };
            dispatcher.send(store_id, req).await.unwrap();
        }
        let queue_secs = queued_at.elapsed().as_secs_f64();

        let started = Instant::now();
        let worker = app.worker().await;
        let total = i64::try_from(total).unwrap();
        loop {
            let mut conn = app.core.pool.get().await.unwrap();
            let sent = diesel::sql_query("SELECT count(*) AS n FROM messages WHERE status = 'sent'")
                .get_result::<Count>(&mut conn)
                .await
                .unwrap()
                .n;
            if sent >= total {
                break;
            }
            assert!(started.elapsed() < Duration::from_secs(600), "only {sent} of {total} sent in 10 minutes");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let elapsed = started.elapsed().as_secs_f64();
        worker.stop().await;
        let requests = graph.received_requests().await.map(|r| r.len()).unwrap_or_default();
        println!(
            "messaging throughput: {total} WhatsApp template messages queued in {queue_secs:.2} s ({:.0}/s through the \
             dispatcher), sent in {elapsed:.2} s = {:.0} messages/s (worker concurrency {concurrency}; {requests} \
             requests received)",
            total as f64 / queue_secs,
            total as f64 / elapsed,
        );
    });
}
