//! Refunds: their rows (also the API shape) and requests.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::schema::refunds;

balcao_core::id_type!(
    /// A refund.
    RefundId
);

/// The longest refund reason.
pub const MAX_REASON: usize = 200;

/// A `refunds` row, also the API shape.
#[derive(Debug, Clone, Queryable, Selectable, Serialize, Deserialize, ToSchema)]
#[diesel(table_name = refunds)]
pub struct Refund {
    /// The store.
    pub store_id: uuid::Uuid,
    /// The refund.
    pub id: uuid::Uuid,
    /// The payment.
    pub payment_id: uuid::Uuid,
    /// The amount in minor units.
    pub amount: i64,
    /// Why.
    pub reason: String,
    /// `pending`, `succeeded` or `failed`.
    #[schema(example = "succeeded")]
    pub status: String,
    /// The provider's id.
    pub provider_refund_id: Option<String>,
    #[serde(skip)]
    pub idempotency_key: String,
    /// The provider's message when it failed.
    pub failure_message: Option<String>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// `POST .../payments/{id}/refunds` (requires `Idempotency-Key`).
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct CreateRefund {
    /// The amount in minor units, at most what is left to refund; default the rest of what was captured.
    #[schema(minimum = 1, maximum = 9_223_372_036_854_775_807_i64)]
    pub amount: Option<i64>,
    /// Why (at most 200 characters).
    #[serde(default)]
    pub reason: String,
}
