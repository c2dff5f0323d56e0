//! balcao-audit: an append-only audit trail with a hash chain, export, retention and LGPD requests.
//!
//! | module | what it holds |
//! |---|---|
//! | [`http`] | `configure`, which registers this crate's routes under `/v1` (feature `http`) |
//!
//! The crate stands on `balcao-core` for ids, errors, the database, events and jobs;
//! its areas each get `model`, `service` and `http` modules as they are built.

#[cfg(feature = "http")]
pub mod http;
