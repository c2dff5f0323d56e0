//! Boletos through a store's EFI account, over the billing API (Cobranças): one charge per
//! payment issued in one step, its linha digitável verified before the payer sees it, and the
//! charge's state for reconciliation.
//!
//! - **Due date**: today (UTC) plus the payment's window in whole days, rounded up. The boleto
//!   goes out with `days_to_write_off: 0`, so EFI refuses payment after the due date.
//! - **Expiry**: a boleto is paid up to its due date, so the payment expires at the end of it:
//!   the next day at 03:00 UTC, midnight in São Paulo. A boleto paid at a bank on its last day
//!   may be reported by the bank after that (compensation takes up to a few business days).
//! - **Refunds**: EFI's billing API does not refund boletos. Refunding a boleto payment is done
//!   outside balcao (a PIX or bank transfer to the payer); the provider refuses with
//!   `refund_unsupported`.

use std::time::Duration;

use chrono::{DateTime, NaiveDate, NaiveTime, TimeDelta, Utc};

use super::account::error;
use super::{BillingCharge, BoletoCustomer, BoletoRequest, EfiBillingClient, IssuedBoleto, PayerDocument};
use crate::br::boleto;
use crate::payments::model::Instructions;
use crate::providers::{Charge, ChargeRef, ChargeRequest, Payer, ProviderError, Remote};

/// Days after the due date EFI still takes payment: none, matching the payment's expiry.
const DAYS_TO_WRITE_OFF: u8 = 0;
const DAY_SECS: u64 = 86_400;
/// 03:00 UTC is midnight in São Paulo (UTC-3, no daylight saving since 2019).
const SAO_PAULO_MIDNIGHT_UTC: NaiveTime = match NaiveTime::from_hms_opt(3, 0, 0) {
    Some(time) => time,
    None => panic!("03:00 is a valid time"),
};

/// Issues the boleto and answers its verified line, barcode and due date.
pub(super) async fn create(client: &EfiBillingClient, req: &ChargeRequest) -> Result<Charge, ProviderError> {
    let today = Utc::now().date_naive();
    let request = boleto_request(req, today)?;
    let issued = client.create_boleto(&request).await.map_err(error)?;
    charge(issued, req.amount, today)
}

/// What EFI says of the boleto's charge.
pub(super) async fn status(client: &EfiBillingClient, charge: ChargeRef<'_>) -> Result<Remote, ProviderError> {
    let found = client.get_charge(charge_id(charge.id)?).await.map_err(error)?;
    Ok(remote(&found, Utc::now()))
}

/// EFI keeps no API for boleto refunds.
pub(super) fn refund_unsupported() -> ProviderError {
    ProviderError::permanent(
        "refund_unsupported",
        "EFI does not refund boletos through its API; refund the payer outside balcao (PIX or bank transfer)",
    )
}

/// The one-step request for a payment: one item `Pedido N` of the whole amount, the payer as
/// customer, the payment's id as `custom_id`.
pub(super) fn boleto_request(req: &ChargeRequest, today: NaiveDate) -> Result<BoletoRequest, ProviderError> {
    Ok(BoletoRequest {
        item_name: format!("Pedido {}", req.order_number),
        amount_cents: req.amount,
        expire_at: due_date(today, req.expires_in),
        customer: customer(&req.payer)?,
        custom_id: Some(req.payment_id.to_string()),
        notification_url: req.notification_url.clone(),
        days_to_write_off: Some(DAYS_TO_WRITE_OFF),
    })
}

