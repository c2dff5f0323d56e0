//! Delivery and attempt rows and API types.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::schema::{webhook_attempts, webhook_deliveries};

/// Waiting for its (next) attempt.
pub const QUEUED: &str = "queued";
/// A 2xx answered.
pub const SUCCEEDED: &str = "succeeded";
/// The last attempt failed; another is scheduled.
pub const FAILED: &str = "failed";
/// No more automatic attempts: retries exhausted, destination refused or endpoint gone.
pub const DEAD: &str = "dead";
/// Every status.
pub const STATUSES: &[&str] = &[QUEUED, SUCCEEDED, FAILED, DEAD];

/// A `webhook_deliveries` row, also the API shape.
#[derive(Debug, Clone, Queryable, Selectable, Serialize, Deserialize, ToSchema)]
#[diesel(table_name = webhook_deliveries)]
pub struct Delivery {
    /// The store.
    pub store_id: uuid::Uuid,
    /// The delivery.
    pub id: uuid::Uuid,
    /// The endpoint.
    pub endpoint_id: uuid::Uuid,
    /// The event; sent as `webhook-id`, the same on every attempt.
    pub event_id: uuid::Uuid,
    /// The event type.
    pub event_type: String,
    /// `queued`, `succeeded`, `failed` (retry scheduled) or `dead` (no more retries).
    #[schema(example = "succeeded")]
    pub status: String,
    /// Attempts made so far.
    pub attempts: i32,
    /// When the next automatic attempt runs.
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// The last response's status code.
    pub last_status_code: Option<i32>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// A `webhook_attempts` row, also the API shape.
#[derive(Debug, Clone, Queryable, Selectable, Serialize, Deserialize, ToSchema)]
#[diesel(table_name = webhook_attempts)]
pub struct Attempt {
    /// The store.
    pub store_id: uuid::Uuid,
    /// The attempt.
    pub id: uuid::Uuid,
    /// The delivery.
    pub delivery_id: uuid::Uuid,
    /// Its number within the delivery, from 1.
    pub attempt: i32,
    /// The request headers sent (signatures included, custom header values redacted).
    #[schema(value_type = Object)]
    pub request_headers: serde_json::Value,
    /// The response status; null when no response came.
    pub response_status: Option<i32>,
    /// The response body, truncated to 2 KiB.
    pub response_body: String,
    /// How long the attempt took, in milliseconds.
    pub duration_ms: i32,
    /// Why no response came (transport error, refused destination).
    pub error: Option<String>,
    /// When it was made.
    pub created_at: DateTime<Utc>,
}

/// A delivery with its attempts.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DeliveryDetail {
    /// The delivery.
    #[serde(flatten)]
    pub delivery: Delivery,
    /// Its attempts, oldest first.
    pub attempt_log: Vec<Attempt>,
}

/// `?status=` for the delivery list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveryFilter {
    /// Only deliveries in this status: queued, succeeded, failed or dead.
    pub status: Option<String>,
}

/// `POST .../recover`: requeue failed and dead deliveries created in `[since, until)`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct Recover {
    /// From (inclusive).
    #[serde(deserialize_with = "balcao_core::timestamp::deserialize")]
    pub since: DateTime<Utc>,
    /// Until (exclusive; default now).
    #[serde(default, deserialize_with = "balcao_core::timestamp::option")]
    pub until: Option<DateTime<Utc>>,
}

/// How many deliveries were requeued.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Recovered {
    /// Deliveries requeued.
    pub requeued: i64,
}

/// `POST .../webhook-endpoints/{id}/test`: send one event type's example payload now.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct TestSend {
    /// An event type from `GET /v1/webhook-event-types`.
    #[schema(example = "order.paid")]
    pub event_type: String,
}

/// The outcome of a test send. It is made once, right away, and not retried or logged as a delivery.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TestAttempt {
    /// The `webhook-id` sent (a fresh id per test send).
    pub webhook_id: uuid::Uuid,
    /// The event type sent.
    pub event_type: String,
    /// Whether the endpoint answered 2xx within the timeout.
    pub succeeded: bool,
    /// The request headers sent (signatures included, custom header values redacted).
    #[schema(value_type = Object)]
    pub request_headers: serde_json::Value,
    /// The exact body sent: the event envelope with the type's example as `data`.
    #[schema(value_type = Object)]
    pub request_body: serde_json::Value,
    /// The response status; null when no response came.
    pub response_status: Option<i32>,
    /// The response body, truncated to 2 KiB.
    pub response_body: String,
    /// How long the attempt took, in milliseconds.
    pub duration_ms: i32,
    /// Why no response came (transport error, refused destination).
    pub error: Option<String>,
}
