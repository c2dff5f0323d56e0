//! Payments on PostgreSQL: creating charges through the store's provider (the sandbox when it
//! has none), reading them, refunds, and the sandbox's simulated outcomes.

use std::time::Duration;

use async_trait::async_trait;
use balcao_core::Core;
use balcao_core::error::{Error, Result};
use balcao_core::id::StoreId;
use balcao_core::jobs::{self, NewJob};
use balcao_core::pagination::{Page, PageParams};
use balcao_core::schema::stores;
use balcao_stores::ids::OrderId;
use balcao_stores::orders::OrderStatus;
use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use crate::accounts;
use crate::jobs::{EXPIRE_JOB, ExpirePayload, RECONCILE_AFTER, RECONCILE_JOB};
use crate::model::{
    CreatePayment, CreateRefund, Method, Payment, PaymentId, PaymentRow, PaymentStatus, Refund, Simulate,
};
use crate::provider::{ChargeRequest, Payer, ProviderError, Providers, Remote};
use crate::refunds;
use crate::schema::payments as p;
use crate::settle::{self, Outcome};

/// How long a PIX charge or card payment waits for the payer.
pub const PIX_EXPIRY: Duration = Duration::from_secs(3600);
/// The shortest PIX charge: an order about to expire still gets a payable code.
pub const MIN_PIX_EXPIRY: Duration = Duration::from_secs(60);
/// How long a boleto waits (three days; the bank's due date).
pub const BOLETO_EXPIRY: Duration = Duration::from_secs(3 * 86_400);
/// How long after a boleto's due date its payment may still be reported (bank clearing).
pub const BOLETO_CLEARING: Duration = Duration::from_secs(3 * 86_400);

/// Payments of a store's orders.
#[async_trait]
pub trait PaymentService: Send + Sync {
    /// Creates a payment for a pending order; the same `idempotency_key` answers the same payment.
    async fn create(
        &self,
        store: StoreId,
        order: uuid::Uuid,
        req: CreatePayment,
        idempotency_key: &str,
    ) -> Result<Payment>;
    /// Payments, newest first.
    async fn list(&self, store: StoreId, page: &PageParams) -> Result<Page<Payment>>;
    /// One payment.
    async fn get(&self, store: StoreId, id: PaymentId) -> Result<Payment>;
    /// Refunds part or all of a captured payment; the same `idempotency_key` answers the same refund.
    async fn refund(&self, store: StoreId, id: PaymentId, req: CreateRefund, idempotency_key: &str) -> Result<Refund>;
    /// A payment's refunds, oldest first.
    async fn refunds(&self, store: StoreId, id: PaymentId) -> Result<Vec<Refund>>;
    /// Sandbox only: the provider reports the payment paid, failed or expired.
    async fn simulate(&self, store: StoreId, id: PaymentId, req: Simulate) -> Result<Payment>;
}

/// [`PaymentService`] on PostgreSQL.
pub struct PgPaymentService {
    core: Core,
    providers: Providers,
}

impl PgPaymentService {
    /// A service on the shared handles with `providers` (the sandbox must be among them).
    pub fn new(core: Core, providers: Providers) -> Self {
        Self { core, providers }
    }
}

fn provider_error(e: ProviderError) -> Error {
    if e.retryable {
        Error::Unavailable(format!("payment provider: {e}"))
    } else {
        Error::Rule {
            code: "provider_refused",
            detail: format!("The payment provider refused: {}", e.message),
            field: None,
        }
    }
}

async fn load(conn: &mut AsyncPgConnection, store: StoreId, id: PaymentId) -> Result<PaymentRow> {
    p::table
        .filter(p::store_id.eq(store.uuid()))
        .filter(p::id.eq(id.uuid()))
        .select(PaymentRow::as_select())
        .first(conn)
        .await
        .optional()?
        .ok_or_else(|| Error::not_found("payment"))
}

/// Checks a client's `Idempotency-Key`.
pub fn check_key(key: &str) -> Result<()> {
    let ok = !key.trim().is_empty() && key.len() <= 255;
    if ok {
        Ok(())
    } else {
        Err(Error::BadRequest {
            code: "idempotency_key_required",
            detail: "Send an Idempotency-Key header (1 to 255 characters).".into(),
        })
    }
}

