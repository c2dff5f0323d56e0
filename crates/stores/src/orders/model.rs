//! Order rows and API types.

use balcao_core::money::Money;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::schema::{order_lines, order_timeline, orders};
use super::status::OrderStatus;
use crate::ids::{CustomerId, OrderId, OrderLineId, ProductId, TimelineEntryId, VariantId};

/// An order row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = orders)]
pub struct OrderRow {
    pub store_id: uuid::Uuid,
    pub id: uuid::Uuid,
    pub number: i64,
    pub status: String,
    pub payment_status: String,
    pub cart_id: Option<uuid::Uuid>,
    pub customer_id: Option<uuid::Uuid>,
    pub customer_name: String,
    pub customer_email: String,
    pub customer_phone: Option<String>,
    pub customer_document: Option<String>,
    pub shipping_address: Option<serde_json::Value>,
    pub delivery: serde_json::Value,
    pub notes: String,
    pub currency: String,
    pub subtotal_amount: i64,
    pub discount_amount: i64,
    pub shipping_amount: i64,
    pub total_amount: i64,
    pub coupon_codes: Vec<String>,
    pub tracking_code: Option<String>,
    pub expires_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An order line row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = order_lines)]
pub struct LineRow {
    pub store_id: uuid::Uuid,
    pub id: uuid::Uuid,
    pub order_id: uuid::Uuid,
    pub product_id: uuid::Uuid,
    pub variant_id: uuid::Uuid,
    pub sku: String,
    pub title: String,
    pub variant_title: String,
    pub quantity: i32,
    pub unit_price_amount: i64,
    pub total_amount: i64,
}

/// A timeline row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = order_timeline)]
pub struct TimelineRow {
    pub store_id: uuid::Uuid,
    pub id: uuid::Uuid,
    pub order_id: uuid::Uuid,
    pub from_status: Option<String>,
    pub to_status: String,
    pub actor: String,
    pub actor_id: Option<uuid::Uuid>,
    pub note: String,
    pub tracking_code: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// Who placed the order.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OrderCustomer {
    /// The store's customer, when known.
    pub id: Option<CustomerId>,
    /// Name.
    pub name: String,
    /// Email.
    pub email: String,
    /// Phone in E.164.
    pub phone: Option<String>,
    /// CPF or CNPJ (normalised).
    pub document: Option<String>,
}

/// A delivery address.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct ShippingAddress {
    /// Who receives it.
    pub recipient: String,
    /// CEP, formatted.
    pub cep: String,
    /// Street.
    pub street: String,
    /// Number.
    pub number: String,
    /// Complement.
    #[serde(default)]
    pub complement: String,
    /// Neighbourhood.
    pub neighborhood: String,
    /// City.
    pub city: String,
    /// State (UF).
    pub state: String,
}

/// The delivery chosen at checkout, frozen.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OrderDelivery {
    /// The delivery zone.
    pub method_id: uuid::Uuid,
    /// `cep_range`, `neighborhood`, `radius` or `pickup`.
    pub kind: String,
    /// The method's name.
    pub name: String,
    /// Fee charged.
    pub fee: Money,
    /// Estimated days.
    pub estimated_days: Option<i32>,
}

/// A line of an order, with prices frozen at checkout.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OrderLine {
    /// The line's id.
    pub id: OrderLineId,
    /// Product.
    pub product_id: ProductId,
    /// Variant.
    pub variant_id: VariantId,
    /// SKU.
    pub sku: String,
    /// Product title.
    pub title: String,
    /// Variant label.
    pub variant_title: String,
    /// Units.
    pub quantity: i32,
    /// Unit price.
    pub unit_price: Money,
    /// `unit_price * quantity`.
    pub total: Money,
}

/// A change in an order's life.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TimelineEntry {
    /// The entry's id.
    pub id: TimelineEntryId,
    /// The state before (null at creation).
    pub from: Option<OrderStatus>,
    /// The state after.
    pub to: OrderStatus,
    /// `staff`, `api_key`, `customer` or `system`.
    pub actor: String,
    /// The user or key, when there is one.
    pub actor_id: Option<uuid::Uuid>,
    /// Note.
    pub note: String,
    /// Tracking code (when shipped).
    pub tracking_code: Option<String>,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// An order.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Order {
    /// The order's id.
    pub id: OrderId,
    /// The store's sequential order number (from 1001).
    pub number: i64,
    /// Lifecycle state.
    pub status: OrderStatus,
    /// `pending`, `paid`, `failed`, `refunded`, `partially_refunded` or `voided`.
    pub payment_status: String,
    /// Who placed it.
    pub customer: OrderCustomer,
    /// Where it goes (null for pickup).
    pub shipping_address: Option<ShippingAddress>,
    /// How it goes.
    pub delivery: OrderDelivery,
    /// The shopper's note.
    pub notes: String,
    /// Lines.
    pub lines: Vec<OrderLine>,
    /// Sum of lines.
    pub subtotal: Money,
    /// Coupon discount.
    pub discount: Money,
    /// Shipping fee.
    pub shipping: Money,
    /// `subtotal - discount + shipping`.
    pub total: Money,
    /// Coupons used.
    pub coupon_codes: Vec<String>,
    /// Carrier tracking code.
    pub tracking_code: Option<String>,
    /// When an unpaid order expires and releases its stock.
    pub expires_at: Option<DateTime<Utc>>,
    /// Changes so far (in a single order's view; empty in lists).
    pub timeline: Vec<TimelineEntry>,
    /// When it was placed.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// `POST .../orders/{id}/transitions`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct Transition {
    /// `paid` (a payment taken outside balcao), `preparing`, `shipped`, `delivered` or `cancelled`.
    pub to: OrderStatus,
    /// A note for the timeline.
    pub note: Option<String>,
    /// The carrier's tracking code (for `shipped`).
    pub tracking_code: Option<String>,
}

/// Filters for the staff order list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OrderFilter {
    /// Only this status.
    pub status: Option<OrderStatus>,
    /// Only this payment status.
    pub payment_status: Option<String>,
    /// Placed at or after (RFC 3339).
    #[serde(default, deserialize_with = "balcao_core::timestamp::option")]
    pub from: Option<DateTime<Utc>>,
    /// Placed before (RFC 3339).
    #[serde(default, deserialize_with = "balcao_core::timestamp::option")]
    pub to: Option<DateTime<Utc>>,
    /// Only this customer.
    pub customer_id: Option<CustomerId>,
    /// Only this customer email.
    pub email: Option<String>,
    /// Page size, 1..=100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}
