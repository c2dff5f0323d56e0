//! Refunds: never more than was captured in total, each with its own state, reason and
//! provider id; the payment and its order move to refunded or partially refunded.
//!
//! [`refund`] runs in phases: [`replay`] (the same `Idempotency-Key` answers the same refund),
//! [`reserve`] (the amount, under the payment's lock), the provider's call, and [`record`]
//! (the outcome, the payment's and the order's moves).

use balcao_core::Core;
use balcao_core::error::{Error, Result};
use balcao_core::id::StoreId;
use balcao_stores::ids::OrderId;
use balcao_stores::orders::ledger::OrderLedger;
use balcao_stores::orders::{Actor, OrderStatus};
use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use super::model::{CreateRefund, MAX_REASON, Refund, RefundId};
use crate::accounts::service as accounts;
use crate::payments::model::{PaymentId, PaymentRow, PaymentStatus};
use crate::payments::rows;
use crate::providers::{Account, ChargeRef, ProviderError, Providers};
use crate::schema::{payments as p, refunds as r};

/// A payment's refunds, oldest first.
pub async fn list(conn: &mut AsyncPgConnection, store: StoreId, payment: PaymentId) -> Result<Vec<Refund>> {
    Ok(r::table
        .filter(r::store_id.eq(store.uuid()))
        .filter(r::payment_id.eq(payment.uuid()))
        .order(r::id.asc())
        .select(Refund::as_select())
        .load(conn)
        .await?)
}

async fn set_status(
    conn: &mut AsyncPgConnection,
    store: StoreId,
    id: RefundId,
    status: &str,
    provider_id: Option<&str>,
    failure: Option<&str>,
) -> Result<Refund> {
    Ok(diesel::update(r::table.filter(r::store_id.eq(store.uuid())).filter(r::id.eq(id.uuid())))
        .set((
            r::status.eq(status),
            r::provider_refund_id.eq(provider_id),
            r::failure_message.eq(failure),
            r::updated_at.eq(Utc::now()),
        ))
        .returning(Refund::as_returning())
        .get_result(conn)
        .await?)
}

/// What a refund needs around it.
#[derive(Clone, Copy)]
pub struct Refunding<'a> {
    /// The shared handles.
    pub core: &'a Core,
    /// The providers.
    pub providers: &'a Providers,
    /// The orders it moves.
    pub orders: &'a dyn OrderLedger,
}

/// Refunds `req.amount` (default: the rest) of a captured payment through its provider.
/// The amount is reserved under the payment's lock first, so concurrent refunds can never add
/// up to more than was captured; a refused refund gives its reservation back.
pub async fn refund(on: Refunding<'_>, store: StoreId, id: PaymentId, req: CreateRefund, key: &str) -> Result<Refund> {
    if req.reason.chars().count() > MAX_REASON {
        return Err(Error::field("reason", "too_long", format!("at most {MAX_REASON} characters")));
    }
    let mut conn = on.core.pool.get().await?;
    if let Some(existing) = replay(&mut conn, store, id, key).await? {
        return Ok(existing);
    }
    let refund_id = RefundId::new();
    let (payment, amount) =
        conn.transaction::<_, Error, _>(async |conn| reserve(conn, store, id, refund_id, &req, key).await).await?;
    let result = call_provider(on, &mut conn, store, &payment, refund_id, amount).await?;
    conn.transaction::<_, Error, _>(async |conn| record(on.orders, conn, store, id, refund_id, amount, result).await)
        .await
}

/// The refund an earlier request with the same key made, if any.
async fn replay(conn: &mut AsyncPgConnection, store: StoreId, id: PaymentId, key: &str) -> Result<Option<Refund>> {
    let Some(existing) = r::table
        .filter(r::store_id.eq(store.uuid()))
        .filter(r::idempotency_key.eq(key))
        .select(Refund::as_select())
        .first(conn)
        .await
        .optional()?
    else {
        return Ok(None);
    };
    if existing.payment_id != id.uuid() {
        return Err(Error::Rule {
            code: balcao_core::problems::IDEMPOTENCY_KEY_REUSED,
            detail: "This Idempotency-Key was used for another refund.".into(),
            field: None,
        });
    }
    Ok(Some(existing))
}

