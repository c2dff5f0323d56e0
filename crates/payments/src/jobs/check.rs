//! What both jobs share: the job's payment while it is pending, what its provider says of the
//! charge, and settling it as reported.

use balcao_core::Core;
use balcao_core::db::DbConn;
use balcao_core::error::Error;
use balcao_core::id::StoreId;
use balcao_core::jobs::{JobContext, JobError};
use diesel_async::{AsyncConnection, AsyncPgConnection};

use super::schedule::ExpirePayload;
use crate::accounts::service as accounts;
use crate::payments::model::{PaymentRow, PaymentStatus};
use crate::payments::rows;
use crate::payments::settle::Settler;
use crate::providers::{Account, ChargeRef, Providers, Remote};

/// What the payment's provider says of its charge now. The sandbox knows nothing a simulation
/// did not say, and a refused question (credentials removed) reads as still pending.
pub async fn ask(
    core: &Core,
    providers: &Providers,
    conn: &mut AsyncPgConnection,
    row: &PaymentRow,
) -> Result<Remote, JobError> {
    let (Some(provider), Some(charge)) = (providers.get(&row.provider), ChargeRef::of(row)) else {
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
pub async fn pending(core: &Core, job: &JobContext) -> Result<Option<(DbConn, StoreId, PaymentRow)>, JobError> {
    let ExpirePayload { store_id, payment_id } = job.payload()?;
    let store = StoreId(store_id);
    let mut conn = core.pool.get().await.map_err(Error::from)?;
    let row = rows::find(&mut conn, store, payment_id).await?;
    Ok((PaymentStatus::parse(&row.status) == Some(PaymentStatus::Pending)).then_some((conn, store, row)))
}

/// Settles the payment as its provider reported, under its lock: paid confirms it, gone
/// expires it, pending leaves it.
pub async fn apply(
    settle: &Settler,
    conn: &mut AsyncPgConnection,
    store: StoreId,
    payment_id: uuid::Uuid,
    remote: Remote,
) -> Result<(), JobError> {
    conn.transaction::<_, Error, _>(async |conn| {
        let row = rows::lock(conn, store, payment_id).await?;
        match remote {
            Remote::Paid { amount, at } => settle.confirm_locked(conn, store, row, amount, at).await.map(drop),
            Remote::Gone => settle.expire_locked(conn, store, row).await.map(drop),
            Remote::Pending => Ok(()),
        }
    })
    .await?;
    Ok(())
}
