//! The client against a wiremock Stripe: exact forms, headers, and how refusals are classified.
//! Response bodies follow the samples in Stripe's API reference.

use std::time::Duration;

use serde_json::{Value, json};
use wiremock::matchers::{body_string, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::*;
use crate::providers::stripe::{DEFAULT_BASE_URL, MAX_RETRY_AFTER};

const ALLOW_PRIVATE: balcao_core::outbound::Policy = balcao_core::outbound::Policy::ALLOW_PRIVATE;

const KEY: &str = "sk_test_51Abc123";
const PI: &str = "pi_3MtwBwLkdIwHu7ix28a3tqPa";

async fn stripe() -> (MockServer, StripeClient) {
    let server = MockServer::start().await;
    let config = StripeConfig {
        base_url: format!("{}/", server.uri()),
        outbound: ALLOW_PRIVATE,
        ..StripeConfig::new(KEY, "whsec_test")
    };
    let client = StripeClient::new(&config).unwrap();
    (server, client)
}

fn payment_intent(status: &str, amount_received: i64, latest_charge: Value) -> Value {
    json!({
        "id": PI, "object": "payment_intent", "amount": 1990, "amount_capturable": 0,
        "amount_details": {"tip": {}}, "amount_received": amount_received, "application": null,
        "application_fee_amount": null, "automatic_payment_methods": {"enabled": true},
        "canceled_at": null, "cancellation_reason": null, "capture_method": "automatic",
        "client_secret": "pi_3MtwBwLkdIwHu7ix28a3tqPa_secret_YrKJUKribcBjcG8HVhfZluoGH",
        "confirmation_method": "automatic", "created": 1680800504, "currency": "brl", "customer": null,
        "description": null, "last_payment_error": null, "latest_charge": latest_charge, "livemode": false,
        "metadata": {"order_id": "ord_42", "payment_id": "pay_7"}, "next_action": null,
        "payment_method": null, "payment_method_types": ["card"], "processing": null,
        "status": status, "transfer_data": null, "transfer_group": null
    })
}

fn stripe_error(kind: &str, code: &str, message: &str) -> Value {
    json!({"error": {"type": kind, "code": code, "message": message,
        "doc_url": format!("https://stripe.com/docs/error-codes/{code}")}})
}

fn order() -> CreatePaymentIntent {
    CreatePaymentIntent {
        amount: 1990,
        currency: Currency::BRL,
        order_id: "ord_42".into(),
        payment_id: "pay_7".into(),
        description: None,
        transfer_group: None,
    }
}

#[tokio::test]
async fn create_payment_intent_sends_the_exact_form_and_headers() {
    let (server, client) = stripe().await;
    // Order: amount, currency, automatic_payment_methods[enabled], metadata[order_id], metadata[payment_id].
    let expected = "amount=1990&currency=brl&automatic_payment_methods%5Benabled%5D=true\
                    &metadata%5Border_id%5D=ord_42&metadata%5Bpayment_id%5D=pay_7";
    Mock::given(method("POST"))
        .and(path("/v1/payment_intents"))
        .and(header("authorization", format!("Bearer {KEY}").as_str()))
        .and(header("stripe-version", API_VERSION))
        .and(header("idempotency-key", "pay_7:create"))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(body_string(expected))
        .respond_with(ResponseTemplate::new(200).set_body_json(payment_intent(
            "requires_payment_method",
            0,
            Value::Null,
        )))
        .expect(1)
        .mount(&server)
        .await;

    let intent = client.create_payment_intent(&order(), "pay_7:create").await.unwrap();
    assert_eq!(intent.id, PI);
    assert_eq!(intent.client_secret, "pi_3MtwBwLkdIwHu7ix28a3tqPa_secret_YrKJUKribcBjcG8HVhfZluoGH");
    assert_eq!(intent.status, PaymentIntentStatus::RequiresPaymentMethod);
    assert_eq!((intent.amount, intent.amount_received, intent.latest_charge.clone()), (1990, 0, None));
    assert!(!format!("{intent:?}").contains("_secret_"), "Debug must hide the client secret");

    let requests = server.received_requests().await.unwrap();
    let pairs: Vec<(String, String)> =
        form_urlencoded::parse(&requests[0].body).map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    let keys: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        keys,
        ["amount", "currency", "automatic_payment_methods[enabled]", "metadata[order_id]", "metadata[payment_id]"]
    );
}

