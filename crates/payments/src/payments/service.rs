//! Payments on PostgreSQL: creating charges through the store's provider (the sandbox when it
//! has none, see [`super::create`]), reading them, refunds, and the sandbox's simulated outcomes.

use std::sync::Arc;

use async_trait::async_trait;
use balcao_core::Core;
use balcao_core::error::{Error, Result};
use balcao_core::id::StoreId;
use balcao_core::pagination::{Page, PageParams};
use balcao_core::tenancy::stores::{PgStoreService, StoreService};
use balcao_stores::orders::ledger::{OrderLedger, PgOrderLedger};
use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};

use super::create::{self, Creating};
use super::model::{CreatePayment, Payment, PaymentId, PaymentRow, Simulate};
use super::rows;
use super::settle::{Outcome, Settler};
use crate::providers::Providers;
use crate::refunds::model::{CreateRefund, Refund};
use crate::refunds::service::{self as refunds, Refunding};
use crate::schema::payments as p;

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
    orders: Arc<dyn OrderLedger>,
    stores: Arc<dyn StoreService>,
    settle: Settler,
}

impl PgPaymentService {
    /// A service on the shared handles with `providers` (the sandbox must be among them);
    /// orders move through stores' PostgreSQL ledger.
    pub fn new(core: Core, providers: Providers) -> Self {
        let orders: Arc<dyn OrderLedger> = Arc::new(PgOrderLedger);
        let stores: Arc<dyn StoreService> = Arc::new(PgStoreService::new(core.clone()));
        Self { core, providers, settle: Settler::new(orders.clone()), orders, stores }
    }

    fn creating(&self) -> Creating<'_> {
        Creating {
            core: &self.core,
            providers: &self.providers,
            orders: &*self.orders,
            stores: &self.stores,
            settle: &self.settle,
        }
    }
}

/// Checks a client's `Idempotency-Key`.
pub fn check_key(key: &str) -> Result<()> {
    let ok = !key.trim().is_empty() && key.len() <= 255;
    if ok {
        Ok(())
    } else {
        Err(Error::BadRequest {
            code: balcao_core::problems::IDEMPOTENCY_KEY_REQUIRED,
            detail: "Send an Idempotency-Key header (1 to 255 characters).".into(),
        })
    }
}

#[async_trait]
impl PaymentService for PgPaymentService {
    async fn create(&self, store: StoreId, order_id: uuid::Uuid, req: CreatePayment, key: &str) -> Result<Payment> {
        check_key(key)?;
        create::create(self.creating(), store, order_id, req, key).await
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
        Ok(rows::find(&mut conn, store, id.uuid()).await?.into())
    }

    async fn refund(&self, store: StoreId, id: PaymentId, req: CreateRefund, key: &str) -> Result<Refund> {
        check_key(key)?;
        let on = Refunding { core: &self.core, providers: &self.providers, orders: &*self.orders };
        refunds::refund(on, store, id, req, key).await
    }

    async fn refunds(&self, store: StoreId, id: PaymentId) -> Result<Vec<Refund>> {
        let mut conn = self.core.pool.get().await?;
        rows::find(&mut conn, store, id.uuid()).await?;
        refunds::list(&mut conn, store, id).await
    }

    async fn simulate(&self, store: StoreId, id: PaymentId, req: Simulate) -> Result<Payment> {
        let mut conn = self.core.pool.get().await?;
        let row = rows::find(&mut conn, store, id.uuid()).await?;
        if row.provider != "sandbox" {
            return Err(Error::Rule {
                code: crate::problems::NOT_A_SANDBOX_PAYMENT,
                detail: "Only sandbox payments can be simulated.".into(),
                field: None,
            });
        }
        let outcome = conn
            .transaction::<_, Error, _>(async |conn| {
                let row = rows::lock(conn, store, id.uuid()).await?;
                match req.outcome.as_str() {
                    "paid" => {
                        let amount = row.amount;
                        self.settle.confirm_locked(conn, store, row, amount, Utc::now()).await
                    }
                    "failed" => {
                        self.settle.fail_locked(conn, store, row, "sandbox_declined", "simulated failure").await
                    }
                    "expired" => self.settle.expire_locked(conn, store, row).await,
                    _ => Err(Error::field("outcome", "invalid", "paid, failed or expired")),
                }
            })
            .await?;
        if outcome == Outcome::Unchanged {
            tracing::info!(payment = %id, outcome = %req.outcome, "simulated outcome changed nothing");
        }
        Ok(rows::find(&mut conn, store, id.uuid()).await?.into())
    }
}