/// The payer as EFI's customer: a CPF names a person, a CNPJ a company (`juridical_person`).
fn customer(payer: &Payer) -> Result<BoletoCustomer, ProviderError> {
    let Some(document) = payer.document.as_deref() else {
        return Err(ProviderError::permanent(
            "payer_document_required",
            "a boleto needs the payer's CPF or CNPJ: the order has none",
        ));
    };
    let document = match document.len() {
        11 if document.bytes().all(|b| b.is_ascii_digit()) => PayerDocument::Cpf(document.to_owned()),
        14 if document.bytes().all(|b| b.is_ascii_alphanumeric()) => PayerDocument::Cnpj(document.to_owned()),
        _ => return Err(ProviderError::permanent("invalid_payer_document", "the payer's CPF or CNPJ is malformed")),
    };
    let email = Some(payer.email.trim()).filter(|e| !e.is_empty()).map(str::to_owned);
    let phone_number = payer.phone.as_deref().and_then(brazilian_phone);
    Ok(BoletoCustomer { name: payer.name.trim().to_owned(), document, email, phone_number })
}

/// An E.164 Brazilian number (`+5511987654321`) as EFI wants it (`11987654321`); other
/// numbers are left out rather than refused.
fn brazilian_phone(e164: &str) -> Option<String> {
    let national = e164.trim().strip_prefix("+55")?;
    let ok = (10..=11).contains(&national.len()) && national.bytes().all(|b| b.is_ascii_digit());
    ok.then(|| national.to_owned())
}

/// Today plus the payment's window in whole days, rounded up.
pub(super) fn due_date(today: NaiveDate, expires_in: Duration) -> NaiveDate {
    let days = expires_in.as_secs().div_ceil(DAY_SECS);
    today + TimeDelta::days(i64::try_from(days).unwrap_or(i64::from(i32::MAX)).min(3650))
}

/// The end of a boleto's due date in São Paulo: the next day at 03:00 UTC.
pub(super) fn end_of_due_date(due: NaiveDate) -> DateTime<Utc> {
    (due + TimeDelta::days(1)).and_time(SAO_PAULO_MIDNIGHT_UTC).and_utc()
}

/// The charge balcao keeps: EFI's line only after its check digits, amount and due date hold.
pub(super) fn charge(issued: IssuedBoleto, amount: i64, today: NaiveDate) -> Result<Charge, ProviderError> {
    let invalid = |why: String| ProviderError::permanent("invalid_response", format!("EFI's boleto line {why}"));
    let parsed = boleto::from_line(&issued.line, today).map_err(|e| invalid(format!("was refused: {e}")))?;
    if parsed.amount() != amount {
        return Err(invalid(format!("carries {} centavos, not {amount}", parsed.amount())));
    }
    let due = match (parsed.due_date(), issued.expire_at) {
        (Some(line), Some(efi)) if line != efi => {
            return Err(invalid(format!("is due {line}, but EFI recorded {efi}")));
        }
        (Some(due), _) | (None, Some(due)) => due,
        (None, None) => return Err(invalid("carries no due date".into())),
    };
    let instructions = Instructions {
        boleto_line: Some(parsed.formatted_line()),
        boleto_barcode: Some(parsed.barcode().to_owned()),
        due_date: Some(due),
        ..Instructions::default()
    };
    Ok(Charge {
        provider_payment_id: issued.charge_id.to_string(),
        instructions,
        expires_at: Some(end_of_due_date(due)),
        status: Remote::Pending,
    })
}

/// `paid` or `settled` is paid (the charge's total: EFI reports no other paid value here);
/// `canceled` or `expired` is gone; anything else still waits.
pub(super) fn remote(charge: &BillingCharge, now: DateTime<Utc>) -> Remote {
    if charge.status.is_paid() {
        Remote::Paid { amount: charge.total, at: now }
    } else if charge.status.is_gone() {
        Remote::Gone
    } else {
        Remote::Pending
    }
}

/// EFI's numeric charge id, as stored in `provider_payment_id`.
pub(super) fn charge_id(id: &str) -> Result<u64, ProviderError> {
    id.parse().map_err(|_| ProviderError::permanent("invalid_charge_id", "an EFI boleto charge id is a number"))
}

#[cfg(test)]
#[path = "adapter_boleto_tests.rs"]
mod tests;
