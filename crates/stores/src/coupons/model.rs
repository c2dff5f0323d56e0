//! Coupon rows, API types, and the cart view coupons are evaluated against.

use balcao_core::error::{Error, Result};
use balcao_core::money::{Currency, Money, MoneyInput};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::schema::coupons;
use crate::ids::{CategoryId, CouponId, CustomerId, ProductId};

/// What a coupon gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CouponKind {
    /// A share of the eligible lines' total, in basis points (`percent_bps`).
    Percentage,
    /// A fixed amount off the eligible lines (`amount`), at most their total.
    FixedAmount,
    /// No discount on the items; the shipping fee is waived.
    FreeShipping,
}

impl CouponKind {
    /// The database spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Percentage => "percentage",
            Self::FixedAmount => "fixed_amount",
            Self::FreeShipping => "free_shipping",
        }
    }

    /// Parses the database spelling.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "percentage" => Some(Self::Percentage),
            "fixed_amount" => Some(Self::FixedAmount),
            "free_shipping" => Some(Self::FreeShipping),
            _ => None,
        }
    }
}

/// A coupon row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = coupons)]
pub struct CouponRow {
    pub store_id: uuid::Uuid,
    pub id: uuid::Uuid,
    pub code: String,
    pub kind: String,
    pub percent_bps: Option<i32>,
    pub amount: Option<i64>,
    pub currency: String,
    pub minimum_subtotal_amount: Option<i64>,
    pub minimum_item_count: Option<i32>,
    pub product_ids: Vec<uuid::Uuid>,
    pub category_ids: Vec<uuid::Uuid>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub usage_limit: Option<i32>,
    pub per_customer_limit: Option<i32>,
    pub combinable: bool,
    pub active: bool,
    pub times_used: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A discount code of a store.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Coupon {
    /// The coupon's id.
    pub id: CouponId,
    /// The code shoppers type, uppercased; unique in the store whatever the case.
    #[schema(example = "BEMVINDO10")]
    pub code: String,
    /// What it gives.
    pub kind: CouponKind,
    /// For `percentage`: basis points off the eligible lines (1000 is 10%), 1 to 10000.
    pub percent_bps: Option<i32>,
    /// For `fixed_amount`: the amount off the eligible lines, at most their total.
    pub amount: Option<Money>,
    /// The eligible lines must add up to at least this.
    pub minimum_subtotal: Option<Money>,
    /// The eligible lines must hold at least this many units.
    pub minimum_item_count: Option<i32>,
    /// When this or `category_ids` is not empty, only lines of these products (or of products in
    /// these categories) are eligible, and the minimums count only them.
    pub product_ids: Vec<ProductId>,
    /// Categories whose products are eligible (see `product_ids`).
    pub category_ids: Vec<CategoryId>,
    /// Valid from this instant (null: at once).
    pub starts_at: Option<DateTime<Utc>>,
    /// Valid until this instant, exclusive (null: forever).
    pub ends_at: Option<DateTime<Utc>>,
    /// Most redemptions in total (null: no limit).
    pub usage_limit: Option<i32>,
    /// Most redemptions per customer, by customer id, email or phone (null: no limit).
    pub per_customer_limit: Option<i32>,
    /// Whether it can be used together with other codes.
    pub combinable: bool,
    /// Inactive coupons are refused as unknown.
    pub active: bool,
    /// Redemptions so far.
    pub times_used: i32,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<CouponRow> for Coupon {
    type Error = Error;

    fn try_from(r: CouponRow) -> Result<Self> {
        let kind = CouponKind::parse(&r.kind).ok_or_else(|| Error::internal(format!("coupon kind {}", r.kind)))?;
        let currency =
            Currency::parse(&r.currency).ok_or_else(|| Error::internal(format!("coupon currency {}", r.currency)))?;
        Ok(Self {
            id: CouponId(r.id),
            code: r.code,
            kind,
            percent_bps: r.percent_bps,
            amount: r.amount.map(|a| Money::new(a, currency)),
            minimum_subtotal: r.minimum_subtotal_amount.map(|a| Money::new(a, currency)),
            minimum_item_count: r.minimum_item_count,
            product_ids: r.product_ids.into_iter().map(ProductId).collect(),
            category_ids: r.category_ids.into_iter().map(CategoryId).collect(),
            starts_at: r.starts_at,
            ends_at: r.ends_at,
            usage_limit: r.usage_limit,
            per_customer_limit: r.per_customer_limit,
            combinable: r.combinable,
            active: r.active,
            times_used: r.times_used,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

/// `POST .../coupons`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct CreateCoupon {
    /// 1 to 40 letters, digits, `-` or `_`; stored uppercased.
    #[schema(example = "BEMVINDO10")]
    pub code: String,
    /// What it gives.
    pub kind: CouponKind,
    /// Required for `percentage` (1 to 10000), refused otherwise.
    #[schema(minimum = 1, maximum = 10_000)]
    pub percent_bps: Option<i32>,
    /// Required for `fixed_amount` (above zero), refused otherwise.
    #[schema(value_type = Option<MoneyInput>)]
    pub amount: Option<Money>,
    /// Minimum total of the eligible lines (same currency as `amount`).
    #[schema(value_type = Option<MoneyInput>)]
    pub minimum_subtotal: Option<Money>,
    /// Minimum units among the eligible lines (at least 1).
    #[schema(minimum = 1, maximum = 1_000_000)]
    pub minimum_item_count: Option<i32>,
    /// Products the coupon is limited to (at most 100).
    #[serde(default)]
    pub product_ids: Vec<ProductId>,
    /// Categories the coupon is limited to (at most 100).
    #[serde(default)]
    pub category_ids: Vec<CategoryId>,
    /// Valid from.
    #[serde(default, deserialize_with = "balcao_core::timestamp::option")]
    pub starts_at: Option<DateTime<Utc>>,
    /// Valid until (after `starts_at`).
    #[serde(default, deserialize_with = "balcao_core::timestamp::option")]
    pub ends_at: Option<DateTime<Utc>>,
    /// Most redemptions in total (at least 1).
    #[schema(minimum = 1, maximum = 1_000_000_000)]
    pub usage_limit: Option<i32>,
    /// Most redemptions per customer (at least 1).
    #[schema(minimum = 1, maximum = 1_000_000_000)]
    pub per_customer_limit: Option<i32>,
    /// Usable with other codes (default false).
    pub combinable: Option<bool>,
    /// Default true.
    pub active: Option<bool>,
}

/// `PATCH .../coupons/{id}`: only given fields change; `null` clears an optional field. Changing
/// `kind` drops the value of the old kind (`percent_bps` or `amount`) unless it is given.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, ToSchema)]
pub struct UpdateCoupon {
    /// New code (uppercased).
    pub code: Option<String>,
    /// New kind.
    pub kind: Option<CouponKind>,
    /// Basis points, for `percentage`.
    #[serde(default, deserialize_with = "balcao_core::patch::double_option")]
    #[schema(value_type = Option<i32>, minimum = 1, maximum = 10_000)]
    pub percent_bps: Option<Option<i32>>,
    /// Amount, for `fixed_amount`.
    #[serde(default, deserialize_with = "balcao_core::patch::double_option")]
    #[schema(value_type = Option<MoneyInput>)]
    pub amount: Option<Option<Money>>,
    /// Minimum total of the eligible lines.
    #[serde(default, deserialize_with = "balcao_core::patch::double_option")]
    #[schema(value_type = Option<MoneyInput>)]
    pub minimum_subtotal: Option<Option<Money>>,
    /// Minimum units among the eligible lines.
    #[serde(default, deserialize_with = "balcao_core::patch::double_option")]
    #[schema(value_type = Option<i32>, minimum = 1, maximum = 1_000_000)]
    pub minimum_item_count: Option<Option<i32>>,
    /// Replaces the product restriction.
    pub product_ids: Option<Vec<ProductId>>,
    /// Replaces the category restriction.
    pub category_ids: Option<Vec<CategoryId>>,
    /// Valid from.
    #[serde(default, deserialize_with = "balcao_core::timestamp::patch")]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub starts_at: Option<Option<DateTime<Utc>>>,
    /// Valid until.
    #[serde(default, deserialize_with = "balcao_core::timestamp::patch")]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub ends_at: Option<Option<DateTime<Utc>>>,
    /// Most redemptions in total.
    #[serde(default, deserialize_with = "balcao_core::patch::double_option")]
    #[schema(value_type = Option<i32>, minimum = 1, maximum = 1_000_000_000)]
    pub usage_limit: Option<Option<i32>>,
    /// Most redemptions per customer.
    #[serde(default, deserialize_with = "balcao_core::patch::double_option")]
    #[schema(value_type = Option<i32>, minimum = 1, maximum = 1_000_000_000)]
    pub per_customer_limit: Option<Option<i32>>,
    /// Usable with other codes.
    pub combinable: Option<bool>,
    /// Active or not.
    pub active: Option<bool>,
}

/// One cart line as coupons see it.
#[derive(Clone, Debug)]
pub struct CouponLine {
    /// The line's product.
    pub product_id: ProductId,
    /// The categories of the product.
    pub category_ids: Vec<CategoryId>,
    /// Units.
    pub quantity: i32,
    /// Price times quantity.
    pub line_total: Money,
}

/// The cart and buyer coupons are evaluated against.
#[derive(Clone, Debug)]
pub struct CouponContext {
    /// The cart's lines.
    pub lines: Vec<CouponLine>,
    /// The shipping fee before any coupon.
    pub shipping_fee: Money,
    /// The signed-in customer, if any.
    pub customer_id: Option<CustomerId>,
    /// The buyer's email (compared lowercased).
    pub email: Option<String>,
    /// The buyer's phone (compared in E.164).
    pub phone: Option<String>,
    /// The instant of evaluation.
    pub now: chrono::DateTime<chrono::Utc>,
}

/// A coupon that applies to a cart, and what it gives.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct AppliedCoupon {
    /// The coupon.
    pub coupon_id: CouponId,
    /// Its code, uppercased.
    pub code: String,
    /// Its kind.
    pub kind: CouponKind,
    /// Off the items, never above the eligible lines' total.
    pub discount: Money,
    /// Whether the shipping fee is waived.
    pub free_shipping: bool,
}
