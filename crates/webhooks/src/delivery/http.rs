//! Staff handlers for an endpoint's deliveries.

use actix_web::{HttpResponse, get, post, web};
use balcao_core::error::Result;
use balcao_core::http::{InStore, Json, Query, StoreAccess, StorePath};
use balcao_core::pagination::{Page, PageParams};
use balcao_core::tenancy::Permission;

use super::DeliveryService;
use super::model::{Delivery, DeliveryDetail, DeliveryFilter, Recover, Recovered, TestAttempt, TestSend};
use crate::endpoints::EndpointId;
use crate::events::EventCatalog;

type Deliveries = web::Data<DeliveryService>;

/// An endpoint's deliveries, newest first, optionally filtered by status.
#[utoipa::path(tag = "webhooks", security(("bearer" = [])), params(
    StorePath, ("endpoint_id" = uuid::Uuid, Path, description = "The endpoint"),
    DeliveryFilter, PageParams),
    responses((status = 200, description = "A page of deliveries", body = Page<Delivery>)))]
#[get("/stores/{store_id}/webhook-endpoints/{endpoint_id}/deliveries")]
pub async fn list_deliveries(
    svc: Deliveries,
    access: StoreAccess,
    InStore(endpoint_id): InStore<EndpointId>,
    filter: Query<DeliveryFilter>,
    page: Query<PageParams>,
) -> Result<web::Json<Page<Delivery>>> {
    access.require(Permission::WebhooksManage)?;
    Ok(web::Json(svc.list(access.store_id, endpoint_id, &filter, &page).await?))
}

/// One delivery with every attempt: request headers, status, response body (truncated), duration, error.
#[utoipa::path(tag = "webhooks", security(("bearer" = [])), params(
    StorePath, ("endpoint_id" = uuid::Uuid, Path, description = "The endpoint"),
    ("delivery_id" = uuid::Uuid, Path, description = "The delivery")),
    responses((status = 200, description = "The delivery and its attempts", body = DeliveryDetail)))]
#[get("/stores/{store_id}/webhook-endpoints/{endpoint_id}/deliveries/{delivery_id}")]
pub async fn get_delivery(
    svc: Deliveries,
    access: StoreAccess,
    InStore((endpoint_id, delivery_id)): InStore<(EndpointId, uuid::Uuid)>,
) -> Result<web::Json<DeliveryDetail>> {
    access.require(Permission::WebhooksManage)?;
    Ok(web::Json(svc.get(access.store_id, endpoint_id, delivery_id).await?))
}

/// Send a delivery again (a new job; the same `webhook-id`).
#[utoipa::path(tag = "webhooks", security(("bearer" = [])), params(
    StorePath, ("endpoint_id" = uuid::Uuid, Path, description = "The endpoint"),
    ("delivery_id" = uuid::Uuid, Path, description = "The delivery")),
    responses((status = 202, description = "Queued", body = Delivery)))]
#[post("/stores/{store_id}/webhook-endpoints/{endpoint_id}/deliveries/{delivery_id}/resend")]
pub async fn resend_delivery(
    svc: Deliveries,
    access: StoreAccess,
    InStore((endpoint_id, delivery_id)): InStore<(EndpointId, uuid::Uuid)>,
) -> Result<HttpResponse> {
    access.require(Permission::WebhooksManage)?;
    Ok(HttpResponse::Accepted().json(svc.resend(access.store_id, endpoint_id, delivery_id).await?))
}

/// Requeue the endpoint's failed and dead deliveries created in `[since, until)`.
#[utoipa::path(tag = "webhooks", security(("bearer" = [])), params(
    StorePath, ("endpoint_id" = uuid::Uuid, Path, description = "The endpoint")),
    request_body = Recover, responses((status = 202, description = "How many were requeued", body = Recovered)))]
#[post("/stores/{store_id}/webhook-endpoints/{endpoint_id}/recover")]
pub async fn recover_deliveries(
    svc: Deliveries,
    access: StoreAccess,
    InStore(endpoint_id): InStore<EndpointId>,
    body: Json<Recover>,
) -> Result<HttpResponse> {
    access.require(Permission::WebhooksManage)?;
    Ok(HttpResponse::Accepted().json(svc.recover(access.store_id, endpoint_id, body.into_inner()).await?))
}

/// Send one event type's example payload to the endpoint now and see the attempt: the
/// request headers and body sent, the response and how long it took. Honours `Idempotency-Key`.
#[utoipa::path(tag = "webhooks", security(("bearer" = [])), params(
    StorePath, ("endpoint_id" = uuid::Uuid, Path, description = "The endpoint")),
    request_body = TestSend,
    responses((status = 200, description = "The attempt, whatever the endpoint answered", body = TestAttempt)))]
#[post("/stores/{store_id}/webhook-endpoints/{endpoint_id}/test")]
pub async fn test_endpoint(
    svc: Deliveries,
    catalog: web::Data<EventCatalog>,
    access: StoreAccess,
    InStore(endpoint_id): InStore<EndpointId>,
    body: Json<TestSend>,
) -> Result<web::Json<TestAttempt>> {
    access.require(Permission::WebhooksManage)?;
    Ok(web::Json(svc.test(access.store_id, endpoint_id, body.into_inner(), &catalog).await?))
}
