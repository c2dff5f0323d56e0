//! EFI's notifications. PIX: EFI posts the PIX it received (`{"pix": [...]}`, over mutual TLS,
//! checked by the receiver); each one carrying a charge's txid confirms its payment.
//!
//! Billing notifications: on every status change of a boleto's charge EFI posts the form
//! `notification=<token>` to the charge's notification URL. The body says nothing else; balcao
//! reads the token back (`GET /v1/notification/:token`) with the store's own credentials, which
//! is what makes the notification trustworthy, and settles every charge the answer shows paid.
//!
//! The same token comes with every change of a charge (`waiting`, then `paid`), so each
//! delivery is processed and settlement is idempotent. A cancelled or expired charge is left to
//! the payment's expiry job, which asks EFI once more and cancels the order.

use std::collections::BTreeMap;

use balcao_core::Core;
use balcao_core::error::Error;
use balcao_core::inbound::InboundEvent;
use balcao_core::jobs::JobError;
use chrono::{DateTime, Utc};

use super::account::EfiClients;
use super::{EfiError, NotificationEntry, parse_pix_webhook};
use crate::accounts::service as accounts;
use crate::payments::settle::{Outcome, Settler};

pub use balcao_core::inbound::efi::notification_token;

/// A payment a notification shows paid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settlement {
    /// EFI's charge id (the payment's `provider_payment_id`).
    pub charge_id: u64,
    /// The amount paid, when EFI reported it (`settled` charges may not carry one).
    pub amount: Option<i64>,
    /// When EFI recorded the payment.
    pub at: DateTime<Utc>,
}

/// The paid (`paid` or `settled`) single charges of a notification's history, one per charge
/// (its latest payment entry). Cancelled and expired charges are logged and left alone.
pub fn settlements(entries: &[NotificationEntry], now: DateTime<Utc>) -> Vec<Settlement> {
    let mut paid = BTreeMap::new();
    for entry in entries.iter().filter(|e| e.kind == "charge") {
        let Some(charge_id) = entry.charge_id else { continue };
        if entry.status.is_paid() {
            // The bank's day starts at midnight in São Paulo, 03:00 UTC.
            let bank_day = entry.received_by_bank_at.and_then(|d| d.and_hms_opt(3, 0, 0)).map(|t| t.and_utc());
            let at = entry.created_at.or(bank_day).unwrap_or(now);
            paid.insert(charge_id, Settlement { charge_id, amount: entry.value, at });
        } else if entry.status.is_gone() {
            tracing::info!(charge_id, status = ?entry.status, "EFI closed a boleto charge; its payment expires on schedule");
        }
    }
    paid.into_values().collect()
}

fn job_error(e: EfiError) -> JobError {
    if e.is_retryable() { JobError::retry(e) } else { JobError::Permanent(format!("EFI notification: {e}")) }
}

/// What EFI's notifications need: the shared handles, the settler and the billing clients.
#[derive(Clone, Copy)]
pub struct Notified<'a> {
    /// The shared handles.
    pub core: &'a Core,
    /// Settles the payments.
    pub settle: &'a Settler,
    /// The accounts' clients.
    pub clients: &'a EfiClients,
}

/// Settles the payments a verified EFI notification is about: a boleto's billing notification
/// or the PIX webhook.
pub async fn handle(on: Notified<'_>, event: &InboundEvent) -> Result<(), JobError> {
    // A boleto's notification (`notification=<token>`), read back from EFI's billing API.
    if let Some(token) = notification_token(&event.body) {
        return settle_notification(on, event, &token).await;
    }
    let payments = parse_pix_webhook(&event.body).map_err(|e| JobError::Permanent(format!("EFI webhook body: {e}")))?;
    let mut conn = on.core.pool.get().await.map_err(Error::from)?;
    for pix in payments {
        let Some(txid) = pix.txid.as_deref() else { continue };
        let outcome = on.settle.confirm(&mut conn, event.store_id, "efi", txid, pix.amount_cents, pix.paid_at).await?;
        if outcome == Outcome::Unknown {
            tracing::warn!(store = %event.store_id, %txid, "EFI confirmed a charge balcao does not know");
        }
    }
    Ok(())
}

/// Reads the notification `token` with the store's EFI account and confirms each payment it
/// shows paid. No active EFI account fails the event for good (staff can replay it later).
pub async fn settle_notification(on: Notified<'_>, event: &InboundEvent, token: &str) -> Result<(), JobError> {
    let core = on.core;
    let store = event.store_id;
    let account = {
        let mut conn = core.pool.get().await.map_err(Error::from)?;
        accounts::open(core, &mut conn, store, "efi").await?
    };
    let Some(account) = account else {
        return Err(JobError::Permanent(
            "an EFI notification arrived for a store without an active EFI account".into(),
        ));
    };
    let client = on
        .clients
        .billing(&account)
        .map_err(|e| if e.retryable { JobError::retry(e) } else { JobError::Permanent(e.to_string()) })?;
    let entries = client.get_notification(token).await.map_err(job_error)?;
    for paid in settlements(&entries, Utc::now()) {
        let amount = match paid.amount {
            Some(amount) => amount,
            None => client.get_charge(paid.charge_id).await.map_err(job_error)?.total,
        };
        let id = paid.charge_id.to_string();
        let mut conn = core.pool.get().await.map_err(Error::from)?;
        let outcome = on.settle.confirm(&mut conn, store, "efi", &id, amount, paid.at).await?;
        if outcome == Outcome::Unknown {
            tracing::warn!(store = %store, charge_id = %id, "EFI confirmed a boleto balcao does not know");
        }
    }
    Ok(())
}

#[cfg(test)]
#[path = "notify_tests.rs"]
mod tests;
