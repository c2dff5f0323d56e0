//! End-to-end suites over HTTP against the composed app (one binary: link time matters).

mod api_keys;
mod identity;
mod idempotency;
mod jobs;
mod platform;
mod queries;
mod tenancy;