#[tokio::test]
async fn optional_fields_follow_and_are_encoded() {
    let (server, client) = stripe().await;
    let expected = "amount=1990&currency=brl&automatic_payment_methods%5Benabled%5D=true\
                    &metadata%5Border_id%5D=ord_42&metadata%5Bpayment_id%5D=pay_7\
                    &description=Pedido+%2342+%E2%80%93+Caf%C3%A9&transfer_group=ORDER_42";
    Mock::given(method("POST"))
        .and(path("/v1/payment_intents"))
        .and(body_string(expected))
        .respond_with(ResponseTemplate::new(200).set_body_json(payment_intent(
            "requires_payment_method",
            0,
            Value::Null,
        )))
        .expect(1)
        .mount(&server)
        .await;
    let request = CreatePaymentIntent {
        description: Some("Pedido #42 – Café".into()),
        transfer_group: Some("ORDER_42".into()),
        ..order()
    };
    client.create_payment_intent(&request, "k1").await.unwrap();
}

#[tokio::test]
async fn retrieve_is_a_plain_get_and_cancel_a_keyed_post() {
    let (server, client) = stripe().await;
    Mock::given(method("GET"))
        .and(path(format!("/v1/payment_intents/{PI}")))
        .and(header("stripe-version", API_VERSION))
        .respond_with(ResponseTemplate::new(200).set_body_json(payment_intent("succeeded", 1990, json!("ch_3Mtw"))))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path(format!("/v1/payment_intents/{PI}/cancel")))
        .and(header("idempotency-key", "pay_7:cancel"))
        .and(body_string(""))
        .respond_with(ResponseTemplate::new(200).set_body_json(payment_intent("canceled", 0, Value::Null)))
        .expect(1)
        .mount(&server)
        .await;

    let paid = client.retrieve_payment_intent(PI).await.unwrap();
    assert_eq!((paid.status, paid.amount_received), (PaymentIntentStatus::Succeeded, 1990));
    assert_eq!(paid.latest_charge.as_deref(), Some("ch_3Mtw"));
    let canceled = client.cancel_payment_intent(PI, "pay_7:cancel").await.unwrap();
    assert_eq!(canceled.status, PaymentIntentStatus::Canceled);

    let requests = server.received_requests().await.unwrap();
    assert!(requests[0].headers.get("idempotency-key").is_none(), "a GET carries no idempotency key");
}

#[tokio::test]
async fn refunds_and_transfers_send_their_forms() {
    let (server, client) = stripe().await;
    Mock::given(method("POST"))
        .and(path("/v1/refunds"))
        .and(header("idempotency-key", "ref_1"))
        .and(body_string(format!("payment_intent={PI}&amount=500&reason=requested_by_customer")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "re_1Nispe2eZvKYlo2Cd31jOCgZ", "object": "refund", "amount": 500,
            "balance_transaction": "txn_1Nispe2eZvKYlo2CYezqFhEx", "charge": "ch_1NirD82eZvKYlo2CIvbtLWuY",
            "created": 1692942318, "currency": "brl", "metadata": {}, "payment_intent": PI,
            "reason": "requested_by_customer", "receipt_number": null, "source_transfer_reversal": null,
            "status": "succeeded", "transfer_reversal": null
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/v1/transfers"))
        .and(header("idempotency-key", "split_1"))
        .and(body_string(
            "amount=1500&currency=brl&destination=acct_1MTfjCQ9PRzxEwkZ&transfer_group=ORDER_42\
             &source_transaction=ch_3Mtw",
        ))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "id": "tr_1MiN3gLkdIwHu7ixNCZvFdgA", "object": "transfer", "amount": 1500, "amount_reversed": 0,
            "created": 1678043844, "currency": "brl", "destination": "acct_1MTfjCQ9PRzxEwkZ",
            "reversed": false, "source_transaction": "ch_3Mtw", "transfer_group": "ORDER_42"
        })))
        .expect(1)
        .mount(&server)
        .await;

    let refund = client.create_refund(PI, 500, Some(RefundReason::RequestedByCustomer), "ref_1").await.unwrap();
    assert_eq!(
        refund,
        Refund { id: "re_1Nispe2eZvKYlo2Cd31jOCgZ".into(), status: RefundStatus::Succeeded, amount: 500 }
    );
    let transfer = CreateTransfer {
        amount: 1500,
        currency: Currency::BRL,
        destination: "acct_1MTfjCQ9PRzxEwkZ".into(),
        transfer_group: "ORDER_42".into(),
        source_transaction: Some("ch_3Mtw".into()),
    };
    assert_eq!(client.create_transfer(&transfer, "split_1").await.unwrap().id, "tr_1MiN3gLkdIwHu7ixNCZvFdgA");
}

