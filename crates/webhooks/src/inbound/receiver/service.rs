//! Receivers on PostgreSQL: source configuration with sealed secrets, the verified and
//! deduplicated intake, and the staff views of what was received.

use std::collections::HashMap;

use async_trait::async_trait;
use balcao_core::Core;
use balcao_core::error::{Error, FieldError, Result, Validator};
use balcao_core::id::StoreId;
use balcao_core::pagination::{Page, PageParams};
use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use super::Provider;
use super::config::{SourceSecrets, check_allowlist, secret_context};
use super::extract::{identify, kept_headers};
use super::job::enqueue_processing;
use super::model::{
    EventRow, EventSummaryRow, InboundEventDetail, InboundEventFilter, InboundEventId, InboundEventSummary,
    InboundSource, RECEIVED, Received, STATUSES, SourceRow, UpsertInboundSource,
};
use super::schema::{inbound_events as ie, inbound_sources as is};
use super::verify::{InboundRequest, check_source, verify};
use crate::inbound::{VerifyError, efi, meta};

/// Why a delivery or handshake was not accepted.
#[derive(Debug, thiserror::Error)]
pub enum ReceiveError {
    /// No active source for this store and provider (404; nothing more is revealed).
    #[error("no active inbound source")]
    NotConfigured,
    /// The address, signature or handshake was refused (401 or 403, with the verifier's code).
    #[error("{0}")]
    Rejected(VerifyError),
    /// Anything else (the database).
    #[error(transparent)]
    Other(#[from] Error),
}

/// A store's inbound receivers.
#[async_trait]
pub trait InboundService: Send + Sync {
    /// Creates or replaces the receiver for a provider.
    async fn upsert_source(
        &self,
        store: StoreId,
        provider: Provider,
        req: UpsertInboundSource,
    ) -> Result<InboundSource>;
    /// Every configured receiver (one page: there are at most seven).
    async fn list_sources(&self, store: StoreId) -> Result<Page<InboundSource>>;
    /// Removes a receiver; its events stay.
    async fn delete_source(&self, store: StoreId, provider: Provider) -> Result<()>;
    /// Received events, newest first.
    async fn list_events(
        &self,
        store: StoreId,
        filter: &InboundEventFilter,
        page: &PageParams,
    ) -> Result<Page<InboundEventSummary>>;
    /// One event with its headers and body.
    async fn get_event(&self, store: StoreId, id: InboundEventId) -> Result<InboundEventDetail>;
    /// Processes an event again from its stored body.
    async fn replay(&self, store: StoreId, id: InboundEventId) -> Result<InboundEventSummary>;
    /// Answers Meta's subscription handshake: the challenge to echo.
    async fn handshake(
        &self,
        provider: Provider,
        store: StoreId,
        remote: Option<std::net::IpAddr>,
        params: &HashMap<String, String>,
    ) -> Result<String, ReceiveError>;
    /// Verifies a delivery and stores it once; processing happens in the `inbound.process` job.
    async fn receive(
        &self,
        provider: Provider,
        store: StoreId,
        request: InboundRequest,
    ) -> Result<Received, ReceiveError>;
}

/// [`InboundService`] on PostgreSQL.
pub struct PgInboundService {
    core: Core,
}

impl PgInboundService {
    /// A service on the shared handles.
    pub fn new(core: Core) -> Self {
        Self { core }
    }

    fn open(&self, row: &SourceRow, provider: Provider) -> Result<SourceSecrets> {
        let json = self.core.config.keyring.open(&row.secrets, &secret_context(row.store_id, provider))?;
        SourceSecrets::from_json(provider, &json)
    }

