//! Template handlers: `messages:read` to read, `channels:manage` to change.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use balcao_core::error::Result;
use balcao_core::http::{InStore, Json, Query, StoreAccess, StorePath};
use balcao_core::pagination::{Page, PageParams};
use balcao_core::tenancy::Permission;

use super::model::{CreateTemplate, MessageTemplate, TemplateFilter, TemplateId, UpdateTemplate};
use super::service::TemplateService;

type Templates = web::Data<dyn TemplateService>;

/// The store's message templates, oldest first.
#[utoipa::path(tag = "messaging", security(("bearer" = [])), params(StorePath,
    TemplateFilter, PageParams), responses((status = 200, description = "A page of templates", body = Page<MessageTemplate>)))]
#[get("/stores/{store_id}/message-templates")]
pub async fn list_templates(
    svc: Templates,
    access: StoreAccess,
    filter: Query<TemplateFilter>,
    page: Query<PageParams>,
) -> Result<web::Json<Page<MessageTemplate>>> {
    access.require(Permission::MessagesRead)?;
    Ok(web::Json(svc.list(access.store_id, &filter, &page).await?))
}

/// Register a template (as approved by the channel's provider).
#[utoipa::path(tag = "messaging", security(("bearer" = [])), params(StorePath),
    request_body = CreateTemplate, responses(
    (status = 201, description = "The template", body = MessageTemplate),
    (status = 409, description = "A template with this kind, name and language exists (`template_exists`)",
        body = balcao_core::error::Problem, content_type = "application/problem+json")))]
#[post("/stores/{store_id}/message-templates")]
pub async fn create_template(svc: Templates, access: StoreAccess, body: Json<CreateTemplate>) -> Result<HttpResponse> {
    access.require(Permission::ChannelsManage)?;
    Ok(HttpResponse::Created().json(svc.create(access.store_id, body.into_inner()).await?))
}

/// One template.
#[utoipa::path(tag = "messaging", security(("bearer" = [])), params(
    StorePath, ("template_id" = uuid::Uuid, Path, description = "The template")),
    responses((status = 200, description = "The template", body = MessageTemplate)))]
#[get("/stores/{store_id}/message-templates/{template_id}")]
pub async fn get_template(
    svc: Templates,
    access: StoreAccess,
    InStore(template_id): InStore<TemplateId>,
) -> Result<web::Json<MessageTemplate>> {
    access.require(Permission::MessagesRead)?;
    Ok(web::Json(svc.get(access.store_id, template_id).await?))
}

/// Change a template; `components` replaces them all.
#[utoipa::path(tag = "messaging", security(("bearer" = [])), params(
    StorePath, ("template_id" = uuid::Uuid, Path, description = "The template")),
    request_body = UpdateTemplate, responses(
    (status = 200, description = "The template", body = MessageTemplate),
    (status = 409, description = "A template with this kind, name and language exists (`template_exists`)",
        body = balcao_core::error::Problem, content_type = "application/problem+json")))]
#[patch("/stores/{store_id}/message-templates/{template_id}")]
pub async fn update_template(
    svc: Templates,
    access: StoreAccess,
    InStore(template_id): InStore<TemplateId>,
    body: Json<UpdateTemplate>,
) -> Result<web::Json<MessageTemplate>> {
    access.require(Permission::ChannelsManage)?;
    Ok(web::Json(svc.update(access.store_id, template_id, body.into_inner()).await?))
}

/// Remove a template.
#[utoipa::path(tag = "messaging", security(("bearer" = [])), params(
    StorePath, ("template_id" = uuid::Uuid, Path, description = "The template")),
    responses((status = 204, description = "Removed")))]
#[delete("/stores/{store_id}/message-templates/{template_id}")]
pub async fn delete_template(
    svc: Templates,
    access: StoreAccess,
    InStore(template_id): InStore<TemplateId>,
) -> Result<HttpResponse> {
    access.require(Permission::ChannelsManage)?;
    svc.delete(access.store_id, template_id).await?;
    Ok(HttpResponse::NoContent().finish())
}
