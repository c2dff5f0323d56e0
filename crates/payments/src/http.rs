//! The routes of balcao-payments and the services they use.

use std::sync::Arc;

use actix_web::http::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};
use balcao_core::Core;
use balcao_core::error::{Error, Result};
use balcao_core::http::{Json, Query, StoreAccess};
use balcao_core::id::StoreId;
use balcao_core::pagination::{Page, PageParams};
use balcao_core::tenancy::Permission;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::accounts::{self, PaymentAccount, UpsertAccount};
use crate::model::{CreatePayment, CreateRefund, Payment, PaymentId, Refund, Simulate};
use crate::pix::qr;
use crate::provider::Providers;
use crate::service::{PaymentService, PgPaymentService};

type Payments = web::Data<dyn PaymentService>;

/// This crate's services, as app data for its handlers.
#[derive(Clone)]
pub struct Services {
    /// Payments.
    pub payments: Payments,
    /// The shared handles (provider accounts).
    pub core: web::Data<Core>,
}

impl Services {
    /// The PostgreSQL implementation with `providers`.
    pub fn new(core: Core, providers: Providers) -> Self {
        let payments: Arc<dyn PaymentService> = Arc::new(PgPaymentService::new(core.clone(), providers));
        Self { payments: web::Data::from(payments), core: web::Data::new(core) }
    }

    /// Registers the services for the handlers of the scope `cfg` configures.
    pub fn register(&self, cfg: &mut ServiceConfig) {
        cfg.app_data(self.payments.clone()).app_data(self.core.clone());
    }
}

fn idempotency_key(req: &HttpRequest) -> String {
    req.headers().get("idempotency-key").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
}

/// The payments collection staff reach: `{public_url}/v1/stores/{store_id}/payments` (QR code links).
fn staff_payments_url(core: &Core, store: StoreId) -> String {
    format!("{}/v1/stores/{store}/payments", core.config.public_url)
}

/// Start paying an order: PIX (BR Code and QR code), boleto (line and barcode) or card (a
/// client secret for the provider's elements). Requires `Idempotency-Key`.
#[utoipa::path(tag = "payments", security(("bearer" = [])), params(
    ("store_id" = uuid::Uuid, Path, description = "The store"), ("order_id" = uuid::Uuid, Path, description = "The order"),
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
    path: web::Path<(uuid::Uuid, uuid::Uuid)>,
    body: Json<CreatePayment>,
) -> Result<HttpResponse> {
    access.require(Permission::OrdersWrite)?;
    let payment = svc.create(access.store_id, path.1, body.into_inner(), &idempotency_key(&req)).await?;
    Ok(HttpResponse::Created().json(payment.with_qr_url(&staff_payments_url(&core, access.store_id))))
}

/// Payments, newest first.
#[utoipa::path(tag = "payments", security(("bearer" = [])),
    params(("store_id" = uuid::Uuid, Path, description = "The store"), PageParams),
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
    ("store_id" = uuid::Uuid, Path, description = "The store"), ("payment_id" = uuid::Uuid, Path, description = "The payment")),
    responses((status = 200, description = "The payment", body = Payment)))]
#[get("/stores/{store_id}/payments/{payment_id}")]
pub async fn get_payment(
    svc: Payments,
    core: web::Data<Core>,
    access: StoreAccess,
    path: web::Path<(uuid::Uuid, PaymentId)>,
) -> Result<web::Json<Payment>> {
    access.require(Permission::PaymentsRead)?;
    let payment = svc.get(access.store_id, path.1).await?;
    Ok(web::Json(payment.with_qr_url(&staff_payments_url(&core, access.store_id))))
}

async fn pix_code(svc: &Payments, access: &StoreAccess, id: PaymentId) -> Result<String> {
    access.require(Permission::PaymentsRead)?;
    svc.get(access.store_id, id).await?.instructions.pix_code.ok_or_else(|| Error::not_found("PIX code"))
}

/// The PIX QR code as SVG.
#[utoipa::path(tag = "payments", security(("bearer" = [])), params(
    ("store_id" = uuid::Uuid, Path, description = "The store"), ("payment_id" = uuid::Uuid, Path, description = "The payment")),
    responses((status = 200, description = "The QR code", content_type = "image/svg+xml", body = String)))]
#[get("/stores/{store_id}/payments/{payment_id}/qr.svg")]
pub async fn qr_svg(
    svc: Payments,
    access: StoreAccess,
    path: web::Path<(uuid::Uuid, PaymentId)>,
) -> Result<HttpResponse> {
    qr_svg_response(&pix_code(&svc, &access, path.1).await?)
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
    ("store_id" = uuid::Uuid, Path, description = "The store"), ("payment_id" = uuid::Uuid, Path, description = "The payment")),
    responses((status = 200, description = "The QR code", content_type = "image/png", body = Vec<u8>)))]
#[get("/stores/{store_id}/payments/{payment_id}/qr.png")]
pub async fn qr_png(
    svc: Payments,
    access: StoreAccess,
    path: web::Path<(uuid::Uuid, PaymentId)>,
) -> Result<HttpResponse> {
    qr_png_response(&pix_code(&svc, &access, path.1).await?)
}