#[async_trait]
impl PaymentService for PgPaymentService {
    async fn create(&self, store: StoreId, order_id: uuid::Uuid, req: CreatePayment, key: &str) -> Result<Payment> {
        check_key(key)?;
        let mut conn = self.core.pool.get().await?;
        if let Some(existing) = p::table
            .filter(p::store_id.eq(store.uuid()))
            .filter(p::idempotency_key.eq(key))
            .select(PaymentRow::as_select())
            .first(&mut conn)
            .await
            .optional()?
        {
            if existing.order_id != order_id || existing.method != req.method.as_str() {
                return Err(Error::Rule {
                    code: "idempotency_key_reused",
                    detail: "This Idempotency-Key was used for another payment.".into(),
                    field: None,
                });
            }
            return Ok(existing.into());
        }
        let order = balcao_stores::orders::service::load(&mut conn, store, OrderId(order_id)).await?;
        if order.status != OrderStatus::PendingPayment {
            return Err(Error::Rule {
                code: "order_not_payable",
                detail: format!(
                    "The order is `{}`; only orders waiting for payment take payments.",
                    order.status.as_str()
                ),
                field: None,
            });
        }
        if order.total.amount <= 0 {
            return Err(Error::Rule {
                code: "nothing_to_pay",
                detail: "The order's total is zero: there is nothing to pay.".into(),
                field: None,
            });
        }
        let (provider_name, account) = accounts::for_method(&self.core, &mut conn, store, req.method).await?;
        let Some(provider) = self.providers.get(provider_name).cloned() else {
            return Err(Error::internal(format!("payment provider {provider_name} is not registered")));
        };
        let store_name: String = stores::table.find(store.uuid()).select(stores::name).first(&mut conn).await?;
        let id = PaymentId::new();
        let now = Utc::now();
        let inserted = conn
            .transaction::<_, Error, _>(async |conn| {
                // One payment in progress per order: a second one could be paid too.
                let open: i64 = p::table
                    .filter(p::store_id.eq(store.uuid()))
                    .filter(p::order_id.eq(order_id))
                    .filter(p::status.eq_any(["pending", "authorized", "paid", "partially_refunded"]))
                    .count()
                    .get_result(conn)
                    .await?;
                if open > 0 {
                    return Err(Error::Conflict {
                        code: "payment_in_progress",
                        detail: "The order already has a payment in progress or paid.".into(),
                        field: None,
                    });
                }
                diesel::insert_into(p::table)
                    .values((
                        p::store_id.eq(store.uuid()),
                        p::id.eq(id.uuid()),
                        p::order_id.eq(order_id),
                        p::method.eq(req.method.as_str()),
                        p::provider.eq(provider_name),
                        p::status.eq(PaymentStatus::Pending.as_str()),
                        p::amount.eq(order.total.amount),
                        p::currency.eq("BRL"),
                        p::idempotency_key.eq(key),
                        p::created_at.eq(now),
                        p::updated_at.eq(now),
                    ))
                    .execute(conn)
                    .await?;
                crate::splits::store::snapshot(conn, store, id.uuid(), order.total.amount, provider_name).await
            })
            .await;
        let splits = inserted?;
        // A PIX charge stays payable as long as its order holds the stock (the store's hold time);
        // a boleto runs to its due date and then holds the order through clearing.
        let expires_in = match (req.method, order.expires_at) {
            (Method::Boleto, _) => BOLETO_EXPIRY,
            (_, Some(at)) => (at - Utc::now()).to_std().unwrap_or_default().max(MIN_PIX_EXPIRY),
            (_, None) => PIX_EXPIRY,
        };
        let charge_req = ChargeRequest {
            store_id: store,
            store_name,
            payment_id: id,
            order_number: order.number,
            order_id,
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
            splits,
            notification_url: Some(format!("{}/v1/inbound/{provider_name}/{store}", self.core.config.public_url)),
        };
        let charge = match provider.create(&account, &charge_req).await {
            Ok(charge) => charge,
            Err(e) => {
                let row = load(&mut conn, store, id).await?;
                conn.transaction::<_, Error, _>(async |conn| {
                    settle::fail_locked(conn, store, row, &e.code, &e.message).await.map(drop)
                })
                .await?;
                return Err(provider_error(e));
            }
        };
        // A boleto paid at a bank on its due date reaches the provider days later: the payment
        // (and the order's stock) waits through the clearing window before it expires.
        let expires_at = match (req.method, charge.expires_at) {
            (Method::Boleto, Some(at)) => {
                Some(at + chrono::Duration::from_std(BOLETO_CLEARING).map_err(Error::internal)?)
            }
            (_, at) => at,
        };
        let row: PaymentRow = conn
            .transaction::<_, Error, _>(async |conn| {
                let row: PaymentRow =
                    diesel::update(p::table.filter(p::store_id.eq(store.uuid())).filter(p::id.eq(id.uuid())))
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
                        settle::confirm_locked(conn, store, row, amount, at).await?;
                        settle::lock(conn, store, id.uuid()).await?
                    }
                    Remote::Pending | Remote::Gone => row,
                };
                if let (Method::Boleto, Some(at)) = (req.method, expires_at) {
                    balcao_stores::orders::expiry::hold_until(conn, store, OrderId(order_id), at).await?;
                }
                if let Some(at) = expires_at {
                    let job =
                        NewJob::new(EXPIRE_JOB, &ExpirePayload { store_id: store.uuid(), payment_id: id.uuid() })?
                            .run_at(at)
                            .unique_key(format!("{EXPIRE_JOB}:{id}"));
                    jobs::enqueue(conn, job).await?;
                }
                // A webhook may never come: ask the provider at growing intervals meanwhile.
                if provider_name != "sandbox" && row.status == PaymentStatus::Pending.as_str() {
                    let payload = ExpirePayload { store_id: store.uuid(), payment_id: id.uuid() };
                    let first = chrono::Duration::from_std(RECONCILE_AFTER[0]).map_err(Error::internal)?;
                    let job = NewJob::new(RECONCILE_JOB, &payload)?
                        .run_at(Utc::now() + first)
                        .unique_key(format!("{RECONCILE_JOB}:{id}"));
                    jobs::enqueue(conn, job).await?;
                }
                Ok(row)
            })
            .await?;
        Ok(row.into())
    }

    async fn list(&self, store: StoreId, page: &PageParams) -> Result<Page<Payment>> {
        let req = page.parse::<uuid::Uuid>()?;
        let mut conn = self.core.pool.get().await?;
        let mut query = p::table
            .filter(p::store_id.eq(store.uuid()))
            .select(PaymentRow::as_select())
            .order(p::id.desc())
            .limit(req.fetch_limit())
            .into_boxed();
        if let Some(after) = req.after {
            query = query.filter(p::id.lt(after));
        }
        let rows = query.load(&mut conn).await?;
        Ok(req.page(rows, |r| r.id)?.map(Payment::from))
    }

    async fn get(&self, store: StoreId, id: PaymentId) -> Result<Payment> {
        let mut conn = self.core.pool.get().await?;
        Ok(load(&mut conn, store, id).await?.into())
    }

    async fn refund(&self, store: StoreId, id: PaymentId, req: CreateRefund, key: &str) -> Result<Refund> {
        check_key(key)?;
        refunds::refund(&self.core, &self.providers, store, id, req, key).await
    }

    async fn refunds(&self, store: StoreId, id: PaymentId) -> Result<Vec<Refund>> {
        let mut conn = self.core.pool.get().await?;
        load(&mut conn, store, id).await?;
        refunds::list(&mut conn, store, id).await
    }

    async fn simulate(&self, store: StoreId, id: PaymentId, req: Simulate) -> Result<Payment> {
        let mut conn = self.core.pool.get().await?;
        let row = load(&mut conn, store, id).await?;
        if row.provider != "sandbox" {
            return Err(Error::Rule {
                code: "not_a_sandbox_payment",
                detail: "Only sandbox payments can be simulated.".into(),
                field: None,
            });
        }
        let outcome = conn
            .transaction::<_, Error, _>(async |conn| {
                let row = settle::lock(conn, store, id.uuid()).await?;
                match req.outcome.as_str() {
                    "paid" => {
                        let amount = row.amount;
                        settle::confirm_locked(conn, store, row, amount, Utc::now()).await
                    }
                    "failed" => settle::fail_locked(conn, store, row, "sandbox_declined", "simulated failure").await,
                    "expired" => settle::expire_locked(conn, store, row).await,
                    _ => Err(Error::field("outcome", "invalid", "paid, failed or expired")),
                }
            })
            .await?;
        if outcome == Outcome::Unchanged {
            tracing::info!(payment = %id, outcome = %req.outcome, "simulated outcome changed nothing");
        }
        Ok(load(&mut conn, store, id).await?.into())
    }
}
