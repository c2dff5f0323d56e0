//! Payment jobs: when a charge's time is up, ask the provider once more (a webhook may never
//! have come) and either confirm the payment or expire it, cancelling the order.

use async_trait::async_trait;
use balcao_core::Core;
use balcao_core::error::Error;
use balcao_core::id::StoreId;
use balcao_core::jobs::{JobContext, JobError, JobHandler};
use diesel_async::AsyncConnection;
use serde::{Deserialize, Serialize};

use crate::accounts;
use crate::model::PaymentStatus;
use crate::provider::{Account, Providers, Remote};
use crate::settle;

/// The job kind.
pub const EXPIRE_JOB: &str = "payments.expire";

/// The job's payload.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExpirePayload {
    /// The store.
    pub store_id: uuid::Uuid,
    /// The payment.
    pub payment_id: uuid::Uuid,
}

/// Reconciles, then expires, an unpaid payment at its charge's expiry.
pub struct ExpireJob {
    core: Core,
    providers: Providers,
}

impl ExpireJob {
    /// A job on the shared handles.
    pub fn new(core: Core, providers: Providers) -> Self {
        Self { core, providers }
    }
}

#[async_trait]
impl JobHandler for ExpireJob {
    async fn run(&self, job: &JobContext) -> Result<(), JobError> {
        let ExpirePayload { store_id, payment_id } = job.payload()?;
        let store = StoreId(store_id);
        let mut conn = self.core.pool.get().await.map_err(Error::from)?;
        let row = conn.transaction::<_, Error, _>(async |conn| settle::lock(conn, store, payment_id).await).await?;
        if PaymentStatus::parse(&row.status) != Some(PaymentStatus::Pending) {
            return Ok(());
        }
        // The sandbox knows nothing a simulation did not say.
        let remote = match (self.providers.get(&row.provider), row.charge()) {
            (Some(provider), Some(charge)) if row.provider != "sandbox" => {
                let account: Account =
                    accounts::open(&self.core, &mut conn, store, &row.provider).await?.unwrap_or_default();
                match provider.status(&account, charge).await {
                    Ok(remote) => remote,
                    Err(e) if e.retryable => return Err(JobError::retry(e)),
                    Err(e) => {
                        tracing::warn!(payment = %payment_id, error = %e, "reconciliation refused; expiring");
                        Remote::Pending
                    }
                }
            }
            _ => Remote::Pending,
        };
        conn.transaction::<_, Error, _>(async |conn| {
            let row = settle::lock(conn, store, payment_id).await?;
            match remote {
                Remote::Paid { amount, at } => settle::confirm_locked(conn, store, row, amount, at).await,
                Remote::Pending | Remote::Gone => settle::expire_locked(conn, store, row).await,
            }
        })
        .await?;
        Ok(())
    }
}
