//! Event parsing against payloads shaped like Stripe's documented samples (trimmed of fields
//! balcao ignores, which the parser skips anyway).

use serde_json::{Value, json};

use super::*;
use crate::providers::stripe::RefundStatus;

fn envelope(kind: &str, object: Value) -> Vec<u8> {
    let event = json!({
        "id": "evt_3N4QNsEuwdm0l6U90mrpnapl", "object": "event", "api_version": "2025-10-29.clover",
        "created": 1683299846, "data": {"object": object}, "livemode": false, "pending_webhooks": 1,
        "request": {"id": "req_9mhJ5c4hkvNXQZ", "idempotency_key": "pay_7:create"}, "type": kind
    });
    serde_json::to_vec(&event).unwrap()
}

fn payment_intent(status: &str, amount_received: i64, last_payment_error: Value) -> Value {
    json!({
        "id": "pi_3N4QNsEuwdm0l6U90BvTQ3iC", "object": "payment_intent", "amount": 1990,
        "amount_capturable": 0, "amount_details": {"tip": {}}, "amount_received": amount_received,
        "application": null, "application_fee_amount": null, "automatic_payment_methods": {"enabled": true},
        "canceled_at": null, "cancellation_reason": null, "capture_method": "automatic_async",
        "client_secret": "pi_3N4QNsEuwdm0l6U90BvTQ3iC_secret_mdmwnVjRKp3XszMjOUbyHhxLH",
        "confirmation_method": "automatic", "created": 1683299840, "currency": "brl", "customer": null,
        "description": null, "last_payment_error": last_payment_error, "latest_charge": "ch_3N4QNsEuwdm0l6U90nKdJOpb",
        "livemode": false, "metadata": {"order_id": "ord_42", "payment_id": "pay_7"}, "next_action": null,
        "payment_method": "pm_1N4QO0Euwdm0l6U9H9wJiiVi", "payment_method_types": ["card"], "processing": null,
        "status": status, "transfer_data": null, "transfer_group": "ORDER_42"
    })
}

fn ids() -> PaymentMetadata {
    PaymentMetadata { order_id: Some("ord_42".into()), payment_id: Some("pay_7".into()) }
}

fn intent_of(body: &[u8]) -> (StripeEvent, PaymentIntentEvent) {
    let parsed = parse_event(body).unwrap().unwrap();
    match parsed.object.clone() {
        EventObject::PaymentIntent(intent) => (parsed, intent),
        other => panic!("not a PaymentIntent: {other:?}"),
    }
}

#[test]
fn payment_intent_succeeded() {
    let (event, intent) =
        intent_of(&envelope("payment_intent.succeeded", payment_intent("succeeded", 1990, Value::Null)));
    assert_eq!(event.id, "evt_3N4QNsEuwdm0l6U90mrpnapl");
    assert_eq!(
        (event.event_type, event.created, event.livemode),
        (EventType::PaymentIntentSucceeded, 1683299846, false)
    );
    assert_eq!(
        intent,
        PaymentIntentEvent {
            id: "pi_3N4QNsEuwdm0l6U90BvTQ3iC".into(),
            status: PaymentIntentStatus::Succeeded,
            amount: 1990,
            amount_received: 1990,
            metadata: ids(),
            last_payment_error: None,
        }
    );
}

#[test]
fn payment_intent_payment_failed_keeps_stripes_reason() {
    let error = json!({
        "charge": "ch_3N4QNsEuwdm0l6U90nKdJOpb", "code": "card_declined", "decline_code": "insufficient_funds",
        "doc_url": "https://stripe.com/docs/error-codes/card-declined", "message": "Your card has insufficient funds.",
        "payment_method": {"id": "pm_1N4QO0Euwdm0l6U9H9wJiiVi", "object": "payment_method", "type": "card",
            "card": {"brand": "visa", "last4": "9995", "exp_month": 8, "exp_year": 2030}},
        "type": "card_error"
    });
    let body = envelope("payment_intent.payment_failed", payment_intent("requires_payment_method", 0, error));
    let (event, intent) = intent_of(&body);
    assert_eq!(event.event_type, EventType::PaymentIntentPaymentFailed);
    assert_eq!((intent.status, intent.amount_received), (PaymentIntentStatus::RequiresPaymentMethod, 0));
    assert_eq!(intent.metadata, ids());
    assert_eq!(
        intent.last_payment_error,
        Some(LastPaymentError {
            code: "card_declined".into(),
            message: "Your card has insufficient funds.".into(),
            decline_code: Some("insufficient_funds".into()),
        })
    );

    // Some payloads carry an empty code and only a decline code; 3-D Secure failures carry a code only.
    let error = json!({"code": "", "decline_code": "generic_decline", "message": "Declined.", "type": "card_error"});
    let (_, intent) =
        intent_of(&envelope("payment_intent.payment_failed", payment_intent("requires_payment_method", 0, error)));
    assert_eq!(intent.last_payment_error.map(|e| e.code), Some("generic_decline".into()));
    let error = json!({"code": "payment_intent_authentication_failure", "message": "The provided PaymentMethod has failed authentication."});
    let (_, intent) =
        intent_of(&envelope("payment_intent.payment_failed", payment_intent("requires_payment_method", 0, error)));
    let failure = intent.last_payment_error.unwrap();
    assert_eq!((failure.code.as_str(), failure.decline_code), ("payment_intent_authentication_failure", None));
}

