//! balcao-core: the kernel every balcao crate stands on.
//!
//! | module | what it holds |
//! |---|---|
//! | [`id`] | UUIDv7 id newtypes per entity |
//! | [`money`] | integer minor units with a currency |
//! | [`error`] | the one error enum and its problem document |
//! | `error::code` | problem codes as declarations with their status and meaning |
//! | [`problems`] | the problem codes core answers, with their status and meaning |
//! | [`config`] | configuration from the environment |
//! | `config::env` | reading variables: trimmed values, flags, ranges, errors naming the variable |
//! | `config::limits` | the rate limits configuration sets, and how the limiter runs |
//! | `config::webauthn` | the passkey relying party settings and their checks |
//! | [`context`] | the shared handles every service is built from ([`Core`]) |
//! | [`db`] | the PostgreSQL pool, migrations, database creation |
//! | [`schema`] | Diesel table definitions for the tables balcao-core owns |
//! | [`cache`] | Redis or in-process cache that never fails a request |
//! | [`crypto`] | AES-256-GCM with key ids, HMAC, tokens, constant-time compare |
//! | [`consent`] | the marketing-consent seam messaging asks and the customer ledger answers |
//! | [`pagination`] | opaque keyset cursors |
//! | [`patch`] | PATCH field semantics (absent vs null) |
//! | [`storable`] | input PostgreSQL cannot store (NUL, years before 0), found before it gets there |
//! | [`timestamp`] | RFC 3339 timestamps in the years 0001 to 9999 |
//! | [`ratelimit`] | GCRA rate limits: the Redis script on the server's clock, and the same arithmetic in process |
//! | [`ratelimit::limiter`] | the request path's limiter: rate and metering in one Redis round trip, in process while Redis is down |
//! | [`ratelimit::local`] | GCRA in process, for a server without Redis and while Redis is unreachable |
//! | [`usage`] | monthly usage per store and metric: the metrics, their Redis keys, the month's policy |
//! | [`usage::charge`] | charging a store's month for what it sends, refused past a hard allowance |
//! | [`usage::alerts`] | the 80% and 100% quota alerts, raised once per period after a flush |
//! | [`usage::daily`] | reading the flushed daily counts: per day and field, a period's totals |
//! | [`usage::events`] | the events usage emits (`usage.threshold_reached`) |
//! | [`usage::flush`] | the idempotent flush of the day hashes from Redis to `usage_daily` |
//! | [`usage::job`] | the job flushing usage every minute, one pending at a time |
//! | [`usage::notify`] | the owners' email when a quota alert is raised |
//! | [`usage::ranking`] | every store's use of a metric this period, ranked (for operators) |
//! | [`usage::report`] | a store's usage report: the period against its plan, and a daily series |
//! | [`limits`] | per-client limits on what anyone may do without an account |
//! | [`identity`] | users, argon2id passwords, sessions, TOTP |
//! | [`identity::activity`] | when a session was last used, recorded as its token is resolved |
//! | [`identity::emails`] | the account emails (verification, reset, invitations) in pt-BR or English |
//! | [`identity::model`] | user and session rows and API types, the login request and a passkey proof |
//! | [`identity::passkeys`] | WebAuthn passkeys: registration, listing, removal, login |
//! | `identity::passkeys::ceremony` | the relying party and the single-use state of a started ceremony |
//! | `identity::passkeys::credentials` | stored passkeys: rows, the owner's view, the webauthn-rs credential |
//! | `identity::passkeys::model` | the passkey API types: a passkey, a challenge, the finish requests |
//! | `identity::passkeys::verify` | checking an answer to a login challenge, also as a second factor |
//! | [`identity::password`] | argon2id password hashing |
//! | [`identity::service`] | the identity service: signup, login, passwords, sessions, TOTP |
//! | `identity::service::account` | finding accounts, the unrequested-email allowance, failed-login delays |
//! | `identity::service::login` | password login with a second factor, and logout |
//! | `identity::service::passwords` | password reset through an emailed link, and password change |
//! | `identity::service::signup` | signup and email address verification |
//! | `identity::service::two_factor` | TOTP enrolment, confirmation, removal and code checks |
//! | [`identity::sessions`] | login sessions: opened, listed and ended |
//! | [`identity::throttle`] | failed logins throttled per address and network |
//! | [`identity::tokens`] | single-use emailed tokens for verification and password reset |
//! | [`identity::totp`] | RFC 6238 TOTP and one-time recovery codes |
//! | [`identity::validate`] | the rules for email addresses and new passwords |
//! | [`tenancy`] | stores, members, roles, permissions, API keys |
//! | [`tenancy::allowances`] | countable resources (endpoints, seats, products) refused at creation past the plan |
//! | [`tenancy::api_keys`] | store API keys: scoped, shown once, stored hashed, revocable |
//! | [`tenancy::events`] | the events stores emit |
//! | [`tenancy::invitations`] | invitations: emailed, listed, resent, revoked, accepted |
//! | [`tenancy::members`] | store members and their roles |
//! | [`tenancy::model`] | store, member, role, invitation and API key rows and API types |
//! | [`tenancy::plan_cache`] | a plan's allowances as a row, and the in-process cache of stores' plans |
//! | [`tenancy::plans`] | plans as data: each store's allowances of rate, monthly quotas and countable resources |
//! | [`tenancy::notify`] | emailing a store's owners about an event, from a subscriber |
//! | [`tenancy::permissions`] | permissions and the built-in roles |
//! | [`tenancy::roles`] | custom roles and what a role name grants |
//! | [`tenancy::stores`] | stores: create, list, read, update, delete |
//! | [`admin`] | the platform's administration: operators and what they change |
//! | [`admin::operators`] | platform operators, granted from the command line, TOTP required |
//! | [`admin::plans`] | operators' changes: a plan's allowances, a store's plan |
//! | [`auth`] | bearer tokens to principals to store access |
//! | [`events`] | the transactional outbox, its dispatcher, and event type declarations |
//! | [`events::kind`] | event types as declarations, for emitting and the webhook catalog |
//! | [`jobs`] | the PostgreSQL job queue and worker |
//! | `jobs::store` | job storage: the job store seam and its PostgreSQL implementation |
//! | `jobs::worker` | the worker: claims, leases, retries, dead letters, graceful shutdown |
//! | [`idempotency`] | Idempotency-Key storage and replay |
//! | [`inbound`] | the seam between inbound provider receivers and the crates that handle them |
//! | [`inbound::efi`] | how an EFI billing notification is read |
//! | [`mail`] | outbound email over SMTP, or to `.eml` files |
//! | `mail::file` | the transport writing each message as an `.eml` file |
//! | `mail::mailer` | the sending trait both transports implement |
//! | `mail::message` | the outbound message, mail errors, and building the RFC 5322 message |
//! | `mail::smtp` | the transport sending through an SMTP server with pooled connections |
//! | [`outbound`] | the policy every connection to an address a store chose goes through |
//! | [`outbound::form`] | the form check of a destination URL a store gives |
//! | [`http`] | actix extractors, problem responses, routes (feature `http`) |
//! | [`http::admin`] | handlers for the operators' routes under `/v1/admin` |
//! | [`http::client_ip`] | the caller's address, behind a declared proxy or not |
//! | [`http::extract`] | the caller, the caller inside a store and a platform operator, as extractors |
//! | [`http::idempotency`] | the `Idempotency-Key` middleware |
//! | [`http::identity`] | handlers for signup, login, sessions, `/me` and TOTP |
//! | [`http::json`] | a JSON body extractor whose errors name the field |
//! | [`http::passkeys`] | handlers for passkey registration, management and login |
//! | [`http::path`] | the path of a store-scoped route: its `store_id` parameter and what follows it |
//! | [`http::problem`] | errors as RFC 9457 problem responses |
//! | [`http::query`] | a query-string extractor whose errors name the parameter |
//! | [`http::storable`] | refusing path segments PostgreSQL cannot store |
//! | [`http::stores`] | handlers for stores |
//! | [`http::team`] | handlers for members, invitations, roles and API keys |
//! | [`http::usage`] | the handler for a store's usage report |

pub mod admin;
pub mod auth;
pub mod cache;
pub mod config;
pub mod consent;
pub mod context;
pub mod crypto;
pub mod db;
#[macro_use]
pub mod error;
pub mod events;
pub mod id;
pub mod idempotency;
pub mod identity;
pub mod inbound;
pub mod jobs;
pub mod limits;
pub mod mail;
pub mod money;
pub mod outbound;
pub mod pagination;
pub mod patch;
pub mod problems;
pub mod ratelimit;
pub mod schema;
pub mod storable;
pub mod tenancy;
pub mod timestamp;
pub mod usage;

#[cfg(feature = "http")]
pub mod http;

pub use context::Core;
pub use error::{Error, Result};

/// Every event type this crate emits, for the webhook catalog.
pub fn event_types() -> std::result::Result<Vec<events::EventType>, String> {
    Ok([tenancy::events::event_types()?, usage::events::event_types()?].concat())
}
