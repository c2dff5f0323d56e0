//! The events usage emits.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use crate::events::{EventKind, EventType};
use crate::id::StoreId;

/// A store's use of a monthly quota reached 80% or 100% of its plan's allowance; emitted once
/// per store, metric, threshold and period.
pub const USAGE_THRESHOLD_REACHED: EventKind<ThresholdReached> = EventKind::new(
    "usage.threshold_reached",
    "A store's use of a monthly quota reached 80% or 100% of its plan's allowance (once per metric, threshold \
     and period). Past 100% a hard quota refuses the metered action with 429 `quota_exceeded` until the period \
     ends; a soft one keeps going and reports overage.",
    || {
        json!({
            "store_id": "019378a2-0000-7d3a-9b2f-0a1b2c3d4e5f",
            "metric": "whatsapp_messages",
            "threshold": 80,
            "used": 800,
            "limit": 1000,
            "quota": "hard",
            "period_start": "2026-12-01T00:00:00Z",
            "period_end": "2027-01-01T00:00:00Z",
            "plan": "free"
        })
    },
);

/// The payload of `usage.threshold_reached`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ThresholdReached {
    /// The store.
    pub store_id: StoreId,
    /// The metric: `api_calls`, `whatsapp_messages`, `instagram_messages`, `email_messages`,
    /// `sms_messages` or `webhook_deliveries`.
    #[schema(example = "whatsapp_messages")]
    pub metric: String,
    /// The percentage of the allowance reached: 80 or 100.
    #[schema(example = 80)]
    pub threshold: i16,
    /// Used in the period when the alert was raised (flushed counts).
    pub used: i64,
    /// The plan's allowance for the period.
    pub limit: i64,
    /// `hard` (refused past the allowance) or `soft` (allowed, reported as overage).
    #[schema(example = "hard")]
    pub quota: String,
    /// The period's first instant (UTC).
    pub period_start: DateTime<Utc>,
    /// The instant the period ends and the quota renews (UTC).
    pub period_end: DateTime<Utc>,
    /// The store's plan.
    #[schema(example = "free")]
    pub plan: String,
}

/// Every event type this area emits.
pub fn event_types() -> Result<Vec<EventType>, String> {
    Ok(vec![USAGE_THRESHOLD_REACHED.describe()?])
}
