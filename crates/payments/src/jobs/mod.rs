//! Payment jobs. Reconciliation (`payments.reconcile`) asks the provider about a pending
//! charge at growing intervals, because a webhook may never come: a charge paid there is
//! confirmed here, one gone there is expired. Expiry (`payments.expire`) asks once more when
//! the charge's time is up, then confirms or expires it, cancelling the order.
//!
//! - [`schedule`]: the jobs' kinds, payload and intervals, and queuing them.
//! - [`check`]: asking the provider and settling as it reports.
//! - [`expire`]: the expiry job, [`ExpireJob`].
//! - [`reconcile`]: the reconciliation job, [`ReconcileJob`].

pub mod check;
pub mod expire;
pub mod reconcile;
pub mod schedule;

pub use expire::ExpireJob;
pub use reconcile::ReconcileJob;
pub use schedule::{EXPIRE_JOB, ExpirePayload, RECONCILE_AFTER, RECONCILE_EVERY, RECONCILE_FOR, RECONCILE_JOB};
