//! The events stores emit, written to the outbox in the transaction that makes the change.

use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::model::Store;
use crate::events::{EventKind, EventType};
use crate::id::StoreId;

/// A store was created; the payload is the store as the API returns it.
pub const STORE_CREATED: EventKind<Store> = EventKind::new("store.created", "A store was created.", || {
    json!({
        "id": "019378a2-0000-7d3a-9b2f-0a1b2c3d4e5f",
        "name": "Doceria da Ana",
        "slug": "doceria-da-ana",
        "timezone": "America/Sao_Paulo",
        "currency": "BRL",
        "plan": "free",
        "created_at": "2026-11-29T14:00:00Z",
        "updated_at": "2026-11-29T14:00:00Z"
    })
});

/// A store was deleted by its owner; its API keys were revoked and its members lost access.
pub const STORE_DELETED: EventKind<StoreDeleted> = EventKind::new(
    "store.deleted",
    "A store was deleted by its owner: its API keys are revoked, its members lost access, and its endpoints \
     receive nothing after this event.",
    || json!({"id": "019378a2-0000-7d3a-9b2f-0a1b2c3d4e5f"}),
);

/// The payload of `store.deleted`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct StoreDeleted {
    /// The store that was deleted.
    pub id: StoreId,
}

/// Every event type this area emits.
pub fn event_types() -> Result<Vec<EventType>, String> {
    Ok(vec![STORE_CREATED.describe()?, STORE_DELETED.describe()?])
}
