//! Storefront handlers for carts and checkout (public; the cart id is the capability).

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use balcao_core::Core;
use balcao_core::error::{Error, Result};
use balcao_core::http::Json;
use balcao_core::http::client_ip::client_ip;
use balcao_core::limits::{self, Limit};

use super::model::{AddItem, ApplyCoupon, Cart, Checkout, CreateCart, PlacedOrder, UpdateCart, UpdateItem};
use super::payments::{CheckoutPayments, place_and_pay};
use super::service::CartService;
use crate::customers::shopper::MaybeCustomer;
use crate::ids::{CartId, CartItemId};

type Carts = web::Data<dyn CartService>;

fn carts_limit(core: &Core) -> Limit {
    Limit { what: "carts", code: crate::problems::TOO_MANY_CARTS, max: core.config.carts_per_hour, window: HOUR }
}

fn checkouts_limit(core: &Core) -> Limit {
    Limit {
        what: "checkouts",
        code: crate::problems::TOO_MANY_CHECKOUTS,
        max: core.config.checkouts_per_hour,
        window: HOUR,
    }
}

const HOUR: std::time::Duration = std::time::Duration::from_secs(3600);

/// Open a cart (as a guest, or as the customer of a `customer_token`).
#[utoipa::path(tag = "storefront", security((), ("customer_token" = [])),
    params(("slug" = String, Path, description = "The store's slug")), request_body = CreateCart, responses(
    (status = 201, description = "The new cart", body = Cart),
    (status = 429, description = "`too_many_carts`: this address opened `BALCAO_CARTS_PER_HOUR` carts this hour; see \
     Retry-After", body = balcao_core::error::Problem, content_type = "application/problem+json")))]
#[post("/storefront/{slug}/carts")]
pub async fn create_cart(
    svc: Carts,
    core: web::Data<Core>,
    req: HttpRequest,
    slug: web::Path<String>,
    shopper: MaybeCustomer,
    body: Json<CreateCart>,
) -> Result<HttpResponse> {
    limits::hit(&core, carts_limit(&core), client_ip(&req, core.config.behind_proxy)).await?;
    let cart = svc.create(&slug, shopper.0.map(|s| s.customer_id), body.into_inner()).await?;
    Ok(HttpResponse::Created().json(cart))
}

/// The cart, priced from the current catalog; `changes` on each line say what moved since the last look.
#[utoipa::path(tag = "storefront", params(
    ("slug" = String, Path, description = "The store's slug"), ("cart_id" = uuid::Uuid, Path, description = "The cart")),
    responses((status = 200, description = "The cart", body = Cart)))]
#[get("/storefront/{slug}/carts/{cart_id}")]
pub async fn get_cart(svc: Carts, path: web::Path<(String, CartId)>) -> Result<web::Json<Cart>> {
    Ok(web::Json(svc.get(&path.0, path.1).await?))
}

/// Set contact details and the shipping destination and method.
#[utoipa::path(tag = "storefront", params(
    ("slug" = String, Path, description = "The store's slug"), ("cart_id" = uuid::Uuid, Path, description = "The cart")),
    request_body = UpdateCart, responses((status = 200, description = "The cart", body = Cart),
    (status = 409, description = "The cart became an order", body = balcao_core::error::Problem, content_type = "application/problem+json")))]
#[patch("/storefront/{slug}/carts/{cart_id}")]
pub async fn update_cart(
    svc: Carts,
    path: web::Path<(String, CartId)>,
    body: Json<UpdateCart>,
) -> Result<web::Json<Cart>> {
    Ok(web::Json(svc.update(&path.0, path.1, body.into_inner()).await?))
}

/// Add units of a variant.
#[utoipa::path(tag = "storefront", params(
    ("slug" = String, Path, description = "The store's slug"), ("cart_id" = uuid::Uuid, Path, description = "The cart")),
    request_body = AddItem, responses((status = 200, description = "The cart", body = Cart),
    (status = 409, description = "The cart became an order", body = balcao_core::error::Problem, content_type = "application/problem+json")))]
#[post("/storefront/{slug}/carts/{cart_id}/items")]
pub async fn add_item(svc: Carts, path: web::Path<(String, CartId)>, body: Json<AddItem>) -> Result<web::Json<Cart>> {
    Ok(web::Json(svc.add_item(&path.0, path.1, body.into_inner()).await?))
}

/// Change a line's units.
#[utoipa::path(tag = "storefront", params(
    ("slug" = String, Path, description = "The store's slug"), ("cart_id" = uuid::Uuid, Path, description = "The cart"),
    ("item_id" = uuid::Uuid, Path, description = "The line")),
    request_body = UpdateItem, responses((status = 200, description = "The cart", body = Cart)))]
#[patch("/storefront/{slug}/carts/{cart_id}/items/{item_id}")]
pub async fn update_item(
    svc: Carts,
    path: web::Path<(String, CartId, CartItemId)>,
    body: Json<UpdateItem>,
) -> Result<web::Json<Cart>> {
    Ok(web::Json(svc.update_item(&path.0, path.1, path.2, body.into_inner()).await?))
}

/// Remove a line.
#[utoipa::path(tag = "storefront", params(
    ("slug" = String, Path, description = "The store's slug"), ("cart_id" = uuid::Uuid, Path, description = "The cart"),
    ("item_id" = uuid::Uuid, Path, description = "The line")),
    responses((status = 200, description = "The cart", body = Cart)))]
