//! Processing of accepted deliveries: the handlers other crates register, and the
//! `inbound.process` job that runs them.
//!
//! The crate that owns a provider's meaning (messaging for WhatsApp, Instagram, Zenvia and
//! Twilio; payments for Stripe, EFI and PagBank) implements [`InboundHandler`] and the gateway
//! registers it in one [`InboundHandlers`] given to [`InboundProcessJob`]. Every handler for the
//! event's provider runs, in registration order; a failure retries the whole event, so handlers
//! must be idempotent (the provider's id is in [`InboundEvent::external_id`]).

use async_trait::async_trait;
use balcao_core::Core;
use balcao_core::error::{Error, Result};
use balcao_core::id::StoreId;
pub use balcao_core::inbound::{InboundEvent, InboundHandler, InboundHandlers};
use balcao_core::jobs::{self, JobContext, JobError, JobHandler, NewJob};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};

use super::model::{EventRow, FAILED, IGNORED, InboundEventId, PROCESSED, RECEIVED};
use super::schema::inbound_events as ie;

/// The job kind.
pub const PROCESS_JOB: &str = "inbound.process";
/// Attempts per processing job.
pub const MAX_ATTEMPTS: i32 = 8;
/// The longest error message kept on the event.
pub const MAX_ERROR_LEN: usize = 2048;

/// The job's payload.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProcessPayload {
    /// The store.
    pub store_id: uuid::Uuid,
    /// The inbound event.
    pub event_id: uuid::Uuid,
}

/// Enqueues processing of an event on `conn` (inside the caller's transaction); `nonce`
/// distinguishes a replay from the first job.
pub async fn enqueue_processing(
    conn: &mut AsyncPgConnection,
    store_id: uuid::Uuid,
    event_id: uuid::Uuid,
    nonce: Option<uuid::Uuid>,
) -> Result<bool> {
    let key = match nonce {
        Some(n) => format!("{PROCESS_JOB}:{event_id}:{n}"),
        None => format!("{PROCESS_JOB}:{event_id}"),
    };
    let job =
        NewJob::new(PROCESS_JOB, &ProcessPayload { store_id, event_id })?.unique_key(key).max_attempts(MAX_ATTEMPTS);
    Ok(jobs::enqueue(conn, job).await?.is_some())
}

/// The event a stored row hands to handlers on this attempt.
fn event_from_row(row: EventRow, attempt: i32) -> Result<InboundEvent, JobError> {
    let provider = row.provider.parse().map_err(|e| JobError::Permanent(format!("{e}")))?;
    Ok(InboundEvent {
        store_id: StoreId(row.store_id),
        id: InboundEventId(row.id),
        provider,
        external_id: row.external_id,
        event_type: row.event_type,
        headers: serde_json::from_value(row.headers).unwrap_or_default(),
        body: row.body,
        received_at: row.received_at,
        attempt,
    })
}

/// Runs the registered handlers on each accepted event and records the outcome on it.
pub struct InboundProcessJob {
    core: Core,
    handlers: InboundHandlers,
}

impl InboundProcessJob {
    /// A job handler on the shared handles with these inbound handlers.
    pub fn new(core: Core, handlers: InboundHandlers) -> Self {
        Self { core, handlers }
    }
}

fn truncate(mut text: String) -> String {
    while text.len() > MAX_ERROR_LEN {
        text.pop();
    }
    text
}

async fn finish(
    conn: &mut AsyncPgConnection,
    event: &InboundEvent,
    status: &str,
    error: Option<String>,
) -> Result<(), Error> {
    let done = status != RECEIVED;
    diesel::update(ie::table.filter(ie::store_id.eq(event.store_id.uuid())).filter(ie::id.eq(event.id.uuid())))
        .set((
            ie::status.eq(status),
            ie::attempts.eq(ie::attempts + 1),
            ie::error.eq(error),
            ie::processed_at.eq(done.then(chrono::Utc::now)),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

#[async_trait]
impl JobHandler for InboundProcessJob {
    async fn run(&self, job: &JobContext) -> Result<(), JobError> {
        let ProcessPayload { store_id, event_id } = job.payload()?;
        let mut conn = self.core.pool.get().await.map_err(Error::from)?;
        let row: EventRow = ie::table
            .filter(ie::store_id.eq(store_id))
            .filter(ie::id.eq(event_id))
            .select(EventRow::as_select())
            .first(&mut conn)
            .await
            .optional()
            .map_err(Error::from)?
            .ok_or_else(|| JobError::Permanent(format!("inbound event {event_id} is gone")))?;
        if row.status != RECEIVED {
            // Already settled by an earlier run of this job; a replay resets the status first.
            return Ok(());
        }
        let event = event_from_row(row, job.attempt)?;
        let handlers = self.handlers.for_provider(event.provider);
        if handlers.is_empty() {
            finish(&mut conn, &event, IGNORED, None).await?;
            tracing::info!(event = %event.id, provider = %event.provider, "no inbound handler; event ignored");
            return Ok(());
        }
        drop(conn);
        for handler in &handlers {
            if let Err(error) = handler.handle(&event).await {
                let message = truncate(format!("{}: {error}", handler.name()));
                let last = matches!(error, JobError::Permanent(_)) || job.attempt >= job.max_attempts;
                let mut conn = self.core.pool.get().await.map_err(Error::from)?;
                let status = if last { FAILED } else { RECEIVED };
                finish(&mut conn, &event, status, Some(message.clone())).await?;
                tracing::warn!(event = %event.id, handler = handler.name(), %error, last, "inbound handler failed");
                return Err(if last { JobError::Permanent(message) } else { error });
            }
        }
        let mut conn = self.core.pool.get().await.map_err(Error::from)?;
        finish(&mut conn, &event, PROCESSED, None).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    use balcao_core::inbound::Provider;

    struct Only(Vec<Provider>);

    #[async_trait]
    impl InboundHandler for Only {
        fn providers(&self) -> &[Provider] {
            &self.0
        }

        async fn handle(&self, _event: &InboundEvent) -> Result<(), JobError> {
            Ok(())
        }
    }

    #[test]
    fn handlers_are_chosen_by_provider() {
        let mut handlers = InboundHandlers::new();
        assert!(handlers.is_empty());
        handlers
            .register(Arc::new(Only(vec![Provider::Stripe, Provider::Efi])))
            .register(Arc::new(Only(vec![Provider::Whatsapp])));
        assert_eq!(handlers.len(), 2);
        assert_eq!(handlers.for_provider(Provider::Stripe).len(), 1);
        assert_eq!(handlers.for_provider(Provider::Whatsapp).len(), 1);
        assert!(handlers.for_provider(Provider::Twilio).is_empty());
        assert!(handlers.for_provider(Provider::Efi)[0].name().ends_with("Only"));
    }
}
