//! Message handlers.

use actix_web::{HttpResponse, get, post, web};
use balcao_core::error::Result;
use balcao_core::http::{InStore, Json, Query, StoreAccess, StorePath};
use balcao_core::pagination::{Page, PageParams};
use balcao_core::tenancy::Permission;

use super::dispatcher::MessageDispatcher;
use super::model::{Message, MessageFilter, MessageId, SendMessage, Simulate};
use super::service::MessageService;

/// Send a message on any channel: it is stored `queued` and sent asynchronously.
/// Honours `Idempotency-Key`.
#[utoipa::path(tag = "messaging", security(("bearer" = [])), params(StorePath),
    request_body = SendMessage, responses(
    (status = 202, description = "The queued message", body = Message),
    (status = 422, description = "Invalid; outside the customer-service window (`outside_customer_service_window`); or marketing the contact may not receive: a store customer without a granted marketing consent for the channel (`marketing_consent_missing`), or a contact who revoked it or opted out (`recipient_opted_out`), both naming `to`",
        body = balcao_core::error::Problem, content_type = "application/problem+json"),
    (status = 429, description = "The store's monthly quota of messages of the channel's kind is used up and the plan makes it hard (`quota_exceeded`); `Retry-After` says when it renews, `RateLimit-Policy` and `RateLimit` name the quota",
        body = balcao_core::error::Problem, content_type = "application/problem+json",
        headers(("Retry-After" = u64, description = "Seconds until the quota renews"),
            ("RateLimit-Policy" = String, description = "The quota, as an IETF RateLimit-Policy list"),
            ("RateLimit" = String, description = "What is left of it, as an IETF RateLimit list")))))]
#[post("/stores/{store_id}/messages")]
pub async fn send_message(
    dispatcher: web::Data<dyn MessageDispatcher>,
    access: StoreAccess,
    body: Json<SendMessage>,
) -> Result<HttpResponse> {
    access.require(Permission::MessagesSend)?;
    Ok(HttpResponse::Accepted().json(dispatcher.send(access.store_id, body.into_inner()).await?))
}

/// Messages, newest first.
#[utoipa::path(tag = "messaging", security(("bearer" = [])), params(StorePath,
    MessageFilter, PageParams), responses((status = 200, description = "A page of messages", body = Page<Message>)))]
#[get("/stores/{store_id}/messages")]
pub async fn list_messages(
    svc: web::Data<MessageService>,
    access: StoreAccess,
    filter: Query<MessageFilter>,
    page: Query<PageParams>,
) -> Result<web::Json<Page<Message>>> {
    access.require(Permission::MessagesRead)?;
    Ok(web::Json(svc.list(access.store_id, &filter, &page).await?))
}

/// One message.
#[utoipa::path(tag = "messaging", security(("bearer" = [])), params(
    StorePath, ("message_id" = uuid::Uuid, Path, description = "The message")),
    responses((status = 200, description = "The message", body = Message)))]
#[get("/stores/{store_id}/messages/{message_id}")]
pub async fn get_message(
    svc: web::Data<MessageService>,
    access: StoreAccess,
    InStore(message_id): InStore<MessageId>,
) -> Result<web::Json<Message>> {
    access.require(Permission::MessagesRead)?;
    Ok(web::Json(svc.get(access.store_id, message_id).await?))
}

/// Sandbox only: report the message delivered, read or failed, as a provider's status
/// webhook would (statuses only move forward).
#[utoipa::path(tag = "messaging", security(("bearer" = [])), params(
    StorePath, ("message_id" = uuid::Uuid, Path, description = "The message")),
    request_body = Simulate, responses((status = 200, description = "The message after the report", body = Message)))]
#[post("/stores/{store_id}/messages/{message_id}/simulate")]
pub async fn simulate_message(
    svc: web::Data<MessageService>,
    access: StoreAccess,
    InStore(message_id): InStore<MessageId>,
    body: Json<Simulate>,
) -> Result<web::Json<Message>> {
    access.require(Permission::MessagesSend)?;
    Ok(web::Json(svc.simulate(access.store_id, message_id, body.into_inner()).await?))
}
