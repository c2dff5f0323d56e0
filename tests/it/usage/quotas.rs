//! Hard and soft monthly quotas at the source: messages by channel kind at the dispatcher,
//! webhook deliveries when attempted.

use std::time::Duration;

use balcao_core::usage::flush;
use balcao_tests::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::support::{allow, metric, move_to, store_id, usage};

async fn sms(app: &TestApp, token: &str, store: &str) -> reqwest::Response {
    app.request(Method::POST, &format!("/v1/stores/{store}/messages"), Some(token))
        .json(&json!({"channel": "sms", "to": "+5511987654321", "content": {"type": "text", "text": "Oi"}}))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_free_store_past_its_message_quota_is_refused_while_a_pro_store_is_not() {
    let app = TestApp::spawn().await;
    allow(&app, "free", "monthly_sms_messages", 2).await;
    allow(&app, "enterprise", "monthly_sms_messages", 2).await;
    let (free_owner, pro_owner, soft_owner) = (app.user().await, app.user().await, app.user().await);
    let free = app.store(&free_owner.token).await;
    let pro = app.store(&pro_owner.token).await;
    move_to(&app, store_id(&pro), "pro").await;
    // Enterprise's SMS quota is soft (seeded so): allowed past it and reported as overage.
    let soft = app.store(&soft_owner.token).await;
    move_to(&app, store_id(&soft), "enterprise").await;

    for _ in 0..2 {
        assert_eq!(sms(&app, &free_owner.token, &free).await.status(), StatusCode::ACCEPTED);
    }
    let refused = sms(&app, &free_owner.token, &free).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let headers = refused.headers().clone();
    let retry_after: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=31 * 24 * 3600).contains(&retry_after), "until the month ends: {retry_after}");
    let policy = headers["ratelimit-policy"].to_str().unwrap().to_owned();
    assert!(policy.contains("\"sms_messages\";q=2;w="), "{policy}");
    assert!(headers["ratelimit"].to_str().unwrap().contains("\"sms_messages\";r=0;"), "{headers:?}");
    let body = balcao_tests::assert_problem(refused, StatusCode::TOO_MANY_REQUESTS, "quota_exceeded").await;
    assert!(body["detail"].as_str().unwrap().contains("2 sms messages"), "{body}");
    let (_, listed) = app.get(&format!("/v1/stores/{free}/messages"), &free_owner.token).await;
    assert_eq!(listed["data"].as_array().map(Vec::len), Some(2), "nothing was queued: {listed}");

    for _ in 0..3 {
        assert_eq!(sms(&app, &pro_owner.token, &pro).await.status(), StatusCode::ACCEPTED, "pro allows 5000");
        assert_eq!(sms(&app, &soft_owner.token, &soft).await.status(), StatusCode::ACCEPTED, "a soft quota");
    }
    // Other kinds keep their own quota.
    let (status, body) = app
        .post(
            &format!("/v1/stores/{free}/messages"),
            &free_owner.token,
            json!({"channel": "email", "to": "ana@example.com",
                   "content": {"type": "email", "subject": "Oi", "text": "Oi"}}),
        )
        .await;
    assert_ne!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");

    flush::run(&app.core).await.unwrap();
    let report = usage(&app, &free_owner.token, &free).await;
    let sms_usage = metric(&report, "sms_messages");
    assert_eq!(sms_usage["used"], 2, "a refused message is not counted: {report}");
    assert_eq!((sms_usage["limit"].as_i64(), sms_usage["percentage"].as_f64()), (Some(2), Some(100.0)));
    assert_eq!((sms_usage["quota"].as_str(), sms_usage["overage"].as_i64()), (Some("hard"), Some(0)));
    let report = usage(&app, &soft_owner.token, &soft).await;
    let sms_usage = metric(&report, "sms_messages");
    assert_eq!((sms_usage["used"].as_i64(), sms_usage["overage"].as_i64()), (Some(3), Some(1)), "{report}");
    assert_eq!((sms_usage["quota"].as_str(), sms_usage["percentage"].as_f64()), (Some("soft"), Some(150.0)));
    assert_eq!(report["plan"], "enterprise");
    assert!(metric(&report, "api_calls")["limit"].is_null(), "unlimited: {report}");
}

async fn deliveries(app: &TestApp, token: &str, store: &str, endpoint: &str) -> Vec<Value> {
    let (status, body) = app.get(&format!("/v1/stores/{store}/webhook-endpoints/{endpoint}/deliveries"), token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["data"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn a_delivery_past_a_hard_quota_is_not_sent_and_does_not_count_against_the_endpoint() {
    let app = TestApp::spawn_with(&[
        ("BALCAO_WEBHOOKS_ALLOW_HTTP", "true"),
        ("BALCAO_WEBHOOKS_ALLOW_PRIVATE", "true"),
        ("BALCAO_JOB_POLL_MS", "100"),
    ])
    .await;
    allow(&app, "free", "monthly_webhook_deliveries", 1).await;
    let owner = app.user().await;
    let store = app.store(&owner.token).await;
    let receiver = wiremock::MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::method("POST"))
        .respond_with(wiremock::ResponseTemplate::new(200))
        .mount(&receiver)
        .await;
    let (status, endpoint) = app
        .post(
            &format!("/v1/stores/{store}/webhook-endpoints"),
            &owner.token,
            json!({"url": format!("{}/hook", receiver.uri()), "event_types": ["customer.created"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{endpoint}");
    let endpoint = endpoint["id"].as_str().unwrap().to_owned();
    for name in ["Ana", "Bia"] {
        let (status, body) =
            app.post(&format!("/v1/stores/{store}/customers"), &owner.token, json!({"name": name})).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let worker = app.worker().await;
    let mut statuses = Vec::new();
    for _ in 0..150 {
        let all = deliveries(&app, &owner.token, &store, &endpoint).await;
        statuses = all.iter().map(|d| d["status"].as_str().unwrap_or_default().to_owned()).collect();
        statuses.sort();
        if statuses == ["dead", "succeeded"] {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(statuses, ["dead", "succeeded"], "one delivered, one refused");
    let all = deliveries(&app, &owner.token, &store, &endpoint).await;
    let dead = all.iter().find(|d| d["status"] == "dead").unwrap();
    let (_, detail) = app
        .get(
            &format!("/v1/stores/{store}/webhook-endpoints/{endpoint}/deliveries/{}", dead["id"].as_str().unwrap()),
            &owner.token,
        )
        .await;
    let error = detail["attempt_log"][0]["error"].as_str().unwrap_or_default().to_owned();
    assert!(error.starts_with("not sent: quota_exceeded"), "the reason is recorded: {detail}");
    assert_eq!(receiver.received_requests().await.unwrap_or_default().len(), 1, "only one was sent");
    let (_, endpoint) = app.get(&format!("/v1/stores/{store}/webhook-endpoints/{endpoint}"), &owner.token).await;
    assert_eq!(endpoint["active"], true, "{endpoint}");
    assert!(endpoint["failing_since"].is_null(), "the refusal is not the endpoint's failure: {endpoint}");
    worker.stop().await;
}
