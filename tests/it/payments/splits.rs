//! Split rules per store, each payment's shares, Stripe Connect transfers once paid, and the
//! reconciliation that finds a charge paid when no webhook came.

use std::time::Duration;

use diesel::sql_types::Text;
use diesel_async::RunQueryDsl;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use wiremock::matchers::{body_string, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::sandbox::{Sale, sale, sale_with};

const RULES: &str = r#"{"platform_fee_bps": 250, "recipients": [
    {"id": "socia", "name": "Sócia", "percent_bps": 1000, "stripe_account": "acct_1Socia"},
    {"id": "entregas", "name": "Entregas", "amount": 500}
]}"#;

async fn splits(sale: &Sale, payment: &str) -> Vec<(String, i64, String, Option<String>)> {
    let (status, body) = sale.shop.staff(Method::GET, &format!("/payments/{payment}/splits"), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body.as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["recipient"].as_str().unwrap().to_owned(),
                s["amount"].as_i64().unwrap(),
                s["status"].as_str().unwrap().to_owned(),
                s["provider_transfer_id"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

/// Makes the payment's queued `kind` job due now; answers how many there were.
async fn run_now(sale: &Sale, kind: &str, payment: &str) -> usize {
    let mut conn = sale.shop.app.core.pool.get().await.unwrap();
    diesel::sql_query("UPDATE jobs SET run_at = now() WHERE kind = $1 AND payload->>'payment_id' = $2")
        .bind::<Text, _>(kind)
        .bind::<Text, _>(payment)
        .execute(&mut conn)
        .await
        .unwrap()
}

async fn wait_for(sale: &Sale, payment: &str, done: impl Fn(&[(String, i64, String, Option<String>)]) -> bool) {
    for _ in 0..200 {
        if done(&splits(sale, payment).await) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{:?}", splits(sale, payment).await);
}

#[tokio::test]
async fn split_rules_are_validated_and_read_back() {
    let sale = sale().await;
    let (status, empty) = sale.shop.staff(Method::GET, "/payment-split-rules", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(empty, json!({"platform_fee_bps": 0, "recipients": [], "updated_at": null}));
    let bad =
        json!({"platform_fee_bps": 9000, "recipients": [{"id": "a", "percent_bps": 2000, "stripe_account": "x"}]});
    let (status, problem) = sale.shop.staff(Method::PUT, "/payment-split-rules", Some(bad)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> =
        problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["recipients[0].stripe_account", "recipients"], "{problem}");
    let rules: Value = serde_json::from_str(RULES).unwrap();
    let (status, saved) = sale.shop.staff(Method::PUT, "/payment-split-rules", Some(rules.clone())).await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    let (_, read) = sale.shop.staff(Method::GET, "/payment-split-rules", None).await;
    assert_eq!(read["recipients"], rules["recipients"]);
    assert!(read["updated_at"].is_string());

    // A sandbox payment records its shares; nothing is sent anywhere.
    let (_, payment) = sale.pay("pix", "pay-split-sbx").await;
    let id = payment["id"].as_str().unwrap().to_owned();
    let recorded = |r: &str, a: i64| (r.to_owned(), a, "recorded".to_owned(), None);
    assert_eq!(
        splits(&sale, &id).await,
        [recorded("platform", 287), recorded("socia", 1148), recorded("entregas", 500)]
    );
    // Later rule changes leave the payment's shares alone.
    let (status, _) = sale.shop.staff(Method::DELETE, "/payment-split-rules", None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(splits(&sale, &id).await.len(), 3);
    let (status, _) = sale.shop.staff(Method::GET, &format!("/payments/{}/splits", uuid::Uuid::now_v7()), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A payment that fails captured nothing: nothing is split.
    let (status, failed) =
        sale.shop.staff(Method::POST, &format!("/payments/{id}/simulate"), Some(json!({"outcome": "failed"}))).await;
    assert_eq!((status, failed["status"].as_str()), (StatusCode::OK, Some("failed")));
    assert!(splits(&sale, &id).await.is_empty());
}

#[tokio::test]
async fn reconciliation_finds_a_card_paid_without_a_webhook_and_its_shares_are_transferred_once() {
    let sale = sale_with(&[("BALCAO_WEBHOOKS_ALLOW_HTTP", "true"), ("BALCAO_WEBHOOKS_ALLOW_PRIVATE", "true")]).await;
    let stripe = MockServer::start().await;
    let account = json!({"credentials": {"secret_key": "sk_test_51Hsplit"}, "settings": {"base_url": stripe.uri()}});
    assert_eq!(sale.shop.staff(Method::PUT, "/payment-accounts/stripe", Some(account)).await.0, StatusCode::OK);
    let rules: Value = serde_json::from_str(RULES).unwrap();
    assert_eq!(sale.shop.staff(Method::PUT, "/payment-split-rules", Some(rules)).await.0, StatusCode::OK);
    let intent = |status: &str, received: i64| {
        json!({"id": "pi_3Qsplit", "object": "payment_intent", "client_secret": "pi_3Qsplit_secret_x",
               "status": status, "amount": 11480, "amount_received": received, "currency": "brl",
               "latest_charge": if received > 0 { json!("ch_3Qsplit") } else { Value::Null }})
    };
    Mock::given(method("POST"))
        .and(path("/v1/payment_intents"))
        .respond_with(ResponseTemplate::new(200).set_body_json(intent("requires_payment_method", 0)))
        .expect(1)
        .mount(&stripe)
        .await;
    let (status, payment) = sale.pay("card", "pay-split-1").await;
    assert_eq!(status, StatusCode::CREATED, "{payment}");
    let id = payment["id"].as_str().unwrap().to_owned();
    let form = String::from_utf8(stripe.received_requests().await.unwrap()[0].body.clone()).unwrap();
    assert!(form.ends_with(&format!("&transfer_group={id}")), "{form}");

    // The shopper paid; Stripe's webhook never came. Reconciliation asks.
    Mock::given(method("GET"))
        .and(path("/v1/payment_intents/pi_3Qsplit"))
        .and(header("authorization", "Bearer sk_test_51Hsplit"))
        .respond_with(ResponseTemplate::new(200).set_body_json(intent("succeeded", 11480)))
        .mount(&stripe)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/transfers"))
        .and(header("idempotency-key", format!("split-{id}-socia").as_str()))
        .and(body_string(format!(
            "amount=1148&currency=brl&destination=acct_1Socia&transfer_group={id}&source_transaction=ch_3Qsplit"
        )))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"id": "tr_1Socia", "object": "transfer"})))
        .expect(1)
        .mount(&stripe)
        .await;
    assert_eq!(run_now(&sale, "payments.reconcile", &id).await, 1, "reconciliation was scheduled with the charge");
    let worker = sale.shop.app.worker().await;
    wait_for(&sale, &id, |s| s.iter().any(|(r, _, status, _)| r == "socia" && status == "transferred")).await;
    worker.stop().await;
    let (_, paid) = sale.shop.staff(Method::GET, &format!("/payments/{id}"), None).await;
    assert_eq!(paid["status"], "paid", "{paid}");
    assert_eq!(sale.order().await["status"], "paid");
    assert_eq!(
        splits(&sale, &id).await,
        [
            ("platform".to_owned(), 287, "recorded".to_owned(), None),
            ("socia".to_owned(), 1148, "transferred".to_owned(), Some("tr_1Socia".to_owned())),
            ("entregas".to_owned(), 500, "recorded".to_owned(), None),
        ]
    );
}

#[tokio::test]
async fn reconciliation_of_a_charge_still_pending_asks_again_later_without_spending_attempts() {
    let sale = sale_with(&[("BALCAO_WEBHOOKS_ALLOW_HTTP", "true"), ("BALCAO_WEBHOOKS_ALLOW_PRIVATE", "true")]).await;
    let stripe = MockServer::start().await;
    let account = json!({"credentials": {"secret_key": "sk_test_51Hwait"}, "settings": {"base_url": stripe.uri()}});
    assert_eq!(sale.shop.staff(Method::PUT, "/payment-accounts/stripe", Some(account)).await.0, StatusCode::OK);
    let intent = json!({"id": "pi_3Qwait", "object": "payment_intent", "client_secret": "pi_3Qwait_secret_x",
                        "status": "requires_payment_method", "amount": 11480, "amount_received": 0, "currency": "brl"});
    Mock::given(method("POST"))
        .and(path("/v1/payment_intents"))
        .respond_with(ResponseTemplate::new(200).set_body_json(intent.clone()))
        .mount(&stripe)
        .await;
    Mock::given(method("GET"))
        .and(path("/v1/payment_intents/pi_3Qwait"))
        .respond_with(ResponseTemplate::new(200).set_body_json(intent))
        .expect(1)
        .mount(&stripe)
        .await;
    let (_, payment) = sale.pay("card", "pay-wait-1").await;
    let id = payment["id"].as_str().unwrap().to_owned();
    assert_eq!(run_now(&sale, "payments.reconcile", &id).await, 1);
    let worker = sale.shop.app.worker().await;
    let mut next = None;
    for _ in 0..200 {
        let mut conn = sale.shop.app.core.pool.get().await.unwrap();
        #[derive(diesel::QueryableByName)]
        struct Row {
            #[diesel(sql_type = diesel::sql_types::Double)]
            secs: f64,
            #[diesel(sql_type = diesel::sql_types::Integer)]
            attempts: i32,
        }
        let rows: Vec<Row> = diesel::sql_query(
            "SELECT extract(epoch FROM run_at - now())::float8 AS secs, attempts FROM jobs \
             WHERE kind = 'payments.reconcile' AND payload->>'payment_id' = $1 AND status = 'queued'",
        )
        .bind::<Text, _>(&id)
        .load(&mut conn)
        .await
        .unwrap();
        if let Some(row) = rows.iter().find(|r| r.secs > 30.0) {
            next = Some((row.secs, row.attempts));
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    worker.stop().await;
    let (secs, attempts) = next.expect("the check was deferred");
    // Asked at about age zero: the next check comes near the two-minute mark.
    assert!((100.0..=135.0).contains(&secs), "{secs}");
    assert_eq!(attempts, 0, "a deferred check spends no attempt");
    let (_, still) = sale.shop.staff(Method::GET, &format!("/payments/{id}"), None).await;
    assert_eq!(still["status"], "pending");
}
