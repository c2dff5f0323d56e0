//! balcao-gateway: the `balcao` binary's library.
//!
//! | module | what it does |
//! |---|---|
//! | [`admin`] | `balcao admin`: granting and revoking platform operators |
//! | [`app`] | composes every crate's routes under `/v1`, middleware, the HTTP server |
//! | [`events`] | the webhook event catalog from the real payload types |
//! | [`openapi`](mod@openapi) | the OpenAPI document from the real handlers |
//! | [`platform`] | health, metrics, `/openapi.json`, `/docs`, 404/405 answers |
//! | [`problems`] | the problem-code catalog, published on the spec's `Problem` schema |
//! | [`middleware`] | request id, problem bodies, access logs, metrics |
//! | [`ratelimit`] | rate limits and API-call metering in the request path, with the `RateLimit` headers |
//! | [`metrics`] | Prometheus registry |
//! | [`worker`] | job handlers, event subscribers, maintenance |
//! | [`runtime`] | building the core from configuration; `serve`, `worker`, `migrate` |
//! | [`demo`] | demo data |
//! | [`demo::account`] | The demo user, store and API key |
//! | [`demo::catalog`] | Categories and products with variants, images and stock |
//! | [`demo::catalog_data`] | the demo catalog: categories and products as data |
//! | [`demo::channels`] | A sandbox WhatsApp channel with a conversation and a template, and a webhook endpoint |
//! | [`demo::context`] | what every seeding step stands on: the services on the demo store, whole lists |
//! | [`demo::customers`] | Customers with valid CPFs, phones and addresses in several CEP ranges, and their consents |
//! | [`demo::orders`] | Orders in every status over the last 60 days |
//! | [`demo::selling`] | Delivery zones (CEP ranges, neighbourhoods, a radius, pickup) and coupons |
//! | [`telemetry`] | structured logs |

pub mod admin;
pub mod app;
pub mod demo;
pub mod events;
pub mod metrics;
pub mod middleware;
pub mod openapi;
pub mod platform;
pub mod problems;
pub mod ratelimit;
pub mod runtime;
pub mod telemetry;
pub mod worker;

pub use app::{AppState, build_app, http_server, openapi};