async fn answer(template: ResponseTemplate) -> StripeError {
    let (server, client) = stripe().await;
    Mock::given(method("POST")).respond_with(template).mount(&server).await;
    client.create_payment_intent(&order(), "k").await.unwrap_err()
}

#[tokio::test]
async fn declines_and_bad_requests_are_permanent_with_stripes_code() {
    let mut declined = stripe_error("card_error", "card_declined", "Your card has insufficient funds.");
    declined["error"]["decline_code"] = json!("insufficient_funds");
    let error = answer(ResponseTemplate::new(402).set_body_json(declined).insert_header("request-id", "req_abc")).await;
    assert!(!error.is_retryable());
    assert_eq!((error.status(), error.code()), (Some(402), Some("card_declined")));
    let api = error.api_error().unwrap();
    assert_eq!(api.kind.as_deref(), Some("card_error"));
    assert_eq!(api.decline_code.as_deref(), Some("insufficient_funds"));
    assert_eq!(api.message, "Your card has insufficient funds.");
    assert_eq!(api.request_id.as_deref(), Some("req_abc"));

    let body = stripe_error("invalid_request_error", "parameter_missing", "Missing required param: amount.");
    let error = answer(ResponseTemplate::new(400).set_body_json(body)).await;
    assert!(matches!(&error, StripeError::Refused { status: 400, .. }) && !error.is_retryable());
    assert_eq!(error.code(), Some("parameter_missing"));

    let mut conflict = stripe_error("idempotency_error", "", "Keys for idempotent requests can only be used once.");
    conflict["error"]["code"] = Value::Null;
    let error = answer(ResponseTemplate::new(409).set_body_json(conflict)).await;
    assert!(!error.is_retryable() && error.code().is_none());
}

#[tokio::test]
async fn secrets_never_reach_error_messages() {
    let body = json!({"error": {"type": "invalid_request_error",
        "message": "Invalid API Key provided: sk_test_****************c123"}});
    let error = answer(ResponseTemplate::new(401).set_body_json(body)).await;
    let shown = format!("{error} {error:?}");
    assert!(!shown.contains("sk_test") && !shown.contains("c123") && shown.contains("[redacted]"), "{shown}");
    let error = answer(ResponseTemplate::new(401).set_body_string("<html>")).await;
    assert_eq!(error.api_error().map(|e| e.message.as_str()), Some("Stripe answered 401 Unauthorized"));
}

#[tokio::test]
async fn rate_limits_server_errors_and_lock_timeouts_retry() {
    let body = stripe_error("invalid_request_error", "rate_limit", "Too many requests hit the API too quickly.");
    let error = answer(ResponseTemplate::new(429).set_body_json(body).insert_header("retry-after", "2")).await;
    assert!(error.is_retryable());
    assert_eq!(
        (error.status(), error.retry_after(), error.code()),
        (Some(429), Some(Duration::from_secs(2)), Some("rate_limit"))
    );

    let error =
        answer(ResponseTemplate::new(500).set_body_json(stripe_error("api_error", "", "Something went wrong."))).await;
    assert!(error.is_retryable() && error.retry_after().is_none());
    assert!(answer(ResponseTemplate::new(503)).await.is_retryable());
    let lock = stripe_error("invalid_request_error", "lock_timeout", "This object cannot be accessed right now.");
    assert!(answer(ResponseTemplate::new(409).set_body_json(lock)).await.is_retryable());
    let error = answer(ResponseTemplate::new(429).insert_header("retry-after", "86400")).await;
    assert_eq!(error.retry_after(), Some(MAX_RETRY_AFTER));
}