#[delete("/storefront/{slug}/carts/{cart_id}/items/{item_id}")]
pub async fn remove_item(svc: Carts, path: web::Path<(String, CartId, CartItemId)>) -> Result<web::Json<Cart>> {
    Ok(web::Json(svc.remove_item(&path.0, path.1, path.2).await?))
}

/// Unknown coupon codes tried on one cart per hour before it may try no more.
const COUPON_GUESSES_PER_CART: i64 = 10;
/// The same from one client address, over every cart.
const COUPON_GUESSES_PER_ADDRESS: i64 = 30;

/// Apply a coupon; one that does not hold answers 422 with a code saying why (`coupon_expired`, ...).
///
/// Codes cannot be guessed at will: after 10 unknown codes on a cart, or 30 from one address,
/// within an hour, the cart takes no more codes for the rest of it (429).
#[utoipa::path(tag = "storefront", params(
    ("slug" = String, Path, description = "The store's slug"), ("cart_id" = uuid::Uuid, Path, description = "The cart")),
    request_body = ApplyCoupon, responses(
    (status = 200, description = "The cart with the discount", body = Cart),
    (status = 429, description = "`too_many_coupon_attempts`: too many unknown codes on this cart or from this \
     address; see Retry-After", body = balcao_core::error::Problem, content_type = "application/problem+json")))]
#[post("/storefront/{slug}/carts/{cart_id}/coupon")]
pub async fn apply_coupon(
    svc: Carts,
    core: web::Data<Core>,
    req: HttpRequest,
    path: web::Path<(String, CartId)>,
    body: Json<ApplyCoupon>,
) -> Result<web::Json<Cart>> {
    let mut keys = vec![(format!("coupon:guess:cart:{}", path.1), COUPON_GUESSES_PER_CART)];
    if let Some(ip) = client_ip(&req, core.config.behind_proxy) {
        keys.push((format!("coupon:guess:ip:{ip}"), COUPON_GUESSES_PER_ADDRESS));
    }
    let guesses = limits::Failures {
        keys,
        window: HOUR,
        code: crate::problems::TOO_MANY_COUPON_ATTEMPTS,
        detail: "Too many unknown coupon codes were tried; try again later.",
    };
    guesses.check(&core).await?;
    match svc.apply_coupon(&path.0, path.1, body.into_inner()).await {
        Err(error) if error.error_code() == crate::problems::COUPON_NOT_FOUND => {
            guesses.record(&core).await;
            Err(error)
        }
        answer => Ok(web::Json(answer?)),
    }
}

/// Remove the cart's coupons.
#[utoipa::path(tag = "storefront", params(
    ("slug" = String, Path, description = "The store's slug"), ("cart_id" = uuid::Uuid, Path, description = "The cart")),
    responses((status = 200, description = "The cart", body = Cart)))]
#[delete("/storefront/{slug}/carts/{cart_id}/coupon")]
pub async fn remove_coupons(svc: Carts, path: web::Path<(String, CartId)>) -> Result<web::Json<Cart>> {
    Ok(web::Json(svc.remove_coupons(&path.0, path.1).await?))
}

/// Place the order. Send an `Idempotency-Key`: a retry returns the same order (and the same payment).
///
/// With `payment_method`, the payment starts with the order and comes back as `payment` with its
/// instructions (PIX code and QR code link, boleto line, card client secret). If it cannot start
/// (the provider is down or refuses), the order still stands: `payment` is null, `payment_error`
/// says why, and `POST .../carts/{cart_id}/payments` tries again.
#[utoipa::path(tag = "storefront", security((), ("customer_token" = [])), params(
    ("slug" = String, Path, description = "The store's slug"), ("cart_id" = uuid::Uuid, Path, description = "The cart"),
    ("Idempotency-Key" = String, Header, description = "Required: makes retries safe")),
    request_body = Checkout, responses(
    (status = 201, description = "The order, with its payment when `payment_method` was given", body = PlacedOrder),
    (status = 409, description = "`insufficient_stock` (naming the variant) or `cart_checked_out`",
     body = balcao_core::error::Problem, content_type = "application/problem+json"),
    (status = 429, description = "`too_many_checkouts`: this address tried `BALCAO_CHECKOUTS_PER_HOUR` checkouts this \
     hour; see Retry-After", body = balcao_core::error::Problem, content_type = "application/problem+json")))]
#[post("/storefront/{slug}/carts/{cart_id}/checkout")]
pub async fn checkout(
    svc: Carts,
    core: web::Data<Core>,
    payments: Option<web::Data<dyn CheckoutPayments>>,
    req: HttpRequest,
    path: web::Path<(String, CartId)>,
    shopper: MaybeCustomer,
    body: Json<Checkout>,
) -> Result<HttpResponse> {
    let Some(key) = req.headers().get("Idempotency-Key").and_then(|v| v.to_str().ok()) else {
        return Err(Error::field("Idempotency-Key", "required", "checkout needs an Idempotency-Key header"));
    };
    limits::hit(&core, checkouts_limit(&core), client_ip(&req, core.config.behind_proxy)).await?;
    let customer = shopper.0.map(|s| s.customer_id);
    let payments = payments.as_ref().map(|p| p.get_ref());
    let placed = place_and_pay(svc.get_ref(), payments, &path.0, path.1, customer, body.into_inner(), key).await?;
    Ok(HttpResponse::Created().json(placed))
}
