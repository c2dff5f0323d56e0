//! Refunds: never more than was captured in total, each with its own state, reason and
//! provider id; the payment and its order move to refunded or partially refunded.

use balcao_core::Core;
use balcao_core::error::{Error, Result};
use balcao_core::id::StoreId;
use balcao_stores::ids::OrderId;
use balcao_stores::orders::service::move_order;
use balcao_stores::orders::{Actor, OrderStatus};
use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use crate::accounts;
use crate::model::{CreateRefund, PaymentId, PaymentStatus, Refund, RefundId};
use crate::provider::{ProviderError, Providers};
use crate::schema::{payments as p, refunds as r};
use crate::settle;

/// The longest refund reason.
pub const MAX_REASON: usize = 200;

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

/// Refunds `req.amount` (default: the rest) of a captured payment through its provider.
/// The amount is reserved under the payment's lock first, so concurrent refunds can never add
/// up to more than was captured; a refused refund gives its reservation back.
pub async fn refund(
    core: &Core,
    providers: &Providers,
    store: StoreId,
    id: PaymentId,
    req: CreateRefund,
    key: &str,
) -> Result<Refund> {
    if req.reason.chars().count() > MAX_REASON {
        return Err(Error::field("reason", "too_long", format!("at most {MAX_REASON} characters")));
    }
    let mut conn = core.pool.get().await?;
    if let Some(existing) = r::table
        .filter(r::store_id.eq(store.uuid()))
        .filter(r::idempotency_key.eq(key))
        .select(Refund::as_select())
        .first(&mut conn)
        .await
        .optional()?
    {
        if existing.payment_id != id.uuid() {
            return Err(Error::Rule {
                code: "idempotency_key_reused",
                detail: "This Idempotency-Key was used for another refund.".into(),
                field: None,
            });
        }
        return Ok(existing);
    }
    let refund_id = RefundId::new();
    let (payment, amount) = conn
        .transaction::<_, Error, _>(async |conn| {
            let payment = settle::lock(conn, store, id.uuid()).await?;
            let status = PaymentStatus::parse(&payment.status).unwrap_or(PaymentStatus::Pending);
            if !status.captured() {
                return Err(Error::Rule {
                    code: "payment_not_captured",
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
                    code: "refund_exceeds_captured",
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
        })
        .await?;
    let provider = providers
        .get(&payment.provider)
        .cloned()
        .ok_or_else(|| Error::internal(format!("payment provider {} is not registered", payment.provider)))?;
    let account = if payment.provider == "sandbox" {
        crate::provider::Account::default()
    } else {
        accounts::open(core, &mut conn, store, &payment.provider).await?.unwrap_or_default()
    };
    let refund_ref = refund_id.uuid().simple().to_string();
    let result = match payment.charge() {
        Some(charge) => provider.refund(&account, charge, &refund_ref, amount).await,
        None => Err(ProviderError::permanent("no_charge", "the payment has no charge at its provider")),
    };
    conn.transaction::<_, Error, _>(async |conn| {
        let payment = settle::lock(conn, store, id.uuid()).await?;
        match result {
            Ok(provider_refund_id) => {
                let full = payment.refunded_amount >= payment.amount;
                let (status, order_status) = if full {
                    (PaymentStatus::Refunded, OrderStatus::Refunded)
                } else {
                    (PaymentStatus::PartiallyRefunded, OrderStatus::PartiallyRefunded)
                };
                diesel::update(p::table.filter(p::store_id.eq(store.uuid())).filter(p::id.eq(payment.id)))
                    .set((p::status.eq(status.as_str()), p::updated_at.eq(Utc::now())))
                    .execute(conn)
                    .await?;
                let note = format!("refund of {amount}");
                match move_order(conn, store, OrderId(payment.order_id), order_status, Actor::System, &note, None).await
                {
                    Ok(_) | Err(Error::Conflict { code: "invalid_transition", .. }) => {}
                    Err(e) => return Err(e),
                }
                set_status(conn, store, refund_id, "succeeded", Some(&provider_refund_id), None).await
            }
            Err(e) => {
                diesel::update(p::table.filter(p::store_id.eq(store.uuid())).filter(p::id.eq(payment.id)))
                    .set((p::refunded_amount.eq(p::refunded_amount - amount), p::updated_at.eq(Utc::now())))
                    .execute(conn)
                    .await?;
                tracing::warn!(payment = %payment.id, code = %e.code, "refund refused by the provider");
                set_status(conn, store, refund_id, "failed", None, Some(&e.to_string())).await
            }
        }
    })
    .await
}