#[tokio::test]
async fn stripe_should_retry_overrides_the_status() {
    let error = answer(ResponseTemplate::new(500).insert_header("stripe-should-retry", "false")).await;
    assert!(matches!(error, StripeError::Refused { status: 500, .. }));
    let error = answer(ResponseTemplate::new(400).insert_header("stripe-should-retry", "true")).await;
    assert!(error.is_retryable());
}

#[tokio::test]
async fn unreachable_stripe_is_retryable_and_bad_bodies_are_not() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let config = StripeConfig {
        base_url: format!("http://127.0.0.1:{port}"),
        outbound: ALLOW_PRIVATE,
        ..StripeConfig::new(KEY, "whsec_x")
    };
    let error = StripeClient::new(&config).unwrap().retrieve_payment_intent(PI).await.unwrap_err();
    assert!(matches!(error, StripeError::Network(_)) && error.is_retryable(), "{error:?}");

    let error = answer(ResponseTemplate::new(200).set_body_string("{\"id\": 1}")).await;
    assert!(matches!(error, StripeError::Decode(_)) && !error.is_retryable());
}

#[tokio::test]
async fn invalid_input_sends_nothing() {
    let (server, client) = stripe().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(500)).expect(0).mount(&server).await;
    for key in ["", "   ", "has space", " padded", "tab\t", "ção", &"k".repeat(256)] {
        let error = client.create_payment_intent(&order(), key).await.unwrap_err();
        assert!(matches!(error, StripeError::Invalid(_)), "{key:?}");
    }
    assert!(matches!(
        client.create_payment_intent(&CreatePaymentIntent { amount: 0, ..order() }, "k").await,
        Err(StripeError::Invalid(_))
    ));
    let empty_order = CreatePaymentIntent { order_id: " ".into(), ..order() };
    assert!(matches!(client.create_payment_intent(&empty_order, "k").await, Err(StripeError::Invalid(_))));
    for id in ["pi_1/../refunds", "ch_123", "pi_", "pi_1?x=1"] {
        assert!(matches!(client.retrieve_payment_intent(id).await, Err(StripeError::Invalid(_))), "{id}");
        assert!(matches!(client.cancel_payment_intent(id, "k").await, Err(StripeError::Invalid(_))), "{id}");
    }
    assert!(matches!(client.create_refund(PI, -1, None, "k").await, Err(StripeError::Invalid(_))));
    let transfer = CreateTransfer {
        amount: 100,
        currency: Currency::BRL,
        destination: "cus_123".into(),
        transfer_group: "ORDER_42".into(),
        source_transaction: None,
    };
    assert!(matches!(client.create_transfer(&transfer, "k").await, Err(StripeError::Invalid(_))));
}

#[test]
fn new_checks_the_configuration_and_hides_the_key() {
    let config = |base: &str, key: &str| StripeConfig { base_url: base.into(), ..StripeConfig::new(key, "whsec_x") };
    assert!(StripeClient::new(&config("ftp://x", KEY)).is_err());
    assert!(StripeClient::new(&config(DEFAULT_BASE_URL, "pk_test_123")).is_err());
    assert!(StripeClient::new(&config(DEFAULT_BASE_URL, "sk_test_1\r\nX-Evil: 1")).is_err());
    let client = StripeClient::new(&config("https://api.stripe.com/", "rk_live_1")).unwrap();
    assert_eq!(format!("{client:?}"), "StripeClient { base_url: \"https://api.stripe.com\", .. }");
    if let Err(StripeError::Invalid(message)) = StripeClient::new(&config(DEFAULT_BASE_URL, "sk_live_bad key")) {
        assert!(!message.contains("bad"), "{message}");
    } else {
        panic!("a key with a space must be refused");
    }
}
