//! Outbound webhook delivery end to end: a real store event, the real worker, a receiver on loopback.

mod health;
mod rotation;
mod support;

use support::*;

use std::time::Duration;

use diesel::sql_types::{Text, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use reqwest::StatusCode;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

#[tokio::test]
async fn a_store_event_reaches_the_subscribed_endpoint_signed() {
    let shop = shop(SETTINGS).await;
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200).set_body_string("ok")).mount(&server).await;
    let (subscribed, secret) = shop.endpoint(&format!("{}/subscribed", server.uri()), &["customer.created"]).await;
    let (other, _) = shop.endpoint(&format!("{}/other", server.uri()), &["product.low_stock"]).await;
    let (all, _) = shop.endpoint(&format!("{}/all", server.uri()), &["*"]).await;
    let worker = shop.app.worker().await;
    shop.customer().await;

    let request = received(&server, "/subscribed", 1).await.remove(0);
    received(&server, "/all", 1).await;
    let id = header(&request, "webhook-id");
    let timestamp: i64 = header(&request, "webhook-timestamp").parse().unwrap();
    let signature = header(&request, "webhook-signature");
    assert_eq!(header(&request, "content-type"), "application/json");
    assert_eq!(header(&request, "x-api-key"), "k-123");
    assert!((chrono::Utc::now().timestamp() - timestamp).abs() < 60);
    assert!(balcao_webhooks::signing::verify(&secret, id, timestamp, &request.body, signature), "{signature}");
    assert!(rotation::verifies(&secret, &request), "the Standard Webhooks reference library accepts it");
    // The same check by hand.
    let key = b64_decode(secret.strip_prefix("whsec_").unwrap());
    let mut content = format!("{id}.{timestamp}.").into_bytes();
    content.extend_from_slice(&request.body);
    assert_eq!(signature, format!("v1,{}", b64_encode(&hmac_sha256(&key, &content))));
    let event: Value = serde_json::from_slice(&request.body).unwrap();
    assert_eq!(event["type"], "customer.created");
    assert_eq!(event["id"], id);
    assert_eq!(event["store_id"], shop.store.as_str());
    assert_eq!(event["data"]["name"], "Ana");

    let delivery = shop.wait_for(&subscribed, "succeeded").await;
    assert_eq!(delivery["attempts"], 1);
    assert_eq!(delivery["last_status_code"], 200);
    let attempt = &delivery["attempt_log"][0];
    assert_eq!(attempt["response_status"], 200);
    assert_eq!(attempt["response_body"], "ok");
    assert_eq!(attempt["request_headers"]["webhook-signature"], signature);
    assert_eq!(attempt["request_headers"]["x-api-key"], "[redacted]");
    assert!(!delivery.to_string().contains("whsec_"), "no secret in the log");
    shop.wait_for(&all, "succeeded").await;

    tokio::time::sleep(Duration::from_millis(500)).await;
    let others: Vec<Request> =
        server.received_requests().await.unwrap().into_iter().filter(|r| r.url.path() == "/other").collect();
    assert!(others.is_empty(), "an endpoint subscribed to another type gets nothing");
    assert!(shop.deliveries(&other).await.is_empty());

    let (status, body) =
        shop.app.get(&format!("{}/deliveries?status=failed", shop.base(&subscribed)), &shop.token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["data"], json!([]));
    let (status, _) = shop.app.get(&format!("{}/deliveries?status=bogus", shop.base(&subscribed)), &shop.token).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    worker.stop().await;
}

#[tokio::test]
async fn failures_are_retried_and_every_attempt_is_logged() {
    let shop = shop(SETTINGS).await;
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500).set_body_string("x".repeat(5000)))
        .up_to_n_times(2)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200)).with_priority(2).mount(&server).await;
    let (endpoint, _) = shop.endpoint(&format!("{}/flaky", server.uri()), &["customer.created"]).await;
    let worker = shop.app.worker().await;
    shop.customer().await;

    let delivery = shop.wait_for(&endpoint, "succeeded").await;
    assert_eq!(delivery["attempt_log"].as_array().unwrap().len(), 3, "{delivery}");
    let statuses: Vec<&Value> =
        delivery["attempt_log"].as_array().unwrap().iter().map(|a| &a["response_status"]).collect();
    assert_eq!(statuses, [&json!(500), &json!(500), &json!(200)]);
    assert_eq!(delivery["attempt_log"][0]["response_body"].as_str().unwrap().len(), 2048, "bodies truncated to 2 KiB");
    let requests = received(&server, "/flaky", 3).await;
    let ids: Vec<&str> = requests.iter().map(|r| header(r, "webhook-id")).collect();
    assert!(ids.iter().all(|id| *id == ids[0]), "the same webhook-id on every attempt: {ids:?}");
    worker.stop().await;
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let shop = shop(SETTINGS).await;
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503).insert_header("Retry-After", "2"))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(204)).with_priority(2).mount(&server).await;
    let (endpoint, _) = shop.endpoint(&format!("{}/slow", server.uri()), &["customer.created"]).await;
    let worker = shop.app.worker().await;
    shop.customer().await;

    let delivery = shop.wait_for(&endpoint, "succeeded").await;
    let attempts = delivery["attempt_log"].as_array().unwrap();
    assert_eq!(attempts.len(), 2, "{delivery}");
    let at = |i: usize| attempts[i]["created_at"].as_str().unwrap().parse::<chrono::DateTime<chrono::Utc>>().unwrap();
    assert!(at(1) - at(0) >= chrono::Duration::seconds(2), "{} then {}", at(0), at(1));
    assert_eq!(attempts[0]["response_status"], 503);
    worker.stop().await;
}

