//! Staff handlers for inbound sources and events, and the public receiver routes.
//!
//! The receiver routes take no credentials: the provider's signature is the authentication.
//! They read the peer address of the connection for IP allowlists (`X-Forwarded-For` is not
//! trusted: there is no trusted-proxy setting yet), and rebuild the public URL Twilio signs from
//! `Forwarded`/`X-Forwarded-Proto`/`X-Forwarded-Host` or `Host`, as actix's connection info does.

use balcao_core::http::{InStore, Json, Query, StoreAccess, StorePath, problem_response};
use std::collections::{BTreeMap, HashMap};

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, put, web};
use balcao_core::error::{Error, Problem, Result};
use balcao_core::id::StoreId;
use balcao_core::pagination::{Page, PageParams};
use balcao_core::tenancy::Permission;

use super::model::{
    InboundEventDetail, InboundEventFilter, InboundEventId, InboundEventSummary, InboundSource, Received,
    UpsertInboundSource,
};
use super::{InboundRequest, InboundService, MAX_BODY_BYTES, Provider, ReceiveError};
use crate::inbound::VerifyError;

type Inbound = web::Data<dyn InboundService>;

/// A provider named in a path; an unknown one names nothing that exists.
fn provider(raw: &str) -> Result<Provider> {
    raw.parse().map_err(|_| Error::not_found("inbound provider"))
}

/// Configure the receiver for a provider: its secrets (never returned), IP allowlist and state.
#[utoipa::path(tag = "inbound", security(("bearer" = [])), params(
    StorePath, ("provider" = Provider, Path, description = "The provider")),
    request_body = UpsertInboundSource,
    responses((status = 200, description = "The source, without its secrets", body = InboundSource)))]
#[put("/stores/{store_id}/inbound-sources/{provider}")]
pub async fn put_source(
    svc: Inbound,
    access: StoreAccess,
    InStore(name): InStore<String>,
    body: Json<UpsertInboundSource>,
) -> Result<web::Json<InboundSource>> {
    access.require(Permission::WebhooksManage)?;
    let provider = provider(&name)?;
    Ok(web::Json(svc.upsert_source(access.store_id, provider, body.into_inner()).await?))
}

/// The store's configured receivers (secrets are never listed).
#[utoipa::path(tag = "inbound", security(("bearer" = [])),
    params(StorePath),
    responses((status = 200, description = "Every source, on one page", body = Page<InboundSource>)))]
#[get("/stores/{store_id}/inbound-sources")]
pub async fn list_sources(svc: Inbound, access: StoreAccess) -> Result<web::Json<Page<InboundSource>>> {
    access.require(Permission::WebhooksManage)?;
    Ok(web::Json(svc.list_sources(access.store_id).await?))
}

/// Remove a receiver; later deliveries answer 404. Received events stay.
#[utoipa::path(tag = "inbound", security(("bearer" = [])), params(
    StorePath, ("provider" = Provider, Path, description = "The provider")),
    responses((status = 204, description = "Deleted")))]
#[delete("/stores/{store_id}/inbound-sources/{provider}")]
pub async fn delete_source(svc: Inbound, access: StoreAccess, InStore(name): InStore<String>) -> Result<HttpResponse> {
    access.require(Permission::WebhooksManage)?;
    svc.delete_source(access.store_id, provider(&name)?).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Received provider events, newest first, optionally by provider and status.
#[utoipa::path(tag = "inbound", security(("bearer" = [])), params(
    StorePath, InboundEventFilter, PageParams),
    responses((status = 200, description = "A page of events", body = Page<InboundEventSummary>)))]
#[get("/stores/{store_id}/inbound-events")]
pub async fn list_events(
    svc: Inbound,
    access: StoreAccess,
    filter: Query<InboundEventFilter>,
    page: Query<PageParams>,
) -> Result<web::Json<Page<InboundEventSummary>>> {
    access.require(Permission::WebhooksManage)?;
    Ok(web::Json(svc.list_events(access.store_id, &filter, &page).await?))
}

