//! The staff payment routes: start paying an order, read payments and their QR codes, and the
//! sandbox's simulated outcomes.

use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use balcao_core::Core;
use balcao_core::error::{Error, Result};
use balcao_core::http::{InStore, Json, Query, StoreAccess, StorePath};
use balcao_core::id::StoreId;
use balcao_core::pagination::{Page, PageParams};
use balcao_core::tenancy::Permission;
use utoipa_actix_web::service_config::ServiceConfig;

use super::model::{CreatePayment, Payment, PaymentId, Simulate};
use super::service::PaymentService;
use crate::br::pix::qr;

type Payments = web::Data<dyn PaymentService>;

/// The request's `Idempotency-Key` (empty when absent: the service refuses it).
pub(crate) fn idempotency_key(req: &HttpRequest) -> String {
    req.headers().get("idempotency-key").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
}

/// The payments collection staff reach: `{public_url}/v1/stores/{store_id}/payments` (QR code links).
fn staff_payments_url(core: &Core, store: StoreId) -> String {
    format!("{}/v1/stores/{store}/payments", core.config.public_url)
}

/// Start paying an order: PIX (BR Code and QR code), boleto (line and barcode) or card (a
/// client secret for the provider's elements). Requires `Idempotency-Key`.
#[utoipa::path(tag = "payments", security(("bearer" = [])), params(
    StorePath, ("order_id" = uuid::Uuid, Path, description = "The order"),
    ("Idempotency-Key" = String, Header, description = "Required: the same key answers the same payment")),
    request_body = CreatePayment, responses(
    (status = 201, description = "The payment with its instructions", body = Payment),
    (status = 409, description = "The order already has a payment in progress", body = balcao_core::error::Problem, content_type = "application/problem+json"),
    (status = 422, description = "The order does not wait for payment", body = balcao_core::error::Problem, content_type = "application/problem+json")))]
#[post("/stores/{store_id}/orders/{order_id}/payments")]
pub async fn create_payment(
    svc: Payments,
    core: web::Data<Core>,
    access: StoreAccess,
    req: HttpRequest,
    InStore(order_id): InStore<uuid::Uuid>,
    body: Json<CreatePayment>,
) -> Result<HttpResponse> {
    access.require(Permission::OrdersWrite)?;
    let payment = svc.create(access.store_id, order_id, body.into_inner(), &idempotency_key(&req)).await?;
    Ok(HttpResponse::Created().json(payment.with_qr_url(&staff_payments_url(&core, access.store_id))))
}

/// Payments, newest first.
#[utoipa::path(tag = "payments", security(("bearer" = [])),
    params(StorePath, PageParams),
    responses((status = 200, description = "A page of payments", body = Page<Payment>)))]
#[get("/stores/{store_id}/payments")]
pub async fn list_payments(
    svc: Payments,
    core: web::Data<Core>,
    access: StoreAccess,
    page: Query<PageParams>,
) -> Result<web::Json<Page<Payment>>> {
    access.require(Permission::PaymentsRead)?;
    let url = staff_payments_url(&core, access.store_id);
    Ok(web::Json(svc.list(access.store_id, &page).await?.map(|p| p.with_qr_url(&url))))
}

/// One payment.
#[utoipa::path(tag = "payments", security(("bearer" = [])), params(
    StorePath, ("payment_id" = uuid::Uuid, Path, description = "The payment")),
    responses((status = 200, description = "The payment", body = Payment)))]
#[get("/stores/{store_id}/payments/{payment_id}")]
pub async fn get_payment(
    svc: Payments,
    core: web::Data<Core>,
    access: StoreAccess,
    InStore(payment_id): InStore<PaymentId>,
) -> Result<web::Json<Payment>> {
    access.require(Permission::PaymentsRead)?;
    let payment = svc.get(access.store_id, payment_id).await?;
    Ok(web::Json(payment.with_qr_url(&staff_payments_url(&core, access.store_id))))
}

async fn pix_code(svc: &Payments, access: &StoreAccess, id: PaymentId) -> Result<String> {
    access.require(Permission::PaymentsRead)?;
    svc.get(access.store_id, id).await?.instructions.pix_code.ok_or_else(|| Error::not_found("PIX code"))
}

/// The PIX QR code as SVG.
#[utoipa::path(tag = "payments", security(("bearer" = [])), params(
    StorePath, ("payment_id" = uuid::Uuid, Path, description = "The payment")),
    responses((status = 200, description = "The QR code", content_type = "image/svg+xml", body = String)))]
#[get("/stores/{store_id}/payments/{payment_id}/qr.svg")]
pub async fn qr_svg(
    svc: Payments,
    access: StoreAccess,
    InStore(payment_id): InStore<PaymentId>,
) -> Result<HttpResponse> {
    qr_svg_response(&pix_code(&svc, &access, payment_id).await?)
}

/// A PIX code's QR code as an SVG response (staff and storefront routes).
pub(crate) fn qr_svg_response(code: &str) -> Result<HttpResponse> {
    let svg = qr::svg(code).map_err(Error::internal)?;
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, HeaderValue::from_static("image/svg+xml")))
        .insert_header((CACHE_CONTROL, HeaderValue::from_static("private, max-age=300")))
        .body(svg))
}

/// A PIX code's QR code as a PNG response (staff and storefront routes).
pub(crate) fn qr_png_response(code: &str) -> Result<HttpResponse> {
    let png = qr::png(code, 8).map_err(Error::internal)?;
    Ok(HttpResponse::Ok()
        .insert_header((CONTENT_TYPE, HeaderValue::from_static("image/png")))
        .insert_header((CACHE_CONTROL, HeaderValue::from_static("private, max-age=300")))
        .body(png))
}

/// The PIX QR code as PNG.
#[utoipa::path(tag = "payments", security(("bearer" = [])), params(
    StorePath, ("payment_id" = uuid::Uuid, Path, description = "The payment")),
    responses((status = 200, description = "The QR code", content_type = "image/png", body = Vec<u8>)))]
#[get("/stores/{store_id}/payments/{payment_id}/qr.png")]
pub async fn qr_png(
    svc: Payments,
    access: StoreAccess,
    InStore(payment_id): InStore<PaymentId>,
) -> Result<HttpResponse> {
    qr_png_response(&pix_code(&svc, &access, payment_id).await?)
}

/// Sandbox only: report the payment `paid`, `failed` or `expired` as the provider would.
#[utoipa::path(tag = "payments", security(("bearer" = [])), params(
    StorePath, ("payment_id" = uuid::Uuid, Path, description = "The payment")),
    request_body = Simulate, responses((status = 200, description = "The payment after the report", body = Payment)))]
#[post("/stores/{store_id}/payments/{payment_id}/simulate")]
pub async fn simulate_payment(
    svc: Payments,
    core: web::Data<Core>,
    access: StoreAccess,
    InStore(payment_id): InStore<PaymentId>,
    body: Json<Simulate>,
) -> Result<web::Json<Payment>> {
    access.require(Permission::OrdersWrite)?;
    let payment = svc.simulate(access.store_id, payment_id, body.into_inner()).await?;
    Ok(web::Json(payment.with_qr_url(&staff_payments_url(&core, access.store_id))))
}

/// Registers the staff payment routes.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(create_payment)
        .service(list_payments)
        .service(get_payment)
        .service(qr_svg)
        .service(qr_png)
        .service(simulate_payment);
}
