//! Staff handlers for webhook endpoints, and the public event catalog.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use balcao_core::error::Result;
use balcao_core::http::{InStore, Json, Query, StoreAccess, StorePath};
use balcao_core::pagination::{Page, PageParams};
use balcao_core::tenancy::Permission;

use super::EndpointService;
use super::model::{
    CreateEndpoint, CreatedEndpoint, Endpoint, EndpointId, RotateSecret, RotatedSecret, UpdateEndpoint,
};
use crate::events::{EventCatalog, EventType};

type Endpoints = web::Data<dyn EndpointService>;

/// Every event type endpoints may subscribe to, with its payload's JSON schema and an example,
/// sorted by name. The catalog is small: it comes whole, in one page (`next_cursor` is null).
#[utoipa::path(tag = "webhooks",
    responses((status = 200, description = "The event types", body = Page<EventType>)))]
#[get("/webhook-event-types")]
pub async fn list_event_types(catalog: web::Data<EventCatalog>) -> web::Json<Page<EventType>> {
    web::Json(Page { data: catalog.all().to_vec(), next_cursor: None })
}

/// The store's webhook endpoints (secrets are never listed).
#[utoipa::path(tag = "webhooks", security(("bearer" = [])),
    params(StorePath, PageParams),
    responses((status = 200, description = "A page of endpoints", body = Page<Endpoint>)))]
#[get("/stores/{store_id}/webhook-endpoints")]
pub async fn list_endpoints(
    svc: Endpoints,
    access: StoreAccess,
    page: Query<PageParams>,
) -> Result<web::Json<Page<Endpoint>>> {
    access.require(Permission::WebhooksManage)?;
    Ok(web::Json(svc.list(access.store_id, &page).await?))
}

/// Create an endpoint; the response carries its signing secret, shown this once.
#[utoipa::path(tag = "webhooks", security(("bearer" = [])), params(StorePath),
    request_body = CreateEndpoint, responses(
    (status = 201, description = "The endpoint with its secret", body = CreatedEndpoint),
    (status = 403, description = "A permission this action needs is missing, or `plan_limit_reached`: the store's plan \
     allows no more webhook endpoints", body = balcao_core::error::Problem, content_type = "application/problem+json")))]
#[post("/stores/{store_id}/webhook-endpoints")]
pub async fn create_endpoint(svc: Endpoints, access: StoreAccess, body: Json<CreateEndpoint>) -> Result<HttpResponse> {
    access.require(Permission::WebhooksManage)?;
    Ok(HttpResponse::Created().json(svc.create(access.store_id, body.into_inner()).await?))
}

/// One endpoint (without its secret).
#[utoipa::path(tag = "webhooks", security(("bearer" = [])), params(
    StorePath, ("endpoint_id" = uuid::Uuid, Path, description = "The endpoint")),
    responses((status = 200, description = "The endpoint", body = Endpoint)))]
#[get("/stores/{store_id}/webhook-endpoints/{endpoint_id}")]
pub async fn get_endpoint(
    svc: Endpoints,
    access: StoreAccess,
    InStore(endpoint_id): InStore<EndpointId>,
) -> Result<web::Json<Endpoint>> {
    access.require(Permission::WebhooksManage)?;
    Ok(web::Json(svc.get(access.store_id, endpoint_id).await?))
}

/// Change an endpoint; only given fields change.
#[utoipa::path(tag = "webhooks", security(("bearer" = [])), params(
    StorePath, ("endpoint_id" = uuid::Uuid, Path, description = "The endpoint")),
    request_body = UpdateEndpoint, responses((status = 200, description = "The endpoint", body = Endpoint)))]
#[patch("/stores/{store_id}/webhook-endpoints/{endpoint_id}")]
pub async fn update_endpoint(
    svc: Endpoints,
    access: StoreAccess,
    InStore(endpoint_id): InStore<EndpointId>,
    body: Json<UpdateEndpoint>,
) -> Result<web::Json<Endpoint>> {
    access.require(Permission::WebhooksManage)?;
    Ok(web::Json(svc.update(access.store_id, endpoint_id, body.into_inner()).await?))
}

/// Delete an endpoint.
#[utoipa::path(tag = "webhooks", security(("bearer" = [])), params(
    StorePath, ("endpoint_id" = uuid::Uuid, Path, description = "The endpoint")),
    responses((status = 204, description = "Deleted")))]
#[delete("/stores/{store_id}/webhook-endpoints/{endpoint_id}")]
pub async fn delete_endpoint(
    svc: Endpoints,
    access: StoreAccess,
    InStore(endpoint_id): InStore<EndpointId>,
) -> Result<HttpResponse> {
    access.require(Permission::WebhooksManage)?;
    svc.delete(access.store_id, endpoint_id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Replace the signing secret; the previous one keeps signing beside it for the grace period.
#[utoipa::path(tag = "webhooks", security(("bearer" = [])), params(
    StorePath, ("endpoint_id" = uuid::Uuid, Path, description = "The endpoint")),
    request_body = RotateSecret, responses(
    (status = 200, description = "The new secret, shown this once", body = RotatedSecret),
    (status = 409, description = "Rotated concurrently; retry", body = balcao_core::error::Problem, content_type = "application/problem+json")))]
#[post("/stores/{store_id}/webhook-endpoints/{endpoint_id}/rotate-secret")]
pub async fn rotate_secret(
    svc: Endpoints,
    access: StoreAccess,
    InStore(endpoint_id): InStore<EndpointId>,
    body: Json<RotateSecret>,
) -> Result<web::Json<RotatedSecret>> {
    access.require(Permission::WebhooksManage)?;
    Ok(web::Json(svc.rotate_secret(access.store_id, endpoint_id, body.into_inner()).await?))
}
