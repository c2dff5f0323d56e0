//! Staff handlers for categories, products, variants and inventory.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use balcao_core::error::Result;
use balcao_core::http::{InStore, Json, Query, StoreAccess, StorePath};
use balcao_core::pagination::{Page, PageParams};
use balcao_core::tenancy::Permission;

use super::model::{
    Adjustment, AdjustmentResult, Category, CreateCategory, CreateProduct, NewAdjustment, NewVariant, Product,
    UpdateCategory, UpdateProduct, UpdateVariant, Variant,
};
use super::query::{Audience, ProductFilter};
use super::{CategoryService, InventoryService, ProductService, VariantService};
use crate::ids::{CategoryId, ProductId, VariantId};

type Categories = web::Data<dyn CategoryService>;
type Products = web::Data<dyn ProductService>;
type Variants = web::Data<dyn VariantService>;
type Inventory = web::Data<dyn InventoryService>;

/// The store's categories.
#[utoipa::path(tag = "catalog", security(("bearer" = [])),
    params(StorePath, PageParams),
    responses((status = 200, description = "A page of categories", body = Page<Category>)))]
#[get("/stores/{store_id}/categories")]
pub async fn list_categories(
    svc: Categories,
    access: StoreAccess,
    page: Query<PageParams>,
) -> Result<web::Json<Page<Category>>> {
    access.require(Permission::CatalogRead)?;
    Ok(web::Json(svc.list(access.store_id, &page).await?))
}

/// Create a category.
#[utoipa::path(tag = "catalog", security(("bearer" = [])), params(StorePath),
    request_body = CreateCategory, responses(
    (status = 201, description = "The category", body = Category),
    (status = 409, description = "The slug is taken", body = balcao_core::error::Problem, content_type = "application/problem+json")))]
#[post("/stores/{store_id}/categories")]
pub async fn create_category(svc: Categories, access: StoreAccess, body: Json<CreateCategory>) -> Result<HttpResponse> {
    access.require(Permission::CatalogWrite)?;
    Ok(HttpResponse::Created().json(svc.create(access.store_id, body.into_inner()).await?))
}

/// One category.
#[utoipa::path(tag = "catalog", security(("bearer" = [])), params(
    StorePath, ("category_id" = uuid::Uuid, Path, description = "The category")),
    responses((status = 200, description = "The category", body = Category)))]
#[get("/stores/{store_id}/categories/{category_id}")]
pub async fn get_category(
    svc: Categories,
    access: StoreAccess,
    InStore(category_id): InStore<CategoryId>,
) -> Result<web::Json<Category>> {
    access.require(Permission::CatalogRead)?;
    Ok(web::Json(svc.get(access.store_id, category_id).await?))
}

/// Change a category; `parent_id` moves it (never under itself or a descendant).
#[utoipa::path(tag = "catalog", security(("bearer" = [])), params(
    StorePath, ("category_id" = uuid::Uuid, Path, description = "The category")),
    request_body = UpdateCategory, responses(
    (status = 200, description = "The category", body = Category),
    (status = 409, description = "The slug is taken", body = balcao_core::error::Problem, content_type = "application/problem+json")))]
#[patch("/stores/{store_id}/categories/{category_id}")]
pub async fn update_category(
    svc: Categories,
    access: StoreAccess,
    InStore(category_id): InStore<CategoryId>,
    body: Json<UpdateCategory>,
) -> Result<web::Json<Category>> {
    access.require(Permission::CatalogWrite)?;
    Ok(web::Json(svc.update(access.store_id, category_id, body.into_inner()).await?))
}

/// Delete a category without subcategories.
#[utoipa::path(tag = "catalog", security(("bearer" = [])), params(
    StorePath, ("category_id" = uuid::Uuid, Path, description = "The category")),
    responses((status = 204, description = "Deleted"),
    (status = 409, description = "It has subcategories", body = balcao_core::error::Problem, content_type = "application/problem+json")))]
#[delete("/stores/{store_id}/categories/{category_id}")]
pub async fn delete_category(
    svc: Categories,
    access: StoreAccess,
    InStore(category_id): InStore<CategoryId>,
) -> Result<HttpResponse> {
    access.require(Permission::CatalogWrite)?;
    svc.delete(access.store_id, category_id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Products of every status, with filters, search and sorting.
#[utoipa::path(tag = "catalog", security(("bearer" = [])),
    params(StorePath, ProductFilter),
    responses((status = 200, description = "A page of products", body = Page<Product>)))]
