//! Staff handlers for delivery zones, and the public shipping quote by store slug.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use balcao_core::error::Result;
use balcao_core::http::{InStore, Json, Query, StoreAccess, StorePath};
use balcao_core::pagination::{Page, PageParams};
use balcao_core::tenancy::Permission;

use super::input::{CreateDeliveryZone, QuoteParams, UpdateDeliveryZone};
use super::model::{DeliveryZone, ShippingQuote};
use super::service::DeliveryService;
use crate::ids::DeliveryZoneId;
use crate::storefront::StorefrontService;

type Delivery = web::Data<dyn DeliveryService>;
type Storefront = web::Data<dyn StorefrontService>;

/// The store's delivery zones, by position.
#[utoipa::path(tag = "shipping", security(("bearer" = [])),
    params(StorePath, PageParams),
    responses((status = 200, description = "A page of delivery zones", body = Page<DeliveryZone>)))]
#[get("/stores/{store_id}/delivery-zones")]
pub async fn list_delivery_zones(
    svc: Delivery,
    access: StoreAccess,
    page: Query<PageParams>,
) -> Result<web::Json<Page<DeliveryZone>>> {
    access.require(Permission::StoreRead)?;
    Ok(web::Json(svc.list(access.store_id, &page).await?))
}

/// Create a delivery zone: CEP ranges, neighbourhoods, a radius or pickup in store.
#[utoipa::path(tag = "shipping", security(("bearer" = [])), params(StorePath),
    request_body = CreateDeliveryZone, responses(
    (status = 201, description = "The delivery zone", body = DeliveryZone),
    (status = 422, description = "A field or rule is invalid", body = balcao_core::error::Problem, content_type = "application/problem+json")))]
#[post("/stores/{store_id}/delivery-zones")]
pub async fn create_delivery_zone(
    svc: Delivery,
    access: StoreAccess,
    body: Json<CreateDeliveryZone>,
) -> Result<HttpResponse> {
    access.require(Permission::StoreWrite)?;
    Ok(HttpResponse::Created().json(svc.create(access.store_id, body.into_inner()).await?))
}

/// One delivery zone.
#[utoipa::path(tag = "shipping", security(("bearer" = [])), params(
    StorePath, ("zone_id" = uuid::Uuid, Path, description = "The zone")),
    responses((status = 200, description = "The delivery zone", body = DeliveryZone)))]
#[get("/stores/{store_id}/delivery-zones/{zone_id}")]
pub async fn get_delivery_zone(
    svc: Delivery,
    access: StoreAccess,
    InStore(zone_id): InStore<DeliveryZoneId>,
) -> Result<web::Json<DeliveryZone>> {
    access.require(Permission::StoreRead)?;
    Ok(web::Json(svc.get(access.store_id, zone_id).await?))
}

/// Change a delivery zone; a new `kind` needs new `rules`.
#[utoipa::path(tag = "shipping", security(("bearer" = [])), params(
    StorePath, ("zone_id" = uuid::Uuid, Path, description = "The zone")),
    request_body = UpdateDeliveryZone, responses(
    (status = 200, description = "The delivery zone", body = DeliveryZone),
    (status = 422, description = "A field or rule is invalid", body = balcao_core::error::Problem, content_type = "application/problem+json")))]
#[patch("/stores/{store_id}/delivery-zones/{zone_id}")]
pub async fn update_delivery_zone(
    svc: Delivery,
    access: StoreAccess,
    InStore(zone_id): InStore<DeliveryZoneId>,
    body: Json<UpdateDeliveryZone>,
) -> Result<web::Json<DeliveryZone>> {
    access.require(Permission::StoreWrite)?;
    Ok(web::Json(svc.update(access.store_id, zone_id, body.into_inner()).await?))
}

/// Delete a delivery zone.
#[utoipa::path(tag = "shipping", security(("bearer" = [])), params(
    StorePath, ("zone_id" = uuid::Uuid, Path, description = "The zone")),
    responses((status = 204, description = "Deleted")))]
#[delete("/stores/{store_id}/delivery-zones/{zone_id}")]
pub async fn delete_delivery_zone(
    svc: Delivery,
    access: StoreAccess,
    InStore(zone_id): InStore<DeliveryZoneId>,
) -> Result<HttpResponse> {
    access.require(Permission::StoreWrite)?;
    svc.delete(access.store_id, zone_id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Shipping options for an address and subtotal, cheapest first; pickup in store is always listed.
/// `covered` is false (with a `message`) when no delivery zone covers the address.
#[utoipa::path(tag = "storefront", params(("slug" = String, Path, description = "The store's slug"), QuoteParams),
    responses((status = 200, description = "The quote", body = ShippingQuote),
    (status = 422, description = "Invalid CEP, coordinates or subtotal", body = balcao_core::error::Problem, content_type = "application/problem+json")))]
#[get("/storefront/{slug}/shipping-quote")]
pub async fn shipping_quote(
    storefront: Storefront,
    svc: Delivery,
    slug: web::Path<String>,
    params: Query<QuoteParams>,
) -> Result<web::Json<ShippingQuote>> {
    let store = storefront.store(&slug).await?;
    let req = params.into_inner().into_request(svc.currency(store).await?)?;
    Ok(web::Json(svc.quote(store, &req).await?))
}
