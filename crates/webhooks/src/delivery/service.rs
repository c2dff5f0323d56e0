//! Staff operations on deliveries: list, inspect, resend and recover.

use balcao_core::Core;
use balcao_core::error::{Error, Result};
use balcao_core::events::Event;
use balcao_core::id::{EventId, StoreId};
use balcao_core::pagination::{Page, PageParams};
use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use super::enqueue_delivery;
use super::model::{
    Attempt, DEAD, Delivery, DeliveryDetail, DeliveryFilter, FAILED, QUEUED, Recover, Recovered, STATUSES, TestAttempt,
    TestSend,
};
use super::schema::{webhook_attempts as wa, webhook_deliveries as wd};
use super::send;
use crate::endpoints::EndpointId;
use crate::endpoints::EndpointRow;
use crate::events::EventCatalog;
use crate::schema::webhook_endpoints as we;

/// The most deliveries one recover call requeues.
pub const MAX_RECOVER: i64 = 10_000;

/// Deliveries on PostgreSQL.
pub struct DeliveryService {
    core: Core,
}

async fn endpoint_exists(conn: &mut AsyncPgConnection, store: StoreId, endpoint: EndpointId) -> Result<()> {
    let found: Option<uuid::Uuid> = we::table
        .filter(we::store_id.eq(store.uuid()))
        .filter(we::id.eq(endpoint.uuid()))
        .select(we::id)
        .first(conn)
        .await
        .optional()?;
    found.map(|_| ()).ok_or_else(|| Error::not_found("webhook endpoint"))
}

async fn load(conn: &mut AsyncPgConnection, store: StoreId, endpoint: EndpointId, id: uuid::Uuid) -> Result<Delivery> {
    wd::table
        .filter(wd::store_id.eq(store.uuid()))
        .filter(wd::endpoint_id.eq(endpoint.uuid()))
        .filter(wd::id.eq(id))
        .select(Delivery::as_select())
        .first(conn)
        .await
        .optional()?
        .ok_or_else(|| Error::not_found("webhook delivery"))
}

impl DeliveryService {
    /// A service on the shared handles.
    pub fn new(core: Core) -> Self {
        Self { core }
    }

    /// An endpoint's deliveries, newest first, optionally in one status.
    pub async fn list(
        &self,
        store: StoreId,
        endpoint: EndpointId,
        filter: &DeliveryFilter,
        page: &PageParams,
    ) -> Result<Page<Delivery>> {
        let req = page.parse::<uuid::Uuid>()?;
        if let Some(status) = &filter.status
            && !STATUSES.contains(&status.as_str())
        {
            return Err(Error::field("status", "invalid", "must be queued, succeeded, failed or dead"));
        }
        let mut conn = self.core.pool.get().await?;
        endpoint_exists(&mut conn, store, endpoint).await?;
        let mut query = wd::table
            .filter(wd::store_id.eq(store.uuid()))
            .filter(wd::endpoint_id.eq(endpoint.uuid()))
            .select(Delivery::as_select())
            .order(wd::id.desc())
            .limit(req.fetch_limit())
            .into_boxed();
        if let Some(status) = &filter.status {
            query = query.filter(wd::status.eq(status.clone()));
        }
        if let Some(after) = req.after {
            query = query.filter(wd::id.lt(after));
        }
        let rows = query.load(&mut conn).await?;
        req.page(rows, |r| r.id)
    }

    /// One delivery with its attempts.
    pub async fn get(&self, store: StoreId, endpoint: EndpointId, id: uuid::Uuid) -> Result<DeliveryDetail> {
        let mut conn = self.core.pool.get().await?;
        let delivery = load(&mut conn, store, endpoint, id).await?;
        let attempts = wa::table
            .filter(wa::store_id.eq(store.uuid()))
            .filter(wa::delivery_id.eq(id))
            .select(Attempt::as_select())
            .order((wa::attempt.asc(), wa::id.asc()))
            .load(&mut conn)
            .await?;
        Ok(DeliveryDetail { delivery, attempt_log: attempts })
    }

