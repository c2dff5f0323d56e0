//! Plans as data: what a store may use. The `plans` table is seeded by a migration with `free`,
//! `pro` and `enterprise` and edited by platform operators, never constants in code; every store
//! has one (`free` by default). An allowance of `None` is unlimited.

use async_trait::async_trait;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

pub use super::plan_cache::{PLAN_CACHE_TTL, Plan, PlanCache};
use crate::context::Core;
use crate::error::{Error, Result};
use crate::id::StoreId;
use crate::schema::plans;

/// The plan every new store starts on.
pub const DEFAULT_PLAN: &str = "free";

/// Reading plans and a store's plan.
#[async_trait]
pub trait PlanService: Send + Sync {
    /// Every plan, the smallest rate first.
    async fn list(&self) -> Result<Vec<Plan>>;
    /// The plan named `name`.
    async fn get(&self, name: &str) -> Result<Plan>;
    /// The plan of `store`.
    async fn for_store(&self, store: StoreId) -> Result<Plan>;
}

/// [`PlanService`] in PostgreSQL.
pub struct PgPlanService {
    core: Core,
}

impl PgPlanService {
    /// A service on the shared handles.
    pub fn new(core: Core) -> Self {
        Self { core }
    }
}

#[async_trait]
impl PlanService for PgPlanService {
    async fn list(&self) -> Result<Vec<Plan>> {
        let mut conn = self.core.pool.get().await?;
        Ok(plans::table
            .select(Plan::as_select())
            .order((plans::requests_per_second.asc(), plans::name.asc()))
            .load(&mut conn)
            .await?)
    }

    async fn get(&self, name: &str) -> Result<Plan> {
        let mut conn = self.core.pool.get().await?;
        let plan = plans::table.find(name).select(Plan::as_select()).first(&mut conn).await.optional()?;
        plan.ok_or_else(|| Error::not_found("plan"))
    }

    async fn for_store(&self, store: StoreId) -> Result<Plan> {
        let plan = super::plan_cache::plan_of_store(&self.core.pool, store).await?;
        plan.ok_or_else(|| Error::not_found("store"))
    }
}
