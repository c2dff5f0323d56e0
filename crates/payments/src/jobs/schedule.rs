//! When payments' jobs run: their kinds, payload and the reconciliation's intervals, and queuing
//! them for a new charge (in the transaction that records it).

use std::time::Duration;

use balcao_core::error::{Error, Result};
use balcao_core::jobs::{self, NewJob};
use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;
use serde::{Deserialize, Serialize};

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

/// Queues the expiry of a charge at `at`.
pub async fn expire_at(conn: &mut AsyncPgConnection, payload: &ExpirePayload, at: DateTime<Utc>) -> Result<()> {
    let job = NewJob::new(EXPIRE_JOB, payload)?.run_at(at).unique_key(format!("{EXPIRE_JOB}:{}", payload.payment_id));
    jobs::enqueue(conn, job).await?;
    Ok(())
}

/// Queues the first reconciliation of a pending charge ([`RECONCILE_AFTER`]).
pub async fn reconcile(conn: &mut AsyncPgConnection, payload: &ExpirePayload) -> Result<()> {
    let first = chrono::Duration::from_std(RECONCILE_AFTER[0]).map_err(Error::internal)?;
    let job = NewJob::new(RECONCILE_JOB, payload)?
        .run_at(Utc::now() + first)
        .unique_key(format!("{RECONCILE_JOB}:{}", payload.payment_id));
    jobs::enqueue(conn, job).await?;
    Ok(())
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