/// Reserves the amount under the payment's lock and records the pending refund.
async fn reserve(
    conn: &mut AsyncPgConnection,
    store: StoreId,
    id: PaymentId,
    refund_id: RefundId,
    req: &CreateRefund,
    key: &str,
) -> Result<(PaymentRow, i64)> {
    let payment = rows::lock(conn, store, id.uuid()).await?;
    let status = PaymentStatus::parse(&payment.status).unwrap_or(PaymentStatus::Pending);
    if !status.captured() {
        return Err(Error::Rule {
            code: crate::problems::PAYMENT_NOT_CAPTURED,
            detail: format!("The payment is `{}`: only paid payments can be refunded.", status.as_str()),
            field: None,
        });
    }
    let remaining = payment.amount - payment.refunded_amount;
    let amount = req.amount.unwrap_or(remaining);
    if amount <= 0 {
        return Err(Error::field("amount", "out_of_range", "must be positive"));
    }
    if amount > remaining {
        return Err(Error::Rule {
            code: crate::problems::REFUND_EXCEEDS_CAPTURED,
            detail: format!(
                "At most {remaining} can still be refunded (captured {}, refunded {}).",
                payment.amount, payment.refunded_amount
            ),
            field: Some("amount".into()),
        });
    }
    diesel::update(p::table.filter(p::store_id.eq(store.uuid())).filter(p::id.eq(payment.id)))
        .set((p::refunded_amount.eq(p::refunded_amount + amount), p::updated_at.eq(Utc::now())))
        .execute(conn)
        .await?;
    diesel::insert_into(r::table)
        .values((
            r::store_id.eq(store.uuid()),
            r::id.eq(refund_id.uuid()),
            r::payment_id.eq(payment.id),
            r::amount.eq(amount),
            r::reason.eq(req.reason.trim()),
            r::status.eq("pending"),
            r::idempotency_key.eq(key),
            r::created_at.eq(Utc::now()),
            r::updated_at.eq(Utc::now()),
        ))
        .execute(conn)
        .await?;
    Ok((payment, amount))
}

/// Asks the payment's provider to refund `amount`; answers its refund id or its refusal.
async fn call_provider(
    on: Refunding<'_>,
    conn: &mut AsyncPgConnection,
    store: StoreId,
    payment: &PaymentRow,
    refund_id: RefundId,
    amount: i64,
) -> Result<std::result::Result<String, ProviderError>> {
    let provider = on
        .providers
        .get(&payment.provider)
        .cloned()
        .ok_or_else(|| Error::internal(format!("payment provider {} is not registered", payment.provider)))?;
    let account = if payment.provider == "sandbox" {
        Account::default()
    } else {
        accounts::open(on.core, conn, store, &payment.provider).await?.unwrap_or_default()
    };
    let refund_ref = refund_id.uuid().simple().to_string();
    Ok(match ChargeRef::of(payment) {
        Some(charge) => provider.refund(&account, charge, &refund_ref, amount).await,
        None => Err(ProviderError::permanent("no_charge", "the payment has no charge at its provider")),
    })
}

/// Records the provider's answer: a refund moves the payment and its order; a refusal gives
/// the reserved amount back.
async fn record(
    orders: &dyn OrderLedger,
    conn: &mut AsyncPgConnection,
    store: StoreId,
    id: PaymentId,
    refund_id: RefundId,
    amount: i64,
    result: std::result::Result<String, ProviderError>,
) -> Result<Refund> {
    let payment = rows::lock(conn, store, id.uuid()).await?;
    let provider_refund_id = match result {
        Ok(provider_refund_id) => provider_refund_id,
        Err(e) => {
            diesel::update(p::table.filter(p::store_id.eq(store.uuid())).filter(p::id.eq(payment.id)))
                .set((p::refunded_amount.eq(p::refunded_amount - amount), p::updated_at.eq(Utc::now())))
                .execute(conn)
                .await?;
            tracing::warn!(payment = %payment.id, code = %e.code, "refund refused by the provider");
            return set_status(conn, store, refund_id, "failed", None, Some(&e.to_string())).await;
        }
    };
    let (status, order_status) = if payment.refunded_amount >= payment.amount {
        (PaymentStatus::Refunded, OrderStatus::Refunded)
    } else {
        (PaymentStatus::PartiallyRefunded, OrderStatus::PartiallyRefunded)
    };
    diesel::update(p::table.filter(p::store_id.eq(store.uuid())).filter(p::id.eq(payment.id)))
        .set((p::status.eq(status.as_str()), p::updated_at.eq(Utc::now())))
        .execute(conn)
        .await?;
    let note = format!("refund of {amount}");
    let order = OrderId(payment.order_id);
    match orders.move_order(conn, store, order, order_status, Actor::System, &note, None).await {
        Ok(_) | Err(Error::Conflict { code: balcao_core::problems::INVALID_TRANSITION, .. }) => {}
        Err(e) => return Err(e),
    }
    set_status(conn, store, refund_id, "succeeded", Some(&provider_refund_id), None).await
}
