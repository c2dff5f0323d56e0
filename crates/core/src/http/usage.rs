//! The handler for a store's usage report.

use actix_web::{get, web};

use super::extract::StoreAccess;
use super::query::Query;
use crate::context::Core;
use crate::error::Result;
use crate::http::StorePath;
use crate::tenancy::Permission;
use crate::usage::report::{self, UsageRange, UsageReport};

/// The store's usage: the current period (a calendar month in UTC), each metric's use against
/// the plan's allowance (hard or soft, with overage), and a daily series by field. Figures come
/// from the counts flushed every minute.
#[utoipa::path(tag = "stores", security(("bearer" = [])), params(StorePath, UsageRange), responses(
    (status = 200, description = "The usage report", body = UsageReport),
    (status = 422, description = "A bad day, `to` before `from`, or more than 400 days (naming the parameter)",
        body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[get("/stores/{store_id}/usage")]
pub async fn store_usage(
    core: web::Data<Core>,
    access: StoreAccess,
    range: Query<UsageRange>,
) -> Result<web::Json<UsageReport>> {
    access.require(Permission::StoreRead)?;
    Ok(web::Json(report::report(&core, access.store_id, &range).await?))
}
