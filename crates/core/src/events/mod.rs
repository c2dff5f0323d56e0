//! The transactional outbox and the dispatcher that fans events out to subscribers.
//!
//! [`emit`] writes an event in the caller's transaction, with a dispatch job.
//! The dispatch job enqueues one delivery job per interested subscriber, so a
//! slow or failing subscriber retries alone and never blocks the others. Event types are
//! declared as [`EventKind`]s by the areas that emit them ([`kind`]).

pub mod kind;

pub use kind::{EventKind, EventType, schema_of};

use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::DbPool;
use crate::error::{Error, Result};
use crate::id::{EventId, StoreId};
use crate::jobs::{self, JobContext, JobError, JobHandler, NewJob, Registry};
use crate::schema::outbox_events;

/// Job kind that fans an event out.
pub const DISPATCH_JOB: &str = "events.dispatch";
/// Job kind that hands an event to one subscriber.
pub const DELIVER_JOB: &str = "events.deliver";

/// An event as subscribers and webhooks see it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct Event {
    /// The event id, stable across retries.
    pub id: EventId,
    /// The event type, such as `order.created`.
    #[serde(rename = "type")]
    pub event_type: String,
    /// The store it happened in, when it belongs to one.
    pub store_id: Option<StoreId>,
    /// When it happened (UTC).
    pub created_at: DateTime<Utc>,
    /// The type's payload.
    pub data: serde_json::Value,
}

#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = outbox_events)]
struct EventRow {
    id: uuid::Uuid,
    store_id: Option<uuid::Uuid>,
    event_type: String,
    payload: serde_json::Value,
    created_at: DateTime<Utc>,
}

impl From<EventRow> for Event {
    fn from(row: EventRow) -> Self {
        Self {
            id: EventId(row.id),
            event_type: row.event_type,
            store_id: row.store_id.map(StoreId),
            created_at: row.created_at,
            data: row.payload,
        }
    }
}

/// Writes an event to the outbox on `conn`; call it inside the transaction that makes the change.
pub async fn emit<T: Serialize>(
    conn: &mut AsyncPgConnection,
    store_id: Option<StoreId>,
    kind: &EventKind<T>,
    data: &T,
) -> Result<EventId> {
    let id = EventId::new();
    let row = EventRow {
        id: id.uuid(),
        store_id: store_id.map(StoreId::uuid),
        event_type: kind.name().to_owned(),
        payload: serde_json::to_value(data).map_err(Error::internal)?,
        created_at: Utc::now(),
    };
    diesel::insert_into(outbox_events::table).values(&row).execute(conn).await?;
    jobs::enqueue(
        conn,
        NewJob::new(DISPATCH_JOB, &Dispatch { event_id: id })?.unique_key(format!("{DISPATCH_JOB}:{id}")),
    )
    .await?;
    Ok(id)
}

/// Reads one event.
pub async fn load(conn: &mut AsyncPgConnection, id: EventId) -> Result<Event> {
    let row: EventRow = outbox_events::table
        .find(id.uuid())
        .select(EventRow::as_select())
        .first(conn)
        .await
        .optional()?
        .ok_or_else(|| Error::not_found("event"))?;
    Ok(row.into())
}

/// Receives events of the types it accepts.
#[async_trait]
pub trait EventSubscriber: Send + Sync {
    /// A stable name, unique among subscribers (it keys delivery jobs).
    fn name(&self) -> &str;
    /// Whether this subscriber wants events of `event_type`.
    fn accepts(&self, event_type: &str) -> bool;
    /// Handles one event; an error retries it on the job queue.
    async fn handle(&self, event: &Event) -> Result<(), JobError>;
}

/// The subscribers registered at start.
#[derive(Default, Clone)]
pub struct EventBus {
    subscribers: Vec<Arc<dyn EventSubscriber>>,
}

impl EventBus {
    /// An empty bus.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a subscriber.
    pub fn subscribe(&mut self, subscriber: Arc<dyn EventSubscriber>) -> &mut Self {
        self.subscribers.push(subscriber);
        self
    }

    /// Registers the dispatch and delivery jobs in `registry`.
    pub fn register_jobs(&self, registry: &mut Registry, pool: DbPool) {
        let bus = Arc::new(self.clone());
        registry.register(DISPATCH_JOB, Arc::new(Dispatcher { bus: bus.clone(), pool: pool.clone() }));
        registry.register(DELIVER_JOB, Arc::new(Deliverer { bus, pool }));
    }

    fn find(&self, name: &str) -> Option<&Arc<dyn EventSubscriber>> {
        self.subscribers.iter().find(|s| s.name() == name)
    }
}

#[derive(Serialize, Deserialize)]
struct Dispatch {
    event_id: EventId,
}

#[derive(Serialize, Deserialize)]
struct Deliver {
    event_id: EventId,
    subscriber: String,
}

struct Dispatcher {
    bus: Arc<EventBus>,
    pool: DbPool,
}

#[async_trait]
impl JobHandler for Dispatcher {
    async fn run(&self, job: &JobContext) -> Result<(), JobError> {
        let Dispatch { event_id } = job.payload()?;
        let mut conn = self.pool.get().await.map_err(Error::from)?;
        let event = load(&mut conn, event_id).await?;
        let subscribers: Vec<String> =
            self.bus.subscribers.iter().filter(|s| s.accepts(&event.event_type)).map(|s| s.name().to_owned()).collect();
        conn.transaction::<_, Error, _>(async |conn| {
            for subscriber in subscribers {
                let key = format!("{DELIVER_JOB}:{event_id}:{subscriber}");
                jobs::enqueue(conn, NewJob::new(DELIVER_JOB, &Deliver { event_id, subscriber })?.unique_key(key))
                    .await?;
            }
            diesel::update(outbox_events::table.find(event_id.uuid()))
                .set(outbox_events::dispatched_at.eq(Utc::now()))
                .execute(conn)
                .await?;
            Ok(())
        })
        .await?;
        Ok(())
    }
}

struct Deliverer {
    bus: Arc<EventBus>,
    pool: DbPool,
}

#[async_trait]
impl JobHandler for Deliverer {
    async fn run(&self, job: &JobContext) -> Result<(), JobError> {
        let Deliver { event_id, subscriber } = job.payload()?;
        let Some(subscriber) = self.bus.find(&subscriber) else {
            return Err(JobError::Permanent(format!("subscriber {subscriber} is no longer registered")));
        };
        let event = {
            let mut conn = self.pool.get().await.map_err(Error::from)?;
            load(&mut conn, event_id).await?
        };
        subscriber.handle(&event).await
    }
}
