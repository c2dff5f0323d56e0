//! End-to-end suites over HTTP against the composed app (one binary: link time matters).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod accounts;
mod api_keys;
mod catalog;
mod checkout;
mod coupons;
mod customers;
mod demo;
mod docs;
mod idempotency;
mod identity;
mod identity_passkeys;
mod inbound;
mod input;
mod jobs;
mod mail;
pub mod messaging;
mod orders;
mod payments;
mod plans;
mod platform;
mod queries;
mod search;
mod security;
mod shipping;
mod spec;
mod startup;
mod storefront;
mod structure;
mod tenancy;
mod usage;
mod webhook_deliveries;
mod webhooks;
mod wishlists;