/// One received event with its kept headers and raw body (text when UTF-8, else base64).
#[utoipa::path(tag = "inbound", security(("bearer" = [])), params(
    StorePath, ("event_id" = uuid::Uuid, Path, description = "The event")),
    responses((status = 200, description = "The event", body = InboundEventDetail)))]
#[get("/stores/{store_id}/inbound-events/{event_id}")]
pub async fn get_event(
    svc: Inbound,
    access: StoreAccess,
    InStore(event_id): InStore<InboundEventId>,
) -> Result<web::Json<InboundEventDetail>> {
    access.require(Permission::WebhooksManage)?;
    Ok(web::Json(svc.get_event(access.store_id, event_id).await?))
}

/// Process an event again from its stored body (the handlers run again; no signature check).
#[utoipa::path(tag = "inbound", security(("bearer" = [])), params(
    StorePath, ("event_id" = uuid::Uuid, Path, description = "The event")),
    responses((status = 202, description = "Queued for processing", body = InboundEventSummary)))]
#[post("/stores/{store_id}/inbound-events/{event_id}/replay")]
pub async fn replay_event(
    svc: Inbound,
    access: StoreAccess,
    InStore(event_id): InStore<InboundEventId>,
) -> Result<HttpResponse> {
    access.require(Permission::WebhooksManage)?;
    Ok(HttpResponse::Accepted().json(svc.replay(access.store_id, event_id).await?))
}

/// The provider and store of a receiver path; anything malformed names nothing that exists.
fn target(path: &(String, String)) -> Result<(Provider, StoreId)> {
    let provider = provider(&path.0)?;
    let store = path.1.parse().map_err(|_| Error::not_found("inbound source"))?;
    Ok((provider, store))
}

/// Turns a refusal into its answer: 404 for an unconfigured source, 401/403 with the verifier's code.
fn refusal(err: ReceiveError, provider: Provider, store: StoreId) -> Result<HttpResponse> {
    let reason = match err {
        ReceiveError::NotConfigured => return Err(Error::not_found("inbound source")),
        ReceiveError::Other(e) => return Err(e),
        ReceiveError::Rejected(reason) => reason,
    };
    tracing::info!(store = %store, %provider, code = reason.code(), "inbound webhook refused");
    Ok(problem_response(&Problem::new(
        reason.error_code(),
        format!("{}.", capitalize(&reason.to_string())),
        Vec::new(),
    )))
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// Meta's subscription handshake: answers `hub.challenge` when `hub.verify_token` matches.
#[utoipa::path(tag = "inbound", params(
    ("provider" = Provider, Path, description = "The provider (only whatsapp and instagram have a handshake)"),
    ("store_id" = uuid::Uuid, Path, description = "The store"),
    ("hub.mode" = Option<String>, Query, description = "`subscribe`"),
    ("hub.verify_token" = Option<String>, Query, description = "The source's verify token"),
    ("hub.challenge" = Option<String>, Query, description = "Echoed back when the token matches")),
    responses(
    (status = 200, description = "The challenge", body = String, content_type = "text/plain"),
    (status = 403, description = "Refused: `handshake_refused` (mode or token) or `forbidden_ip`", body = Problem, content_type = "application/problem+json"),
    (status = 405, description = "This provider has no handshake; it only POSTs", body = Problem, content_type = "application/problem+json")))]
#[get("/inbound/{provider}/{store_id}")]
pub async fn handshake(svc: Inbound, req: HttpRequest, path: web::Path<(String, String)>) -> Result<HttpResponse> {
    let (provider, store) = target(&path)?;
    if !provider.has_handshake() {
        let detail = format!("{provider} webhooks are POSTed; only Meta providers verify with a GET.");
        let mut response =
            problem_response(&Problem::new(balcao_core::problems::METHOD_NOT_ALLOWED, detail, Vec::new()));
        response.headers_mut().insert(header::ALLOW, header::HeaderValue::from_static("POST"));
        return Ok(response);
    }
    let params: HashMap<String, String> = form_urlencoded::parse(req.query_string().as_bytes()).into_owned().collect();
    let remote = req.peer_addr().map(|a| a.ip());
    match svc.handshake(provider, store, remote, &params).await {
        Ok(challenge) => Ok(HttpResponse::Ok().content_type("text/plain; charset=utf-8").body(challenge)),
        Err(ReceiveError::Rejected(VerifyError::Malformed)) => {
            Err(Error::field("hub.challenge", "invalid", "must be 1 to 256 characters of [A-Za-z0-9._-]"))
        }
        Err(err) => refusal(err, provider, store),
    }
}

