//! Reading `payments` rows by id or by the provider's id, plain or locked for an update in the
//! caller's transaction.

use balcao_core::error::{Error, Result};
use balcao_core::id::StoreId;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::model::PaymentRow;
use crate::schema::payments as p;

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

/// Locks a payment by its provider's id, when there is one.
pub async fn lock_by_provider(
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

/// A store's payment by its client's `Idempotency-Key`.
pub async fn by_key(conn: &mut AsyncPgConnection, store: StoreId, key: &str) -> Result<Option<PaymentRow>> {
    Ok(p::table
        .filter(p::store_id.eq(store.uuid()))
        .filter(p::idempotency_key.eq(key))
        .select(PaymentRow::as_select())
        .first(conn)
        .await
        .optional()?)
}
