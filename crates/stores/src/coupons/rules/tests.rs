//! Unit tests of the coupon rules: every rejection, the validity window and rounding.

use balcao_core::money::Currency;
use chrono::{DateTime, Duration, Utc};

use super::*;
use crate::ids::{CategoryId, CouponId, ProductId};

fn coupon(kind: CouponKind) -> Coupon {
    let now = Utc::now();
    Coupon {
        id: CouponId::new(),
        code: "PROMO".into(),
        kind,
        percent_bps: (kind == CouponKind::Percentage).then_some(1000),
        amount: (kind == CouponKind::FixedAmount).then_some(Money::brl(500)),
        minimum_subtotal: None,
        minimum_item_count: None,
        product_ids: Vec::new(),
        category_ids: Vec::new(),
        starts_at: None,
        ends_at: None,
        usage_limit: None,
        per_customer_limit: None,
        combinable: false,
        active: true,
        times_used: 0,
        created_at: now,
        updated_at: now,
    }
}

fn line(product: ProductId, categories: &[CategoryId], quantity: i32, total: i64) -> CouponLine {
    CouponLine { product_id: product, category_ids: categories.to_vec(), quantity, line_total: Money::brl(total) }
}

fn cart(lines: Vec<CouponLine>) -> CouponContext {
    CouponContext {
        lines,
        shipping_fee: Money::brl(1500),
        customer_id: None,
        email: None,
        phone: None,
        now: Utc::now(),
    }
}

fn one_line(total: i64) -> CouponContext {
    cart(vec![line(ProductId::new(), &[], 1, total)])
}

fn rejected(result: Result<AppliedCoupon>) -> &'static str {
    match result {
        Err(Error::Rule { code, field, detail }) => {
            assert_eq!(field.as_deref(), Some("code"));
            assert!(detail.contains("PROMO") || code.code() == "coupon_not_combinable", "{detail}");
            code.code()
        }
        other => panic!("expected a rule error, got {other:?}"),
    }
}

fn discount(c: &Coupon, ctx: &CouponContext) -> i64 {
    evaluate(c, ctx, 0).map(|a| a.discount.amount).unwrap_or(-1)
}

#[test]
fn codes_are_trimmed_uppercased_and_deduplicated() {
    assert_eq!(normalize_code("  bemVindo10 "), "BEMVINDO10");
    let codes = normalize_codes(&["a".into(), " A".into(), "b".into()]);
    assert_eq!(codes, vec!["A".to_owned(), "B".to_owned()]);
}

#[test]
fn percentage_rounds_half_away_from_zero_on_the_eligible_total() {
    let mut c = coupon(CouponKind::Percentage);
    assert_eq!(discount(&c, &one_line(1999)), 200); // 199.9
    assert_eq!(discount(&c, &one_line(1995)), 200); // 199.5
    assert_eq!(discount(&c, &one_line(1994)), 199); // 199.4
    c.percent_bps = Some(5000);
    assert_eq!(discount(&c, &one_line(1005)), 503); // 502.5
    c.percent_bps = Some(1);
    assert_eq!(discount(&c, &one_line(4999)), 0); // 0.4999
    assert_eq!(discount(&c, &one_line(5000)), 1); // 0.5
    c.percent_bps = Some(10000);
    assert_eq!(discount(&c, &one_line(1234)), 1234);
    assert_eq!(discount(&c, &cart(Vec::new())), 0);
}

#[test]
fn percentage_of_restricted_coupon_counts_only_eligible_lines() {
    let (shirt, mug, tees) = (ProductId::new(), ProductId::new(), CategoryId::new());
    let mut c = coupon(CouponKind::Percentage);
    c.category_ids = vec![tees];
    let ctx = cart(vec![line(shirt, &[tees], 2, 5000), line(mug, &[], 1, 3000)]);
    assert_eq!(discount(&c, &ctx), 500);
    c.category_ids.clear();
    c.product_ids = vec![mug];
    assert_eq!(discount(&c, &ctx), 300);
    c.category_ids = vec![tees];
    assert_eq!(discount(&c, &ctx), 800, "product or category");
}

#[test]
fn fixed_amount_is_capped_at_the_eligible_total() {
    let c = coupon(CouponKind::FixedAmount);
    assert_eq!(discount(&c, &one_line(2000)), 500);
    assert_eq!(discount(&c, &one_line(500)), 500);
    assert_eq!(discount(&c, &one_line(320)), 320);
    let (a, b) = (ProductId::new(), ProductId::new());
    let mut c = coupon(CouponKind::FixedAmount);
    c.product_ids = vec![a];
    assert_eq!(discount(&c, &cart(vec![line(a, &[], 1, 200), line(b, &[], 1, 9000)])), 200);
}

#[test]
fn free_shipping_gives_no_item_discount() {
    let applied = evaluate(&coupon(CouponKind::FreeShipping), &one_line(1000), 0).unwrap();
    assert_eq!(applied.discount, Money::brl(0));
    assert!(applied.free_shipping);
    assert_eq!(applied.code, "PROMO");
    assert!(!evaluate(&coupon(CouponKind::Percentage), &one_line(1000), 0).unwrap().free_shipping);
}

#[test]
fn inactive_is_not_found() {
    let mut c = coupon(CouponKind::Percentage);
    c.active = false;
    assert_eq!(rejected(evaluate(&c, &one_line(1000), 0)), "coupon_not_found");
    assert_eq!(not_found("X").code(), "coupon_not_found");
}

