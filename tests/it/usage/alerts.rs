//! Quota alerts: 80% and 100% each raised exactly once per period, over several flushes and
//! concurrent checks, as a `usage.threshold_reached` event and an email to the owners.

use std::time::Duration;

use balcao_core::usage::{Metric, alerts, flush};
use balcao_tests::TestApp;
use diesel::sql_types::{BigInt, Text};
use diesel_async::RunQueryDsl;
use reqwest::StatusCode;
use serde_json::json;

use super::support::{allow, meter, store_id};

#[derive(diesel::QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

async fn count(app: &TestApp, sql: &str, store: &str) -> i64 {
    let mut conn = app.core.pool.get().await.unwrap();
    diesel::sql_query(sql).bind::<Text, _>(store).get_result::<Count>(&mut conn).await.unwrap().n
}

async fn flush_and_alert(app: &TestApp) -> usize {
    let flushed = flush::run(&app.core).await.unwrap();
    alerts::check(&app.core, &flushed.touched).await.unwrap()
}

#[tokio::test]
async fn the_80_and_100_percent_alerts_fire_exactly_once_each() {
    let smtp = balcao_tests::smtp::SmtpSink::start().await;
    let smtp_url = smtp.url();
    let app = TestApp::spawn_with(&[
        ("BALCAO_JOB_POLL_MS", "100"),
        ("BALCAO_SMTP_URL", &smtp_url),
        ("BALCAO_WEBHOOKS_ALLOW_HTTP", "true"),
        ("BALCAO_WEBHOOKS_ALLOW_PRIVATE", "true"),
    ])
    .await;
    let receiver = wiremock::MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::method("POST"))
        .respond_with(wiremock::ResponseTemplate::new(200))
        .mount(&receiver)
        .await;
    let owner = app.user().await;
    let store = app.store(&owner.token).await;
    let id = store_id(&store);
    allow(&app, "free", "monthly_sms_messages", 10).await;
    // The event is subscribable as a webhook.
    let (status, endpoint) = app
        .post(
            &format!("/v1/stores/{store}/webhook-endpoints"),
            &owner.token,
            json!({"url": format!("{}/usage", receiver.uri()), "event_types": ["usage.threshold_reached"]}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{endpoint}");

    meter(&app, id, Metric::SmsMessages, None, 7).await;
    assert_eq!(flush_and_alert(&app).await, 0, "70% raises nothing");
    meter(&app, id, Metric::SmsMessages, None, 1).await;
    assert_eq!(flush_and_alert(&app).await, 1, "80%");
    assert_eq!(flush_and_alert(&app).await, 0, "nothing new was flushed");
    meter(&app, id, Metric::SmsMessages, None, 1).await;
    assert_eq!(flush_and_alert(&app).await, 0, "90% raises nothing new");
    meter(&app, id, Metric::SmsMessages, None, 1).await;
    // Two flushers checking the same month at once raise it once between them.
    let flushed = flush::run(&app.core).await.unwrap();
    let (a, b) = tokio::join!(alerts::check(&app.core, &flushed.touched), alerts::check(&app.core, &flushed.touched));
    assert_eq!(a.unwrap() + b.unwrap(), 1, "100% once");
    assert_eq!(flush_and_alert(&app).await, 0);

    let alerts_sql = "SELECT count(*) AS n FROM usage_alerts WHERE store_id = $1::uuid AND metric = 'sms_messages'";
    assert_eq!(count(&app, alerts_sql, &store).await, 2);
    let events_sql =
        "SELECT count(*) AS n FROM outbox_events WHERE store_id = $1::uuid AND event_type = 'usage.threshold_reached'";
    assert_eq!(count(&app, events_sql, &store).await, 2);
    let mut conn = app.core.pool.get().await.unwrap();
    #[derive(diesel::QueryableByName)]
    struct Payload {
        #[diesel(sql_type = diesel::sql_types::Jsonb)]
        payload: serde_json::Value,
    }
    let payloads: Vec<Payload> = diesel::sql_query(
        "SELECT payload FROM outbox_events WHERE store_id = $1::uuid AND event_type = 'usage.threshold_reached' \
         ORDER BY created_at",
    )
    .bind::<Text, _>(&store)
    .load(&mut conn)
    .await
    .unwrap();
    drop(conn);
    let first = &payloads[0].payload;
    assert_eq!(
        (first["threshold"].as_i64(), first["used"].as_i64(), first["limit"].as_i64()),
        (Some(80), Some(8), Some(10))
    );
    assert_eq!(
        (first["metric"].as_str(), first["plan"].as_str(), first["quota"].as_str()),
        (Some("sms_messages"), Some("free"), Some("hard"))
    );
    assert_eq!(first["store_id"], store.as_str());
    assert!(first["period_start"].is_string() && first["period_end"].is_string(), "{first}");
    assert_eq!(payloads[1].payload["threshold"], 100);

    // The owners are emailed once per alert, through a real SMTP exchange.
    let worker = app.worker().await;
    // (the signup's verification email comes first)
    let alerts_mail = |mails: Vec<balcao_tests::smtp::Received>| -> Vec<balcao_tests::smtp::Received> {
        mails.into_iter().filter(|m| m.header("subject").unwrap_or_default().contains("do limite de")).collect()
    };
    let mails = alerts_mail(smtp.wait_for_to(&owner.email, 3, Duration::from_secs(15)).await);
    let mut subjects: Vec<String> = mails.iter().filter_map(|m| m.header("subject")).collect();
    subjects.sort();
    assert_eq!(subjects.len(), 2, "{subjects:?}");
    assert!(subjects[0].contains("100%") && subjects[1].contains("80%"), "{subjects:?}");
    let body = mailparse::parse_mail(mails[0].data.as_bytes()).unwrap().get_body().unwrap();
    assert!(body.contains("SMS") && body.contains("de 10 SMS"), "{body}");
    // And the endpoint subscribed to the type receives both.
    let mut hooks = Vec::new();
    for _ in 0..150 {
        hooks = receiver.received_requests().await.unwrap_or_default();
        if hooks.len() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let types: Vec<serde_json::Value> =
        hooks.iter().map(|r| serde_json::from_slice::<serde_json::Value>(&r.body).unwrap()["type"].clone()).collect();
    assert_eq!(types, [json!("usage.threshold_reached"), json!("usage.threshold_reached")]);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(alerts_mail(smtp.messages_to(&owner.email).await).len(), 2, "no more than one email per alert");
    worker.stop().await;
}