#[get("/stores/{store_id}/products")]
pub async fn list_products(
    svc: Products,
    access: StoreAccess,
    filter: Query<ProductFilter>,
) -> Result<web::Json<Page<Product>>> {
    access.require(Permission::CatalogRead)?;
    Ok(web::Json(svc.list(access.store_id, filter.into_inner(), Audience::Staff).await?))
}

/// Create a product with its variants, images and categories.
#[utoipa::path(tag = "catalog", security(("bearer" = [])), params(StorePath),
    request_body = CreateProduct, responses(
    (status = 201, description = "The product", body = Product),
    (status = 403, description = "A permission this action needs is missing, or `plan_limit_reached`: the store's plan \
     allows no more products (archived ones do not count)", body = balcao_core::error::Problem,
     content_type = "application/problem+json"),
    (status = 409, description = "The slug or a SKU is taken", body = balcao_core::error::Problem, content_type = "application/problem+json")))]
#[post("/stores/{store_id}/products")]
pub async fn create_product(svc: Products, access: StoreAccess, body: Json<CreateProduct>) -> Result<HttpResponse> {
    access.require(Permission::CatalogWrite)?;
    Ok(HttpResponse::Created().json(svc.create(access.store_id, access.user_id(), body.into_inner()).await?))
}

/// One product.
#[utoipa::path(tag = "catalog", security(("bearer" = [])), params(
    StorePath, ("product_id" = uuid::Uuid, Path, description = "The product")),
    responses((status = 200, description = "The product", body = Product)))]
#[get("/stores/{store_id}/products/{product_id}")]
pub async fn get_product(
    svc: Products,
    access: StoreAccess,
    InStore(product_id): InStore<ProductId>,
) -> Result<web::Json<Product>> {
    access.require(Permission::CatalogRead)?;
    Ok(web::Json(svc.get(access.store_id, product_id).await?))
}

/// Change a product.
#[utoipa::path(tag = "catalog", security(("bearer" = [])), params(
    StorePath, ("product_id" = uuid::Uuid, Path, description = "The product")),
    request_body = UpdateProduct, responses(
    (status = 200, description = "The product", body = Product),
    (status = 403, description = "A permission this action needs is missing, or `plan_limit_reached`: taking the \
     product out of the archive would pass the store's plan", body = balcao_core::error::Problem,
     content_type = "application/problem+json"),
    (status = 409, description = "The slug is taken", body = balcao_core::error::Problem, content_type = "application/problem+json")))]
#[patch("/stores/{store_id}/products/{product_id}")]
pub async fn update_product(
    svc: Products,
    access: StoreAccess,
    InStore(product_id): InStore<ProductId>,
    body: Json<UpdateProduct>,
) -> Result<web::Json<Product>> {
    access.require(Permission::CatalogWrite)?;
    Ok(web::Json(svc.update(access.store_id, product_id, body.into_inner()).await?))
}

/// Archive a product: it leaves the storefront and stays for history.
#[utoipa::path(tag = "catalog", security(("bearer" = [])), params(
    StorePath, ("product_id" = uuid::Uuid, Path, description = "The product")),
    responses((status = 200, description = "The archived product", body = Product)))]
#[delete("/stores/{store_id}/products/{product_id}")]
pub async fn archive_product(
    svc: Products,
    access: StoreAccess,
    InStore(product_id): InStore<ProductId>,
) -> Result<web::Json<Product>> {
    access.require(Permission::CatalogWrite)?;
    Ok(web::Json(svc.archive(access.store_id, product_id).await?))
}

/// A product's variants.
#[utoipa::path(tag = "catalog", security(("bearer" = [])), params(
    StorePath, ("product_id" = uuid::Uuid, Path, description = "The product")),
    responses((status = 200, description = "The variants", body = Vec<Variant>)))]
#[get("/stores/{store_id}/products/{product_id}/variants")]
pub async fn list_variants(
    svc: Variants,
    access: StoreAccess,
    InStore(product_id): InStore<ProductId>,
) -> Result<web::Json<Vec<Variant>>> {
    access.require(Permission::CatalogRead)?;
    Ok(web::Json(svc.list(access.store_id, product_id).await?))
}

