//! Creating a payment, in phases: [`replay`] (the same `Idempotency-Key` answers the same
//! payment), [`reserve`] (the order, one payment in progress per order, the account and
//! provider that take the method), [`charge`] (the provider's call) and [`record`] (the charge,
//! an immediate settlement, the order's hold and the payment's jobs).

use std::sync::Arc;
use std::time::Duration;

use balcao_core::Core;
use balcao_core::error::{Error, Result};
use balcao_core::id::StoreId;
use balcao_core::tenancy::stores::StoreService;
use balcao_stores::ids::OrderId;
use balcao_stores::orders::ledger::OrderLedger;
use balcao_stores::orders::{Order, OrderStatus};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use super::model::{CreatePayment, Method, Payment, PaymentId, PaymentRow, PaymentStatus};
use super::rows;
use super::settle::Settler;
use crate::accounts::service as accounts;
use crate::jobs::schedule::{self, ExpirePayload};
use crate::providers::{Account, Charge, ChargeRequest, Payer, PaymentProvider, ProviderError, Providers, Remote};
use crate::schema::payments as p;
use crate::splits::model::SplitShare;
use crate::splits::service as splits;

/// How long a PIX charge or card payment waits for the payer.
pub const PIX_EXPIRY: Duration = Duration::from_secs(3600);
/// The shortest PIX charge: an order about to expire still gets a payable code.
pub const MIN_PIX_EXPIRY: Duration = Duration::from_secs(60);
/// How long a boleto waits (three days; the bank's due date).
pub const BOLETO_EXPIRY: Duration = Duration::from_secs(3 * 86_400);
/// How long after a boleto's due date its payment may still be reported (bank clearing).
pub const BOLETO_CLEARING: Duration = Duration::from_secs(3 * 86_400);

/// What creating a payment needs around it.
#[derive(Clone, Copy)]
pub struct Creating<'a> {
    /// The shared handles.
    pub core: &'a Core,
    /// The providers.
    pub providers: &'a Providers,
    /// The orders it reads and holds.
    pub orders: &'a dyn OrderLedger,
    /// The stores (their names, for the payer's screens).
    pub stores: &'a Arc<dyn StoreService>,
    /// Settles a charge the provider refused or settled at once.
    pub settle: &'a Settler,
}

/// A payment reserved for an order, before its provider is called.
struct Reserved {
    id: PaymentId,
    order_id: uuid::Uuid,
    order: Order,
    store_name: String,
    provider_name: &'static str,
    provider: Arc<dyn PaymentProvider>,
    account: Account,
    splits: Vec<SplitShare>,
}

fn provider_error(e: ProviderError) -> Error {
    if e.retryable {
        Error::Unavailable(format!("payment provider: {e}"))
    } else {
        Error::Rule {
            code: crate::problems::PROVIDER_REFUSED,
            detail: format!("The payment provider refused: {}", e.message),
            field: None,
        }
    }
}

/// Creates a payment for a pending order through the store's provider for its method.
pub async fn create(
    on: Creating<'_>,
    store: StoreId,
    order_id: uuid::Uuid,
    req: CreatePayment,
    key: &str,
) -> Result<Payment> {
    let mut conn = on.core.pool.get().await?;
    if let Some(existing) = replay(&mut conn, store, order_id, &req, key).await? {
        return Ok(existing);
    }
    let reserved = reserve(on, &mut conn, store, order_id, &req, key).await?;
    let charge = match charge(on, store, &reserved, &req).await {
        Ok(charge) => charge,
        Err(e) => {
            let row = rows::find(&mut conn, store, reserved.id.uuid()).await?;
            conn.transaction::<_, Error, _>(async |conn| {
                on.settle.fail_locked(conn, store, row, &e.code, &e.message).await.map(drop)
            })
            .await?;
            return Err(provider_error(e));
        }
    };
    let row = conn
        .transaction::<_, Error, _>(async |conn| record(on, conn, store, &reserved, req.method, charge).await)
        .await?;
    Ok(row.into())
}

/// The payment an earlier request with the same key made, if any (for the same order and method).
async fn replay(
    conn: &mut AsyncPgConnection,
    store: StoreId,
    order_id: uuid::Uuid,
    req: &CreatePayment,
    key: &str,
) -> Result<Option<Payment>> {
    let Some(existing) = rows::by_key(conn, store, key).await? else { return Ok(None) };
    if existing.order_id != order_id || existing.method != req.method.as_str() {
        return Err(Error::Rule {
            code: balcao_core::problems::IDEMPOTENCY_KEY_REUSED,
            detail: "This Idempotency-Key was used for another payment.".into(),
            field: None,
        });
    }
    Ok(Some(existing.into()))
}

/// Checks the order waits for payment, picks the provider and records the pending payment
/// (with its split shares), refusing a second payment in progress for the order.
async fn reserve(
    on: Creating<'_>,
    conn: &mut AsyncPgConnection,
    store: StoreId,
    order_id: uuid::Uuid,
    req: &CreatePayment,
    key: &str,
) -> Result<Reserved> {
    let order = on.orders.load(conn, store, OrderId(order_id)).await?;
    if order.status != OrderStatus::PendingPayment {
        let detail =
            format!("The order is `{}`; only orders waiting for payment take payments.", order.status.as_str());
        return Err(Error::Rule { code: crate::problems::ORDER_NOT_PAYABLE, detail, field: None });
    }
    if order.total.amount <= 0 {
        let detail = "The order's total is zero: there is nothing to pay.".into();
        return Err(Error::Rule { code: crate::problems::NOTHING_TO_PAY, detail, field: None });
    }
    let (provider_name, account) = accounts::for_method(on.core, conn, store, req.method).await?;
    let Some(provider) = on.providers.get(provider_name).cloned() else {
        return Err(Error::internal(format!("payment provider {provider_name} is not registered")));
    };
    let store_name = on.stores.get(store).await?.name;
    let id = PaymentId::new();
    let amount = order.total.amount;
    let splits = conn
        .transaction::<_, Error, _>(async |conn| {
            insert_pending(conn, store, id, order_id, req.method, provider_name, amount, key).await?;
            splits::snapshot(conn, store, id.uuid(), amount, provider_name).await
        })
        .await?;
    Ok(Reserved { id, order_id, order, store_name, provider_name, provider, account, splits })
}

