//! Staff input for coupons: the full content of a coupon, built from a create or a patch, then
//! checked as a whole so a PATCH is held to the same rules as a POST.

use std::collections::HashSet;

use balcao_core::error::{Error, Result, Validator};
use balcao_core::id::StoreId;
use balcao_core::money::{Currency, MAX_INPUT_AMOUNT, Money};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::model::{Coupon, CouponKind, CreateCoupon, UpdateCoupon};
use super::rules::normalize_code;
use super::schema::coupons;
use crate::ids::{CategoryId, ProductId};
use crate::schema::{categories, products};

/// Longest code, in characters.
pub const MAX_CODE_LEN: usize = 40;
/// Most products or categories a coupon may be limited to.
pub const MAX_TARGETS: usize = 100;
/// Largest `minimum_item_count`.
pub const MAX_ITEM_COUNT: i32 = 1_000_000;
/// Largest `usage_limit` and `per_customer_limit`.
pub const MAX_USES: i32 = 1_000_000_000;

/// Everything staff set on a coupon, normalized.
#[derive(Debug, Clone)]
pub struct Draft {
    pub code: String,
    pub kind: CouponKind,
    pub percent_bps: Option<i32>,
    pub amount: Option<Money>,
    pub minimum_subtotal: Option<Money>,
    pub minimum_item_count: Option<i32>,
    pub product_ids: Vec<ProductId>,
    pub category_ids: Vec<CategoryId>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub usage_limit: Option<i32>,
    pub per_customer_limit: Option<i32>,
    pub combinable: bool,
    pub active: bool,
}

impl Draft {
    /// A draft from a create request.
    pub fn create(req: CreateCoupon) -> Self {
        Self {
            code: normalize_code(&req.code),
            kind: req.kind,
            percent_bps: req.percent_bps,
            amount: req.amount,
            minimum_subtotal: req.minimum_subtotal,
            minimum_item_count: req.minimum_item_count,
            product_ids: req.product_ids,
            category_ids: req.category_ids,
            starts_at: req.starts_at,
            ends_at: req.ends_at,
            usage_limit: req.usage_limit,
            per_customer_limit: req.per_customer_limit,
            combinable: req.combinable.unwrap_or(false),
            active: req.active.unwrap_or(true),
        }
    }

    /// The current coupon with a patch applied; a new kind drops the old kind's value unless given.
    pub fn patch(current: Coupon, req: UpdateCoupon) -> Self {
        let kind = req.kind.unwrap_or(current.kind);
        let mut percent_bps = req.percent_bps.unwrap_or(current.percent_bps);
        let mut amount = req.amount.unwrap_or(current.amount);
        if req.percent_bps.is_none() && kind != CouponKind::Percentage {
            percent_bps = None;
        }
        if req.amount.is_none() && kind != CouponKind::FixedAmount {
            amount = None;
        }
        Self {
            code: req.code.as_deref().map_or(current.code, normalize_code),
            kind,
            percent_bps,
            amount,
            minimum_subtotal: req.minimum_subtotal.unwrap_or(current.minimum_subtotal),
            minimum_item_count: req.minimum_item_count.unwrap_or(current.minimum_item_count),
            product_ids: req.product_ids.unwrap_or(current.product_ids),
            category_ids: req.category_ids.unwrap_or(current.category_ids),
            starts_at: req.starts_at.unwrap_or(current.starts_at),
            ends_at: req.ends_at.unwrap_or(current.ends_at),
            usage_limit: req.usage_limit.unwrap_or(current.usage_limit),
            per_customer_limit: req.per_customer_limit.unwrap_or(current.per_customer_limit),
            combinable: req.combinable.unwrap_or(current.combinable),
            active: req.active.unwrap_or(current.active),
        }
    }

    /// The currency of the money fields (BRL when there are none).
    pub fn currency(&self) -> Currency {
        self.amount.or(self.minimum_subtotal).map_or(Currency::BRL, |m| m.currency)
    }

