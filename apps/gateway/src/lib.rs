//! balcao-gateway: the `balcao` binary's library.
//!
//! | module | what it does |
//! |---|---|
//! | [`app`] | composes every crate's routes under `/v1`, middleware, the HTTP server |
//! | [`events`] | the webhook event catalog from the real payload types |
//! | [`openapi`] | the OpenAPI document from the real handlers |
//! | [`platform`] | health, metrics, `/openapi.json`, `/docs`, 404/405 answers |
//! | [`middleware`] | request id, problem bodies, access logs, metrics |
//! | [`metrics`] | Prometheus registry |
//! | [`worker`] | job handlers, event subscribers, maintenance |
//! | [`runtime`] | building the core from configuration; `serve`, `worker`, `migrate` |
//! | [`demo`] | demo data |
//! | [`telemetry`] | structured logs |

pub mod app;
pub mod demo;
pub mod events;
pub mod metrics;
pub mod middleware;
pub mod openapi;
pub mod platform;
pub mod runtime;
pub mod telemetry;
pub mod worker;

pub use app::{AppState, build_app, http_server, openapi};
