//! Outbound delivery: the event subscriber that records deliveries, the job that
//! sends them (signed, SSRF-guarded, retried on a Svix-like schedule), the attempt
//! log and the staff operations (list, inspect, resend, recover).

pub mod events;
pub mod health;
#[cfg(feature = "http")]
pub mod http;
pub mod job;
pub mod model;
pub mod notify;
pub mod schema;
pub mod send;
pub mod service;
pub mod subscriber;

pub use events::{ENDPOINT_DISABLED, EndpointDisabled};
pub use job::{DELIVER_JOB, DeliverJob, RETRY_SCHEDULE_SECS};
pub use model::*;
pub use notify::DisabledEndpointNotifier;
pub use service::DeliveryService;
pub use subscriber::WebhookSubscriber;

use balcao_core::error::Result;
use balcao_core::jobs::{self, NewJob};
use diesel_async::AsyncPgConnection;

/// Enqueues a delivery job for `delivery` on `conn`; `nonce` distinguishes a resend from the original job.
pub async fn enqueue_delivery(
    conn: &mut AsyncPgConnection,
    store_id: uuid::Uuid,
    delivery_id: uuid::Uuid,
    nonce: Option<uuid::Uuid>,
) -> Result<bool> {
    let key = match nonce {
        Some(n) => format!("{DELIVER_JOB}:{delivery_id}:{n}"),
        None => format!("{DELIVER_JOB}:{delivery_id}"),
    };
    let job = NewJob::new(DELIVER_JOB, &job::DeliverPayload { store_id, delivery_id })?
        .unique_key(key)
        .max_attempts(job::MAX_ATTEMPTS);
    Ok(jobs::enqueue(conn, job).await?.is_some())
}
