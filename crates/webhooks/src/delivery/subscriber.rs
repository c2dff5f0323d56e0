//! The event subscriber that turns a store event into one delivery per interested endpoint.

use async_trait::async_trait;
use balcao_core::Core;
use balcao_core::error::Error;
use balcao_core::events::{Event, EventSubscriber};
use balcao_core::jobs::JobError;
use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};

use super::enqueue_delivery;
use super::model::QUEUED;
use super::schema::webhook_deliveries as wd;
use crate::events::WILDCARD;
use crate::schema::webhook_endpoints as we;

/// The subscriber's name on the event bus.
pub const SUBSCRIBER: &str = "webhooks";

/// Records a delivery (and enqueues its job) for every active endpoint subscribed to an event.
pub struct WebhookSubscriber {
    core: Core,
}

impl WebhookSubscriber {
    /// A subscriber on the shared handles.
    pub fn new(core: Core) -> Self {
        Self { core }
    }
}

#[async_trait]
impl EventSubscriber for WebhookSubscriber {
    fn name(&self) -> &str {
        SUBSCRIBER
    }

    fn accepts(&self, _event_type: &str) -> bool {
        true
    }

    async fn handle(&self, event: &Event) -> Result<(), JobError> {
        let Some(store) = event.store_id else { return Ok(()) };
        let store = store.uuid();
        let mut conn = self.core.pool.get().await.map_err(Error::from)?;
        let types = vec![event.event_type.clone(), WILDCARD.to_owned()];
        let endpoints: Vec<uuid::Uuid> = we::table
            .filter(we::store_id.eq(store))
            .filter(we::active.eq(true))
            .filter(we::event_types.overlaps_with(types))
            // An endpoint gets the events that happen after it is created, not older ones.
            .filter(we::created_at.le(event.created_at))
            .select(we::id)
            .load(&mut conn)
            .await
            .map_err(Error::from)?;
        if endpoints.is_empty() {
            return Ok(());
        }
        let event_id = event.id.uuid();
        let event_type = event.event_type.clone();
        conn.transaction::<_, Error, _>(async |conn| {
            let now = Utc::now();
            for endpoint in endpoints {
                let id = uuid::Uuid::now_v7();
                let inserted = diesel::insert_into(wd::table)
                    .values((
                        wd::store_id.eq(store),
                        wd::id.eq(id),
                        wd::endpoint_id.eq(endpoint),
                        wd::event_id.eq(event_id),
                        wd::event_type.eq(&event_type),
                        wd::status.eq(QUEUED),
                        wd::attempts.eq(0),
                        wd::next_attempt_at.eq(Some(now)),
                        wd::created_at.eq(now),
                        wd::updated_at.eq(now),
                    ))
                    .on_conflict((wd::store_id, wd::endpoint_id, wd::event_id))
                    .do_nothing()
                    .execute(conn)
                    .await?;
                // An existing row was recorded with its job by an earlier run of this handler.
                if inserted == 1 {
                    enqueue_delivery(conn, store, id, None).await?;
                }
            }
            Ok(())
        })
        .await?;
        Ok(())
    }
}
