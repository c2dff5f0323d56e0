//! The events the catalog emits, written to the outbox in the transaction that makes the change.

use balcao_core::events::{EventKind, EventType};
use serde_json::json;

use super::model::LowStock;

/// A variant's available stock fell to its low-stock threshold (once per crossing).
pub const PRODUCT_LOW_STOCK: EventKind<LowStock> =
    EventKind::new("product.low_stock", "A variant's available stock fell to its low-stock threshold.", || {
        json!({
            "product_id": "019378a2-4444-7d3a-9b2f-0a1b2c3d4e5f",
            "variant_id": "019378a2-5555-7d3a-9b2f-0a1b2c3d4e5f",
            "sku": "BOLO-CHOC-M",
            "available": 3,
            "threshold": 5
        })
    });

/// Every event type this area emits.
pub fn event_types() -> Result<Vec<EventType>, String> {
    Ok(vec![PRODUCT_LOW_STOCK.describe()?])
}
