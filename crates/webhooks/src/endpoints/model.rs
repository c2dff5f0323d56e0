//! Endpoint rows and API types.

use std::collections::BTreeMap;

use balcao_core::id::StoreId;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::schema::webhook_endpoints;

balcao_core::id_type!(
    /// An outbound webhook endpoint.
    EndpointId
);

/// A `webhook_endpoints` row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhook_endpoints)]
pub struct EndpointRow {
    pub store_id: uuid::Uuid,
    pub id: uuid::Uuid,
    pub url: String,
    pub description: String,
    pub event_types: Vec<String>,
    pub active: bool,
    pub headers: serde_json::Value,
    pub rate_limit_per_second: i32,
    pub secrets: String,
    pub previous_secret_expires_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub failing_since: Option<DateTime<Utc>>,
    pub disabled_reason: Option<String>,
    pub disabled_at: Option<DateTime<Utc>>,
    pub sealed_headers: Option<String>,
}

/// A destination for a store's events. Its secret is shown only on create and rotate.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Endpoint {
    /// The endpoint's id.
    pub id: EndpointId,
    /// The store.
    pub store_id: StoreId,
    /// Where deliveries are POSTed.
    #[schema(example = "https://example.com/webhooks/balcao")]
    pub url: String,
    /// Description.
    pub description: String,
    /// Subscribed event types, or `["*"]` for all.
    #[schema(example = json!(["order.paid", "order.cancelled"]))]
    pub event_types: Vec<String>,
    /// Whether deliveries are made.
    pub active: bool,
    /// The names of the extra headers sent with every delivery; their values are sealed at rest
    /// and never returned.
    #[schema(example = json!(["Authorization"]))]
    pub configured_headers: Vec<String>,
    /// Deliveries per second at most.
    pub rate_limit_per_second: i32,
    /// While a rotated-out secret still signs: when it stops.
    pub previous_secret_expires_at: Option<DateTime<Utc>>,
    /// Since when every attempt has failed; null while deliveries succeed.
    pub failing_since: Option<DateTime<Utc>>,
    /// Why balcao disabled it: `gone` (it answered 410) or `failing` (it failed continuously);
    /// null while active or when staff disabled it. Setting `active` to true clears it.
    #[schema(example = json!(null))]
    pub disabled_reason: Option<String>,
    /// When balcao disabled it.
    pub disabled_at: Option<DateTime<Utc>>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<EndpointRow> for Endpoint {
    fn from(r: EndpointRow) -> Self {
        let now = Utc::now();
        Self {
            id: EndpointId(r.id),
            store_id: StoreId(r.store_id),
            url: r.url,
            description: r.description,
            event_types: r.event_types,
            active: r.active,
            configured_headers: r.headers.as_object().map(|h| h.keys().cloned().collect()).unwrap_or_default(),
            rate_limit_per_second: r.rate_limit_per_second,
            previous_secret_expires_at: r.previous_secret_expires_at.filter(|at| *at > now),
            failing_since: r.failing_since,
            disabled_reason: r.disabled_reason,
            disabled_at: r.disabled_at,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// A new endpoint with its signing secret, shown this once.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CreatedEndpoint {
    /// The endpoint.
    #[serde(flatten)]
    pub endpoint: Endpoint,
    /// The signing secret, `whsec_<base64>`; it is not shown again.
    #[schema(example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    pub secret: String,
}

/// `POST .../webhook-endpoints`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct CreateEndpoint {
    /// Destination URL: https (http only if the operator allows it), at most 2048 characters.
    pub url: String,
    /// Event types from `GET /v1/webhook-event-types`, or `["*"]` for all.
    pub event_types: Vec<String>,
    /// Description, at most 500 characters.
    pub description: Option<String>,
    /// Whether deliveries are made (default true).
    pub active: Option<bool>,
    /// Extra headers (at most 20); `webhook-*`, `content-type` and transport headers are reserved.
    pub headers: Option<BTreeMap<String, String>>,
    /// Deliveries per second at most, 1 to 1000 (default 10).
    #[schema(minimum = 1, maximum = 1000)]
    pub rate_limit_per_second: Option<i32>,
}

/// `PATCH .../webhook-endpoints/{id}`: only given fields change; `headers` replaces them all.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, ToSchema)]
pub struct UpdateEndpoint {
    /// Destination URL.
    pub url: Option<String>,
    /// Subscribed event types, or `["*"]`.
    pub event_types: Option<Vec<String>>,
    /// Description.
    pub description: Option<String>,
    /// Whether deliveries are made.
    pub active: Option<bool>,
    /// Extra headers.
    pub headers: Option<BTreeMap<String, String>>,
    /// Deliveries per second at most, 1 to 1000.
    #[schema(minimum = 1, maximum = 1000)]
    pub rate_limit_per_second: Option<i32>,
}

/// `POST .../webhook-endpoints/{id}/rotate-secret`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct RotateSecret {
    /// Hours the previous secret keeps signing beside the new one, 0 to 168 (default 24).
    #[schema(minimum = 0, maximum = 168)]
    pub grace_period_hours: Option<i64>,
}

/// The new secret, shown this once.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RotatedSecret {
    /// The new signing secret, `whsec_<base64>`.
    pub secret: String,
    /// When the previous secret stops signing; null when the grace period is 0.
    pub previous_secret_expires_at: Option<DateTime<Utc>>,
}
