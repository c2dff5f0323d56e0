//! Handlers for stores.

use crate::http::StorePath;
use actix_web::{HttpResponse, delete, get, patch, post, web};

use super::extract::{Authenticated, StoreAccess};
use super::json::Json;
use super::query::Query;
use crate::error::Result;
use crate::pagination::{Page, PageParams};
use crate::tenancy::{CreateStore, Permission, Store, StoreService, UpdateStore};

type Stores = web::Data<dyn StoreService>;

/// Create a store; the caller becomes its owner.
#[utoipa::path(tag = "stores", security(("bearer" = [])), request_body = CreateStore, responses(
    (status = 201, description = "The new store", body = Store),
    (status = 409, description = "The slug is taken", body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/stores")]
pub async fn create_store(stores: Stores, caller: Authenticated, body: Json<CreateStore>) -> Result<HttpResponse> {
    let store = stores.create(caller.user_id, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(store))
}

/// The stores the caller is a member of.
#[utoipa::path(tag = "stores", security(("bearer" = [])), params(PageParams), responses(
    (status = 200, description = "A page of stores", body = Page<Store>),
))]
#[get("/stores")]
pub async fn list_stores(
    stores: Stores,
    caller: Authenticated,
    page: Query<PageParams>,
) -> Result<web::Json<Page<Store>>> {
    Ok(web::Json(stores.list_for_user(caller.user_id, &page).await?))
}

/// One store.
#[utoipa::path(tag = "stores", security(("bearer" = [])), params(StorePath), responses(
    (status = 200, description = "The store", body = Store),
))]
#[get("/stores/{store_id}")]
pub async fn get_store(stores: Stores, access: StoreAccess) -> Result<web::Json<Store>> {
    access.require(Permission::StoreRead)?;
    Ok(web::Json(stores.get(access.store_id).await?))
}

/// Change a store's name, slug or time zone.
#[utoipa::path(tag = "stores", security(("bearer" = [])), params(StorePath),
    request_body = UpdateStore, responses(
    (status = 200, description = "The updated store", body = Store),
    (status = 409, description = "The slug is taken", body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[patch("/stores/{store_id}")]
pub async fn update_store(stores: Stores, access: StoreAccess, body: Json<UpdateStore>) -> Result<web::Json<Store>> {
    access.require(Permission::StoreWrite)?;
    Ok(web::Json(stores.update(access.store_id, body.into_inner()).await?))
}

/// Delete a store (owners only); its keys and sessions stop working for it at once.
#[utoipa::path(tag = "stores", security(("bearer" = [])), params(StorePath), responses(
    (status = 204, description = "Deleted"),
))]
#[delete("/stores/{store_id}")]
pub async fn delete_store(stores: Stores, access: StoreAccess) -> Result<HttpResponse> {
    access.require(Permission::StoreDelete)?;
    stores.delete(access.store_id).await?;
    Ok(HttpResponse::NoContent().finish())
}
