//! The webhook builder's test send, per-endpoint rate limits, endpoint health, and a worker
//! killed mid-delivery.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use super::support::*;

#[tokio::test]
async fn a_test_send_delivers_the_example_signed_and_returns_the_attempt() {
    let shop = shop(SETTINGS).await;
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(202).set_body_string("thanks")).mount(&server).await;
    let (endpoint, secret) = shop.endpoint(&format!("{}/hook", server.uri()), &["order.paid"]).await;

    let (status, attempt) = shop
        .app
        .post(&format!("{}/test", shop.base(&endpoint)), &shop.token, json!({"event_type": "order.paid"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{attempt}");
    assert_eq!(attempt["succeeded"], true);
    assert_eq!(attempt["response_status"], 202);
    assert_eq!(attempt["response_body"], "thanks");
    assert_eq!(attempt["request_headers"]["x-api-key"], "[redacted]");
    assert_eq!(attempt["request_body"]["type"], "order.paid");
    assert_eq!(attempt["request_body"]["store_id"], shop.store.as_str());
    let (_, types) = shop.app.get("/v1/webhook-event-types", &shop.token).await;
    let example =
        types["data"].as_array().unwrap().iter().find(|t| t["type"] == "order.paid").unwrap()["example"].clone();
    assert_eq!(attempt["request_body"]["data"], example, "the catalog's example is what is sent");

    let request = received(&server, "/hook", 1).await.remove(0);
    let id = header(&request, "webhook-id");
    assert_eq!(id, attempt["webhook_id"].as_str().unwrap());
    let timestamp: i64 = header(&request, "webhook-timestamp").parse().unwrap();
    assert!(balcao_webhooks::signing::verify(
        &secret,
        id,
        timestamp,
        &request.body,
        header(&request, "webhook-signature")
    ));
    assert_eq!(serde_json::from_slice::<Value>(&request.body).unwrap(), attempt["request_body"]);
    assert!(shop.deliveries(&endpoint).await.is_empty(), "a test send is not a delivery");

    let (status, problem) = shop
        .app
        .post(&format!("{}/test", shop.base(&endpoint)), &shop.token, json!({"event_type": "order.lost"}))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "event_type");
    let (status, problem) = shop.app.post(&format!("{}/test", shop.base(&endpoint)), &shop.token, json!({})).await;
    assert!(status.is_client_error(), "{problem}");
    assert_eq!(problem["errors"][0]["field"], "event_type", "{problem}");
    let missing = format!("/v1/stores/{}/webhook-endpoints/{}/test", shop.store, uuid::Uuid::now_v7());
    let (status, _) = shop.app.post(&missing, &shop.token, json!({"event_type": "order.paid"})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_test_send_reports_failures_and_refused_destinations() {
    let shop = shop(&[("BALCAO_WEBHOOKS_ALLOW_HTTP", "true")]).await;
    let (endpoint, _) = shop.endpoint("https://hooks.example.com/x", &["*"]).await;
    // The endpoint is then pointed at loopback, which the SSRF guard refuses at send time.
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200)).mount(&server).await;
    let mut conn = shop.app.core.pool.get().await.unwrap();
    diesel_async::RunQueryDsl::execute(
        diesel::sql_query("UPDATE webhook_endpoints SET url = $1")
            .bind::<diesel::sql_types::Text, _>(format!("{}/x", server.uri())),
        &mut conn,
    )
    .await
    .unwrap();
    let (status, attempt) = shop
        .app
        .post(&format!("{}/test", shop.base(&endpoint)), &shop.token, json!({"event_type": "customer.created"}))
        .await;
    assert_eq!(status, StatusCode::OK, "{attempt}");
    assert_eq!(attempt["succeeded"], false);
    assert_eq!(attempt["response_status"], Value::Null);
    assert!(attempt["error"].as_str().unwrap().starts_with("destination refused"), "{attempt}");
    assert!(server.received_requests().await.unwrap().is_empty());
}

/// A receiver that records when each request arrived and answers `status`.
async fn clocked_receiver(status: u16) -> (MockServer, Arc<Mutex<Vec<DateTime<Utc>>>>) {
    let server = MockServer::start().await;
    let times = Arc::new(Mutex::new(Vec::new()));
    let seen = times.clone();
    Mock::given(method("POST"))
        .respond_with(move |_: &Request| {
            seen.lock().unwrap().push(Utc::now());
            ResponseTemplate::new(status)
        })
        .mount(&server)
        .await;
    (server, times)
}

#[tokio::test]
async fn deliveries_keep_to_the_endpoint_rate_limit_without_spending_attempts() {
    let shop = shop(SETTINGS).await;
    let (server, times) = clocked_receiver(200).await;
    let (endpoint, _) = shop.endpoint(&format!("{}/slow", server.uri()), &["customer.created"]).await;
    let (status, _) = shop.app.patch(&shop.base(&endpoint), &shop.token, json!({"rate_limit_per_second": 2})).await;
    assert_eq!(status, StatusCode::OK);
    for _ in 0..6 {
        shop.customer().await;
    }
    let worker = shop.app.worker().await;
    received(&server, "/slow", 6).await;
    let times = times.lock().unwrap().clone();
    let span = *times.iter().max().unwrap() - *times.iter().min().unwrap();
    // Six deliveries at two per second need at least three one-second windows.
    assert!(span >= chrono::Duration::milliseconds(1_000), "six deliveries within {span}");
    for delivery in shop.deliveries(&endpoint).await {
        let detail = shop.wait_for_delivery(&endpoint, delivery["id"].as_str().unwrap(), "succeeded").await;
        assert_eq!(detail["attempts"], 1, "waiting for the limit is not an attempt: {detail}");
    }
    worker.stop().await;
}

#[tokio::test]
async fn an_endpoint_failing_continuously_is_disabled_and_the_store_told() {
    let smtp = balcao_tests::smtp::SmtpSink::start().await;
    let smtp_url = smtp.url();
    let mut settings = SETTINGS.to_vec();
    settings.push(("BALCAO_WEBHOOKS_DISABLE_AFTER_SECS", "1"));
    settings.push(("BALCAO_SMTP_URL", &smtp_url));
    let shop = shop(&settings).await;
    let (failing_server, _) = clocked_receiver(503).await;
    let (watcher_server, _) = clocked_receiver(200).await;
    let (failing, _) = shop.endpoint(&format!("{}/down", failing_server.uri()), &["customer.created"]).await;
    let (_watcher, _) = shop.endpoint(&format!("{}/ops", watcher_server.uri()), &["endpoint.disabled"]).await;
    let worker = shop.app.worker().await;
    shop.customer().await;

    let delivery = shop.wait_for(&failing, "dead").await;
    let attempts = delivery["attempt_log"].as_array().unwrap();
    assert!(attempts.len() >= 2 && attempts.len() < 8, "disabled before retries ran out: {delivery}");
    let (_, endpoint) = shop.app.get(&shop.base(&failing), &shop.token).await;
    assert_eq!(endpoint["active"], false);
    assert_eq!(endpoint["disabled_reason"], "failing");
    assert!(endpoint["failing_since"].is_string() && endpoint["disabled_at"].is_string(), "{endpoint}");

    let notice = received(&watcher_server, "/ops", 1).await.remove(0);
    let event: Value = serde_json::from_slice(&notice.body).unwrap();
    assert_eq!(event["type"], "endpoint.disabled");
    assert_eq!(event["data"]["endpoint_id"], failing.as_str());
    assert_eq!(event["data"]["reason"], "failing");

    // The owner is emailed, through a real SMTP exchange.
    let mail = smtp
        .wait_for_to(&shop.email, 2, Duration::from_secs(10))
        .await
        .into_iter()
        .find(|m| m.header("subject").unwrap_or_default().contains("Webhook"))
        .unwrap_or_else(|| panic!("no webhook notice for {}", shop.email));
    assert_eq!(mail.to, [shop.email.as_str()]);
    assert!(mail.header("subject").unwrap_or_default().contains("Webhook"), "{}", mail.data);
    let body = mailparse::parse_mail(mail.data.as_bytes()).unwrap().get_body().unwrap();
    assert!(body.contains(&failing) && body.contains("/down"), "the email names the endpoint: {body}");

    // Enabling it again starts afresh.
    let (status, endpoint) = shop.app.patch(&shop.base(&failing), &shop.token, json!({"active": true})).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(endpoint["disabled_reason"], Value::Null);
    assert_eq!(endpoint["failing_since"], Value::Null);
    worker.stop().await;
}

#[tokio::test]
async fn a_success_ends_the_failure_streak() {
    let shop = shop(SETTINGS).await;
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(500)).up_to_n_times(1).mount(&server).await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200)).mount(&server).await;
    let (endpoint, _) = shop.endpoint(&format!("{}/flaky", server.uri()), &["customer.created"]).await;
    let worker = shop.app.worker().await;
    shop.customer().await;
    let delivery = shop.wait_for(&endpoint, "succeeded").await;
    assert_eq!(delivery["attempts"], 2);
    let (_, endpoint) = shop.app.get(&shop.base(&endpoint), &shop.token).await;
    assert_eq!(endpoint["failing_since"], Value::Null, "{endpoint}");
    assert_eq!(endpoint["active"], true);
    worker.stop().await;
}

#[tokio::test]
async fn a_worker_killed_mid_delivery_does_not_lose_it() {
    let mut settings = SETTINGS.to_vec();
    settings.push(("BALCAO_JOB_LEASE_SECS", "2"));
    let shop = shop(&settings).await;
    let server = MockServer::start().await;
    // The first request hangs past the kill; the next one is answered at once.
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(30)))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200)).mount(&server).await;
    let (endpoint, _) = shop.endpoint(&format!("{}/hook", server.uri()), &["customer.created"]).await;

    let doomed = shop.app.doomed_worker();
    shop.customer().await;
    let first = received(&server, "/hook", 1).await.remove(0);
    doomed.kill();

    let worker = shop.app.worker().await;
    let delivery = shop.wait_for(&endpoint, "succeeded").await;
    let requests = received(&server, "/hook", 2).await;
    assert_eq!(header(&requests[1], "webhook-id"), header(&first, "webhook-id"), "the same event, redelivered");
    assert_eq!(delivery["attempts"], 1, "the killed attempt never finished: {delivery}");
    worker.stop().await;
}
