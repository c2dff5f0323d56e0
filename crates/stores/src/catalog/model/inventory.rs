//! Stock: inventory figures, adjustments and the low-stock payload.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::ids::{AdjustmentId, ProductId, VariantId};
use crate::schema::inventory_adjustments;

/// Stock of one variant.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
pub struct Inventory {
    /// Units in the store.
    pub on_hand: i32,
    /// Units held by unpaid orders.
    pub reserved: i32,
    /// `on_hand - reserved`: what can still be sold.
    pub available: i32,
    /// `product.low_stock` fires when `available` falls to or below this.
    pub low_stock_threshold: Option<i32>,
}

/// Why stock changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AdjustmentReason {
    /// Stock at creation.
    Initial,
    /// Goods received.
    Received,
    /// A count corrected.
    Correction,
    /// Damaged or lost.
    Damaged,
    /// Returned by a customer.
    Returned,
    /// Sold outside balcao.
    SoldElsewhere,
    /// Shipped to a customer for an order.
    Sold,
}

impl AdjustmentReason {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Initial => "initial",
            Self::Received => "received",
            Self::Correction => "correction",
            Self::Damaged => "damaged",
            Self::Returned => "returned",
            Self::SoldElsewhere => "sold_elsewhere",
            Self::Sold => "sold",
        }
    }
}

/// `POST .../inventory-adjustments`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewAdjustment {
    /// Units added (positive) or removed (negative); not zero. On-hand stock stays between the
    /// units reserved and 1 000 000 000.
    #[schema(minimum = -1_000_000_000, maximum = 1_000_000_000)]
    pub delta: i32,
    /// Why.
    pub reason: AdjustmentReason,
    /// A note for the record.
    pub note: Option<String>,
}

/// An adjustment row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = inventory_adjustments)]
pub struct AdjustmentRow {
    pub store_id: uuid::Uuid,
    pub id: uuid::Uuid,
    pub variant_id: uuid::Uuid,
    pub delta: i32,
    pub reason: String,
    pub note: String,
    pub on_hand_after: i32,
    pub created_by: Option<uuid::Uuid>,
    pub created_at: DateTime<Utc>,
}

/// A recorded change of stock.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Adjustment {
    /// The adjustment's id.
    pub id: AdjustmentId,
    /// The variant.
    pub variant_id: VariantId,
    /// Units added or removed.
    pub delta: i32,
    /// Why.
    pub reason: String,
    /// Note.
    pub note: String,
    /// Units on hand after it.
    pub on_hand_after: i32,
    /// Who made it (null for API keys and the system).
    pub created_by: Option<uuid::Uuid>,
    /// When.
    pub created_at: DateTime<Utc>,
}

impl From<AdjustmentRow> for Adjustment {
    fn from(r: AdjustmentRow) -> Self {
        Self {
            id: AdjustmentId(r.id),
            variant_id: VariantId(r.variant_id),
            delta: r.delta,
            reason: r.reason,
            note: r.note,
            on_hand_after: r.on_hand_after,
            created_by: r.created_by,
            created_at: r.created_at,
        }
    }
}

/// The answer to an adjustment: the record and the stock after it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AdjustmentResult {
    /// What was recorded.
    pub adjustment: Adjustment,
    /// Stock now.
    pub inventory: Inventory,
}

/// Payload of `product.low_stock`.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LowStock {
    /// The product.
    pub product_id: ProductId,
    /// The variant.
    pub variant_id: VariantId,
    /// Its SKU.
    pub sku: String,
    /// Units that can still be sold.
    pub available: i32,
    /// The threshold crossed.
    pub threshold: i32,
}
