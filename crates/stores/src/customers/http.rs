//! Staff handlers for customers, addresses, consent, customer tokens and wishlists.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use balcao_core::error::Result;
use balcao_core::http::{InStore, Json, Query, StoreAccess, StorePath};
use balcao_core::pagination::Page;
use balcao_core::tenancy::Permission;

use super::consents::{Consent, ConsentOverview, RecordConsent};
use super::model::{Address, CreateCustomer, Customer, CustomerFilter, NewAddress, UpdateAddress, UpdateCustomer};
use super::tokens::IssuedToken;
use super::wishlist::Wishlist;
use super::{AddressService, ConsentService, CustomerService, CustomerTokenService, WishlistService};
use crate::ids::{AddressId, CustomerId};

type Customers = web::Data<dyn CustomerService>;
type Addresses = web::Data<dyn AddressService>;
type Consents = web::Data<dyn ConsentService>;
type Tokens = web::Data<dyn CustomerTokenService>;
type Wishlists = web::Data<dyn WishlistService>;

/// The store's customers, oldest first, with search and a tag filter.
#[utoipa::path(tag = "customers", security(("bearer" = [])),
    params(StorePath, CustomerFilter),
    responses((status = 200, description = "A page of customers", body = Page<Customer>)))]
#[get("/stores/{store_id}/customers")]
pub async fn list_customers(
    svc: Customers,
    access: StoreAccess,
    filter: Query<CustomerFilter>,
) -> Result<web::Json<Page<Customer>>> {
    access.require(Permission::CustomersRead)?;
    Ok(web::Json(svc.list(access.store_id, filter.into_inner()).await?))
}

/// Create a customer, optionally with addresses; emits `customer.created`.
#[utoipa::path(tag = "customers", security(("bearer" = [])), params(StorePath),
    request_body = CreateCustomer, responses(
    (status = 201, description = "The customer", body = Customer),
    (status = 409, description = "The email or document is taken", body = balcao_core::error::Problem, content_type = "application/problem+json")))]
#[post("/stores/{store_id}/customers")]
pub async fn create_customer(svc: Customers, access: StoreAccess, body: Json<CreateCustomer>) -> Result<HttpResponse> {
    access.require(Permission::CustomersWrite)?;
    Ok(HttpResponse::Created().json(svc.create(access.store_id, body.into_inner()).await?))
}

/// One customer with their addresses.
#[utoipa::path(tag = "customers", security(("bearer" = [])), params(
    StorePath, ("customer_id" = uuid::Uuid, Path, description = "The customer")),
    responses((status = 200, description = "The customer", body = Customer)))]
#[get("/stores/{store_id}/customers/{customer_id}")]
pub async fn get_customer(
    svc: Customers,
    access: StoreAccess,
    InStore(customer_id): InStore<CustomerId>,
) -> Result<web::Json<Customer>> {
    access.require(Permission::CustomersRead)?;
    Ok(web::Json(svc.get(access.store_id, customer_id).await?))
}

/// Change a customer; emits `customer.updated`.
#[utoipa::path(tag = "customers", security(("bearer" = [])), params(
    StorePath, ("customer_id" = uuid::Uuid, Path, description = "The customer")),
    request_body = UpdateCustomer, responses(
    (status = 200, description = "The customer", body = Customer),
    (status = 409, description = "The email or document is taken", body = balcao_core::error::Problem, content_type = "application/problem+json")))]
#[patch("/stores/{store_id}/customers/{customer_id}")]
pub async fn update_customer(
    svc: Customers,
    access: StoreAccess,
    InStore(customer_id): InStore<CustomerId>,
    body: Json<UpdateCustomer>,
) -> Result<web::Json<Customer>> {
    access.require(Permission::CustomersWrite)?;
    Ok(web::Json(svc.update(access.store_id, customer_id, body.into_inner()).await?))
}

/// Add an address; the first one, or one with `is_default`, becomes the default.
#[utoipa::path(tag = "customers", security(("bearer" = [])), params(
    StorePath, ("customer_id" = uuid::Uuid, Path, description = "The customer")),
    request_body = NewAddress, responses((status = 201, description = "The address", body = Address)))]
#[post("/stores/{store_id}/customers/{customer_id}/addresses")]
pub async fn add_address(
    svc: Addresses,
    access: StoreAccess,
    InStore(customer_id): InStore<CustomerId>,
    body: Json<NewAddress>,
) -> Result<HttpResponse> {
    access.require(Permission::CustomersWrite)?;
    Ok(HttpResponse::Created().json(svc.add(access.store_id, customer_id, body.into_inner()).await?))
}

