//! A worker that dies between claiming a message and sending it loses nothing and sends
//! nothing twice; a message with a provider id is never sent again.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use balcao_core::jobs::{self, JobContext, JobError, JobHandler, NewJob};
use balcao_gateway::worker::marketing_consent;
use balcao_messaging::channels::ProviderKind;
use balcao_messaging::messages::job::SendPayload;
use balcao_messaging::messages::{SEND_JOB, SendJob};
use balcao_messaging::provider::{Accepted, ChannelContext, Outbound, Provider, ProviderError, Providers};
use balcao_tests::TestApp;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Counts the messages it is handed, across workers.
struct Counting {
    calls: Arc<AtomicUsize>,
}

#[async_trait]
impl Provider for Counting {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Sandbox
    }

    async fn send(&self, _channel: &ChannelContext, message: &Outbound) -> Result<Accepted, ProviderError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        Ok(Accepted { provider_message_id: format!("cnt_{}", message.id) })
    }
}

/// Waits before the real send job, so a kill lands between the claim and the send.
struct Stall {
    inner: Arc<dyn JobHandler>,
    started: Arc<AtomicBool>,
}

#[async_trait]
impl JobHandler for Stall {
    async fn run(&self, job: &JobContext) -> Result<(), JobError> {
        self.started.store(true, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_secs(60)).await;
        self.inner.run(job).await
    }
}

fn counting(calls: &Arc<AtomicUsize>) -> Providers {
    let mut providers = Providers::new();
    providers.register(Arc::new(Counting { calls: calls.clone() }));
    providers
}

async fn message(app: &TestApp, token: &str, store: &str, id: &str) -> Value {
    app.get(&format!("/v1/stores/{store}/messages/{id}"), token).await.1
}

#[tokio::test]
async fn a_crash_between_claim_and_send_neither_loses_nor_doubles_the_message() {
    let app = TestApp::spawn_with(&[("BALCAO_JOB_POLL_MS", "100"), ("BALCAO_JOB_LEASE_SECS", "2")]).await;
    let user = app.user().await;
    let store = app.store(&user.token).await;
    let calls = Arc::new(AtomicUsize::new(0));
    let started = Arc::new(AtomicBool::new(false));

    let (doomed_calls, doomed_started) = (calls.clone(), started.clone());
    let doomed = app.doomed_worker_with(move |core, registry| {
        let inner: Arc<dyn JobHandler> =
            Arc::new(SendJob::new(core.clone(), counting(&doomed_calls), marketing_consent()));
        registry.register(SEND_JOB, Arc::new(Stall { inner, started: doomed_started }));
    });
    let (status, queued) = app
        .post(
            &format!("/v1/stores/{store}/messages"),
            &user.token,
            json!({"channel": "sms", "to": "+5511987654321", "content": {"type": "text", "text": "Pedido confirmado"}}),
        )
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{queued}");
    let id = queued["id"].as_str().unwrap().to_owned();
    for _ in 0..200 {
        if started.load(Ordering::SeqCst) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(started.load(Ordering::SeqCst), "the doomed worker claimed the message");
    doomed.kill();
    assert_eq!(calls.load(Ordering::SeqCst), 0);
    assert_eq!(message(&app, &user.token, &store, &id).await["status"], "queued");

    let core = app.core.clone();
    let worker_calls = calls.clone();
    let worker = app
        .worker_with(move |registry| {
            registry.register(SEND_JOB, Arc::new(SendJob::new(core, counting(&worker_calls), marketing_consent())));
        })
        .await;
    let mut sent = Value::Null;
    for _ in 0..200 {
        sent = message(&app, &user.token, &store, &id).await;
        if sent["status"] == "sent" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(sent["status"], "sent", "{sent}");
    assert_eq!(sent["provider_message_id"], format!("cnt_{id}"));
    assert_eq!(calls.load(Ordering::SeqCst), 1, "sent once");

    // Another job for the same message (a replayed job, an operator's requeue) sends nothing.
    let mut conn = app.core.pool.get().await.unwrap();
    let payload = SendPayload { store_id: store.parse().unwrap(), message_id: id.parse().unwrap() };
    jobs::enqueue(&mut conn, NewJob::new(SEND_JOB, &payload).unwrap().unique_key("again")).await.unwrap();
    drop(conn);
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert_eq!(calls.load(Ordering::SeqCst), 1, "a message with a provider id is never sent again");
    assert_eq!(message(&app, &user.token, &store, &id).await["attempts"], 1);
    worker.stop().await;
}

/// Answers the same id for every message, as a faulty provider might.
struct Repeating {
    calls: Arc<AtomicUsize>,
}

#[async_trait]
impl Provider for Repeating {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Sandbox
    }

    async fn send(&self, _channel: &ChannelContext, _message: &Outbound) -> Result<Accepted, ProviderError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        Ok(Accepted { provider_message_id: "same-id".into() })
    }
}

#[tokio::test]
async fn a_provider_repeating_an_id_does_not_make_a_message_go_out_twice() {
    let app = TestApp::spawn_with(&[("BALCAO_JOB_POLL_MS", "100")]).await;
    let user = app.user().await;
    let store = app.store(&user.token).await;
    let calls = Arc::new(AtomicUsize::new(0));
    let mut ids = Vec::new();
    for to in ["+5511987654321", "+5511987654322"] {
        let (status, queued) = app
            .post(
                &format!("/v1/stores/{store}/messages"),
                &user.token,
                json!({"channel": "sms", "to": to, "content": {"type": "text", "text": "Oi"}}),
            )
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{queued}");
        ids.push(queued["id"].as_str().unwrap().to_owned());
    }
    let (core, worker_calls) = (app.core.clone(), calls.clone());
    let worker = app
        .worker_with(move |registry| {
            let mut providers = Providers::new();
            providers.register(Arc::new(Repeating { calls: worker_calls }));
            registry.register(SEND_JOB, Arc::new(SendJob::new(core, providers, marketing_consent())));
        })
        .await;
    for id in &ids {
        let mut sent = Value::Null;
        for _ in 0..200 {
            sent = message(&app, &user.token, &store, id).await;
            if sent["status"] == "sent" {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        assert_eq!(sent["status"], "sent", "{sent}");
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(calls.load(Ordering::SeqCst), 2, "each message went out once");
    worker.stop().await;
}
