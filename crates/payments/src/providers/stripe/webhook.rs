//! Stripe webhook events, read from a body whose `Stripe-Signature` was already verified by
//! `balcao_webhooks::inbound::stripe::verify`. Nothing here checks signatures.
//!
//! | event type | `data.object` | read as |
//! |---|---|---|
//! | `payment_intent.succeeded` | PaymentIntent | [`EventObject::PaymentIntent`] |
//! | `payment_intent.payment_failed` | PaymentIntent, with `last_payment_error` | [`EventObject::PaymentIntent`] |
//! | `payment_intent.canceled` | PaymentIntent | [`EventObject::PaymentIntent`] |
//! | `charge.refunded` | Charge (`amount_refunded` is the running total) | [`EventObject::ChargeRefunded`] |
//!
//! Any other type parses to `Ok(None)`. Stripe neither orders nor deduplicates deliveries:
//! dedupe on the event id and trust amounts and statuses, not arrival order. A Charge carries
//! the `metadata` its PaymentIntent had when it was confirmed, so refunds find their order too.

use serde::Deserialize;
use serde_json::Value;

use super::client::Refund;
use super::{PaymentIntentStatus, scrub};

/// The event types balcao acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventType {
    /// `payment_intent.succeeded`: the card was charged.
    PaymentIntentSucceeded,
    /// `payment_intent.payment_failed`: an attempt failed; the customer may try again.
    PaymentIntentPaymentFailed,
    /// `payment_intent.canceled`: no more attempts.
    PaymentIntentCanceled,
    /// `charge.refunded`: part or all of a charge went back to the customer.
    ChargeRefunded,
}

impl EventType {
    /// The type for Stripe's `type` field, if balcao handles it.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "payment_intent.succeeded" => Some(Self::PaymentIntentSucceeded),
            "payment_intent.payment_failed" => Some(Self::PaymentIntentPaymentFailed),
            "payment_intent.canceled" => Some(Self::PaymentIntentCanceled),
            "charge.refunded" => Some(Self::ChargeRefunded),
            _ => None,
        }
    }

    /// Stripe's name for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PaymentIntentSucceeded => "payment_intent.succeeded",
            Self::PaymentIntentPaymentFailed => "payment_intent.payment_failed",
            Self::PaymentIntentCanceled => "payment_intent.canceled",
            Self::ChargeRefunded => "charge.refunded",
        }
    }

    /// The `object` value its `data.object` must have.
    fn object_kind(self) -> &'static str {
        match self {
            Self::ChargeRefunded => "charge",
            _ => "payment_intent",
        }
    }
}

/// An event balcao acts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StripeEvent {
    /// `evt_...`, the deduplication key.
    pub id: String,
    /// What happened.
    pub event_type: EventType,
    /// When Stripe created the event, unix seconds.
    pub created: i64,
    /// Whether it comes from live mode (a test event must not settle a real order).
    pub livemode: bool,
    /// The object the event is about.
    pub object: EventObject,
}

/// The `data.object` of an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EventObject {
    /// For the `payment_intent.*` events.
    PaymentIntent(PaymentIntentEvent),
    /// For `charge.refunded`.
    ChargeRefunded(ChargeRefundedEvent),
}

/// A PaymentIntent as an event shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentIntentEvent {
    /// `pi_...`.
    pub id: String,
    /// Where it stands (`requires_payment_method` after a failed attempt).
    pub status: PaymentIntentStatus,
    /// The amount to collect, minor units.
    pub amount: i64,
    /// The amount collected.
    pub amount_received: i64,
    /// balcao's ids, as sent when the PaymentIntent was created.
    pub metadata: PaymentMetadata,
    /// Why the last attempt failed, if it did.
    pub last_payment_error: Option<LastPaymentError>,
}

/// balcao's ids in an object's `metadata`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PaymentMetadata {
    /// `metadata.order_id`.
    pub order_id: Option<String>,
    /// `metadata.payment_id`.
    pub payment_id: Option<String>,
}

/// A PaymentIntent's `last_payment_error`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastPaymentError {
    /// `code` (e.g. `card_declined`), else `decline_code`, else `type`, else `payment_failed`.
    pub code: String,
    /// Stripe's message; for card errors it may be shown to the customer.
    pub message: String,
    /// The issuer's reason, e.g. `insufficient_funds`.
    pub decline_code: Option<String>,
}

/// A refunded Charge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChargeRefundedEvent {
    /// `ch_...`.
    pub id: String,
    /// The PaymentIntent that made the charge.
    pub payment_intent: Option<String>,
    /// The amount charged, minor units.
    pub amount: i64,
    /// The total refunded so far, all refunds included.
    pub amount_refunded: i64,
    /// Whether the charge is fully refunded.
    pub refunded: bool,
    /// balcao's ids, copied from the PaymentIntent when it was confirmed.
    pub metadata: PaymentMetadata,
    /// The refunds, when the payload lists them (API versions since 2022-11-15 leave them out).
    pub refunds: Vec<Refund>,
}