#[tokio::test]
async fn gone_disables_the_endpoint_and_recover_requeues() {
    let shop = shop(SETTINGS).await;
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/gone"))
        .respond_with(ResponseTemplate::new(410))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200)).with_priority(2).mount(&server).await;
    let (endpoint, _) = shop.endpoint(&format!("{}/gone", server.uri()), &["customer.created"]).await;
    let worker = shop.app.worker().await;
    shop.customer().await;

    let delivery = shop.wait_for(&endpoint, "dead").await;
    assert_eq!(delivery["attempt_log"].as_array().unwrap().len(), 1);
    assert_eq!(delivery["last_status_code"], 410);
    let (_, body) = shop.app.get(&shop.base(&endpoint), &shop.token).await;
    assert_eq!(body["active"], false, "410 disables the endpoint");
    assert_eq!(body["disabled_reason"], "gone");
    assert_eq!(received(&server, "/gone", 1).await.len(), 1, "no retry after 410");

    // Turned back on, recover requeues the dead delivery.
    let (status, _) = shop.app.patch(&shop.base(&endpoint), &shop.token, json!({"active": true})).await;
    assert_eq!(status, StatusCode::OK);
    let since = chrono::Utc::now() - chrono::Duration::hours(1);
    let (status, body) =
        shop.app.post(&format!("{}/recover", shop.base(&endpoint)), &shop.token, json!({"since": since})).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    assert_eq!(body["requeued"], 1);
    let delivery = shop.wait_for(&endpoint, "succeeded").await;
    assert_eq!(delivery["attempt_log"].as_array().unwrap().len(), 2);
    let (status, _) = shop
        .app
        .post(
            &format!("{}/recover", shop.base(&endpoint)),
            &shop.token,
            json!({"since": chrono::Utc::now(), "until": since}),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    worker.stop().await;
}

#[tokio::test]
async fn a_private_destination_is_refused_when_not_allowed() {
    let shop = shop(&[("BALCAO_WEBHOOKS_ALLOW_HTTP", "true"), ("BALCAO_JOB_POLL_MS", "100")]).await;
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200)).mount(&server).await;
    let (endpoint, _) = shop.endpoint("https://example.com/hook", &["customer.created"]).await;
    // The name now points inside (as a DNS answer could): the send-time check refuses it.
    let mut conn = shop.app.core.pool.get().await.unwrap();
    diesel::sql_query("UPDATE webhook_endpoints SET url = $1 WHERE id = $2")
        .bind::<Text, _>(format!("{}/internal", server.uri()))
        .bind::<SqlUuid, _>(endpoint.parse::<uuid::Uuid>().unwrap())
        .execute(&mut conn)
        .await
        .unwrap();
    drop(conn);
    let worker = shop.app.worker().await;
    shop.customer().await;

    let delivery = shop.wait_for(&endpoint, "dead").await;
    let attempts = delivery["attempt_log"].as_array().unwrap();
    assert_eq!(attempts.len(), 1, "no retry: {delivery}");
    assert!(attempts[0]["error"].as_str().unwrap().contains("refused"), "{delivery}");
    assert_eq!(attempts[0]["response_status"], Value::Null);
    assert!(server.received_requests().await.unwrap().is_empty(), "nothing reached the internal address");
    worker.stop().await;
}

#[tokio::test]
async fn resend_delivers_again_with_the_same_webhook_id() {
    let shop = shop(SETTINGS).await;
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200)).mount(&server).await;
    let (endpoint, _) = shop.endpoint(&format!("{}/hook", server.uri()), &["customer.created"]).await;
    let worker = shop.app.worker().await;
    shop.customer().await;
    let delivery = shop.wait_for(&endpoint, "succeeded").await;
    let id = delivery["id"].as_str().unwrap();

    let (status, body) =
        shop.app.post(&format!("{}/deliveries/{id}/resend", shop.base(&endpoint)), &shop.token, json!({})).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let requests = received(&server, "/hook", 2).await;
    assert_eq!(header(&requests[0], "webhook-id"), header(&requests[1], "webhook-id"));
    let delivery = shop.wait_for(&endpoint, "succeeded").await;
    for _ in 0..100 {
        if shop.delivery(&endpoint, id).await["attempt_log"].as_array().unwrap().len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(shop.delivery(&endpoint, id).await["attempt_log"].as_array().unwrap().len(), 2, "{delivery}");

    let (status, _) = shop
        .app
        .post(&format!("{}/deliveries/{}/resend", shop.base(&endpoint), uuid::Uuid::now_v7()), &shop.token, json!({}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    worker.stop().await;
}

#[tokio::test]
async fn a_delivery_dies_after_eight_attempts() {
    let shop = shop(&[
        ("BALCAO_WEBHOOKS_ALLOW_HTTP", "true"),
        ("BALCAO_WEBHOOKS_ALLOW_PRIVATE", "true"),
        ("BALCAO_JOB_POLL_MS", "100"),
        ("BALCAO_WEBHOOKS_RETRY_SCALE", "0.0001"),
    ])
    .await;
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(500)).mount(&server).await;
    let (endpoint, _) = shop.endpoint(&format!("{}/down", server.uri()), &["customer.created"]).await;
    let worker = shop.app.worker().await;
    shop.customer().await;

    let mut delivery = Value::Null;
    for _ in 0..600 {
        if let Some(d) = <[Value]>::first(&shop.deliveries(&endpoint).await)
            && d["status"] == "dead"
        {
            delivery = shop.delivery(&endpoint, d["id"].as_str().unwrap()).await;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(delivery["status"], "dead", "never died");
    assert_eq!(delivery["attempts"], 8);
    assert_eq!(delivery["attempt_log"].as_array().unwrap().len(), 8);
    assert_eq!(delivery["next_attempt_at"], Value::Null);
    assert_eq!(received(&server, "/down", 8).await.len(), 8);
    worker.stop().await;
}
