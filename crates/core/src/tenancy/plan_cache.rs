//! A plan's allowances as a row ([`Plan`]) and the in-process cache of stores' plans the request
//! path reads ([`PlanCache`]). (Reading and editing plans is [`super::plans`].)

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::Result;
use crate::id::StoreId;
use crate::schema::{plans, stores};

/// A plan and its allowances.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Serialize, ToSchema)]
#[diesel(table_name = plans)]
pub struct Plan {
    /// The plan's name, as a store's `plan` names it.
    #[schema(example = "pro")]
    pub name: String,
    /// The name shown to people.
    pub display_name: String,
    /// Sustained requests per second per credential (a session or an API key).
    pub requests_per_second: i32,
    /// Requests per credential allowed at once on top of the sustained rate.
    pub request_burst: i32,
    /// API calls a month.
    pub monthly_api_calls: Option<i64>,
    /// WhatsApp messages sent a month.
    pub monthly_whatsapp_messages: Option<i64>,
    /// Instagram messages sent a month.
    pub monthly_instagram_messages: Option<i64>,
    /// Emails sent a month.
    pub monthly_email_messages: Option<i64>,
    /// SMS sent a month.
    pub monthly_sms_messages: Option<i64>,
    /// Webhook deliveries a month.
    pub monthly_webhook_deliveries: Option<i64>,
    /// Webhook endpoints a store may have.
    pub webhook_endpoints: Option<i32>,
    /// Staff members a store may have.
    pub staff_seats: Option<i32>,
    /// Products a store may have.
    pub products: Option<i32>,
    /// Monthly quotas allowed past their allowance and reported as overage (the others are
    /// refused past it), by metric: `api_calls`, `whatsapp_messages`, ...
    pub soft_quotas: Vec<String>,
    /// When the plan was created.
    pub created_at: DateTime<Utc>,
    /// When the plan last changed.
    pub updated_at: DateTime<Utc>,
}

/// How long an instance keeps a store's plan before reading it again. An operator's change takes
/// effect at once on the instance that made it ([`PlanCache::forget`]) and within this on others.
pub const PLAN_CACHE_TTL: std::time::Duration = std::time::Duration::from_secs(5);

/// Stores' plans as the request path needs them on every request: read once per
/// [`PLAN_CACHE_TTL`] per store, in process.
pub struct PlanCache {
    by_store: moka::sync::Cache<StoreId, std::sync::Arc<Plan>>,
    by_name: moka::sync::Cache<String, std::sync::Arc<Plan>>,
}

impl Default for PlanCache {
    fn default() -> Self {
        Self::new(PLAN_CACHE_TTL)
    }
}

impl PlanCache {
    /// A cache keeping each store's plan for `ttl`.
    pub fn new(ttl: std::time::Duration) -> Self {
        Self {
            by_store: moka::sync::Cache::builder().max_capacity(100_000).time_to_live(ttl).build(),
            by_name: moka::sync::Cache::builder().max_capacity(1_000).time_to_live(ttl).build(),
        }
    }

    /// The plan named `name`, `None` when there is none.
    pub async fn named(&self, pool: &crate::db::DbPool, name: &str) -> Result<Option<std::sync::Arc<Plan>>> {
        if let Some(plan) = self.by_name.get(name) {
            return Ok(Some(plan));
        }
        let mut conn = pool.get().await?;
        let plan = plans::table.find(name).select(Plan::as_select()).first(&mut conn).await.optional()?;
        Ok(plan.map(|plan| {
            let plan = std::sync::Arc::new(plan);
            self.by_name.insert(name.to_owned(), plan.clone());
            plan
        }))
    }

    /// The plan of `store`, `None` when the store does not exist (or was deleted).
    pub async fn for_store(&self, pool: &crate::db::DbPool, store: StoreId) -> Result<Option<std::sync::Arc<Plan>>> {
        if let Some(plan) = self.by_store.get(&store) {
            return Ok(Some(plan));
        }
        let plan = plan_of_store(pool, store).await?;
        Ok(plan.map(|plan| {
            let plan = std::sync::Arc::new(plan);
            self.by_store.insert(store, plan.clone());
            plan
        }))
    }

    /// Forgets what this instance holds for `store` (its plan changed).
    pub fn forget(&self, store: StoreId) {
        self.by_store.invalidate(&store);
    }

    /// Forgets every store's plan (a plan's allowances changed).
    pub fn forget_all(&self) {
        self.by_store.invalidate_all();
        self.by_name.invalidate_all();
    }
}

/// The plan of `store` as stored now, `None` when the store does not exist (or was deleted).
pub async fn plan_of_store(pool: &crate::db::DbPool, store: StoreId) -> Result<Option<Plan>> {
    let mut conn = pool.get().await?;
    Ok(stores::table
        .inner_join(plans::table.on(plans::name.eq(stores::plan)))
        .filter(stores::id.eq(store.uuid()))
        .filter(stores::deleted_at.is_null())
        .select(Plan::as_select())
        .first(&mut conn)
        .await
        .optional()?)
}
