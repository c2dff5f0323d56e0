//! Public storefront payment routes: a shopper pays the order a cart became, polls it and gets
//! its PIX QR code. The cart id is the shopper's proof of access, as for the public cart routes;
//! balcao-stores' cart service (registered by its `Services` in the same scope) resolves the
//! slug and cart to the store and order.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use balcao_core::Core;
use balcao_core::error::{Error, Result};
use balcao_core::http::Json;
use balcao_stores::carts::CartService;
use balcao_stores::carts::payments::payment_key;
use balcao_stores::ids::CartId;
use utoipa_actix_web::service_config::ServiceConfig;

use super::payments_url;
use crate::payments::http::{qr_png_response, qr_svg_response};
use crate::payments::model::{CreatePayment, Payment, PaymentId};
use crate::payments::service::{PaymentService, check_key};

type Payments = web::Data<dyn PaymentService>;
type Carts = web::Data<dyn CartService>;

/// The payment, if it pays the order `cart` became.
async fn cart_payment(svc: &Payments, carts: &Carts, slug: &str, cart: CartId, id: PaymentId) -> Result<Payment> {
    let (store, order) = carts.order_of(slug, cart).await?;
    let payment = svc.get(store, id).await?;
    if payment.order_id != order.uuid() {
        return Err(Error::not_found("payment"));
    }
    Ok(payment)
}

fn pix_code(payment: Payment) -> Result<String> {
    payment.instructions.pix_code.ok_or_else(|| Error::not_found("PIX code"))
}

/// Pay the order this cart became (again after a failed payment, or with another method).
/// Requires `Idempotency-Key`: the same key answers the same payment.
#[utoipa::path(tag = "storefront", params(
    ("slug" = String, Path, description = "The store's slug"), ("cart_id" = uuid::Uuid, Path, description = "The checked-out cart"),
    ("Idempotency-Key" = String, Header, description = "Required: the same key answers the same payment")),
    request_body = CreatePayment, responses(
    (status = 201, description = "The payment with its instructions", body = Payment),
    (status = 400, description = "`idempotency_key_required`", body = balcao_core::error::Problem, content_type = "application/problem+json"),
    (status = 409, description = "`cart_not_checked_out`, or the order already has a payment in progress (`payment_in_progress`)",
     body = balcao_core::error::Problem, content_type = "application/problem+json"),
    (status = 422, description = "The order does not wait for payment (`order_not_payable`)", body = balcao_core::error::Problem, content_type = "application/problem+json")))]
#[post("/storefront/{slug}/carts/{cart_id}/payments")]
pub async fn start_payment(
    svc: Payments,
    carts: Carts,
    core: web::Data<Core>,
    req: HttpRequest,
    path: web::Path<(String, CartId)>,
    body: Json<CreatePayment>,
) -> Result<HttpResponse> {
    let key = req.headers().get("idempotency-key").and_then(|v| v.to_str().ok()).unwrap_or_default();
    check_key(key)?;
    let (slug, cart) = path.into_inner();
    let (store, order) = carts.order_of(&slug, cart).await?;
    let payment = svc.create(store, order.uuid(), body.into_inner(), &payment_key("storefront", cart, key)).await?;
    let payment = payment.with_qr_url(&payments_url(&core.config.public_url, &slug, cart));
    Ok(HttpResponse::Created().json(payment))
}

/// A payment of the order this cart became, to poll its status.
#[utoipa::path(tag = "storefront", operation_id = "get_cart_payment", params(
    ("slug" = String, Path, description = "The store's slug"), ("cart_id" = uuid::Uuid, Path, description = "The checked-out cart"),
    ("payment_id" = uuid::Uuid, Path, description = "The payment")),
    responses((status = 200, description = "The payment", body = Payment),
    (status = 409, description = "`cart_not_checked_out`: the cart has no order yet", body = balcao_core::error::Problem,
     content_type = "application/problem+json")))]
#[get("/storefront/{slug}/carts/{cart_id}/payments/{payment_id}")]
pub async fn get_payment(
    svc: Payments,
    carts: Carts,
    core: web::Data<Core>,
    path: web::Path<(String, CartId, PaymentId)>,
) -> Result<web::Json<Payment>> {
    let (slug, cart, id) = path.into_inner();
    let payment = cart_payment(&svc, &carts, &slug, cart, id).await?;
    Ok(web::Json(payment.with_qr_url(&payments_url(&core.config.public_url, &slug, cart))))
}

/// The PIX QR code of a payment of this cart's order, as SVG.
#[utoipa::path(tag = "storefront", operation_id = "cart_payment_qr_svg", params(
    ("slug" = String, Path, description = "The store's slug"), ("cart_id" = uuid::Uuid, Path, description = "The checked-out cart"),
    ("payment_id" = uuid::Uuid, Path, description = "The payment")),
    responses((status = 200, description = "The QR code", content_type = "image/svg+xml", body = String),
    (status = 409, description = "`cart_not_checked_out`: the cart has no order yet", body = balcao_core::error::Problem,
     content_type = "application/problem+json")))]
#[get("/storefront/{slug}/carts/{cart_id}/payments/{payment_id}/qr.svg")]
pub async fn qr_svg(svc: Payments, carts: Carts, path: web::Path<(String, CartId, PaymentId)>) -> Result<HttpResponse> {
    let (slug, cart, id) = path.into_inner();
    qr_svg_response(&pix_code(cart_payment(&svc, &carts, &slug, cart, id).await?)?)
}

/// The PIX QR code of a payment of this cart's order, as PNG.
#[utoipa::path(tag = "storefront", operation_id = "cart_payment_qr_png", params(
    ("slug" = String, Path, description = "The store's slug"), ("cart_id" = uuid::Uuid, Path, description = "The checked-out cart"),
    ("payment_id" = uuid::Uuid, Path, description = "The payment")),
    responses((status = 200, description = "The QR code", content_type = "image/png", body = Vec<u8>),
    (status = 409, description = "`cart_not_checked_out`: the cart has no order yet", body = balcao_core::error::Problem,
     content_type = "application/problem+json")))]
#[get("/storefront/{slug}/carts/{cart_id}/payments/{payment_id}/qr.png")]
pub async fn qr_png(svc: Payments, carts: Carts, path: web::Path<(String, CartId, PaymentId)>) -> Result<HttpResponse> {
    let (slug, cart, id) = path.into_inner();
    qr_png_response(&pix_code(cart_payment(&svc, &carts, &slug, cart, id).await?)?)
}

/// Registers the storefront payment routes (from [`crate::http::configure`]).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(start_payment).service(get_payment).service(qr_svg).service(qr_png);
}
