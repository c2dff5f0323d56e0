//! Staff handlers for orders.

use actix_web::{get, post, web};
use balcao_core::error::Result;
use balcao_core::http::{InStore, Json, Query, StoreAccess, StorePath};
use balcao_core::identity::Principal;
use balcao_core::pagination::Page;
use balcao_core::tenancy::Permission;

use super::model::{Order, OrderFilter, Transition};
use super::service::{Actor, OrderService};
use crate::ids::OrderId;

type Orders = web::Data<dyn OrderService>;

/// The actor a staff request acts as.
pub fn actor(access: &StoreAccess) -> Actor {
    match &access.principal {
        Principal::User { user_id, .. } => Actor::Staff(user_id.uuid()),
        Principal::ApiKey { key_id, .. } => Actor::ApiKey(*key_id),
    }
}

/// Orders, newest first, filtered by status, payment status, date range or customer.
#[utoipa::path(tag = "orders", security(("bearer" = [])),
    params(StorePath, OrderFilter),
    responses((status = 200, description = "A page of orders", body = Page<Order>)))]
#[get("/stores/{store_id}/orders")]
pub async fn list_orders(
    svc: Orders,
    access: StoreAccess,
    filter: Query<OrderFilter>,
) -> Result<web::Json<Page<Order>>> {
    access.require(Permission::OrdersRead)?;
    Ok(web::Json(svc.list(access.store_id, filter.into_inner()).await?))
}

/// One order with its lines, customer and timeline.
#[utoipa::path(tag = "orders", security(("bearer" = [])), params(
    StorePath, ("order_id" = uuid::Uuid, Path, description = "The order")),
    responses((status = 200, description = "The order", body = Order)))]
#[get("/stores/{store_id}/orders/{order_id}")]
pub async fn get_order(
    svc: Orders,
    access: StoreAccess,
    InStore(order_id): InStore<OrderId>,
) -> Result<web::Json<Order>> {
    access.require(Permission::OrdersRead)?;
    Ok(web::Json(svc.get(access.store_id, order_id).await?))
}

/// Move an order: `paid` (payment taken outside balcao), `preparing`, `shipped`, `delivered` or `cancelled`.
#[utoipa::path(tag = "orders", security(("bearer" = [])), params(
    StorePath, ("order_id" = uuid::Uuid, Path, description = "The order")),
    request_body = Transition, responses(
    (status = 200, description = "The order after the move", body = Order),
    (status = 409, description = "The move is not allowed from the current state (`invalid_transition`)",
     body = balcao_core::error::Problem, content_type = "application/problem+json")))]
#[post("/stores/{store_id}/orders/{order_id}/transitions")]
pub async fn transition_order(
    svc: Orders,
    access: StoreAccess,
    InStore(order_id): InStore<OrderId>,
    body: Json<Transition>,
) -> Result<web::Json<Order>> {
    access.require(Permission::OrdersWrite)?;
    Ok(web::Json(svc.transition(access.store_id, order_id, actor(&access), body.into_inner()).await?))
}
