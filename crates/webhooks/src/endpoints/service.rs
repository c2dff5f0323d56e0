//! Endpoints on PostgreSQL, with their signing secrets sealed by the keyring.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use balcao_core::Core;
use balcao_core::error::{Error, Result, Validator};
use balcao_core::id::StoreId;
use balcao_core::pagination::{Page, PageParams};
use balcao_core::tenancy::allowances::{self, Countable};
use chrono::{Duration, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use super::model::{
    CreateEndpoint, CreatedEndpoint, Endpoint, EndpointId, EndpointRow, RotateSecret, RotatedSecret, UpdateEndpoint,
};
use super::validate::{self, UrlPolicy};
use crate::events::EventCatalog;
use crate::schema::webhook_endpoints as we;
use crate::signing::Secret;

/// The default grace period of a rotated-out secret, in hours.
pub const DEFAULT_GRACE_HOURS: i64 = 24;
/// The longest grace period, in hours (a week).
pub const MAX_GRACE_HOURS: i64 = 168;
/// The default rate limit per endpoint.
pub const DEFAULT_RATE_LIMIT: i32 = 10;

/// A store's outbound webhook endpoints.
#[async_trait]
pub trait EndpointService: Send + Sync {
    /// Endpoints ordered by id (creation).
    async fn list(&self, store: StoreId, page: &PageParams) -> Result<Page<Endpoint>>;
    /// One endpoint.
    async fn get(&self, store: StoreId, id: EndpointId) -> Result<Endpoint>;
    /// Creates an endpoint with a new secret, returned this once.
    async fn create(&self, store: StoreId, req: CreateEndpoint) -> Result<CreatedEndpoint>;
    /// Changes an endpoint.
    async fn update(&self, store: StoreId, id: EndpointId, req: UpdateEndpoint) -> Result<Endpoint>;
    /// Deletes an endpoint.
    async fn delete(&self, store: StoreId, id: EndpointId) -> Result<()>;
    /// Replaces the secret; the previous one keeps signing for the grace period.
    async fn rotate_secret(&self, store: StoreId, id: EndpointId, req: RotateSecret) -> Result<RotatedSecret>;
    /// The secrets that sign deliveries now: the current one first, then the previous one in its grace.
    async fn signing_secrets(&self, store: StoreId, id: EndpointId) -> Result<Vec<Secret>>;
}

/// [`EndpointService`] on PostgreSQL.
pub struct PgEndpointService {
    core: Core,
    catalog: Arc<EventCatalog>,
}

impl PgEndpointService {
    /// A service on the shared handles, validating event types against `catalog`.
    pub fn new(core: Core, catalog: Arc<EventCatalog>) -> Self {
        Self { core, catalog }
    }

    fn policy(&self) -> UrlPolicy {
        self.core.config.url_policy()
    }

    fn seal(&self, id: EndpointId, secrets: &[Secret]) -> Result<String> {
        let json = serde_json::to_vec(secrets).map_err(Error::internal)?;
        self.core.config.keyring.seal(&json, &secret_context(id))
    }

    fn open(&self, id: EndpointId, sealed: &str) -> Result<Vec<Secret>> {
        let json = self.core.config.keyring.open(sealed, &secret_context(id))?;
        serde_json::from_slice(&json).map_err(Error::internal)
    }
}

/// The keyring context that binds an endpoint's sealed secrets to it.
pub fn secret_context(id: EndpointId) -> String {
    format!("webhook-secret:{id}")
}

/// The keyring context that binds an endpoint's sealed custom headers to it.
fn headers_context(id: EndpointId) -> String {
    format!("webhook-headers:{id}")
}

/// The custom headers as stored: names with blank values (for listing them), and the whole
/// map sealed.
fn seal_headers(
    core: &Core,
    id: EndpointId,
    headers: &BTreeMap<String, String>,
) -> Result<(serde_json::Value, String)> {
    let names: serde_json::Map<String, serde_json::Value> =
        headers.keys().map(|k| (k.clone(), serde_json::Value::String(String::new()))).collect();
    let json = serde_json::to_vec(headers).map_err(Error::internal)?;
    Ok((serde_json::Value::Object(names), core.config.keyring.seal(&json, &headers_context(id))?))
}

/// The custom headers a delivery sends, opened.
pub fn custom_headers(core: &Core, endpoint: &EndpointRow) -> Result<BTreeMap<String, String>> {
    match &endpoint.sealed_headers {
        Some(sealed) => {
            let json = core.config.keyring.open(sealed, &headers_context(EndpointId(endpoint.id)))?;
            serde_json::from_slice(&json).map_err(Error::internal)
        }
        // Written before headers were sealed: the values are still in the clear.
        None => Ok(serde_json::from_value(endpoint.headers.clone()).unwrap_or_default()),
    }
}

async fn load(conn: &mut AsyncPgConnection, store: StoreId, id: EndpointId) -> Result<EndpointRow> {
    we::table
        .filter(we::store_id.eq(store.uuid()))
        .filter(we::id.eq(id.uuid()))
        .select(EndpointRow::as_select())
        .first(conn)
        .await
        .optional()?
        .ok_or_else(|| Error::not_found("webhook endpoint"))
}

#[async_trait]
impl EndpointService for PgEndpointService {
    async fn list(&self, store: StoreId, page: &PageParams) -> Result<Page<Endpoint>> {
        let req = page.parse::<uuid::Uuid>()?;
        let mut conn = self.core.pool.get().await?;
        let mut query = we::table
            .filter(we::store_id.eq(store.uuid()))
            .select(EndpointRow::as_select())
            .order(we::id.asc())
            .limit(req.fetch_limit())
            .into_boxed();
        if let Some(after) = req.after {
            query = query.filter(we::id.gt(after));
        }
        let rows = query.load(&mut conn).await?;
        Ok(req.page(rows, |r| r.id)?.map(Endpoint::from))
    }

    async fn get(&self, store: StoreId, id: EndpointId) -> Result<Endpoint> {
        let mut conn = self.core.pool.get().await?;
        Ok(load(&mut conn, store, id).await?.into())
    }

    async fn create(&self, store: StoreId, req: CreateEndpoint) -> Result<CreatedEndpoint> {
        let headers = req.headers.unwrap_or_default();
        let description = req.description.unwrap_or_default();
        let rate = req.rate_limit_per_second.unwrap_or(DEFAULT_RATE_LIMIT);
        let mut v = Validator::new();
        validate::url(&mut v, &req.url, self.policy());
        let event_types = validate::event_types(&mut v, &req.event_types, &self.catalog);
        validate::description(&mut v, &description);
        validate::headers(&mut v, &headers);
        validate::rate_limit(&mut v, rate);
        v.finish()?;
        let id = EndpointId::new();
        let secret = Secret::generate();
        let sealed = self.seal(id, std::slice::from_ref(&secret))?;
        let (header_names, sealed_headers) = seal_headers(&self.core, id, &headers)?;
        let now = Utc::now();
        let mut conn = self.core.pool.get().await?;
        let row: EndpointRow = conn
            .transaction::<_, Error, _>(async |conn| {
                let allowance = allowances::lock(conn, store, Countable::WebhookEndpoints).await?;
                let used: i64 = we::table.filter(we::store_id.eq(store.uuid())).count().get_result(conn).await?;
                allowance.admit(used)?;
                Ok(diesel::insert_into(we::table)
                    .values((
                        we::store_id.eq(store.uuid()),
                        we::id.eq(id.uuid()),
                        we::url.eq(req.url.trim()),
                        we::description.eq(description.trim()),
                        we::event_types.eq(&event_types),
                        we::active.eq(req.active.unwrap_or(true)),
                        we::headers.eq(header_names),
                        we::sealed_headers.eq(Some(sealed_headers)),
                        we::rate_limit_per_second.eq(rate),
                        we::secrets.eq(&sealed),
                        we::created_at.eq(now),
                        we::updated_at.eq(now),
                    ))
                    .returning(EndpointRow::as_returning())
                    .get_result(conn)
                    .await?)
            })
            .await?;
        Ok(CreatedEndpoint { endpoint: row.into(), secret: secret.secret })
    }

    async fn update(&self, store: StoreId, id: EndpointId, req: UpdateEndpoint) -> Result<Endpoint> {
        if balcao_core::patch::is_empty(&req) {
            return self.get(store, id).await;
        }
        let mut v = Validator::new();
        if let Some(url) = &req.url {
            validate::url(&mut v, url, self.policy());
        }
        let event_types = req.event_types.as_deref().map(|t| validate::event_types(&mut v, t, &self.catalog));
        if let Some(description) = &req.description {
            validate::description(&mut v, description);
        }
        if let Some(headers) = &req.headers {
            validate::headers(&mut v, headers);
        }
        if let Some(rate) = req.rate_limit_per_second {
            validate::rate_limit(&mut v, rate);
        }
        v.finish()?;
        let headers = req.headers.as_ref().map(|h| seal_headers(&self.core, id, h)).transpose()?;
        let mut conn = self.core.pool.get().await?;
        load(&mut conn, store, id).await?;
        let row: EndpointRow =
            diesel::update(we::table.filter(we::store_id.eq(store.uuid())).filter(we::id.eq(id.uuid())))
                .set((
                    req.url.as_deref().map(|u| we::url.eq(u.trim().to_owned())),
                    event_types.map(|t| we::event_types.eq(t)),
                    req.description.as_deref().map(|d| we::description.eq(d.trim().to_owned())),
                    req.active.map(|a| we::active.eq(a)),
                    // Re-enabling starts afresh: the failure streak and the reason it stopped are cleared.
                    req.active.filter(|a| *a).map(|_| {
                        (
                            we::failing_since.eq(None::<chrono::DateTime<Utc>>),
                            we::disabled_reason.eq(None::<String>),
                            we::disabled_at.eq(None::<chrono::DateTime<Utc>>),
                        )
                    }),
                    headers.map(|(names, sealed)| (we::headers.eq(names), we::sealed_headers.eq(Some(sealed)))),
                    req.rate_limit_per_second.map(|r| we::rate_limit_per_second.eq(r)),
                    we::updated_at.eq(Utc::now()),
                ))
                .returning(EndpointRow::as_returning())
                .get_result(&mut conn)
                .await?;
        Ok(row.into())
    }

    async fn delete(&self, store: StoreId, id: EndpointId) -> Result<()> {
        let mut conn = self.core.pool.get().await?;
        let deleted = diesel::delete(we::table.filter(we::store_id.eq(store.uuid())).filter(we::id.eq(id.uuid())))
            .execute(&mut conn)
            .await?;
        if deleted == 0 {
            return Err(Error::not_found("webhook endpoint"));
        }
        Ok(())
    }

    async fn rotate_secret(&self, store: StoreId, id: EndpointId, req: RotateSecret) -> Result<RotatedSecret> {
        let grace = req.grace_period_hours.unwrap_or(DEFAULT_GRACE_HOURS);
        let mut v = Validator::new();
        v.check((0..=MAX_GRACE_HOURS).contains(&grace), "grace_period_hours", "out_of_range", "must be 0 to 168");
        v.finish()?;
        let mut conn = self.core.pool.get().await?;
        let row = load(&mut conn, store, id).await?;
        let now = Utc::now();
        let current = self.open(id, &row.secrets)?.into_iter().find(|s| s.expires_at.is_none());
        let expires_at = (grace > 0).then(|| now + Duration::hours(grace));
        let fresh = Secret::generate();
        let mut secrets = vec![fresh.clone()];
        if let (Some(previous), Some(at)) = (current, expires_at) {
            secrets.push(Secret { expires_at: Some(at), ..previous });
        }
        let sealed = self.seal(id, &secrets)?;
        // The update matches the secrets it read, so two concurrent rotations cannot both win.
        let updated = diesel::update(
            we::table
                .filter(we::store_id.eq(store.uuid()))
                .filter(we::id.eq(id.uuid()))
                .filter(we::secrets.eq(&row.secrets)),
        )
        .set((we::secrets.eq(&sealed), we::previous_secret_expires_at.eq(expires_at), we::updated_at.eq(now)))
        .execute(&mut conn)
        .await?;
        if updated == 0 {
            return Err(Error::Conflict {
                code: crate::problems::CONCURRENT_ROTATION,
                detail: "The secret was rotated at the same time; retry.".into(),
                field: None,
            });
        }
        Ok(RotatedSecret { secret: fresh.secret, previous_secret_expires_at: expires_at })
    }

    async fn signing_secrets(&self, store: StoreId, id: EndpointId) -> Result<Vec<Secret>> {
        let mut conn = self.core.pool.get().await?;
        let row = load(&mut conn, store, id).await?;
        let now = Utc::now();
        Ok(self.open(id, &row.secrets)?.into_iter().filter(|s| s.is_valid_at(now)).collect())
    }
}