#[test]
fn validity_window_is_start_inclusive_and_end_exclusive() {
    let ctx = one_line(1000);
    let mut c = coupon(CouponKind::Percentage);
    c.starts_at = Some(ctx.now + Duration::seconds(1));
    assert_eq!(rejected(evaluate(&c, &ctx, 0)), "coupon_not_started");
    c.starts_at = Some(ctx.now);
    assert!(evaluate(&c, &ctx, 0).is_ok());
    c.ends_at = Some(ctx.now);
    assert_eq!(rejected(evaluate(&c, &ctx, 0)), "coupon_expired");
    c.ends_at = Some(ctx.now + Duration::seconds(1));
    assert!(evaluate(&c, &ctx, 0).is_ok());
    c.ends_at = Some(DateTime::<Utc>::MIN_UTC);
    assert_eq!(rejected(evaluate(&c, &ctx, 0)), "coupon_expired");
}

#[test]
fn minimum_subtotal_counts_eligible_lines() {
    let (a, b) = (ProductId::new(), ProductId::new());
    let ctx = cart(vec![line(a, &[], 1, 4000), line(b, &[], 1, 6000)]);
    let mut c = coupon(CouponKind::Percentage);
    c.minimum_subtotal = Some(Money::brl(10000));
    assert!(evaluate(&c, &ctx, 0).is_ok(), "exactly the minimum");
    c.minimum_subtotal = Some(Money::brl(10001));
    assert_eq!(rejected(evaluate(&c, &ctx, 0)), "coupon_minimum_not_met");
    c.minimum_subtotal = Some(Money::brl(5000));
    c.product_ids = vec![a];
    assert_eq!(rejected(evaluate(&c, &ctx, 0)), "coupon_minimum_not_met");
}

#[test]
fn minimum_items_counts_eligible_units() {
    let (a, b) = (ProductId::new(), ProductId::new());
    let ctx = cart(vec![line(a, &[], 2, 4000), line(b, &[], 3, 6000)]);
    let mut c = coupon(CouponKind::FixedAmount);
    c.minimum_item_count = Some(5);
    assert!(evaluate(&c, &ctx, 0).is_ok());
    c.minimum_item_count = Some(6);
    assert_eq!(rejected(evaluate(&c, &ctx, 0)), "coupon_minimum_items_not_met");
    c.minimum_item_count = Some(3);
    c.product_ids = vec![a];
    assert_eq!(rejected(evaluate(&c, &ctx, 0)), "coupon_minimum_items_not_met");
}

#[test]
fn restricted_coupon_without_eligible_lines_is_not_applicable() {
    let mut c = coupon(CouponKind::FreeShipping);
    c.product_ids = vec![ProductId::new()];
    assert_eq!(rejected(evaluate(&c, &one_line(1000), 0)), "coupon_not_applicable");
    c.product_ids.clear();
    c.category_ids = vec![CategoryId::new()];
    assert_eq!(rejected(evaluate(&c, &one_line(1000), 0)), "coupon_not_applicable");
    assert_eq!(rejected(evaluate(&c, &cart(Vec::new()), 0)), "coupon_not_applicable");
}

#[test]
fn another_currency_is_not_applicable() {
    let mut c = coupon(CouponKind::FixedAmount);
    c.amount = Some(Money::new(500, Currency::USD));
    assert_eq!(rejected(evaluate(&c, &one_line(1000), 0)), "coupon_not_applicable");
}

#[test]
fn usage_limits() {
    let mut c = coupon(CouponKind::Percentage);
    c.usage_limit = Some(3);
    c.times_used = 2;
    assert!(evaluate(&c, &one_line(1000), 0).is_ok());
    c.times_used = 3;
    assert_eq!(rejected(evaluate(&c, &one_line(1000), 0)), "coupon_usage_exhausted");
    c.usage_limit = None;
    c.per_customer_limit = Some(1);
    assert!(evaluate(&c, &one_line(1000), 0).is_ok());
    assert_eq!(rejected(evaluate(&c, &one_line(1000), 1)), "coupon_customer_limit_reached");
}

#[test]
fn rules_answer_in_order() {
    let ctx = cart(Vec::new());
    let mut c = coupon(CouponKind::Percentage);
    c.product_ids = vec![ProductId::new()];
    c.usage_limit = Some(1);
    c.times_used = 1;
    c.ends_at = Some(ctx.now - Duration::days(1));
    assert_eq!(rejected(evaluate(&c, &ctx, 0)), "coupon_expired");
    c.ends_at = None;
    assert_eq!(rejected(evaluate(&c, &ctx, 0)), "coupon_usage_exhausted");
    c.usage_limit = None;
    assert_eq!(rejected(evaluate(&c, &ctx, 0)), "coupon_not_applicable");
}

#[test]
fn combining_needs_every_coupon_combinable() {
    let (mut a, mut b) = (coupon(CouponKind::Percentage), coupon(CouponKind::FreeShipping));
    assert!(check_combinable(std::slice::from_ref(&a)).is_ok(), "one coupon alone is fine");
    a.combinable = true;
    b.code = "FRETE".into();
    let err = check_combinable(&[a.clone(), b.clone()]).unwrap_err();
    assert_eq!(err.code(), "coupon_not_combinable");
    assert!(err.to_string().contains("FRETE"));
    b.combinable = true;
    assert!(check_combinable(&[a, b]).is_ok());
}

#[test]
fn combined_discounts_never_exceed_the_items_total() {
    let ctx = one_line(800);
    let mut c = coupon(CouponKind::FixedAmount);
    let first = evaluate(&c, &ctx, 0).unwrap();
    c.amount = Some(Money::brl(600));
    let second = evaluate(&c, &ctx, 0).unwrap();
    let combined = combine(vec![first, second], &ctx).unwrap();
    let amounts: Vec<i64> = combined.iter().map(|a| a.discount.amount).collect();
    assert_eq!(amounts, vec![500, 300]);
}