    /// The active source, or `NotConfigured`.
    async fn active_source(&self, store: StoreId, provider: Provider) -> Result<SourceRow, ReceiveError> {
        let mut conn = self.core.pool.get().await.map_err(Error::from)?;
        load_source(&mut conn, store, provider).await?.filter(|row| row.active).ok_or(ReceiveError::NotConfigured)
    }
}

async fn load_source(conn: &mut AsyncPgConnection, store: StoreId, provider: Provider) -> Result<Option<SourceRow>> {
    Ok(is::table
        .filter(is::store_id.eq(store.uuid()))
        .filter(is::provider.eq(provider.as_str()))
        .select(SourceRow::as_select())
        .first(conn)
        .await
        .optional()?)
}

async fn load_event(conn: &mut AsyncPgConnection, store: StoreId, id: InboundEventId) -> Result<EventRow> {
    ie::table
        .filter(ie::store_id.eq(store.uuid()))
        .filter(ie::id.eq(id.uuid()))
        .select(EventRow::as_select())
        .first(conn)
        .await
        .optional()?
        .ok_or_else(|| Error::not_found("inbound event"))
}

#[async_trait]
impl InboundService for PgInboundService {
    async fn upsert_source(
        &self,
        store: StoreId,
        provider: Provider,
        req: UpsertInboundSource,
    ) -> Result<InboundSource> {
        let mut conn = self.core.pool.get().await?;
        let existing = load_source(&mut conn, store, provider).await?;
        let mut v = Validator::new();
        let secrets = match (&req.secrets, &existing) {
            (Some(raw), _) => SourceSecrets::parse(provider, raw, &mut v),
            (None, Some(row)) => Some(self.open(row, provider)?),
            (None, None) => {
                v.push(FieldError::new("secrets", "required", format!("is required to set up {provider}")));
                None
            }
        };
        let ip_allowlist = match (&req.ip_allowlist, &existing) {
            (Some(entries), _) => check_allowlist(&mut v, entries),
            (None, Some(row)) => row.ip_allowlist.clone(),
            (None, None) if provider == Provider::Efi => {
                efi::DEFAULT_SOURCE_CIDRS.iter().map(|c| (*c).to_owned()).collect()
            }
            (None, None) => Vec::new(),
        };
        v.finish()?;
        let secrets = secrets.ok_or_else(|| Error::internal("secrets parsed without errors yet missing"))?;
        let sealed = match (&req.secrets, &existing) {
            (None, Some(row)) => row.secrets.clone(),
            _ => self.core.config.keyring.seal(&secrets.to_json()?, &secret_context(store.uuid(), provider))?,
        };
        let active = req.active.or(existing.as_ref().map(|r| r.active)).unwrap_or(true);
        let now = Utc::now();
        let row: SourceRow = diesel::insert_into(is::table)
            .values((
                is::store_id.eq(store.uuid()),
                is::provider.eq(provider.as_str()),
                is::secrets.eq(&sealed),
                is::ip_allowlist.eq(&ip_allowlist),
                is::active.eq(active),
                is::created_at.eq(now),
                is::updated_at.eq(now),
            ))
            .on_conflict((is::store_id, is::provider))
            .do_update()
            .set((
                is::secrets.eq(&sealed),
                is::ip_allowlist.eq(&ip_allowlist),
                is::active.eq(active),
                is::updated_at.eq(now),
            ))
            .returning(SourceRow::as_returning())
            .get_result(&mut conn)
            .await?;
        tracing::info!(store = %store, %provider, active, "inbound source configured");
        Ok(InboundSource::new(&row, provider, &secrets))
    }

    async fn list_sources(&self, store: StoreId) -> Result<Page<InboundSource>> {
        let mut conn = self.core.pool.get().await?;
        let rows: Vec<SourceRow> = is::table
            .filter(is::store_id.eq(store.uuid()))
            .select(SourceRow::as_select())
            .order(is::provider.asc())
            .load(&mut conn)
            .await?;
        let mut data = Vec::with_capacity(rows.len());
        for row in rows {
            let provider: Provider = row.provider.parse().map_err(Error::internal)?;
            data.push(InboundSource::new(&row, provider, &self.open(&row, provider)?));
        }
        Ok(Page { data, next_cursor: None })
    }

    async fn delete_source(&self, store: StoreId, provider: Provider) -> Result<()> {
        let mut conn = self.core.pool.get().await?;
        let deleted =
            diesel::delete(is::table.filter(is::store_id.eq(store.uuid())).filter(is::provider.eq(provider.as_str())))
                .execute(&mut conn)
                .await?;
        if deleted == 0 {
            return Err(Error::not_found("inbound source"));
        }
        Ok(())
    }

    async fn list_events(
        &self,
        store: StoreId,
        filter: &InboundEventFilter,
        page: &PageParams,
    ) -> Result<Page<InboundEventSummary>> {
        let req = page.parse::<uuid::Uuid>()?;
        let mut v = Validator::new();
        let provider = filter.provider.as_deref().and_then(|p| {
            let parsed = p.parse::<Provider>().ok();
            let names: Vec<&str> = Provider::ALL.iter().map(|p| p.as_str()).collect();
            v.check(parsed.is_some(), "provider", "invalid", &format!("must be one of {}", names.join(", ")));
            parsed
        });
        if let Some(status) = &filter.status {
            let ok = STATUSES.contains(&status.as_str());
            v.check(ok, "status", "invalid", "must be received, processed, ignored or failed");
        }
        v.finish()?;
        let mut conn = self.core.pool.get().await?;
        let mut query = ie::table
            .filter(ie::store_id.eq(store.uuid()))
            .select(EventSummaryRow::as_select())
            .order(ie::id.desc())
            .limit(req.fetch_limit())
            .into_boxed();
        if let Some(provider) = provider {
            query = query.filter(ie::provider.eq(provider.as_str()));
        }
        if let Some(status) = &filter.status {
            query = query.filter(ie::status.eq(status.clone()));
        }
        if let Some(after) = req.after {
            query = query.filter(ie::id.lt(after));
        }
        let rows = query.load(&mut conn).await?;
        let page = req.page(rows, |r| r.id)?;
        let data = page.data.into_iter().map(InboundEventSummary::try_from).collect::<Result<Vec<_>>>()?;
        Ok(Page { data, next_cursor: page.next_cursor })
    }

