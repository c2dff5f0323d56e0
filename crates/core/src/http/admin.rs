//! Handlers for the platform operators' routes under `/v1/admin`: plans and a store's plan. Each
//! takes an [`Operator`] first; anyone else gets the 404 of an unknown route.

use actix_web::{get, patch, web};

use super::extract::Operator;
use super::json::Json;
use crate::admin::{self, SetStorePlan, UpdatePlan};
use crate::context::Core;
use crate::error::{Error, Problem, Result, Validator};
use crate::id::StoreId;
use crate::tenancy::Store;
use crate::tenancy::plans::{PgPlanService, Plan, PlanService};
use crate::usage::{Metric, ranking};

type Shared = web::Data<Core>;

/// Every plan with its allowances, the smallest rate first (operators only).
#[utoipa::path(tag = "admin", security(("bearer" = [])), responses(
    (status = 200, description = "The plans", body = Vec<Plan>),
    (status = 404, description = "Not an operator with TOTP on (the same answer as an unknown route)",
     body = Problem, content_type = "application/problem+json"),
))]
#[get("/admin/plans")]
pub async fn list_plans(_operator: Operator, core: Shared) -> Result<web::Json<Vec<Plan>>> {
    Ok(web::Json(PgPlanService::new(core.get_ref().clone()).list().await?))
}

/// Change a plan's allowances: only the fields given change, `null` makes an allowance unlimited
/// (operators only). Every store on the plan gets the new limits on its next request.
#[utoipa::path(tag = "admin", security(("bearer" = [])),
    params(("plan" = String, Path, description = "The plan's name", example = "pro")),
    request_body = UpdatePlan, responses(
    (status = 200, description = "The plan", body = Plan),
    (status = 404, description = "No such plan, or not an operator with TOTP on",
     body = Problem, content_type = "application/problem+json"),
))]
#[patch("/admin/plans/{plan}")]
pub async fn update_plan(
    _operator: Operator,
    core: Shared,
    plan: web::Path<String>,
    body: Json<UpdatePlan>,
) -> Result<web::Json<Plan>> {
    Ok(web::Json(admin::update_plan(&core, &plan, body.into_inner()).await?))
}

/// Move a store to another plan (operators only); its new limits apply on its next request.
#[utoipa::path(tag = "admin", security(("bearer" = [])),
    params(("store_id" = uuid::Uuid, Path, description = "The store")),
    request_body = SetStorePlan, responses(
    (status = 200, description = "The store, on its new plan", body = Store),
    (status = 404, description = "No such store, or not an operator with TOTP on",
     body = Problem, content_type = "application/problem+json"),
))]
#[patch("/admin/stores/{store_id}")]
pub async fn set_store_plan(
    _operator: Operator,
    core: Shared,
    store_id: web::Path<String>,
    body: Json<SetStorePlan>,
) -> Result<web::Json<Store>> {
    // Read as text so a malformed id answers after the operator check, never before it.
    let store: StoreId = store_id.parse().map_err(|_| Error::not_found("store"))?;
    Ok(web::Json(admin::set_store_plan(&core, store, body.into_inner()).await?))
}

/// Which stores' usage an operator ranks, and how.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UsageQuery {
    /// The metric to rank by: `api_calls`, `whatsapp_messages`, `instagram_messages`,
    /// `email_messages`, `sms_messages` or `webhook_deliveries` (default `api_calls`).
    pub metric: Option<String>,
    /// `desc` (the most used first, the default) or `asc`.
    #[param(inline)]
    pub order: Option<ranking::Order>,
    /// Stores per page, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// Stores to skip, from a page's `next_offset` (default 0).
    #[param(minimum = 0, maximum = 1_000_000_000)]
    pub offset: Option<i64>,
}

/// Every store's use of one metric this period, ranked (operators only): what a platform usage
/// dashboard sorts by.
#[utoipa::path(tag = "admin", security(("bearer" = [])), params(UsageQuery), responses(
    (status = 200, description = "A page of the ranking", body = ranking::Ranking),
    (status = 404, description = "Not an operator with TOTP on (the same answer as an unknown route)",
     body = Problem, content_type = "application/problem+json"),
))]
#[get("/admin/usage")]
pub async fn usage_ranking(
    _operator: Operator,
    core: Shared,
    query: super::query::Query<UsageQuery>,
) -> Result<web::Json<ranking::Ranking>> {
    let metric = query.metric.as_deref().unwrap_or("api_calls");
    let limit = query.limit.unwrap_or(20);
    let offset = query.offset.unwrap_or(0);
    let mut check = Validator::new();
    check.check(Metric::from_name(metric).is_some(), "metric", "invalid_choice", "Not a metric balcao meters.");
    check.check((1..=ranking::MAX_LIMIT).contains(&limit), "limit", "out_of_range", "Between 1 and 100.");
    check.check((0..=1_000_000_000).contains(&offset), "offset", "out_of_range", "Between 0 and 1000000000.");
    check.finish()?;
    let metric = Metric::from_name(metric).unwrap_or(Metric::ApiCalls);
    Ok(web::Json(ranking::ranking(&core, metric, query.order.unwrap_or_default(), limit, offset).await?))
}
