//! The analytics handler.

use actix_web::{get, web};
use balcao_core::error::Result;
use balcao_core::http::{Query, StoreAccess, StorePath};
use balcao_core::tenancy::Permission;

use super::service::{Analytics, AnalyticsService, Period};

/// Revenue, orders, average order value, top products, orders by hour (store time zone) and repeat customers.
#[utoipa::path(tag = "orders", security(("bearer" = [])),
    params(StorePath, Period),
    responses((status = 200, description = "The figures for the period", body = Analytics)))]
#[get("/stores/{store_id}/analytics")]
pub async fn analytics(
    svc: web::Data<dyn AnalyticsService>,
    access: StoreAccess,
    period: Query<Period>,
) -> Result<web::Json<Analytics>> {
    access.require(Permission::OrdersRead)?;
    Ok(web::Json(svc.summary(access.store_id, period.into_inner()).await?))
}