    /// Sends a delivery again with a new job (the same `webhook-id`).
    pub async fn resend(&self, store: StoreId, endpoint: EndpointId, id: uuid::Uuid) -> Result<Delivery> {
        let mut conn = self.core.pool.get().await?;
        load(&mut conn, store, endpoint, id).await?;
        conn.transaction::<_, Error, _>(async |conn| {
            let delivery = diesel::update(wd::table.filter(wd::store_id.eq(store.uuid())).filter(wd::id.eq(id)))
                .set((wd::status.eq(QUEUED), wd::next_attempt_at.eq(Some(Utc::now())), wd::updated_at.eq(Utc::now())))
                .returning(Delivery::as_returning())
                .get_result(conn)
                .await?;
            enqueue_delivery(conn, store.uuid(), id, Some(uuid::Uuid::now_v7())).await?;
            Ok(delivery)
        })
        .await
    }

    /// Requeues the endpoint's failed and dead deliveries created in `[since, until)`.
    pub async fn recover(&self, store: StoreId, endpoint: EndpointId, req: Recover) -> Result<Recovered> {
        let until = req.until.unwrap_or_else(Utc::now);
        if until <= req.since {
            return Err(Error::field("until", "invalid_range", "must be after `since`"));
        }
        let mut conn = self.core.pool.get().await?;
        endpoint_exists(&mut conn, store, endpoint).await?;
        conn.transaction::<_, Error, _>(async |conn| {
            let ids: Vec<uuid::Uuid> = diesel::update(
                wd::table
                    .filter(wd::store_id.eq(store.uuid()))
                    .filter(wd::endpoint_id.eq(endpoint.uuid()))
                    .filter(wd::status.eq_any([FAILED, DEAD]))
                    .filter(wd::created_at.ge(req.since))
                    .filter(wd::created_at.lt(until)),
            )
            .set((wd::status.eq(QUEUED), wd::next_attempt_at.eq(Some(Utc::now())), wd::updated_at.eq(Utc::now())))
            .returning(wd::id)
            .get_results(conn)
            .await?;
            if i64::try_from(ids.len()).unwrap_or(i64::MAX) > MAX_RECOVER {
                return Err(Error::field(
                    "since",
                    "too_many",
                    format!("more than {MAX_RECOVER} deliveries; narrow the range"),
                ));
            }
            for id in &ids {
                // A delivery still waiting on its retry job keeps it; the others get a fresh one.
                enqueue_delivery(conn, store.uuid(), *id, None).await?;
            }
            Ok(Recovered { requeued: i64::try_from(ids.len()).unwrap_or(i64::MAX) })
        })
        .await
    }

    /// Sends `req.event_type`'s example payload to the endpoint now, signed like any delivery,
    /// and answers what happened. It works on a disabled endpoint too, to check it before
    /// enabling it again; the SSRF guard applies as always.
    pub async fn test(
        &self,
        store: StoreId,
        endpoint: EndpointId,
        req: TestSend,
        catalog: &EventCatalog,
    ) -> Result<TestAttempt> {
        let Some(event_type) = catalog.all().iter().find(|t| t.name == req.event_type.trim()) else {
            return Err(Error::field("event_type", "unknown_event_type", "is not in GET /v1/webhook-event-types"));
        };
        let row: EndpointRow = {
            let mut conn = self.core.pool.get().await?;
            we::table
                .filter(we::store_id.eq(store.uuid()))
                .filter(we::id.eq(endpoint.uuid()))
                .select(EndpointRow::as_select())
                .first(&mut conn)
                .await
                .optional()?
                .ok_or_else(|| Error::not_found("webhook endpoint"))?
        };
        let now = Utc::now();
        let event = Event {
            id: EventId::new(),
            event_type: event_type.name.clone(),
            store_id: Some(store),
            created_at: now,
            data: event_type.example.clone(),
        };
        let signed = send::sign(&self.core, &row, &event, now)?;
        let outcome = send::send(&row.url, &signed, self.core.config.outbound_allow_private).await;
        tracing::info!(endpoint = %endpoint, event_type = %event.event_type, status = ?outcome.status,
            error = ?outcome.error, "webhook test send");
        Ok(TestAttempt {
            webhook_id: event.id.uuid(),
            event_type: event.event_type,
            succeeded: outcome.succeeded(),
            request_headers: signed.logged,
            request_body: serde_json::from_slice(&signed.body).map_err(Error::internal)?,
            response_status: outcome.status.map(i32::from),
            response_body: outcome.body,
            duration_ms: outcome.duration_ms,
            error: outcome.error,
        })
    }
}
