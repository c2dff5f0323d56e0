//! Coupons: discount codes a store's staff manage, evaluated against carts and redeemed at checkout.
//!
//! - [`CouponService`] is the staff CRUD plus [`CouponService::evaluate`], which prices codes
//!   against a [`CouponContext`] (the cart and the buyer) into [`AppliedCoupon`]s.
//! - [`redeem`] runs inside the checkout's transaction: it locks the coupon rows, checks every
//!   rule again and records the redemption, so concurrent checkouts never exceed a limit.
//! - [`rules`] holds the rules themselves, pure and unit-tested.

#[cfg(feature = "http")]
pub mod http;
pub mod model;
pub mod rules;
pub mod schema;
pub mod service;
pub mod validate;

pub use model::{AppliedCoupon, Coupon, CouponContext, CouponKind, CouponLine, CouponRow, CreateCoupon, UpdateCoupon};
pub use service::{CouponService, PgCouponService, redeem};
