//! The events payments emit, written to the outbox in the transaction that settles them.

use balcao_core::events::{EventKind, EventType};
use serde_json::{Value, json};

use super::model::PaymentEvent;

fn example(status: &str, failure: Option<&str>) -> Value {
    json!({
        "payment_id": "019378a2-7777-7d3a-9b2f-0a1b2c3d4e5f",
        "order_id": "019378a2-5c1e-7d3a-9b2f-0a1b2c3d4e5f",
        "method": "pix",
        "provider": "efi",
        "amount": 11480,
        "currency": "BRL",
        "status": status,
        "failure_code": failure,
        "at": "2026-11-29T14:03:00Z"
    })
}

/// A payment was confirmed by its provider.
pub const PAYMENT_CONFIRMED: EventKind<PaymentEvent> = EventKind::new(
    "payment.confirmed",
    "A payment was confirmed by its provider; its order moved to paid in the same transaction. A confirmation \
     the provider repeats is reported once.",
    || example("paid", None),
);

/// A payment was refused.
pub const PAYMENT_FAILED: EventKind<PaymentEvent> = EventKind::new(
    "payment.failed",
    "A payment was refused; the order still waits for payment, so the payer may try again.",
    || example("failed", Some("card_declined")),
);

/// Every event type this crate emits, for the webhook catalog.
pub fn event_types() -> Result<Vec<EventType>, String> {
    Ok(vec![PAYMENT_CONFIRMED.describe()?, PAYMENT_FAILED.describe()?])
}