/// Change an address; `is_default: true` makes it the only default.
#[utoipa::path(tag = "customers", security(("bearer" = [])), params(
    StorePath, ("customer_id" = uuid::Uuid, Path, description = "The customer"),
    ("address_id" = uuid::Uuid, Path, description = "The address")),
    request_body = UpdateAddress, responses((status = 200, description = "The address", body = Address)))]
#[patch("/stores/{store_id}/customers/{customer_id}/addresses/{address_id}")]
pub async fn update_address(
    svc: Addresses,
    access: StoreAccess,
    InStore((customer_id, address_id)): InStore<(CustomerId, AddressId)>,
    body: Json<UpdateAddress>,
) -> Result<web::Json<Address>> {
    access.require(Permission::CustomersWrite)?;
    Ok(web::Json(svc.update(access.store_id, customer_id, address_id, body.into_inner()).await?))
}

/// Remove an address.
#[utoipa::path(tag = "customers", security(("bearer" = [])), params(
    StorePath, ("customer_id" = uuid::Uuid, Path, description = "The customer"),
    ("address_id" = uuid::Uuid, Path, description = "The address")),
    responses((status = 204, description = "Removed")))]
#[delete("/stores/{store_id}/customers/{customer_id}/addresses/{address_id}")]
pub async fn delete_address(
    svc: Addresses,
    access: StoreAccess,
    InStore((customer_id, address_id)): InStore<(CustomerId, AddressId)>,
) -> Result<HttpResponse> {
    access.require(Permission::CustomersWrite)?;
    svc.delete(access.store_id, customer_id, address_id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Record a consent decision (LGPD); records are never changed, an opt-out is a new record.
#[utoipa::path(tag = "customers", security(("bearer" = [])), params(
    StorePath, ("customer_id" = uuid::Uuid, Path, description = "The customer")),
    request_body = RecordConsent, responses((status = 201, description = "The record", body = Consent)))]
#[post("/stores/{store_id}/customers/{customer_id}/consents")]
pub async fn record_consent(
    svc: Consents,
    access: StoreAccess,
    InStore(customer_id): InStore<CustomerId>,
    body: Json<RecordConsent>,
) -> Result<HttpResponse> {
    access.require(Permission::CustomersWrite)?;
    let consent = svc.record(access.store_id, customer_id, access.user_id(), body.into_inner()).await?;
    Ok(HttpResponse::Created().json(consent))
}

/// A customer's current consent per channel and purpose, and every record newest first.
#[utoipa::path(tag = "customers", security(("bearer" = [])), params(
    StorePath, ("customer_id" = uuid::Uuid, Path, description = "The customer")),
    responses((status = 200, description = "Current state and history", body = ConsentOverview)))]
#[get("/stores/{store_id}/customers/{customer_id}/consents")]
pub async fn list_consents(
    svc: Consents,
    access: StoreAccess,
    InStore(customer_id): InStore<CustomerId>,
) -> Result<web::Json<ConsentOverview>> {
    access.require(Permission::CustomersRead)?;
    Ok(web::Json(svc.overview(access.store_id, customer_id).await?))
}

/// Mint a 24-hour customer token for the storefront (`Authorization: Bearer bct_...`).
#[utoipa::path(tag = "customers", security(("bearer" = [])), params(
    StorePath, ("customer_id" = uuid::Uuid, Path, description = "The customer")),
    responses((status = 201, description = "The token", body = IssuedToken)))]
#[post("/stores/{store_id}/customers/{customer_id}/tokens")]
pub async fn issue_customer_token(
    svc: Tokens,
    access: StoreAccess,
    InStore(customer_id): InStore<CustomerId>,
) -> Result<HttpResponse> {
    access.require(Permission::CustomersWrite)?;
    Ok(HttpResponse::Created().json(svc.issue(access.store_id, customer_id).await?))
}

/// A customer's wishlist.
#[utoipa::path(tag = "customers", security(("bearer" = [])), params(
    StorePath, ("customer_id" = uuid::Uuid, Path, description = "The customer")),
    responses((status = 200, description = "The wishlist", body = Wishlist)))]
#[get("/stores/{store_id}/customers/{customer_id}/wishlist")]
pub async fn get_customer_wishlist(
    svc: Wishlists,
    access: StoreAccess,
    InStore(customer_id): InStore<CustomerId>,
) -> Result<web::Json<Wishlist>> {
    access.require(Permission::CustomersRead)?;
    Ok(web::Json(svc.get(access.store_id, customer_id).await?))
}
