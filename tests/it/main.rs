//! End-to-end suites over HTTP against the composed app (one binary: link time matters).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod api_keys;
mod catalog;
mod checkout;
mod coupons;
mod customers;
mod idempotency;
mod identity;
mod inbound;
mod input;
mod jobs;
mod mail;
mod messaging;
mod orders;
mod payments;
mod platform;
mod queries;
mod search;
mod shipping;
mod startup;
mod storefront;
mod tenancy;
mod webhook_deliveries;
mod webhooks;
mod wishlists;
