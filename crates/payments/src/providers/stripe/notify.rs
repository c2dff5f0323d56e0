//! Stripe's PaymentIntent events, already verified by the receiver: a succeeded intent confirms
//! its payment, a failed one fails it. Settling is idempotent, so an event Stripe delivers twice
//! changes nothing the second time.

use balcao_core::Core;
use balcao_core::error::Error;
use balcao_core::inbound::InboundEvent;
use balcao_core::jobs::JobError;
use chrono::{TimeZone, Utc};

use super::webhook::{EventObject, EventType, parse_event};
use crate::payments::settle::Settler;

/// Settles the payment a verified Stripe event is about; other events are ignored.
pub async fn handle(core: &Core, settle: &Settler, event: &InboundEvent) -> Result<(), JobError> {
    let Some(parsed) =
        parse_event(&event.body).map_err(|e| JobError::Permanent(format!("Stripe event body: {}", e.0)))?
    else {
        return Ok(());
    };
    let EventObject::PaymentIntent(intent) = &parsed.object else { return Ok(()) };
    let at = Utc
        .timestamp_opt(parsed.created, 0)
        .single()
        .and_then(balcao_core::timestamp::in_range)
        .unwrap_or_else(Utc::now);
    let mut conn = core.pool.get().await.map_err(Error::from)?;
    match parsed.event_type {
        EventType::PaymentIntentSucceeded => {
            settle.confirm(&mut conn, event.store_id, "stripe", &intent.id, intent.amount_received, at).await?;
        }
        EventType::PaymentIntentPaymentFailed => {
            let (code, message) = intent
                .last_payment_error
                .as_ref()
                .map(|e| (e.code.clone(), e.message.clone()))
                .unwrap_or_else(|| ("payment_failed".into(), String::new()));
            settle.fail(&mut conn, event.store_id, "stripe", &intent.id, &code, &message).await?;
        }
        _ => {}
    }
    Ok(())
}
