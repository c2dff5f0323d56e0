//! Receiver rows and API types.

use std::collections::BTreeMap;

use balcao_core::error::{Error, Result};
use balcao_core::id::StoreId;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::Provider;
use super::config::SourceSecrets;
use super::schema::{inbound_events, inbound_sources};

pub use balcao_core::inbound::InboundEventId;

/// Accepted, waiting for (or between) processing attempts.
pub const RECEIVED: &str = "received";
/// Every registered handler succeeded.
pub const PROCESSED: &str = "processed";
/// No handler is registered for the provider.
pub const IGNORED: &str = "ignored";
/// A handler failed on the last attempt (or for good).
pub const FAILED: &str = "failed";
/// Every status.
pub const STATUSES: &[&str] = &[RECEIVED, PROCESSED, IGNORED, FAILED];

/// An `inbound_sources` row.
#[derive(Clone, Queryable, Selectable)]
#[diesel(table_name = inbound_sources)]
pub struct SourceRow {
    pub store_id: uuid::Uuid,
    pub provider: String,
    pub secrets: String,
    pub ip_allowlist: Vec<String>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A store's receiver for one provider. Its secrets are never returned, only their names.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct InboundSource {
    /// The provider.
    pub provider: Provider,
    /// Whether deliveries are accepted (an inactive source answers 404).
    pub active: bool,
    /// Source addresses allowed to call (CIDRs); empty allows any.
    #[schema(example = json!(["34.193.116.226/32"]))]
    pub ip_allowlist: Vec<String>,
    /// The path to give the provider, under this server's public base URL.
    #[schema(example = "/v1/inbound/whatsapp/01938a4e-7d1c-7c3a-9f1e-0b6f3c2d4e5f")]
    pub receiver_url_path: String,
    /// The secrets that are set (names only).
    #[schema(example = json!(["app_secret", "verify_token"]))]
    pub configured_secrets: Vec<String>,
    /// Non-secret settings (Zenvia's header name, EFI's client-certificate header).
    pub settings: BTreeMap<String, String>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl InboundSource {
    /// The API shape of a row whose secrets were opened.
    pub fn new(row: &SourceRow, provider: Provider, secrets: &SourceSecrets) -> Self {
        Self {
            provider,
            active: row.active,
            ip_allowlist: row.ip_allowlist.clone(),
            receiver_url_path: provider.receiver_path(row.store_id),
            configured_secrets: secrets.secret_names(provider),
            settings: secrets.settings(),
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

/// `PUT .../inbound-sources/{provider}`: creates or replaces the store's receiver for a provider.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct UpsertInboundSource {
    /// The provider's secrets, in the provider's shape; required to create, optional to change
    /// only `ip_allowlist` or `active` (the stored secrets are kept).
    #[schema(value_type = Option<SourceSecrets>)]
    pub secrets: Option<serde_json::Value>,
    /// Allowed source CIDRs (at most 50). Omitted: unchanged, or on create empty (any address),
    /// except EFI whose default is its published addresses. `[]` allows any address.
    pub ip_allowlist: Option<Vec<String>>,
    /// Whether deliveries are accepted (default true).
    pub active: Option<bool>,
}

/// An `inbound_events` row without headers and body.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = inbound_events)]
pub struct EventSummaryRow {
    pub store_id: uuid::Uuid,
    pub id: uuid::Uuid,
    pub provider: String,
    pub external_id: String,
    pub event_type: String,
    pub status: String,
    pub attempts: i32,
    pub error: Option<String>,
    pub received_at: DateTime<Utc>,
    pub processed_at: Option<DateTime<Utc>>,
}

/// A whole `inbound_events` row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = inbound_events)]
pub struct EventRow {
    pub store_id: uuid::Uuid,
    pub id: uuid::Uuid,
    pub provider: String,
    pub external_id: String,
    pub event_type: String,
    pub headers: serde_json::Value,
    pub body: Vec<u8>,
    pub status: String,
    pub attempts: i32,
    pub error: Option<String>,
    pub received_at: DateTime<Utc>,
    pub processed_at: Option<DateTime<Utc>>,
}

/// An accepted provider delivery.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct InboundEventSummary {
    /// The event.
    pub id: InboundEventId,
    /// The store.
    pub store_id: StoreId,
    /// The provider.
    pub provider: Provider,
    /// The provider's event id, or `sha256:<hex>` of the body when it has none (the deduplication key).
    #[schema(example = "evt_1NqK2a2eZvKYlo2C")]
    pub external_id: String,
    /// Best-effort event type (`payment_intent.succeeded`, `whatsapp_business_account.messages`).
    pub event_type: String,
    /// `received` (waiting or retrying), `processed`, `ignored` (no handler) or `failed`.
    #[schema(example = "processed")]
    pub status: String,
    /// Processing attempts so far.
    pub attempts: i32,
    /// The last processing error.
    pub error: Option<String>,
    /// When it was received.
    pub received_at: DateTime<Utc>,
    /// When processing finished.
    pub processed_at: Option<DateTime<Utc>>,
}

impl TryFrom<EventSummaryRow> for InboundEventSummary {
    type Error = Error;

    fn try_from(r: EventSummaryRow) -> Result<Self> {
        Ok(Self {
            id: InboundEventId(r.id),
            store_id: StoreId(r.store_id),
            provider: r.provider.parse().map_err(Error::internal)?,
            external_id: r.external_id,
            event_type: r.event_type,
            status: r.status,
            attempts: r.attempts,
            error: r.error,
            received_at: r.received_at,
            processed_at: r.processed_at,
        })
    }
}

/// An inbound event with what was received.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct InboundEventDetail {
    /// The event.
    #[serde(flatten)]
    pub event: InboundEventSummary,
    /// The non-secret request headers kept (content type, user agent, signature header).
    pub headers: BTreeMap<String, String>,
    /// The raw body: as text when it is UTF-8, else base64.
    pub body: String,
    /// `utf8` or `base64`.
    #[schema(example = "utf8")]
    pub body_encoding: String,
}

impl TryFrom<EventRow> for InboundEventDetail {
    type Error = Error;

    fn try_from(r: EventRow) -> Result<Self> {
        let headers = serde_json::from_value(r.headers).unwrap_or_default();
        let (body, body_encoding) = match String::from_utf8(r.body) {
            Ok(text) => (text, "utf8"),
            Err(bytes) => (STANDARD.encode(bytes.into_bytes()), "base64"),
        };
        let summary = EventSummaryRow {
            store_id: r.store_id,
            id: r.id,
            provider: r.provider,
            external_id: r.external_id,
            event_type: r.event_type,
            status: r.status,
            attempts: r.attempts,
            error: r.error,
            received_at: r.received_at,
            processed_at: r.processed_at,
        };
        Ok(Self { event: summary.try_into()?, headers, body, body_encoding: body_encoding.to_owned() })
    }
}

/// `?provider=&status=` for the event list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InboundEventFilter {
    /// Only events from this provider.
    pub provider: Option<String>,
    /// Only events in this status: received, processed, ignored or failed.
    pub status: Option<String>,
}

/// The receiver's answer to an accepted delivery.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Received {
    /// Always true.
    pub received: bool,
    /// True when this provider event was already received; it is not processed again.
    pub duplicate: bool,
    /// The stored event (the first one, for a duplicate).
    pub id: InboundEventId,
}