#[test]
fn payment_intent_canceled() {
    let mut object = payment_intent("canceled", 0, Value::Null);
    object["canceled_at"] = json!(1683300000);
    object["cancellation_reason"] = json!("requested_by_customer");
    let (event, intent) = intent_of(&envelope("payment_intent.canceled", object));
    assert_eq!(event.event_type, EventType::PaymentIntentCanceled);
    assert_eq!((intent.status, intent.metadata), (PaymentIntentStatus::Canceled, ids()));
}

fn charge(amount_refunded: i64, refunded: bool) -> Value {
    json!({
        "id": "ch_3N4QNsEuwdm0l6U90nKdJOpb", "object": "charge", "amount": 1990, "amount_captured": 1990,
        "amount_refunded": amount_refunded, "application": null, "application_fee": null,
        "balance_transaction": "txn_3N4QNsEuwdm0l6U90s1pKk5F", "billing_details": {"address": {"country": "BR"},
        "email": null, "name": null, "phone": null}, "calculated_statement_descriptor": "BALCAO", "captured": true,
        "created": 1683299845, "currency": "brl", "customer": null, "description": null, "disputed": false,
        "failure_code": null, "failure_message": null, "livemode": false,
        "metadata": {"order_id": "ord_42", "payment_id": "pay_7"},
        "outcome": {"network_status": "approved_by_network", "risk_level": "normal", "type": "authorized"},
        "paid": true, "payment_intent": "pi_3N4QNsEuwdm0l6U90BvTQ3iC", "payment_method": "pm_1N4QO0Euwdm0l6U9H9wJiiVi",
        "payment_method_details": {"card": {"brand": "visa", "last4": "4242"}, "type": "card"},
        "refunded": refunded, "status": "succeeded", "transfer_group": "ORDER_42"
    })
}

#[test]
fn charge_refunded_reads_the_running_total() {
    let parsed = parse_event(&envelope("charge.refunded", charge(500, false))).unwrap().unwrap();
    assert_eq!(parsed.event_type, EventType::ChargeRefunded);
    let EventObject::ChargeRefunded(refund) = parsed.object else { panic!("not a charge: {parsed:?}") };
    assert_eq!(
        refund,
        ChargeRefundedEvent {
            id: "ch_3N4QNsEuwdm0l6U90nKdJOpb".into(),
            payment_intent: Some("pi_3N4QNsEuwdm0l6U90BvTQ3iC".into()),
            amount: 1990,
            amount_refunded: 500,
            refunded: false,
            metadata: ids(),
            refunds: vec![],
        }
    );
}

#[test]
fn charge_refunded_lists_refunds_when_the_payload_has_them() {
    // API versions before 2022-11-15 embed the refunds; PHP-era payloads show empty metadata as [].
    let mut object = charge(1990, true);
    object["metadata"] = json!([]);
    object["refunds"] = json!({"object": "list", "has_more": false, "total_count": 2, "data": [
        {"id": "re_2", "object": "refund", "amount": 1490, "charge": "ch_3N4QNsEuwdm0l6U90nKdJOpb", "status": "succeeded"},
        {"id": "re_1", "object": "refund", "amount": 500, "charge": "ch_3N4QNsEuwdm0l6U90nKdJOpb", "status": "pending"}
    ]});
    let parsed = parse_event(&envelope("charge.refunded", object)).unwrap().unwrap();
    let EventObject::ChargeRefunded(refund) = parsed.object else { panic!("not a charge") };
    assert!(refund.refunded && refund.amount_refunded == 1990);
    assert_eq!(refund.metadata, PaymentMetadata::default());
    let refunds: Vec<(&str, i64, RefundStatus)> =
        refund.refunds.iter().map(|r| (r.id.as_str(), r.amount, r.status)).collect();
    assert_eq!(refunds, [("re_2", 1490, RefundStatus::Succeeded), ("re_1", 500, RefundStatus::Pending)]);
}

#[test]
fn other_event_types_are_ignored() {
    for kind in ["payment_intent.created", "charge.succeeded", "customer.created", "refund.updated"] {
        assert_eq!(parse_event(&envelope(kind, json!({"id": "x", "object": "whatever"}))), Ok(None), "{kind}");
    }
    // An unhandled type needs nothing else to be well formed.
    assert_eq!(parse_event(br#"{"type": "v2.core.event_destination.ping"}"#), Ok(None));
}

#[test]
fn malformed_bodies_are_errors() {
    assert!(parse_event(b"not json").is_err());
    assert!(parse_event(br#"{"id": "evt_1"}"#).is_err());
    let wrong_object = envelope("payment_intent.succeeded", charge(0, false));
    assert!(parse_event(&wrong_object).unwrap_err().0.contains("\"charge\""));
    let mut no_amount = payment_intent("succeeded", 1990, Value::Null);
    no_amount.as_object_mut().unwrap().remove("amount");
    assert!(parse_event(&envelope("payment_intent.succeeded", no_amount)).is_err());
}

#[test]
fn event_type_names_round_trip() {
    for t in [
        EventType::PaymentIntentSucceeded,
        EventType::PaymentIntentPaymentFailed,
        EventType::PaymentIntentCanceled,
        EventType::ChargeRefunded,
    ] {
        assert_eq!(EventType::parse(t.as_str()), Some(t));
    }
}
