//! `payments.expire`: at a charge's deadline, asks its provider once more, then confirms or
//! expires the payment (cancelling its order).

use async_trait::async_trait;
use balcao_core::Core;
use balcao_core::jobs::{JobContext, JobError, JobHandler};

use super::check::{apply, ask, pending};
use crate::payments::settle::Settler;
use crate::providers::{Providers, Remote};

/// Reconciles, then expires, an unpaid payment at its charge's expiry.
pub struct ExpireJob {
    core: Core,
    providers: Providers,
    settle: Settler,
}

impl ExpireJob {
    /// A job on the shared handles; orders move through stores' PostgreSQL ledger.
    pub fn new(core: Core, providers: Providers) -> Self {
        Self { core, providers, settle: Settler::default() }
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
        apply(&self.settle, &mut conn, store, payment_id, remote).await
    }
}
