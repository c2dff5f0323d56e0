//! Public storefront handlers, by store slug; no credentials needed.

use actix_web::{HttpResponse, get, web};
use balcao_core::error::Result;
use balcao_core::http::Query;
use balcao_core::pagination::Page;

use super::model::{StorefrontCategory, StorefrontProduct};
use super::service::{JsonBody, StorefrontService};
use crate::catalog::ProductFilter;
use crate::ids::ProductId;

type Storefront = web::Data<dyn StorefrontService>;

fn json(body: JsonBody) -> HttpResponse {
    HttpResponse::Ok().content_type("application/json").body(body.0)
}

/// Active products, with search (accent-insensitive, typo-tolerant), filters and sorting.
#[utoipa::path(tag = "storefront", params(("slug" = String, Path, description = "The store's slug"), ProductFilter),
    responses((status = 200, description = "A page of products", body = Page<StorefrontProduct>)))]
#[get("/storefront/{slug}/products")]
pub async fn products(svc: Storefront, slug: web::Path<String>, filter: Query<ProductFilter>) -> Result<HttpResponse> {
    Ok(json(svc.products(&slug, filter.into_inner()).await?))
}

/// One active product with its variants and availability.
#[utoipa::path(tag = "storefront", params(
    ("slug" = String, Path, description = "The store's slug"), ("product_id" = uuid::Uuid, Path, description = "The product")),
    responses((status = 200, description = "The product", body = StorefrontProduct)))]
#[get("/storefront/{slug}/products/{product_id}")]
pub async fn product(svc: Storefront, path: web::Path<(String, ProductId)>) -> Result<HttpResponse> {
    Ok(json(svc.product(&path.0, path.1).await?))
}

/// Every category of the store.
#[utoipa::path(tag = "storefront", params(("slug" = String, Path, description = "The store's slug")),
    responses((status = 200, description = "The categories", body = Vec<StorefrontCategory>)))]
#[get("/storefront/{slug}/categories")]
pub async fn categories(svc: Storefront, slug: web::Path<String>) -> Result<HttpResponse> {
    Ok(json(svc.categories(&slug).await?))
}
