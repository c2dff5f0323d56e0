//! Payment jobs. Reconciliation (`payments.reconcile`) asks the provider about a pending
//! charge at growing intervals, because a webhook may never come: a charge paid there is
//! confirmed here, one gone there is expired. Expiry (`payments.expire`) asks once more when
//! the charge's time is up, then confirms or expires it, cancelling the order.

use std::time::Duration;

use async_trait::async_trait;
use balcao_core::Core;
use balcao_core::db::DbConn;
use balcao_core::error::Error;
use balcao_core::id::StoreId;
use balcao_core::jobs::{JobContext, JobError, JobHandler, with_jitter};
use chrono::Utc;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde::{Deserialize, Serialize};

use crate::accounts;
use crate::model::{PaymentRow, PaymentStatus};
use crate::provider::{Account, Providers, Remote};
use crate::settle;

/// The expiry job's kind.
pub const EXPIRE_JOB: &str = "payments.expire";
/// The reconciliation job's kind.
pub const RECONCILE_JOB: &str = "payments.reconcile";

/// When reconciliation asks about a pending charge, by the charge's age: then every
/// [`RECONCILE_EVERY`] until it expires or [`RECONCILE_FOR`] has passed.
pub const RECONCILE_AFTER: [Duration; 4] =
    [Duration::from_secs(120), Duration::from_secs(600), Duration::from_secs(1800), Duration::from_secs(3600)];
/// The interval once the first checks found nothing.
pub const RECONCILE_EVERY: Duration = Duration::from_secs(6 * 3600);
/// How long a charge without a deadline of its own (cards) is reconciled.
pub const RECONCILE_FOR: Duration = Duration::from_secs(7 * 86_400);

/// The payload of both jobs.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ExpirePayload {
    /// The store.
    pub store_id: uuid::Uuid,
    /// The payment.
    pub payment_id: uuid::Uuid,
}

/// The delay before the next check of a charge `age` old.
pub fn next_check(age: Duration) -> Duration {
    RECONCILE_AFTER.into_iter().find(|at| *at > age).map_or(RECONCILE_EVERY, |at| at - age)
}

/// What the payment's provider says of its charge now. The sandbox knows nothing a simulation
/// did not say, and a refused question (credentials removed) reads as still pending.
async fn ask(
    core: &Core,
    providers: &Providers,
    conn: &mut AsyncPgConnection,
    row: &PaymentRow,
) -> Result<Remote, JobError> {
    let (Some(provider), Some(charge)) = (providers.get(&row.provider), row.charge()) else {
        return Ok(Remote::Pending);
    };
    if row.provider == "sandbox" {
        return Ok(Remote::Pending);
    }
    let account: Account = accounts::open(core, conn, StoreId(row.store_id), &row.provider).await?.unwrap_or_default();
    match provider.status(&account, charge).await {
        Ok(remote) => Ok(remote),
        Err(e) if e.retryable => Err(JobError::retry(e)),
        Err(e) => {
            tracing::warn!(payment = %row.id, error = %e, "the provider refused the reconciliation");
            Ok(Remote::Pending)
        }
    }
}

/// The job's payment while it is still pending (`None` once settled), with a connection.
async fn pending(core: &Core, job: &JobContext) -> Result<Option<(DbConn, StoreId, PaymentRow)>, JobError> {
    let ExpirePayload { store_id, payment_id } = job.payload()?;
    let store = StoreId(store_id);
    let mut conn = core.pool.get().await.map_err(Error::from)?;
    let row = settle::find(&mut conn, store, payment_id).await?;
    Ok((PaymentStatus::parse(&row.status) == Some(PaymentStatus::Pending)).then_some((conn, store, row)))
}

/// Settles the payment as its provider reported, under its lock: paid confirms it, gone
/// expires it, pending leaves it.
async fn apply(
    conn: &mut AsyncPgConnection,
    store: StoreId,
    payment_id: uuid::Uuid,
    remote: Remote,
) -> Result<(), JobError> {
    conn.transaction::<_, Error, _>(async |conn| {
        let row = settle::lock(conn, store, payment_id).await?;
        match remote {
            Remote::Paid { amount, at } => settle::confirm_locked(conn, store, row, amount, at).await.map(drop),
            Remote::Gone => settle::expire_locked(conn, store, row).await.map(drop),
            Remote::Pending => Ok(()),
        }
    })
    .await?;
    Ok(())
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
        let Some((mut conn, store, row)) = pending(&self.core, job).await? else { return Ok(()) };
        let payment_id = row.id;
        // At the deadline, a charge still pending there expires here too.
        let remote = match ask(&self.core, &self.providers, &mut conn, &row).await? {
            Remote::Pending => Remote::Gone,
            settled => settled,
        };
        apply(&mut conn, store, payment_id, remote).await
    }
}

/// Asks the provider about a pending charge until it is settled, expires, or is too old.
pub struct ReconcileJob {
    core: Core,
    providers: Providers,
}

impl ReconcileJob {
    /// A job on the shared handles.
    pub fn new(core: Core, providers: Providers) -> Self {
        Self { core, providers }
    }
}

#[async_trait]
impl JobHandler for ReconcileJob {
    async fn run(&self, job: &JobContext) -> Result<(), JobError> {
        let Some((mut conn, store, row)) = pending(&self.core, job).await? else { return Ok(()) };
        let payment_id = row.id;
        let now = Utc::now();
        // The expiry job has the last word at the deadline.
        if row.expires_at.is_some_and(|at| at <= now) {
            return Ok(());
        }
        match ask(&self.core, &self.providers, &mut conn, &row).await? {
            Remote::Pending => {
                let age = (now - row.created_at).to_std().unwrap_or(Duration::ZERO);
                if row.expires_at.is_none() && age >= RECONCILE_FOR {
                    return Ok(());
                }
                let mut after = with_jitter(next_check(age), 0.1);
                if let Some(deadline) = row.expires_at {
                    // Never past the deadline: the expiry job takes over there.
                    after = after.min((deadline - now).to_std().unwrap_or(Duration::ZERO));
                }
                Err(JobError::Defer { reason: "the charge is still pending".into(), after })
            }
            settled => {
                tracing::info!(payment = %payment_id, remote = ?settled, "reconciliation found the charge settled");
                apply(&mut conn, store, payment_id, settled).await
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_come_at_growing_intervals_then_every_six_hours() {
        let mins = |m: u64| Duration::from_secs(m * 60);
        assert_eq!(next_check(Duration::ZERO), mins(2));
        assert_eq!(next_check(mins(2)), mins(8));
        assert_eq!(next_check(mins(11)), mins(19));
        assert_eq!(next_check(mins(45)), mins(15));
        assert_eq!(next_check(mins(60)), RECONCILE_EVERY);
        assert_eq!(next_check(mins(600)), RECONCILE_EVERY);
    }
}