fn inbound_request(req: &HttpRequest, body: &[u8]) -> InboundRequest {
    let info = req.connection_info();
    let path = req.uri().path_and_query().map_or_else(|| req.path().to_owned(), |p| p.as_str().to_owned());
    let mut headers = BTreeMap::new();
    for (name, value) in req.headers() {
        if let Ok(value) = value.to_str() {
            headers.entry(name.as_str().to_ascii_lowercase()).or_insert_with(|| value.to_owned());
        }
    }
    InboundRequest {
        remote: req.peer_addr().map(|a| a.ip()),
        url: format!("{}://{}{}", info.scheme(), info.host(), path),
        query: req.query_string().to_owned(),
        headers,
        body: body.to_vec(),
    }
}

/// A provider's webhook: verified, stored once per provider event id, processed asynchronously.
#[utoipa::path(tag = "inbound", params(
    ("provider" = Provider, Path, description = "The provider"), ("store_id" = uuid::Uuid, Path, description = "The store")),
    request_body(description = "The provider's payload, kept byte for byte", content(
        ("application/json"), ("application/x-www-form-urlencoded"))),
    responses(
    (status = 200, description = "Accepted (or a duplicate, acknowledged and not processed again)", body = Received),
    (status = 401, description = "Signature missing, malformed, wrong or expired (`missing_signature`, `malformed`, `bad_signature`, `expired`); nothing is stored", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "The source address is not in the allowlist (`forbidden_ip`)", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "Unknown provider, or no active source for it in this store", body = Problem, content_type = "application/problem+json"),
    (status = 413, description = "Body over 1 MiB", body = Problem, content_type = "application/problem+json")))]
#[post("/inbound/{provider}/{store_id}")]
pub async fn receive(
    svc: Inbound,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: web::Bytes,
) -> Result<HttpResponse> {
    accept(&svc, &req, &path, &body).await
}

async fn accept(svc: &Inbound, req: &HttpRequest, path: &(String, String), body: &web::Bytes) -> Result<HttpResponse> {
    let (provider, store) = target(path)?;
    if body.len() > MAX_BODY_BYTES {
        let detail = format!("The body is larger than {MAX_BODY_BYTES} bytes.");
        return Ok(problem_response(&Problem::new(balcao_core::problems::PAYLOAD_TOO_LARGE, detail, Vec::new())));
    }
    match svc.receive(provider, store, inbound_request(req, body)).await {
        Ok(received) => Ok(HttpResponse::Ok().json(received)),
        Err(err) => refusal(err, provider, store),
    }
}

/// EFI's PIX webhook: EFI posts to the registered URL with `/pix` appended, so a store
/// registers `.../v1/inbound/efi/{store_id}` and deliveries arrive here, handled as by the
/// provider route.
#[utoipa::path(tag = "inbound", params(("store_id" = uuid::Uuid, Path, description = "The store")),
    request_body(description = "EFI's `{\"pix\": [...]}` payload, kept byte for byte", content(("application/json"))),
    responses(
    (status = 200, description = "Accepted (or a duplicate, acknowledged and not processed again)", body = Received),
    (status = 401, description = "The `hmac` query secret is missing or wrong; nothing is stored", body = Problem, content_type = "application/problem+json"),
    (status = 403, description = "The source address is not in the allowlist (`forbidden_ip`)", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "No active EFI source in this store", body = Problem, content_type = "application/problem+json"),
    (status = 413, description = "Body over 1 MiB", body = Problem, content_type = "application/problem+json")))]
#[post("/inbound/efi/{store_id}/pix")]
pub async fn receive_efi_pix(
    svc: Inbound,
    req: HttpRequest,
    path: web::Path<String>,
    body: web::Bytes,
) -> Result<HttpResponse> {
    accept(&svc, &req, &("efi".to_owned(), path.into_inner()), &body).await
}
