//! Channel handlers (`channels:manage`).

use actix_web::{HttpResponse, delete, get, patch, post, web};
use balcao_core::error::Result;
use balcao_core::http::{InStore, Json, Query, StoreAccess, StorePath};
use balcao_core::pagination::{Page, PageParams};
use balcao_core::tenancy::Permission;

use super::model::{Channel, ChannelId, CreateChannel, UpdateChannel};
use super::service::ChannelService;

type Channels = web::Data<dyn ChannelService>;

/// The store's channels (credentials are never returned, only their names).
#[utoipa::path(tag = "messaging", security(("bearer" = [])),
    params(StorePath, PageParams),
    responses((status = 200, description = "A page of channels", body = Page<Channel>)))]
#[get("/stores/{store_id}/channels")]
pub async fn list_channels(
    svc: Channels,
    access: StoreAccess,
    page: Query<PageParams>,
) -> Result<web::Json<Page<Channel>>> {
    access.require(Permission::ChannelsManage)?;
    Ok(web::Json(svc.list(access.store_id, &page).await?))
}

/// Add a channel with its provider credentials (stored encrypted).
#[utoipa::path(tag = "messaging", security(("bearer" = [])), params(StorePath),
    request_body = CreateChannel, responses((status = 201, description = "The channel", body = Channel)))]
#[post("/stores/{store_id}/channels")]
pub async fn create_channel(svc: Channels, access: StoreAccess, body: Json<CreateChannel>) -> Result<HttpResponse> {
    access.require(Permission::ChannelsManage)?;
    Ok(HttpResponse::Created().json(svc.create(access.store_id, body.into_inner()).await?))
}

/// One channel.
#[utoipa::path(tag = "messaging", security(("bearer" = [])), params(
    StorePath, ("channel_id" = uuid::Uuid, Path, description = "The channel")),
    responses((status = 200, description = "The channel", body = Channel)))]
#[get("/stores/{store_id}/channels/{channel_id}")]
pub async fn get_channel(
    svc: Channels,
    access: StoreAccess,
    InStore(channel_id): InStore<ChannelId>,
) -> Result<web::Json<Channel>> {
    access.require(Permission::ChannelsManage)?;
    Ok(web::Json(svc.get(access.store_id, channel_id).await?))
}

/// Change a channel; `credentials` and `settings` replace the stored ones.
#[utoipa::path(tag = "messaging", security(("bearer" = [])), params(
    StorePath, ("channel_id" = uuid::Uuid, Path, description = "The channel")),
    request_body = UpdateChannel, responses((status = 200, description = "The channel", body = Channel)))]
#[patch("/stores/{store_id}/channels/{channel_id}")]
pub async fn update_channel(
    svc: Channels,
    access: StoreAccess,
    InStore(channel_id): InStore<ChannelId>,
    body: Json<UpdateChannel>,
) -> Result<web::Json<Channel>> {
    access.require(Permission::ChannelsManage)?;
    Ok(web::Json(svc.update(access.store_id, channel_id, body.into_inner()).await?))
}

/// Remove a channel with its conversations and messages.
#[utoipa::path(tag = "messaging", security(("bearer" = [])), params(
    StorePath, ("channel_id" = uuid::Uuid, Path, description = "The channel")),
    responses((status = 204, description = "Removed")))]
#[delete("/stores/{store_id}/channels/{channel_id}")]
pub async fn delete_channel(
    svc: Channels,
    access: StoreAccess,
    InStore(channel_id): InStore<ChannelId>,
) -> Result<HttpResponse> {
    access.require(Permission::ChannelsManage)?;
    svc.delete(access.store_id, channel_id).await?;
    Ok(HttpResponse::NoContent().finish())
}
