//! The shared handles every service is built from.

use std::sync::Arc;

use crate::cache::SharedCache;
use crate::config::Config;
use crate::db::DbPool;
use crate::mail::Mailer;
use crate::ratelimit::Limiter;
use crate::tenancy::plan_cache::PlanCache;

/// The database pool, cache and configuration, cheap to clone.
#[derive(Clone)]
pub struct Core {
    /// PostgreSQL pool.
    pub pool: DbPool,
    /// Redis or in-process cache.
    pub cache: SharedCache,
    /// Validated configuration.
    pub config: Arc<Config>,
    /// Outbound email: SMTP, or `.eml` files without an SMTP server.
    pub mailer: Arc<dyn Mailer>,
    /// Stores' plans, cached in process for the request path.
    pub plans: Arc<PlanCache>,
    /// Rate limits and usage metering.
    pub limiter: Arc<Limiter>,
}