/// A body that is not a Stripe event of a type it claims.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed Stripe event: {0}")]
pub struct MalformedEvent(pub String);

#[derive(Deserialize)]
struct RawEvent {
    id: String,
    created: i64,
    #[serde(default)]
    livemode: bool,
    data: RawData,
}

#[derive(Deserialize)]
struct RawData {
    object: Value,
}

#[derive(Deserialize)]
struct RawPaymentIntent {
    id: String,
    status: PaymentIntentStatus,
    amount: i64,
    #[serde(default)]
    amount_received: i64,
    #[serde(default)]
    metadata: Value,
    last_payment_error: Option<RawPaymentError>,
}

#[derive(Deserialize)]
struct RawPaymentError {
    #[serde(rename = "type")]
    kind: Option<String>,
    code: Option<String>,
    decline_code: Option<String>,
    message: Option<String>,
}

#[derive(Deserialize)]
struct RawCharge {
    id: String,
    amount: i64,
    amount_refunded: i64,
    #[serde(default)]
    refunded: bool,
    payment_intent: Option<String>,
    #[serde(default)]
    metadata: Value,
    refunds: Option<RawRefunds>,
}

#[derive(Deserialize)]
struct RawRefunds {
    #[serde(default)]
    data: Vec<Refund>,
}

/// Reads a verified event body: `Ok(None)` for a type balcao does not handle.
pub fn parse_event(body: &[u8]) -> Result<Option<StripeEvent>, MalformedEvent> {
    let json: Value = serde_json::from_slice(body).map_err(malformed)?;
    let Some(kind) = json.get("type").and_then(Value::as_str) else {
        return Err(MalformedEvent("no type".into()));
    };
    let Some(event_type) = EventType::parse(kind) else { return Ok(None) };
    let raw: RawEvent = serde_json::from_value(json).map_err(malformed)?;
    let object_kind = raw.data.object.get("object").and_then(Value::as_str).unwrap_or_default();
    if object_kind != event_type.object_kind() {
        let expected = event_type.object_kind();
        return Err(MalformedEvent(format!("{} carries {object_kind:?}, not {expected:?}", event_type.as_str())));
    }
    let object = match event_type {
        EventType::ChargeRefunded => EventObject::ChargeRefunded(charge(raw.data.object)?),
        _ => EventObject::PaymentIntent(payment_intent(raw.data.object)?),
    };
    Ok(Some(StripeEvent { id: raw.id, event_type, created: raw.created, livemode: raw.livemode, object }))
}

fn payment_intent(object: Value) -> Result<PaymentIntentEvent, MalformedEvent> {
    let raw: RawPaymentIntent = serde_json::from_value(object).map_err(malformed)?;
    let last_payment_error = raw.last_payment_error.map(|e| {
        let decline_code = present(e.decline_code);
        LastPaymentError {
            code: present(e.code)
                .or_else(|| decline_code.clone())
                .or_else(|| present(e.kind))
                .unwrap_or_else(|| "payment_failed".to_owned()),
            message: present(e.message).map(|m| scrub(&m)).unwrap_or_default(),
            decline_code,
        }
    });
    Ok(PaymentIntentEvent {
        id: raw.id,
        status: raw.status,
        amount: raw.amount,
        amount_received: raw.amount_received,
        metadata: metadata(&raw.metadata),
        last_payment_error,
    })
}

fn charge(object: Value) -> Result<ChargeRefundedEvent, MalformedEvent> {
    let raw: RawCharge = serde_json::from_value(object).map_err(malformed)?;
    Ok(ChargeRefundedEvent {
        id: raw.id,
        payment_intent: present(raw.payment_intent),
        amount: raw.amount,
        amount_refunded: raw.amount_refunded,
        refunded: raw.refunded,
        metadata: metadata(&raw.metadata),
        refunds: raw.refunds.map(|r| r.data).unwrap_or_default(),
    })
}

/// balcao's ids from a `metadata` object (anything else reads as empty).
fn metadata(value: &Value) -> PaymentMetadata {
    let text = |key: &str| value.get(key).and_then(Value::as_str).map(str::to_owned);
    PaymentMetadata { order_id: present(text("order_id")), payment_id: present(text("payment_id")) }
}

fn present(value: Option<String>) -> Option<String> {
    value.filter(|s| !s.trim().is_empty())
}

fn malformed(error: serde_json::Error) -> MalformedEvent {
    MalformedEvent(scrub(&error.to_string()))
}

#[cfg(test)]
#[path = "webhook_tests.rs"]
mod tests;
