//! Cards through a store's Stripe account: the exact PaymentIntent and refund requests.

use diesel::sql_types::Text;
use diesel_async::RunQueryDsl;
use reqwest::{Method, StatusCode};
use serde_json::json;
use wiremock::matchers::{body_string, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::sandbox::sale_with;

#[tokio::test]
async fn a_stripe_account_takes_card_payments_and_refunds_with_the_exact_requests() {
    let sale = sale_with(&[("BALCAO_WEBHOOKS_ALLOW_HTTP", "true"), ("BALCAO_WEBHOOKS_ALLOW_PRIVATE", "true")]).await;
    let stripe = MockServer::start().await;
    let (status, problem) = sale
        .shop
        .staff(Method::PUT, "/payment-accounts/stripe", Some(json!({"credentials": {"secret_key": "pk_wrong"}})))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "credentials.secret_key");
    let (status, account) = sale
        .shop
        .staff(
            Method::PUT,
            "/payment-accounts/stripe",
            Some(json!({"credentials": {"secret_key": "sk_test_51Hbalcao"}, "settings": {"base_url": stripe.uri()}})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{account}");
    assert_eq!(account["configured_credentials"], json!(["secret_key"]));
    let (_, accounts) = sale.shop.staff(Method::GET, "/payment-accounts", None).await;
    assert!(!accounts.to_string().contains("sk_test_51Hbalcao"), "{accounts}");

    Mock::given(method("POST"))
        .and(path("/v1/payment_intents"))
        .and(header("authorization", "Bearer sk_test_51Hbalcao"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "pi_3Qbalcao", "object": "payment_intent", "client_secret": "pi_3Qbalcao_secret_xyz",
            "status": "requires_payment_method", "amount": 11480, "amount_received": 0, "currency": "brl"
        })))
        .expect(1)
        .mount(&stripe)
        .await;
    let (status, payment) = sale.pay("card", "pay-stripe-1").await;
    assert_eq!(status, StatusCode::CREATED, "{payment}");
    assert_eq!(payment["provider"], "stripe");
    assert_eq!(payment["provider_payment_id"], "pi_3Qbalcao");
    assert_eq!(payment["instructions"]["client_secret"], "pi_3Qbalcao_secret_xyz");
    let id = payment["id"].as_str().unwrap().to_owned();
    let requests = stripe.received_requests().await.unwrap();
    let form = String::from_utf8(requests[0].body.clone()).unwrap();
    assert_eq!(
        form,
        format!(
            "amount=11480&currency=brl&automatic_payment_methods%5Benabled%5D=true&metadata%5Border_id%5D={}\
             &metadata%5Bpayment_id%5D={id}&description=Loja+Teste+-+pedido+1001",
            sale.order
        )
    );
    assert_eq!(requests[0].headers["idempotency-key"], format!("payment-{id}").as_str());

    // Stripe confirmed it (as its webhook would).
    let mut conn = sale.shop.app.core.pool.get().await.unwrap();
    diesel::sql_query("UPDATE payments SET status = 'paid', paid_at = now() WHERE id = $1::uuid")
        .bind::<Text, _>(&id)
        .execute(&mut conn)
        .await
        .unwrap();
    drop(conn);
    Mock::given(method("POST"))
        .and(path("/v1/refunds"))
        .and(body_string("payment_intent=pi_3Qbalcao&amount=5000"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "re_1Qbalcao", "object": "refund", "status": "succeeded", "amount": 5000
        })))
        .expect(1)
        .mount(&stripe)
        .await;
    let response = sale
        .shop
        .app
        .request(Method::POST, &format!("/v1/stores/{}/payments/{id}/refunds", sale.shop.store), Some(&sale.shop.token))
        .header("Idempotency-Key", "refund-stripe-1")
        .json(&json!({"amount": 5000}))
        .send()
        .await
        .unwrap();
    let (status, refund) = balcao_tests::parse(response).await;
    assert_eq!(status, StatusCode::CREATED, "{refund}");
    assert_eq!(
        (refund["status"].as_str(), refund["provider_refund_id"].as_str()),
        (Some("succeeded"), Some("re_1Qbalcao"))
    );
}
