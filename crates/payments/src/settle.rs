//! Settling payments: confirmation, failure and expiry, each in one transaction with its
//! event and the order's move. A confirmation that arrives twice changes nothing the
//! second time.

use balcao_core::error::{Error, Result};
use balcao_core::events;
use balcao_core::id::StoreId;
use balcao_stores::ids::OrderId;
use balcao_stores::orders::service::move_order;
use balcao_stores::orders::{Actor, OrderStatus};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use crate::model::{Payment, PaymentEvent, PaymentRow, PaymentStatus};
use crate::schema::payments as p;

pub use crate::events::{PAYMENT_CONFIRMED, PAYMENT_FAILED};

/// How a settlement went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The payment moved.
    Moved,
    /// It was already there (or past it): nothing changed.
    Unchanged,
    /// No such payment.
    Unknown,
}

async fn lock_by_provider(
    conn: &mut AsyncPgConnection,
    store: StoreId,
    provider: &str,
    provider_payment_id: &str,
) -> Result<Option<PaymentRow>> {
    Ok(p::table
        .filter(p::store_id.eq(store.uuid()))
        .filter(p::provider.eq(provider))
        .filter(p::provider_payment_id.eq(provider_payment_id))
        .select(PaymentRow::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?)
}

/// A payment by id, without locking it.
pub async fn find(conn: &mut AsyncPgConnection, store: StoreId, id: uuid::Uuid) -> Result<PaymentRow> {
    p::table
        .filter(p::store_id.eq(store.uuid()))
        .filter(p::id.eq(id))
        .select(PaymentRow::as_select())
        .first(conn)
        .await
        .optional()?
        .ok_or_else(|| Error::not_found("payment"))
}

/// Locks a payment by id.
pub async fn lock(conn: &mut AsyncPgConnection, store: StoreId, id: uuid::Uuid) -> Result<PaymentRow> {
    p::table
        .filter(p::store_id.eq(store.uuid()))
        .filter(p::id.eq(id))
        .select(PaymentRow::as_select())
        .for_update()
        .first(conn)
        .await
        .optional()?
        .ok_or_else(|| Error::not_found("payment"))
}

fn event(row: &PaymentRow, status: PaymentStatus, failure_code: Option<String>) -> PaymentEvent {
    let payment = Payment::from(row.clone());
    PaymentEvent {
        payment_id: row.id,
        order_id: row.order_id,
        method: payment.method,
        provider: row.provider.clone(),
        amount: row.amount,
        currency: row.currency.clone(),
        status,
        failure_code,
        at: Utc::now(),
    }
}

/// Marks the payment paid, emits `payment.confirmed` and moves its order to paid, in one
/// transaction. An amount below the charge is refused (`Unchanged`, logged).
pub async fn confirm(
    conn: &mut AsyncPgConnection,
    store: StoreId,
    provider: &str,
    provider_payment_id: &str,
    amount: i64,
    at: DateTime<Utc>,
) -> Result<Outcome> {
    conn.transaction(async |conn| {
        let Some(row) = lock_by_provider(conn, store, provider, provider_payment_id).await? else {
            return Ok(Outcome::Unknown);
        };
        confirm_locked(conn, store, row, amount, at).await
    })
    .await
}

/// [`confirm`] for a payment already locked in the caller's transaction.
pub async fn confirm_locked(
    conn: &mut AsyncPgConnection,
    store: StoreId,
    row: PaymentRow,
    amount: i64,
    at: DateTime<Utc>,
) -> Result<Outcome> {
    let status = PaymentStatus::parse(&row.status).unwrap_or(PaymentStatus::Pending);
    if !status.can_move_to(PaymentStatus::Paid) {
        return Ok(Outcome::Unchanged);
    }
    if amount < row.amount {
        tracing::warn!(payment = %row.id, expected = row.amount, amount, "payment confirmed for less than its amount");
        return Ok(Outcome::Unchanged);
    }
    diesel::update(p::table.filter(p::store_id.eq(store.uuid())).filter(p::id.eq(row.id)))
        .set((p::status.eq(PaymentStatus::Paid.as_str()), p::paid_at.eq(Some(at)), p::updated_at.eq(Utc::now())))
        .execute(conn)
        .await?;
    events::emit(conn, Some(store), &PAYMENT_CONFIRMED, &event(&row, PaymentStatus::Paid, None)).await?;
    crate::splits::store::schedule(conn, store, row.id).await?;
    let order = OrderId(row.order_id);
    match move_order(conn, store, order, OrderStatus::Paid, Actor::System, "payment confirmed", None).await {
        Ok(_) => {}
        // The order moved on without it (cancelled when its payment window closed): the payment
        // stands and staff refund it; the order is not revived.
        Err(Error::Conflict { code: "invalid_transition", .. }) => {
            tracing::warn!(payment = %row.id, order = %row.order_id, "payment confirmed for an order that is no longer pending");
        }
        Err(e) => return Err(e),
    }
    Ok(Outcome::Moved)
}

/// Marks the payment failed and emits `payment.failed`; the order stays pending so the payer
/// may try again.
pub async fn fail(
    conn: &mut AsyncPgConnection,
    store: StoreId,
    provider: &str,
    provider_payment_id: &str,
    code: &str,
    message: &str,
) -> Result<Outcome> {
    conn.transaction(async |conn| {
        let Some(row) = lock_by_provider(conn, store, provider, provider_payment_id).await? else {
            return Ok(Outcome::Unknown);
        };
        fail_locked(conn, store, row, code, message).await
    })
    .await
}

/// [`fail`] for a payment already locked in the caller's transaction.
pub async fn fail_locked(
    conn: &mut AsyncPgConnection,
    store: StoreId,
    row: PaymentRow,
    code: &str,
    message: &str,
) -> Result<Outcome> {
    let status = PaymentStatus::parse(&row.status).unwrap_or(PaymentStatus::Pending);
    if !status.can_move_to(PaymentStatus::Failed) {
        return Ok(Outcome::Unchanged);
    }
    diesel::update(p::table.filter(p::store_id.eq(store.uuid())).filter(p::id.eq(row.id)))
        .set((
            p::status.eq(PaymentStatus::Failed.as_str()),
            p::failure_code.eq(Some(code)),
            p::failure_message.eq(Some(message)),
            p::updated_at.eq(Utc::now()),
        ))
        .execute(conn)
        .await?;
    events::emit(conn, Some(store), &PAYMENT_FAILED, &event(&row, PaymentStatus::Failed, Some(code.to_owned())))
        .await?;
    crate::splits::store::forget(conn, store, row.id).await?;
    Ok(Outcome::Moved)
}

/// Marks an unpaid payment expired and cancels its order (releasing the reserved stock) when
/// the order still waits for payment.
pub async fn expire_locked(conn: &mut AsyncPgConnection, store: StoreId, row: PaymentRow) -> Result<Outcome> {
    let status = PaymentStatus::parse(&row.status).unwrap_or(PaymentStatus::Pending);
    if !status.can_move_to(PaymentStatus::Expired) {
        return Ok(Outcome::Unchanged);
    }
    diesel::update(p::table.filter(p::store_id.eq(store.uuid())).filter(p::id.eq(row.id)))
        .set((p::status.eq(PaymentStatus::Expired.as_str()), p::updated_at.eq(Utc::now())))
        .execute(conn)
        .await?;
    crate::splits::store::forget(conn, store, row.id).await?;
    let order = OrderId(row.order_id);
    match move_order(conn, store, order, OrderStatus::Cancelled, Actor::System, "payment expired", None).await {
        Ok(_) | Err(Error::Conflict { code: "invalid_transition", .. }) => Ok(Outcome::Moved),
        Err(e) => Err(e),
    }
}