    async fn get_event(&self, store: StoreId, id: InboundEventId) -> Result<InboundEventDetail> {
        let mut conn = self.core.pool.get().await?;
        load_event(&mut conn, store, id).await?.try_into()
    }

    async fn replay(&self, store: StoreId, id: InboundEventId) -> Result<InboundEventSummary> {
        let mut conn = self.core.pool.get().await?;
        load_event(&mut conn, store, id).await?;
        let row = conn
            .transaction::<_, Error, _>(async |conn| {
                let row: EventSummaryRow =
                    diesel::update(ie::table.filter(ie::store_id.eq(store.uuid())).filter(ie::id.eq(id.uuid())))
                        .set((
                            ie::status.eq(RECEIVED),
                            ie::error.eq(None::<String>),
                            ie::processed_at.eq(None::<chrono::DateTime<Utc>>),
                        ))
                        .returning(EventSummaryRow::as_returning())
                        .get_result(conn)
                        .await?;
                enqueue_processing(conn, store.uuid(), id.uuid(), Some(uuid::Uuid::now_v7())).await?;
                Ok(row)
            })
            .await?;
        tracing::info!(store = %store, event = %id, "inbound event replayed");
        row.try_into()
    }

    async fn handshake(
        &self,
        provider: Provider,
        store: StoreId,
        remote: Option<std::net::IpAddr>,
        params: &HashMap<String, String>,
    ) -> Result<String, ReceiveError> {
        let row = self.active_source(store, provider).await?;
        check_source(remote, &row.ip_allowlist).map_err(ReceiveError::Rejected)?;
        let SourceSecrets::Meta(secrets) = self.open(&row, provider)? else {
            return Err(ReceiveError::NotConfigured);
        };
        meta::handshake(params, &secrets.verify_token).map_err(ReceiveError::Rejected)
    }

    async fn receive(
        &self,
        provider: Provider,
        store: StoreId,
        request: InboundRequest,
    ) -> Result<Received, ReceiveError> {
        let source = self.active_source(store, provider).await?;
        check_source(request.remote, &source.ip_allowlist).map_err(ReceiveError::Rejected)?;
        let secrets = self.open(&source, provider)?;
        verify(&secrets, &request, Utc::now().timestamp()).map_err(ReceiveError::Rejected)?;

        let identity = identify(provider, &request.body);
        let headers = serde_json::to_value(kept_headers(provider, &request.headers)).map_err(Error::internal)?;
        let id = InboundEventId::new();
        let mut conn = self.core.pool.get().await.map_err(Error::from)?;
        let (id, duplicate) = conn
            .transaction::<_, Error, _>(async |conn| {
                let inserted: Option<uuid::Uuid> = diesel::insert_into(ie::table)
                    .values((
                        ie::store_id.eq(store.uuid()),
                        ie::id.eq(id.uuid()),
                        ie::provider.eq(provider.as_str()),
                        ie::external_id.eq(&identity.external_id),
                        ie::event_type.eq(&identity.event_type),
                        ie::headers.eq(&headers),
                        ie::body.eq(&request.body),
                        ie::status.eq(RECEIVED),
                        ie::received_at.eq(Utc::now()),
                    ))
                    .on_conflict((ie::store_id, ie::provider, ie::external_id))
                    .do_nothing()
                    .returning(ie::id)
                    .get_result(conn)
                    .await
                    .optional()?;
                if let Some(id) = inserted {
                    enqueue_processing(conn, store.uuid(), id, None).await?;
                    return Ok((id, false));
                }
                let first: uuid::Uuid = ie::table
                    .filter(ie::store_id.eq(store.uuid()))
                    .filter(ie::provider.eq(provider.as_str()))
                    .filter(ie::external_id.eq(&identity.external_id))
                    .select(ie::id)
                    .first(conn)
                    .await?;
                Ok((first, true))
            })
            .await?;
        tracing::info!(
            store = %store, %provider, event = %id, external_id = %identity.external_id,
            event_type = %identity.event_type, duplicate, "inbound webhook received"
        );
        Ok(Received { received: true, duplicate, id: InboundEventId(id) })
    }
}
