//! Staff handlers for coupons.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use balcao_core::error::Result;
use balcao_core::http::{InStore, Json, Query, StoreAccess, StorePath};
use balcao_core::pagination::{Page, PageParams};
use balcao_core::tenancy::Permission;

use super::CouponService;
use super::model::{Coupon, CreateCoupon, UpdateCoupon};
use crate::ids::CouponId;

type Coupons = web::Data<dyn CouponService>;

/// The store's coupons, oldest first.
#[utoipa::path(tag = "coupons", security(("bearer" = [])),
    params(StorePath, PageParams),
    responses((status = 200, description = "A page of coupons", body = Page<Coupon>)))]
#[get("/stores/{store_id}/coupons")]
pub async fn list_coupons(
    svc: Coupons,
    access: StoreAccess,
    page: Query<PageParams>,
) -> Result<web::Json<Page<Coupon>>> {
    access.require(Permission::CatalogRead)?;
    Ok(web::Json(svc.list(access.store_id, &page).await?))
}

/// Create a coupon.
#[utoipa::path(tag = "coupons", security(("bearer" = [])), params(StorePath),
    request_body = CreateCoupon, responses(
    (status = 201, description = "The coupon", body = Coupon),
    (status = 409, description = "The code is taken (whatever its case)", body = balcao_core::error::Problem, content_type = "application/problem+json"),
    (status = 422, description = "A field is invalid", body = balcao_core::error::Problem, content_type = "application/problem+json")))]
#[post("/stores/{store_id}/coupons")]
pub async fn create_coupon(svc: Coupons, access: StoreAccess, body: Json<CreateCoupon>) -> Result<HttpResponse> {
    access.require(Permission::CatalogWrite)?;
    Ok(HttpResponse::Created().json(svc.create(access.store_id, body.into_inner()).await?))
}

/// One coupon.
#[utoipa::path(tag = "coupons", security(("bearer" = [])), params(
    StorePath, ("coupon_id" = uuid::Uuid, Path, description = "The coupon")),
    responses((status = 200, description = "The coupon", body = Coupon),
    (status = 404, description = "No such coupon in this store", body = balcao_core::error::Problem, content_type = "application/problem+json")))]
#[get("/stores/{store_id}/coupons/{coupon_id}")]
pub async fn get_coupon(
    svc: Coupons,
    access: StoreAccess,
    InStore(coupon_id): InStore<CouponId>,
) -> Result<web::Json<Coupon>> {
    access.require(Permission::CatalogRead)?;
    Ok(web::Json(svc.get(access.store_id, coupon_id).await?))
}

/// Change a coupon; the result must be a valid coupon as a whole.
#[utoipa::path(tag = "coupons", security(("bearer" = [])), params(
    StorePath, ("coupon_id" = uuid::Uuid, Path, description = "The coupon")),
    request_body = UpdateCoupon, responses(
    (status = 200, description = "The coupon", body = Coupon),
    (status = 409, description = "The code is taken (whatever its case)", body = balcao_core::error::Problem, content_type = "application/problem+json"),
    (status = 422, description = "A field is invalid", body = balcao_core::error::Problem, content_type = "application/problem+json")))]
#[patch("/stores/{store_id}/coupons/{coupon_id}")]
pub async fn update_coupon(
    svc: Coupons,
    access: StoreAccess,
    InStore(coupon_id): InStore<CouponId>,
    body: Json<UpdateCoupon>,
) -> Result<web::Json<Coupon>> {
    access.require(Permission::CatalogWrite)?;
    Ok(web::Json(svc.update(access.store_id, coupon_id, body.into_inner()).await?))
}

/// Delete a coupon never used; a coupon used before is deactivated instead, keeping its history.
#[utoipa::path(tag = "coupons", security(("bearer" = [])), params(
    StorePath, ("coupon_id" = uuid::Uuid, Path, description = "The coupon")),
    responses((status = 204, description = "Deleted, or deactivated if it was ever used"),
    (status = 404, description = "No such coupon in this store", body = balcao_core::error::Problem, content_type = "application/problem+json")))]
#[delete("/stores/{store_id}/coupons/{coupon_id}")]
pub async fn delete_coupon(
    svc: Coupons,
    access: StoreAccess,
    InStore(coupon_id): InStore<CouponId>,
) -> Result<HttpResponse> {
    access.require(Permission::CatalogWrite)?;
    svc.delete(access.store_id, coupon_id).await?;
    Ok(HttpResponse::NoContent().finish())
}