/// Add a variant.
#[utoipa::path(tag = "catalog", security(("bearer" = [])), params(
    StorePath, ("product_id" = uuid::Uuid, Path, description = "The product")),
    request_body = NewVariant, responses(
    (status = 201, description = "The variant", body = Variant),
    (status = 409, description = "The SKU is taken", body = balcao_core::error::Problem, content_type = "application/problem+json")))]
#[post("/stores/{store_id}/products/{product_id}/variants")]
pub async fn add_variant(
    svc: Variants,
    access: StoreAccess,
    InStore(product_id): InStore<ProductId>,
    body: Json<NewVariant>,
) -> Result<HttpResponse> {
    access.require(Permission::CatalogWrite)?;
    Ok(HttpResponse::Created().json(svc.add(access.store_id, product_id, access.user_id(), body.into_inner()).await?))
}

/// Change a variant.
#[utoipa::path(tag = "catalog", security(("bearer" = [])), params(
    StorePath, ("product_id" = uuid::Uuid, Path, description = "The product"),
    ("variant_id" = uuid::Uuid, Path, description = "The variant")),
    request_body = UpdateVariant, responses(
    (status = 200, description = "The variant", body = Variant),
    (status = 409, description = "The SKU is taken", body = balcao_core::error::Problem, content_type = "application/problem+json")))]
#[patch("/stores/{store_id}/products/{product_id}/variants/{variant_id}")]
pub async fn update_variant(
    svc: Variants,
    access: StoreAccess,
    InStore((product_id, variant_id)): InStore<(ProductId, VariantId)>,
    body: Json<UpdateVariant>,
) -> Result<web::Json<Variant>> {
    access.require(Permission::CatalogWrite)?;
    Ok(web::Json(svc.update(access.store_id, product_id, variant_id, body.into_inner()).await?))
}

/// Remove a variant (not the last one).
#[utoipa::path(tag = "catalog", security(("bearer" = [])), params(
    StorePath, ("product_id" = uuid::Uuid, Path, description = "The product"),
    ("variant_id" = uuid::Uuid, Path, description = "The variant")),
    responses((status = 204, description = "Removed"),
    (status = 409, description = "The last variant, or units are reserved", body = balcao_core::error::Problem, content_type = "application/problem+json")))]
#[delete("/stores/{store_id}/products/{product_id}/variants/{variant_id}")]
pub async fn delete_variant(
    svc: Variants,
    access: StoreAccess,
    InStore((product_id, variant_id)): InStore<(ProductId, VariantId)>,
) -> Result<HttpResponse> {
    access.require(Permission::CatalogWrite)?;
    svc.delete(access.store_id, product_id, variant_id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Add or remove stock, with a reason.
#[utoipa::path(tag = "catalog", security(("bearer" = [])), params(
    StorePath, ("product_id" = uuid::Uuid, Path, description = "The product"),
    ("variant_id" = uuid::Uuid, Path, description = "The variant")),
    request_body = NewAdjustment, responses((status = 201, description = "The adjustment and the stock after it", body = AdjustmentResult)))]
#[post("/stores/{store_id}/products/{product_id}/variants/{variant_id}/inventory-adjustments")]
pub async fn adjust_inventory(
    svc: Inventory,
    access: StoreAccess,
    InStore((product_id, variant_id)): InStore<(ProductId, VariantId)>,
    body: Json<NewAdjustment>,
) -> Result<HttpResponse> {
    access.require(Permission::CatalogWrite)?;
    let result = svc.adjust(access.store_id, product_id, variant_id, access.user_id(), body.into_inner()).await?;
    Ok(HttpResponse::Created().json(result))
}

/// A variant's stock history, newest first.
#[utoipa::path(tag = "catalog", security(("bearer" = [])), params(
    StorePath, ("product_id" = uuid::Uuid, Path, description = "The product"),
    ("variant_id" = uuid::Uuid, Path, description = "The variant"), PageParams),
    responses((status = 200, description = "A page of adjustments", body = Page<Adjustment>)))]
#[get("/stores/{store_id}/products/{product_id}/variants/{variant_id}/inventory-adjustments")]
pub async fn list_adjustments(
    svc: Inventory,
    access: StoreAccess,
    InStore((product_id, variant_id)): InStore<(ProductId, VariantId)>,
    page: Query<PageParams>,
) -> Result<web::Json<Page<Adjustment>>> {
    access.require(Permission::CatalogRead)?;
    Ok(web::Json(svc.adjustments(access.store_id, product_id, variant_id, &page).await?))
}
