//! Conversation handlers: `messages:read` to read, `messages:send` to change.

use actix_web::{get, patch, web};
use balcao_core::error::Result;
use balcao_core::http::{InStore, Json, Query, StoreAccess, StorePath};
use balcao_core::pagination::{Page, PageParams};
use balcao_core::tenancy::Permission;

use super::model::{Conversation, ConversationDetail, ConversationFilter, MessagesParams, UpdateConversation};
use super::service::ConversationService;
use crate::messages::{ConversationId, Message};

type Conversations = web::Data<dyn ConversationService>;

/// The inbox: conversations, most recently active first, each with its latest message.
#[utoipa::path(tag = "messaging", security(("bearer" = [])), params(StorePath,
    ConversationFilter, PageParams), responses((status = 200, description = "A page of conversations", body = Page<Conversation>)))]
#[get("/stores/{store_id}/conversations")]
pub async fn list_conversations(
    svc: Conversations,
    access: StoreAccess,
    filter: Query<ConversationFilter>,
    page: Query<PageParams>,
) -> Result<web::Json<Page<Conversation>>> {
    access.require(Permission::MessagesRead)?;
    Ok(web::Json(svc.list(access.store_id, &filter, &page).await?))
}

/// One conversation with a page of its messages (oldest first unless `order=desc`).
#[utoipa::path(tag = "messaging", security(("bearer" = [])), params(
    StorePath, ("conversation_id" = uuid::Uuid, Path, description = "The conversation"),
    MessagesParams), responses((status = 200, description = "The conversation and its messages", body = ConversationDetail)))]
#[get("/stores/{store_id}/conversations/{conversation_id}")]
pub async fn get_conversation(
    svc: Conversations,
    access: StoreAccess,
    InStore(conversation_id): InStore<ConversationId>,
    params: Query<MessagesParams>,
) -> Result<web::Json<ConversationDetail>> {
    access.require(Permission::MessagesRead)?;
    Ok(web::Json(svc.get(access.store_id, conversation_id, &params).await?))
}

/// A page of a conversation's messages (oldest first unless `order=desc`).
#[utoipa::path(tag = "messaging", security(("bearer" = [])), params(
    StorePath, ("conversation_id" = uuid::Uuid, Path, description = "The conversation"),
    MessagesParams), responses((status = 200, description = "A page of messages", body = Page<Message>)))]
#[get("/stores/{store_id}/conversations/{conversation_id}/messages")]
pub async fn list_conversation_messages(
    svc: Conversations,
    access: StoreAccess,
    InStore(conversation_id): InStore<ConversationId>,
    params: Query<MessagesParams>,
) -> Result<web::Json<Page<Message>>> {
    access.require(Permission::MessagesRead)?;
    Ok(web::Json(svc.messages(access.store_id, conversation_id, &params).await?))
}

/// Change a conversation's status, assignee (a member, or null) or labels.
#[utoipa::path(tag = "messaging", security(("bearer" = [])), params(
    StorePath, ("conversation_id" = uuid::Uuid, Path, description = "The conversation")),
    request_body = UpdateConversation, responses((status = 200, description = "The conversation", body = Conversation)))]
#[patch("/stores/{store_id}/conversations/{conversation_id}")]
pub async fn update_conversation(
    svc: Conversations,
    access: StoreAccess,
    InStore(conversation_id): InStore<ConversationId>,
    body: Json<UpdateConversation>,
) -> Result<web::Json<Conversation>> {
    access.require(Permission::MessagesSend)?;
    Ok(web::Json(svc.update(access.store_id, conversation_id, body.into_inner()).await?))
}
