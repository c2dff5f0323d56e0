//! Settling payments: confirmation, failure and expiry, each in one transaction with its
//! event and the order's move. A confirmation that arrives twice changes nothing the
//! second time.

use std::sync::Arc;

use balcao_core::error::{Error, Result};
use balcao_core::events;
use balcao_core::id::StoreId;
use balcao_stores::ids::OrderId;
use balcao_stores::orders::ledger::{OrderLedger, PgOrderLedger};
use balcao_stores::orders::{Actor, OrderStatus};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use super::events::{PAYMENT_CONFIRMED, PAYMENT_FAILED};
use super::model::{Payment, PaymentEvent, PaymentRow, PaymentStatus};
use super::rows::lock_by_provider;
use crate::schema::payments as p;
use crate::splits::service as splits;

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

/// Settles payments and moves their orders through the orders' ledger.
#[derive(Clone)]
pub struct Settler {
    orders: Arc<dyn OrderLedger>,
}

impl Default for Settler {
    fn default() -> Self {
        Self::new(Arc::new(PgOrderLedger))
    }
}

impl Settler {
    /// Settles payments moving orders through `orders`.
    pub fn new(orders: Arc<dyn OrderLedger>) -> Self {
        Self { orders }
    }

    /// Marks the payment paid, emits `payment.confirmed` and moves its order to paid, in one
    /// transaction. An amount below the charge is refused (`Unchanged`, logged).
    pub async fn confirm(
        &self,
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
            self.confirm_locked(conn, store, row, amount, at).await
        })
        .await
    }

    /// [`Settler::confirm`] for a payment already locked in the caller's transaction.
    pub async fn confirm_locked(
        &self,
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
        splits::schedule(conn, store, row.id).await?;
        let order = OrderId(row.order_id);
        match self
            .orders
            .move_order(conn, store, order, OrderStatus::Paid, Actor::System, "payment confirmed", None)
            .await
        {
            Ok(_) => {}
            // The order moved on without it (cancelled when its payment window closed): the payment
            // stands and staff refund it; the order is not revived.
            Err(Error::Conflict { code: balcao_core::problems::INVALID_TRANSITION, .. }) => {
                tracing::warn!(payment = %row.id, order = %row.order_id, "payment confirmed for an order that is no longer pending");
            }
            Err(e) => return Err(e),
        }
        Ok(Outcome::Moved)
    }

    /// Marks the payment failed and emits `payment.failed`; the order stays pending so the payer
    /// may try again.
    pub async fn fail(
        &self,
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
            self.fail_locked(conn, store, row, code, message).await
        })
        .await
    }

    /// [`Settler::fail`] for a payment already locked in the caller's transaction.
    pub async fn fail_locked(
        &self,
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
        splits::forget(conn, store, row.id).await?;
        Ok(Outcome::Moved)
    }

    /// Marks an unpaid payment expired and cancels its order (releasing the reserved stock) when
    /// the order still waits for payment.
    pub async fn expire_locked(
        &self,
        conn: &mut AsyncPgConnection,
        store: StoreId,
        row: PaymentRow,
    ) -> Result<Outcome> {
        let status = PaymentStatus::parse(&row.status).unwrap_or(PaymentStatus::Pending);
        if !status.can_move_to(PaymentStatus::Expired) {
            return Ok(Outcome::Unchanged);
        }
        diesel::update(p::table.filter(p::store_id.eq(store.uuid())).filter(p::id.eq(row.id)))
            .set((p::status.eq(PaymentStatus::Expired.as_str()), p::updated_at.eq(Utc::now())))
            .execute(conn)
            .await?;
        splits::forget(conn, store, row.id).await?;
        let order = OrderId(row.order_id);
        match self
            .orders
            .move_order(conn, store, order, OrderStatus::Cancelled, Actor::System, "payment expired", None)
            .await
        {
            Ok(_) | Err(Error::Conflict { code: balcao_core::problems::INVALID_TRANSITION, .. }) => Ok(Outcome::Moved),
            Err(e) => Err(e),
        }
    }
}
