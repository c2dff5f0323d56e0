//! The rules a coupon must pass against a cart, and what it gives: pure, without I/O.
//!
//! Checked in this order, the first failure answering: active, started, not expired, total usage,
//! per-customer usage, eligible lines (for restricted coupons), minimum subtotal, minimum items.
//! Every rejection is an [`Error::Rule`] naming the field `code`.

use balcao_core::error::{Error, ErrorCode, Result};
use balcao_core::money::Money;

use super::model::{AppliedCoupon, Coupon, CouponContext, CouponKind, CouponLine};

/// A coupon code as stored and compared: trimmed and uppercased.
pub fn normalize_code(raw: &str) -> String {
    raw.trim().to_uppercase()
}

/// Codes normalized, without repeats, in the order given.
pub fn normalize_codes(raw: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(raw.len());
    for code in raw.iter().map(|c| normalize_code(c)) {
        if !out.contains(&code) {
            out.push(code);
        }
    }
    out
}

/// A rejection of a coupon code with a stable `code`.
pub fn reject(code: ErrorCode, detail: impl Into<String>) -> Error {
    Error::Rule { code, detail: detail.into(), field: Some("code".into()) }
}

/// `coupon_not_found`: no active coupon has this code.
pub fn not_found(code: &str) -> Error {
    reject(crate::problems::COUPON_NOT_FOUND, format!("No active coupon has the code {code}."))
}

/// `coupon_not_combinable` when more than one coupon is given and any of them is not combinable.
pub fn check_combinable(coupons: &[Coupon]) -> Result<()> {
    if coupons.len() < 2 {
        return Ok(());
    }
    match coupons.iter().find(|c| !c.combinable) {
        Some(c) => Err(reject(
            crate::problems::COUPON_NOT_COMBINABLE,
            format!("Coupon {} cannot be combined with other coupons.", c.code),
        )),
        None => Ok(()),
    }
}

/// Whether the coupon is limited to some products or categories.
pub fn is_restricted(coupon: &Coupon) -> bool {
    !coupon.product_ids.is_empty() || !coupon.category_ids.is_empty()
}

/// Whether a line counts for the coupon.
pub fn is_eligible(coupon: &Coupon, line: &CouponLine) -> bool {
    !is_restricted(coupon)
        || coupon.product_ids.contains(&line.product_id)
        || line.category_ids.iter().any(|c| coupon.category_ids.contains(c))
}

fn total<'a>(mut lines: impl Iterator<Item = &'a CouponLine>, zero: Money) -> Result<Money> {
    lines.try_fold(zero, |sum, line| sum.checked_add(line.line_total))
}

/// Evaluates one coupon against the cart; `customer_uses` is how many times this buyer already
/// redeemed it. Returns what it gives, or the first rule it fails.
pub fn evaluate(coupon: &Coupon, ctx: &CouponContext, customer_uses: i64) -> Result<AppliedCoupon> {
    let code = &coupon.code;
    if !coupon.active {
        return Err(not_found(code));
    }
    if let Some(starts) = coupon.starts_at.filter(|s| ctx.now < *s) {
        return Err(reject(
            crate::problems::COUPON_NOT_STARTED,
            format!("Coupon {code} is valid from {}.", starts.to_rfc3339()),
        ));
    }
    if let Some(ends) = coupon.ends_at.filter(|e| ctx.now >= *e) {
        return Err(reject(
            crate::problems::COUPON_EXPIRED,
            format!("Coupon {code} expired at {}.", ends.to_rfc3339()),
        ));
    }
    if coupon.usage_limit.is_some_and(|limit| coupon.times_used >= limit) {
        return Err(reject(
            crate::problems::COUPON_USAGE_EXHAUSTED,
            format!("Coupon {code} has been used as often as allowed."),
        ));
    }
    if coupon.per_customer_limit.is_some_and(|limit| customer_uses >= i64::from(limit)) {
        return Err(reject(
            crate::problems::COUPON_CUSTOMER_LIMIT_REACHED,
            format!("This buyer has already used coupon {code} as often as allowed."),
        ));
    }
    let currency = ctx.shipping_fee.currency;
    if let Some(other) = coupon.amount.or(coupon.minimum_subtotal).map(|m| m.currency).filter(|c| *c != currency) {
        return Err(reject(
            crate::problems::COUPON_NOT_APPLICABLE,
            format!("Coupon {code} is in {}, the cart in {}.", other.code(), currency.code()),
        ));
    }
    let eligible: Vec<&CouponLine> = ctx.lines.iter().filter(|l| is_eligible(coupon, l)).collect();
    if is_restricted(coupon) && eligible.is_empty() {
        return Err(reject(
            crate::problems::COUPON_NOT_APPLICABLE,
            format!("Coupon {code} applies to none of the items in the cart."),
        ));
    }
    let subtotal = total(eligible.iter().copied(), Money::zero(currency))?;
    if let Some(minimum) = coupon.minimum_subtotal.filter(|m| subtotal.amount < m.amount) {
        return Err(reject(
            crate::problems::COUPON_MINIMUM_NOT_MET,
            format!(
                "Coupon {code} needs items worth at least {} (eligible items: {}).",
                minimum.format_pt_br(),
                subtotal.format_pt_br()
            ),
        ));
    }
    let items: i64 = eligible.iter().map(|l| i64::from(l.quantity)).sum();
    if let Some(minimum) = coupon.minimum_item_count.filter(|m| items < i64::from(*m)) {
        return Err(reject(
            crate::problems::COUPON_MINIMUM_ITEMS_NOT_MET,
            format!("Coupon {code} needs at least {minimum} items (eligible items: {items})."),
        ));
    }
    let discount = match coupon.kind {
        CouponKind::Percentage => subtotal.percentage_bps(i64::from(coupon.percent_bps.unwrap_or(0))),
        CouponKind::FixedAmount => Money::new(coupon.amount.map_or(0, |a| a.amount), currency),
        CouponKind::FreeShipping => Money::zero(currency),
    };
    let discount = Money::new(discount.amount.clamp(0, subtotal.amount.max(0)), currency);
    Ok(AppliedCoupon {
        coupon_id: coupon.id,
        code: code.clone(),
        kind: coupon.kind,
        discount,
        free_shipping: coupon.kind == CouponKind::FreeShipping,
    })
}

/// Caps the discounts of combined coupons, in order, so together they never exceed the items' total.
pub fn combine(mut applied: Vec<AppliedCoupon>, ctx: &CouponContext) -> Result<Vec<AppliedCoupon>> {
    let mut remaining = total(ctx.lines.iter(), Money::zero(ctx.shipping_fee.currency))?.amount.max(0);
    for coupon in &mut applied {
        coupon.discount.amount = coupon.discount.amount.min(remaining);
        remaining -= coupon.discount.amount;
    }
    Ok(applied)
}

#[cfg(test)]
mod tests;
