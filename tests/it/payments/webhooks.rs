//! Provider confirmations through the inbound receivers: EFI's PIX webhook and Stripe's
//! PaymentIntent events settle the payment and its order once, however often they arrive.

use std::time::Duration;

use balcao_tests::clock;
use diesel::sql_types::Text;
use diesel_async::RunQueryDsl;
use hmac::{Hmac, Mac};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::sandbox::{Sale, sale};

impl Sale {
    /// Makes the payment look created through `provider` with `remote_id`, as its adapter would.
    async fn as_provider(&self, payment: &str, provider: &str, remote_id: &str) {
        let mut conn = self.shop.app.core.pool.get().await.unwrap();
        diesel::sql_query("UPDATE payments SET provider = $1, provider_payment_id = $2 WHERE id = $3::uuid")
            .bind::<Text, _>(provider)
            .bind::<Text, _>(remote_id)
            .bind::<Text, _>(payment)
            .execute(&mut conn)
            .await
            .unwrap();
    }

    async fn source(&self, provider: &str, body: Value) {
        let (status, source) = self.shop.staff(Method::PUT, &format!("/inbound-sources/{provider}"), Some(body)).await;
        assert_eq!(status, StatusCode::OK, "{source}");
    }

    async fn wait_payment(&self, id: &str, status: &str) -> Value {
        let mut payment = Value::Null;
        for _ in 0..100 {
            payment = self.shop.staff(Method::GET, &format!("/payments/{id}"), None).await.1;
            if payment["status"] == status {
                return payment;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("payment never reached {status}: {payment}");
    }
}

#[tokio::test]
async fn an_efi_pix_webhook_marks_payment_and_order_paid_once_even_when_delivered_twice() {
    let sale = sale().await;
    let (_, payment) = sale.pay("pix", "pay-efi").await;
    let id = payment["id"].as_str().unwrap().to_owned();
    let txid = id.replace('-', "");
    sale.as_provider(&id, "efi", &txid).await;
    sale.source("efi", json!({"secrets": {"hmac_secret": "efi-hmac-42"}, "ip_allowlist": []})).await;
    let worker = sale.shop.app.worker().await;

    let paid_at = clock::at(-chrono::Duration::minutes(1));
    let body =
        json!({"pix": [{"endToEndId": "E18236120202611291000s0123456789", "txid": txid, "chave": "loja@example.com",
        "valor": "114.80", "horario": clock::brasilia_rfc3339(paid_at)}]})
        .to_string();
    // EFI appends `/pix` to the registered URL; both forms reach the receiver.
    let base = format!("{}/v1/inbound/efi/{}", sale.shop.app.base, sale.shop.store);
    for url in [format!("{base}/pix?hmac=efi-hmac-42"), format!("{base}?hmac=efi-hmac-42")] {
        let response = sale
            .shop
            .app
            .client
            .post(&url)
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }
    let paid = sale.wait_payment(&id, "paid").await;
    assert_eq!(paid["paid_at"], clock::utc_rfc3339(paid_at));
    assert_eq!(sale.order().await["status"], "paid");
    tokio::time::sleep(Duration::from_millis(500)).await;
    let confirmed = sale
        .count("SELECT count(*) AS n FROM outbox_events WHERE store_id = $1 AND event_type = 'payment.confirmed'")
        .await;
    let order_paid =
        sale.count("SELECT count(*) AS n FROM outbox_events WHERE store_id = $1 AND event_type = 'order.paid'").await;
    assert_eq!((confirmed, order_paid), (1, 1), "confirmed once");

    let (status, _) = sale
        .shop
        .app
        .client
        .post(format!("{base}/pix?hmac=wrong"))
        .body(body)
        .send()
        .await
        .map(|r| (r.status(), ()))
        .unwrap();
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    worker.stop().await;
}

fn stripe_signature(secret: &str, body: &str) -> String {
    let timestamp = chrono::Utc::now().timestamp();
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{timestamp}.{body}").as_bytes());
    format!("t={timestamp},v1={}", hex::encode(mac.finalize().into_bytes()))
}

#[tokio::test]
async fn stripe_events_confirm_or_fail_card_payments_once() {
    let sale = sale().await;
    let (_, payment) = sale.pay("card", "pay-stripe").await;
    let id = payment["id"].as_str().unwrap().to_owned();
    sale.as_provider(&id, "stripe", "pi_3QxYZ123").await;
    let secret = "whsec_test_payments_1";
    sale.source("stripe", json!({"secrets": {"signing_secret": secret}})).await;
    let worker = sale.shop.app.worker().await;
    let url = format!("{}/v1/inbound/stripe/{}", sale.shop.app.base, sale.shop.store);
    let event = |event_id: &str, kind: &str, status: &str| {
        json!({"id": event_id, "object": "event", "type": kind, "created": 1_764_410_400, "livemode": false,
            "data": {"object": {"id": "pi_3QxYZ123", "object": "payment_intent", "status": status, "amount": 11480,
                "amount_received": if status == "succeeded" { 11480 } else { 0 }, "currency": "brl",
                "metadata": {"order_id": sale.order, "payment_id": id}, "last_payment_error": null}}})
        .to_string()
    };
    let succeeded = event("evt_1", "payment_intent.succeeded", "succeeded");
    let again = event("evt_2", "payment_intent.succeeded", "succeeded");
    for body in [&succeeded, &again] {
        let response = sale
            .shop
            .app
            .client
            .post(&url)
            .header("stripe-signature", stripe_signature(secret, body))
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
    }
    sale.wait_payment(&id, "paid").await;
    assert_eq!(sale.order().await["status"], "paid");
    let forged = event("evt_3", "payment_intent.payment_failed", "requires_payment_method");
    let response = sale
        .shop
        .app
        .client
        .post(&url)
        .header("stripe-signature", stripe_signature("whsec_someone_else", &forged))
        .body(forged)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    tokio::time::sleep(Duration::from_millis(500)).await;
    let confirmed = sale
        .count("SELECT count(*) AS n FROM outbox_events WHERE store_id = $1 AND event_type = 'payment.confirmed'")
        .await;
    assert_eq!(confirmed, 1, "two succeeded events (another event id, same intent) confirm once");
    worker.stop().await;
}
