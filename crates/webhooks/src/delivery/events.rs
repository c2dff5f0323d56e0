//! The events webhook delivery emits.

use balcao_core::events::{EventKind, EventType};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

/// balcao disabled a webhook endpoint.
pub const ENDPOINT_DISABLED: EventKind<EndpointDisabled> = EventKind::new(
    "endpoint.disabled",
    "balcao disabled a webhook endpoint: it answered 410 Gone, or every attempt failed for the configured time \
     (5 days by default). The store's owners are emailed too.",
    || {
        json!({
            "endpoint_id": "019378a2-6666-7d3a-9b2f-0a1b2c3d4e5f",
            "url": "https://example.com/webhooks/balcao",
            "reason": "failing",
            "failing_since": "2026-11-24T14:00:00Z",
            "disabled_at": "2026-11-29T14:00:00Z"
        })
    },
);

/// The payload of `endpoint.disabled`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct EndpointDisabled {
    /// The endpoint.
    pub endpoint_id: uuid::Uuid,
    /// Its URL.
    #[schema(example = "https://example.com/webhooks/balcao")]
    pub url: String,
    /// `gone` (it answered 410) or `failing` (every attempt failed for the configured time).
    #[schema(example = "failing")]
    pub reason: String,
    /// Since when every attempt had failed (for `failing`).
    pub failing_since: Option<DateTime<Utc>>,
    /// When it was disabled.
    pub disabled_at: DateTime<Utc>,
}

/// Every event type this area emits.
pub fn event_types() -> Result<Vec<EventType>, String> {
    Ok(vec![ENDPOINT_DISABLED.describe()?])
}