/// Refund part or all of a paid payment (never more than captured in total). Requires `Idempotency-Key`.
#[utoipa::path(tag = "payments", security(("bearer" = [])), params(
    ("store_id" = uuid::Uuid, Path, description = "The store"), ("payment_id" = uuid::Uuid, Path, description = "The payment"),
    ("Idempotency-Key" = String, Header, description = "Required: the same key answers the same refund")),
    request_body = CreateRefund, responses(
    (status = 201, description = "The refund (`succeeded` or `failed`)", body = Refund),
    (status = 422, description = "More than captured (`refund_exceeds_captured`) or not paid", body = balcao_core::error::Problem, content_type = "application/problem+json")))]
#[post("/stores/{store_id}/payments/{payment_id}/refunds")]
pub async fn create_refund(
    svc: Payments,
    access: StoreAccess,
    req: HttpRequest,
    path: web::Path<(uuid::Uuid, PaymentId)>,
    body: Json<CreateRefund>,
) -> Result<HttpResponse> {
    access.require(Permission::PaymentsRefund)?;
    let refund = svc.refund(access.store_id, path.1, body.into_inner(), &idempotency_key(&req)).await?;
    Ok(HttpResponse::Created().json(refund))
}

/// A payment's refunds.
#[utoipa::path(tag = "payments", security(("bearer" = [])), params(
    ("store_id" = uuid::Uuid, Path, description = "The store"), ("payment_id" = uuid::Uuid, Path, description = "The payment")),
    responses((status = 200, description = "Its refunds, oldest first", body = Vec<Refund>)))]
#[get("/stores/{store_id}/payments/{payment_id}/refunds")]
pub async fn list_refunds(
    svc: Payments,
    access: StoreAccess,
    path: web::Path<(uuid::Uuid, PaymentId)>,
) -> Result<web::Json<Vec<Refund>>> {
    access.require(Permission::PaymentsRead)?;
    Ok(web::Json(svc.refunds(access.store_id, path.1).await?))
}

/// Sandbox only: report the payment `paid`, `failed` or `expired` as the provider would.
#[utoipa::path(tag = "payments", security(("bearer" = [])), params(
    ("store_id" = uuid::Uuid, Path, description = "The store"), ("payment_id" = uuid::Uuid, Path, description = "The payment")),
    request_body = Simulate, responses((status = 200, description = "The payment after the report", body = Payment)))]
#[post("/stores/{store_id}/payments/{payment_id}/simulate")]
pub async fn simulate_payment(
    svc: Payments,
    core: web::Data<Core>,
    access: StoreAccess,
    path: web::Path<(uuid::Uuid, PaymentId)>,
    body: Json<Simulate>,
) -> Result<web::Json<Payment>> {
    access.require(Permission::OrdersWrite)?;
    let payment = svc.simulate(access.store_id, path.1, body.into_inner()).await?;
    Ok(web::Json(payment.with_qr_url(&staff_payments_url(&core, access.store_id))))
}

/// Connect the store to a provider (`efi` for PIX and boleto, `stripe` for cards); its
/// credentials are sealed and never returned. Without an account, a method pays through the sandbox.
#[utoipa::path(tag = "payments", security(("bearer" = [])), params(
    ("store_id" = uuid::Uuid, Path, description = "The store"), ("provider" = String, Path, description = "`efi`, `stripe` or `pagbank`")),
    request_body = UpsertAccount, responses((status = 200, description = "The account, without its credentials", body = PaymentAccount)))]
#[put("/stores/{store_id}/payment-accounts/{provider}")]
pub async fn put_account(
    core: web::Data<Core>,
    access: StoreAccess,
    path: web::Path<(uuid::Uuid, String)>,
    body: Json<UpsertAccount>,
) -> Result<web::Json<PaymentAccount>> {
    access.require(Permission::StoreWrite)?;
    Ok(web::Json(accounts::upsert(&core, access.store_id, &path.1, body.into_inner()).await?))
}

/// The store's provider accounts (credentials by name only).
#[utoipa::path(tag = "payments", security(("bearer" = [])), params(("store_id" = uuid::Uuid, Path, description = "The store")),
    responses((status = 200, description = "The accounts", body = Vec<PaymentAccount>)))]
#[get("/stores/{store_id}/payment-accounts")]
pub async fn list_accounts(core: web::Data<Core>, access: StoreAccess) -> Result<web::Json<Vec<PaymentAccount>>> {
    access.require(Permission::StoreWrite)?;
    Ok(web::Json(accounts::list(&core, access.store_id).await?))
}

/// Disconnect a provider; its methods pay through the sandbox again.
#[utoipa::path(tag = "payments", security(("bearer" = [])), params(
    ("store_id" = uuid::Uuid, Path, description = "The store"), ("provider" = String, Path, description = "The provider")),
    responses((status = 204, description = "Removed")))]
#[delete("/stores/{store_id}/payment-accounts/{provider}")]
pub async fn delete_account(
    core: web::Data<Core>,
    access: StoreAccess,
    path: web::Path<(uuid::Uuid, String)>,
) -> Result<HttpResponse> {
    access.require(Permission::StoreWrite)?;
    accounts::delete(&core, access.store_id, &path.1).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Registers this crate's routes; the gateway mounts them under `/v1`.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(create_payment)
        .service(list_payments)
        .service(get_payment)
        .service(qr_svg)
        .service(qr_png)
        .service(create_refund)
        .service(list_refunds)
        .service(simulate_payment)
        .service(put_account)
        .service(list_accounts)
        .service(delete_account);
    crate::splits::http::configure(cfg);
    crate::storefront_http::configure(cfg);
}
