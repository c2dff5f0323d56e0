//! `payments.reconcile`: asks the provider about a pending charge at growing intervals, because
//! a webhook may never come: a charge paid there is confirmed here, one gone there is expired.

use std::time::Duration;

use async_trait::async_trait;
use balcao_core::Core;
use balcao_core::jobs::{JobContext, JobError, JobHandler, with_jitter};
use chrono::Utc;

use super::check::{apply, ask, pending};
use super::schedule::{RECONCILE_FOR, next_check};
use crate::payments::settle::Settler;
use crate::providers::{Providers, Remote};

/// Asks the provider about a pending charge until it is settled, expires, or is too old.
pub struct ReconcileJob {
    core: Core,
    providers: Providers,
    settle: Settler,
}

impl ReconcileJob {
    /// A job on the shared handles; orders move through stores' PostgreSQL ledger.
    pub fn new(core: Core, providers: Providers) -> Self {
        Self { core, providers, settle: Settler::default() }
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
                apply(&self.settle, &mut conn, store, payment_id, settled).await
            }
        }
    }
}
