//! PagBank's notifications: PagBank posts the whole order to the order's `notification_urls`
//! whenever one of its charges changes. The receiver has already checked `x-authenticity-token`;
//! here a paid charge confirms the payment (the order's `ORDE_...` id is its provider id) and a
//! charge declined or cancelled before any money moved fails it. Settling is idempotent, so a
//! notification delivered twice changes nothing the second time.

use balcao_core::Core;
use balcao_core::error::Error;
use balcao_core::inbound::InboundEvent;
use balcao_core::jobs::JobError;
use chrono::{DateTime, Utc};

use super::model::{ChargeStatus, Order};
use crate::payments::settle::{Outcome, Settler};

/// What a notification body holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Notification {
    /// An order (the Orders API's notifications).
    Order(Box<Order>),
    /// A legacy `notificationCode` form (the old transactions API), which balcao does not use.
    Legacy,
}

/// What a notification does to the payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settlement {
    /// Confirm it: this much was paid, at this time.
    Paid { amount: i64, at: DateTime<Utc> },
    /// Fail it with PagBank's code and message.
    Failed { code: String, message: String },
}

/// Reads a notification body; anything but an order or a legacy form fails for good.
pub fn parse(body: &[u8]) -> Result<Notification, JobError> {
    match serde_json::from_slice::<Order>(body) {
        Ok(order) => Ok(Notification::Order(Box::new(order))),
        Err(e) => {
            let legacy = serde_json::from_slice::<serde_json::Value>(body).is_err()
                && form_urlencoded::parse(body).any(|(k, v)| k == "notificationCode" && !v.is_empty());
            if legacy {
                Ok(Notification::Legacy)
            } else {
                Err(JobError::Permanent(format!("PagBank notification body: {e}")))
            }
        }
    }
}

/// The settlements an order calls for: a confirmation per paid charge (paid amount, `paid_at`
/// or `received_at`); only when nothing was paid, a failure per charge declined or cancelled
/// without money having moved.
pub fn settlements(order: &Order, received_at: DateTime<Utc>) -> Vec<Settlement> {
    let paid: Vec<Settlement> = order
        .charges
        .iter()
        .filter(|c| c.status == ChargeStatus::Paid)
        .map(|c| Settlement::Paid { amount: c.paid_amount(), at: c.paid_at.unwrap_or(received_at) })
        .collect();
    if !paid.is_empty() {
        return paid;
    }
    order
        .charges
        .iter()
        .filter(|c| c.failed_unpaid())
        .map(|c| {
            let (code, message) = c.failure();
            Settlement::Failed { code, message }
        })
        .collect()
}

/// Settles the payment a verified PagBank notification is about.
pub async fn handle(core: &Core, settle: &Settler, event: &InboundEvent) -> Result<(), JobError> {
    let order = match parse(&event.body)? {
        Notification::Order(order) => order,
        Notification::Legacy => {
            tracing::warn!(store = %event.store_id, event = %event.id, "PagBank legacy notificationCode ignored");
            return Ok(());
        }
    };
    let settlements = settlements(&order, event.received_at);
    if settlements.is_empty() {
        return Ok(());
    }
    let mut conn = core.pool.get().await.map_err(Error::from)?;
    for settlement in settlements {
        let outcome = match settlement {
            Settlement::Paid { amount, at } => {
                settle.confirm(&mut conn, event.store_id, "pagbank", &order.id, amount, at).await?
            }
            Settlement::Failed { code, message } => {
                settle.fail(&mut conn, event.store_id, "pagbank", &order.id, &code, &message).await?
            }
        };
        if outcome == Outcome::Unknown {
            tracing::warn!(store = %event.store_id, order = %order.id, "PagBank notified an order balcao does not know");
        }
    }
    Ok(())
}

#[cfg(test)]
#[path = "notify_tests.rs"]
mod tests;