/// Inserts the pending payment unless the order already has one in progress or paid.
#[allow(clippy::too_many_arguments)]
async fn insert_pending(
    conn: &mut AsyncPgConnection,
    store: StoreId,
    id: PaymentId,
    order_id: uuid::Uuid,
    method: Method,
    provider_name: &str,
    amount: i64,
    key: &str,
) -> Result<()> {
    // One payment in progress per order: a second one could be paid too.
    let open: i64 = p::table
        .filter(p::store_id.eq(store.uuid()))
        .filter(p::order_id.eq(order_id))
        .filter(p::status.eq_any(["pending", "authorized", "paid", "partially_refunded"]))
        .count()
        .get_result(conn)
        .await?;
    if open > 0 {
        let detail = "The order already has a payment in progress or paid.".into();
        return Err(Error::Conflict { code: crate::problems::PAYMENT_IN_PROGRESS, detail, field: None });
    }
    let now = Utc::now();
    diesel::insert_into(p::table)
        .values((
            p::store_id.eq(store.uuid()),
            p::id.eq(id.uuid()),
            p::order_id.eq(order_id),
            p::method.eq(method.as_str()),
            p::provider.eq(provider_name),
            p::status.eq(PaymentStatus::Pending.as_str()),
            p::amount.eq(amount),
            p::currency.eq("BRL"),
            p::idempotency_key.eq(key),
            p::created_at.eq(now),
            p::updated_at.eq(now),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Asks the provider for the charge.
async fn charge(
    on: Creating<'_>,
    store: StoreId,
    reserved: &Reserved,
    req: &CreatePayment,
) -> std::result::Result<Charge, ProviderError> {
    let order = &reserved.order;
    // A PIX charge stays payable as long as its order holds the stock (the store's hold time);
    // a boleto runs to its due date and then holds the order through clearing.
    let expires_in = match (req.method, order.expires_at) {
        (Method::Boleto, _) => BOLETO_EXPIRY,
        (_, Some(at)) => (at - Utc::now()).to_std().unwrap_or_default().max(MIN_PIX_EXPIRY),
        (_, None) => PIX_EXPIRY,
    };
    let (id, provider_name) = (reserved.id, reserved.provider_name);
    let charge_req = ChargeRequest {
        store_id: store,
        store_name: reserved.store_name.clone(),
        payment_id: id,
        order_number: order.number,
        order_id: reserved.order_id,
        method: req.method,
        amount: order.total.amount,
        expires_in,
        idempotency_key: format!("payment-{id}"),
        payer: Payer {
            name: order.customer.name.clone(),
            email: order.customer.email.clone(),
            phone: order.customer.phone.clone(),
            document: order.customer.document.clone(),
        },
        card_token: req.card_token.clone(),
        splits: reserved.splits.clone(),
        notification_url: Some(format!("{}/v1/inbound/{provider_name}/{store}", on.core.config.public_url)),
    };
    reserved.provider.create(&reserved.account, &charge_req).await
}

/// Records the charge on the payment, settles it when the provider already did, holds a
/// boleto's order through clearing and queues the payment's expiry and reconciliation.
async fn record(
    on: Creating<'_>,
    conn: &mut AsyncPgConnection,
    store: StoreId,
    reserved: &Reserved,
    method: Method,
    charge: Charge,
) -> Result<PaymentRow> {
    let id = reserved.id;
    // A boleto paid at a bank on its due date reaches the provider days later: the payment
    // (and the order's stock) waits through the clearing window before it expires.
    let expires_at: Option<DateTime<Utc>> = match (method, charge.expires_at) {
        (Method::Boleto, Some(at)) => Some(at + chrono::Duration::from_std(BOLETO_CLEARING).map_err(Error::internal)?),
        (_, at) => at,
    };
    let row: PaymentRow = diesel::update(p::table.filter(p::store_id.eq(store.uuid())).filter(p::id.eq(id.uuid())))
        .set((
            p::provider_payment_id.eq(Some(&charge.provider_payment_id)),
            p::instructions.eq(serde_json::to_value(&charge.instructions).map_err(Error::internal)?),
            p::expires_at.eq(expires_at),
            p::updated_at.eq(Utc::now()),
        ))
        .returning(PaymentRow::as_returning())
        .get_result(conn)
        .await?;
    // A charge the provider settled in the same call (a card captured at once).
    let row = match charge.status {
        Remote::Paid { amount, at } => {
            on.settle.confirm_locked(conn, store, row, amount, at).await?;
            rows::lock(conn, store, id.uuid()).await?
        }
        Remote::Pending | Remote::Gone => row,
    };
    if let (Method::Boleto, Some(at)) = (method, expires_at) {
        on.orders.hold_until(conn, store, OrderId(row.order_id), at).await?;
    }
    let payload = ExpirePayload { store_id: store.uuid(), payment_id: id.uuid() };
    if let Some(at) = expires_at {
        schedule::expire_at(conn, &payload, at).await?;
    }
    // A webhook may never come: ask the provider at growing intervals meanwhile.
    if reserved.provider_name != "sandbox" && row.status == PaymentStatus::Pending.as_str() {
        schedule::reconcile(conn, &payload).await?;
    }
    Ok(row)
}
