//! The refund routes of a payment.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use balcao_core::error::Result;
use balcao_core::http::{InStore, Json, StoreAccess, StorePath};
use balcao_core::tenancy::Permission;
use utoipa_actix_web::service_config::ServiceConfig;

use super::model::{CreateRefund, Refund};
use crate::payments::http::idempotency_key;
use crate::payments::model::PaymentId;
use crate::payments::service::PaymentService;

type Payments = web::Data<dyn PaymentService>;

/// Refund part or all of a paid payment (never more than captured in total). Requires `Idempotency-Key`.
#[utoipa::path(tag = "payments", security(("bearer" = [])), params(
    StorePath, ("payment_id" = uuid::Uuid, Path, description = "The payment"),
    ("Idempotency-Key" = String, Header, description = "Required: the same key answers the same refund")),
    request_body = CreateRefund, responses(
    (status = 201, description = "The refund (`succeeded` or `failed`)", body = Refund),
    (status = 422, description = "More than captured (`refund_exceeds_captured`) or not paid", body = balcao_core::error::Problem, content_type = "application/problem+json")))]
#[post("/stores/{store_id}/payments/{payment_id}/refunds")]
pub async fn create_refund(
    svc: Payments,
    access: StoreAccess,
    req: HttpRequest,
    InStore(payment_id): InStore<PaymentId>,
    body: Json<CreateRefund>,
) -> Result<HttpResponse> {
    access.require(Permission::PaymentsRefund)?;
    let refund = svc.refund(access.store_id, payment_id, body.into_inner(), &idempotency_key(&req)).await?;
    Ok(HttpResponse::Created().json(refund))
}

/// A payment's refunds.
#[utoipa::path(tag = "payments", security(("bearer" = [])), params(
    StorePath, ("payment_id" = uuid::Uuid, Path, description = "The payment")),
    responses((status = 200, description = "Its refunds, oldest first", body = Vec<Refund>)))]
#[get("/stores/{store_id}/payments/{payment_id}/refunds")]
pub async fn list_refunds(
    svc: Payments,
    access: StoreAccess,
    InStore(payment_id): InStore<PaymentId>,
) -> Result<web::Json<Vec<Refund>>> {
    access.require(Permission::PaymentsRead)?;
    Ok(web::Json(svc.refunds(access.store_id, payment_id).await?))
}

/// Registers the refund routes.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(create_refund).service(list_refunds);
}
