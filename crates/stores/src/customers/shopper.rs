//! The shopper's side: the [`CustomerToken`] extractor and the storefront wishlist handlers.
//!
//! Storefront routes are public by store slug; the ones about a customer take
//! `Authorization: Bearer bct_...`, a token staff minted for that customer in that store.

use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, HttpResponse, delete, get, put, web};
use balcao_core::error::{Error, Result};
use balcao_core::http::bearer_token;
use chrono::{DateTime, Utc};

use super::tokens::{INVALID_TOKEN, Shopper};
use super::wishlist::Wishlist;
use super::{CustomerTokenService, WishlistService};
use crate::ids::{CustomerId, VariantId};

/// The customer presenting a valid token on the storefront of the `{slug}` in the path.
///
/// A missing, malformed, forged or expired token, or one minted in another store, answers 401
/// with code `invalid_customer_token`; an unknown slug answers 404.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CustomerToken {
    /// The storefront's store.
    pub store_id: balcao_core::id::StoreId,
    /// The customer.
    pub customer_id: CustomerId,
    /// When the token expires.
    pub expires_at: DateTime<Utc>,
}

impl From<Shopper> for CustomerToken {
    fn from(s: Shopper) -> Self {
        Self { store_id: s.store_id, customer_id: s.customer_id, expires_at: s.expires_at }
    }
}

async fn authenticate(req: &HttpRequest) -> Result<CustomerToken> {
    let tokens = req
        .app_data::<web::Data<dyn CustomerTokenService>>()
        .cloned()
        .ok_or_else(|| Error::internal("CustomerTokenService is not registered as app data"))?;
    let token = bearer_token(req).ok_or_else(|| {
        Error::unauthenticated(INVALID_TOKEN, "Send `Authorization: Bearer bct_...` with a customer token.")
    })?;
    let slug = req.match_info().get("slug").ok_or_else(|| Error::not_found("store"))?;
    Ok(tokens.authenticate(slug, &token).await?.into())
}

impl FromRequest for CustomerToken {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { Ok(authenticate(&req).await?) })
    }
}

/// A shopper who may be a guest: no `Authorization` header is a guest, and a header with a bad
/// token answers 401 `invalid_customer_token` (never a silent guest checkout).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MaybeCustomer(pub Option<CustomerToken>);

impl FromRequest for MaybeCustomer {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            if req.headers().contains_key(actix_web::http::header::AUTHORIZATION) {
                Ok(Self(Some(authenticate(&req).await?)))
            } else {
                Ok(Self(None))
            }
        })
    }
}

type Wishlists = web::Data<dyn WishlistService>;

/// The shopper's wishlist.
#[utoipa::path(tag = "storefront", security(("customer_token" = [])),
    params(("slug" = String, Path, description = "The store's slug")),
    responses((status = 200, description = "The wishlist", body = Wishlist)))]
#[get("/storefront/{slug}/wishlist")]
pub async fn get_wishlist(svc: Wishlists, shopper: CustomerToken) -> Result<web::Json<Wishlist>> {
    Ok(web::Json(svc.get(shopper.store_id, shopper.customer_id).await?))
}

/// Save a variant to the shopper's wishlist (idempotent).
#[utoipa::path(tag = "storefront", security(("customer_token" = [])), params(
    ("slug" = String, Path, description = "The store's slug"), ("variant_id" = uuid::Uuid, Path, description = "The variant")),
    responses((status = 200, description = "The wishlist", body = Wishlist)))]
#[put("/storefront/{slug}/wishlist/items/{variant_id}")]
pub async fn add_wishlist_item(
    svc: Wishlists,
    shopper: CustomerToken,
    path: web::Path<(String, VariantId)>,
) -> Result<web::Json<Wishlist>> {
    Ok(web::Json(svc.add(shopper.store_id, shopper.customer_id, path.1).await?))
}

/// Remove a variant from the shopper's wishlist (idempotent).
#[utoipa::path(tag = "storefront", security(("customer_token" = [])), params(
    ("slug" = String, Path, description = "The store's slug"), ("variant_id" = uuid::Uuid, Path, description = "The variant")),
    responses((status = 204, description = "Removed")))]
#[delete("/storefront/{slug}/wishlist/items/{variant_id}")]
pub async fn remove_wishlist_item(
    svc: Wishlists,
    shopper: CustomerToken,
    path: web::Path<(String, VariantId)>,
) -> Result<HttpResponse> {
    svc.remove(shopper.store_id, shopper.customer_id, path.1).await?;
    Ok(HttpResponse::NoContent().finish())
}