    /// Checks every field, naming each bad one.
    pub fn check(&self) -> Result<()> {
        let mut v = Validator::new();
        let code_ok = self.code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        v.length(&self.code, "code", 1, MAX_CODE_LEN);
        v.check(code_ok, "code", "invalid_format", "may hold only letters, digits, `-` and `_`");
        match (self.kind, self.percent_bps) {
            (CouponKind::Percentage, None) => v.check(false, "percent_bps", "required", "is required for percentage"),
            (CouponKind::Percentage, Some(bps)) => {
                v.check((1..=10_000).contains(&bps), "percent_bps", "out_of_range", "must be between 1 and 10000")
            }
            (_, bps) => v.check(bps.is_none(), "percent_bps", "not_allowed", "is only for percentage coupons"),
        };
        match (self.kind, self.amount) {
            (CouponKind::FixedAmount, None) => v.check(false, "amount", "required", "is required for fixed_amount"),
            (CouponKind::FixedAmount, Some(a)) => v.check(
                (1..=MAX_INPUT_AMOUNT).contains(&a.amount),
                "amount",
                "out_of_range",
                &in_range(1, MAX_INPUT_AMOUNT),
            ),
            (_, a) => v.check(a.is_none(), "amount", "not_allowed", "is only for fixed_amount coupons"),
        };
        if let Some(minimum) = self.minimum_subtotal {
            let ok = (0..=MAX_INPUT_AMOUNT).contains(&minimum.amount);
            v.check(ok, "minimum_subtotal", "out_of_range", &in_range(0, MAX_INPUT_AMOUNT));
            let same = minimum.currency == self.currency();
            v.check(same, "minimum_subtotal.currency", "currency_mismatch", "must be the currency of amount");
        }
        let within = |n: Option<i32>, max: i32| n.is_none_or(|n| (1..=max).contains(&n));
        let items = within(self.minimum_item_count, MAX_ITEM_COUNT);
        v.check(items, "minimum_item_count", "out_of_range", &in_range(1, MAX_ITEM_COUNT));
        v.check(within(self.usage_limit, MAX_USES), "usage_limit", "out_of_range", &in_range(1, MAX_USES));
        let per_customer = within(self.per_customer_limit, MAX_USES);
        v.check(per_customer, "per_customer_limit", "out_of_range", &in_range(1, MAX_USES));
        if let (Some(starts), Some(ends)) = (self.starts_at, self.ends_at) {
            v.check(starts < ends, "ends_at", "before_start", "must be after starts_at");
        }
        v.check(self.product_ids.len() <= MAX_TARGETS, "product_ids", "too_many", "at most 100 products");
        v.check(self.category_ids.len() <= MAX_TARGETS, "category_ids", "too_many", "at most 100 categories");
        v.finish()
    }
}

fn in_range(min: impl std::fmt::Display, max: impl std::fmt::Display) -> String {
    format!("must be between {min} and {max}")
}

fn first_unknown(wanted: &[uuid::Uuid], found: Vec<uuid::Uuid>) -> Option<usize> {
    let found: HashSet<uuid::Uuid> = found.into_iter().collect();
    wanted.iter().position(|id| !found.contains(id))
}

/// Checks the products and categories belong to the store; names the first that does not.
pub async fn check_targets(
    conn: &mut AsyncPgConnection,
    store: StoreId,
    product_ids: &[ProductId],
    category_ids: &[CategoryId],
) -> Result<()> {
    if !product_ids.is_empty() {
        let wanted: Vec<uuid::Uuid> = product_ids.iter().map(|p| p.uuid()).collect();
        let found = products::table
            .filter(products::store_id.eq(store.uuid()))
            .filter(products::id.eq_any(&wanted))
            .select(products::id)
            .load(conn)
            .await?;
        if let Some(i) = first_unknown(&wanted, found) {
            return Err(Error::field(format!("product_ids[{i}]"), "unknown_product", "is not a product of this store"));
        }
    }
    if !category_ids.is_empty() {
        let wanted: Vec<uuid::Uuid> = category_ids.iter().map(|c| c.uuid()).collect();
        let found = categories::table
            .filter(categories::store_id.eq(store.uuid()))
            .filter(categories::id.eq_any(&wanted))
            .select(categories::id)
            .load(conn)
            .await?;
        if let Some(i) = first_unknown(&wanted, found) {
            let field = format!("category_ids[{i}]");
            return Err(Error::field(field, "unknown_category", "is not a category of this store"));
        }
    }
    Ok(())
}

/// The columns staff set, for an insert or a full update.
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = coupons, treat_none_as_null = true)]
pub struct CouponChanges {
    pub code: String,
    pub kind: &'static str,
    pub percent_bps: Option<i32>,
    pub amount: Option<i64>,
    pub currency: &'static str,
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
    pub updated_at: DateTime<Utc>,
}

impl Draft {
    /// The columns of this draft, stamped `now`.
    pub fn changes(&self, now: DateTime<Utc>) -> CouponChanges {
        CouponChanges {
            code: self.code.clone(),
            kind: self.kind.as_str(),
            percent_bps: self.percent_bps,
            amount: self.amount.map(|m| m.amount),
            currency: self.currency().code(),
            minimum_subtotal_amount: self.minimum_subtotal.map(|m| m.amount),
            minimum_item_count: self.minimum_item_count,
            product_ids: self.product_ids.iter().map(|p| p.uuid()).collect(),
            category_ids: self.category_ids.iter().map(|c| c.uuid()).collect(),
            starts_at: self.starts_at,
            ends_at: self.ends_at,
            usage_limit: self.usage_limit,
            per_customer_limit: self.per_customer_limit,
            combinable: self.combinable,
            active: self.active,
            updated_at: now,
        }
    }
}
