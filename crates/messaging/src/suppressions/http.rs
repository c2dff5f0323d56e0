//! Suppression handlers (`messages:send`).

use actix_web::{HttpResponse, delete, get, post, web};
use balcao_core::error::Result;
use balcao_core::http::{InStore, Json, Query, StoreAccess, StorePath};
use balcao_core::pagination::{Page, PageParams};
use balcao_core::tenancy::Permission;

use super::model::{CreateSuppression, Suppression, SuppressionFilter};
use super::service::SuppressionService;

type Suppressions = web::Data<dyn SuppressionService>;

/// Contacts who opted out of marketing, by channel kind then contact.
#[utoipa::path(tag = "messaging", security(("bearer" = [])), params(StorePath,
    SuppressionFilter, PageParams), responses((status = 200, description = "A page of suppressions", body = Page<Suppression>)))]
#[get("/stores/{store_id}/suppressions")]
pub async fn list_suppressions(
    svc: Suppressions,
    access: StoreAccess,
    filter: Query<SuppressionFilter>,
    page: Query<PageParams>,
) -> Result<web::Json<Page<Suppression>>> {
    access.require(Permission::MessagesSend)?;
    Ok(web::Json(svc.list(access.store_id, &filter, &page).await?))
}

/// Record that a contact opted out of marketing on a channel kind (201 when new, 200 when it
/// was already recorded).
#[utoipa::path(tag = "messaging", security(("bearer" = [])), params(StorePath),
    request_body = CreateSuppression, responses(
    (status = 201, description = "Recorded", body = Suppression),
    (status = 200, description = "Already recorded", body = Suppression)))]
#[post("/stores/{store_id}/suppressions")]
pub async fn create_suppression(
    svc: Suppressions,
    access: StoreAccess,
    body: Json<CreateSuppression>,
) -> Result<HttpResponse> {
    access.require(Permission::MessagesSend)?;
    let (suppression, created) = svc.create(access.store_id, body.into_inner()).await?;
    Ok(if created { HttpResponse::Created() } else { HttpResponse::Ok() }.json(suppression))
}

/// Opt a contact back in: remove their suppression.
#[utoipa::path(tag = "messaging", security(("bearer" = [])), params(
    StorePath,
    ("kind" = String, Path, description = "`whatsapp`, `instagram`, `email` or `sms`"),
    ("contact" = String, Path, description = "The contact, URL-encoded (`%2B5511987654321`)")),
    responses((status = 204, description = "Removed")))]
#[delete("/stores/{store_id}/suppressions/{kind}/{contact}")]
pub async fn delete_suppression(
    svc: Suppressions,
    access: StoreAccess,
    InStore((kind, contact)): InStore<(String, String)>,
) -> Result<HttpResponse> {
    access.require(Permission::MessagesSend)?;
    svc.delete(access.store_id, &kind, &contact).await?;
    Ok(HttpResponse::NoContent().finish())
}
