//! balcao-payments: PIX, boleto and card payments through providers, with refunds, splits and reconciliation.
//!
//! Module map:
//! - [`http`] (feature `http`): `Services` and `configure`, the routes under `/v1`.
//! - [`model`]: payments and refunds, their state machines and API types.
//! - [`service`]: creating charges through the store's provider, reading, refunds, simulation.
//! - [`settle`]: confirmation, failure and expiry, each with its event and the order's move.
//! - [`events`]: the event types payments emit (`payment.confirmed`, `payment.failed`).
//! - [`refunds`]: refunds that never exceed what was captured.
//! - [`splits`]: split rules per store (platform fee, fixed recipients), each payment's shares and their transfers.
//! - [`storefront`]: payments shoppers start (at checkout, for balcao-stores, and through the
//!   storefront routes of `storefront_http`, feature `http`), their QR code links on the storefront.
//! - [`jobs`]: reconciliation and expiry at a charge's deadline.
//! - [`provider`], [`sandbox`], [`accounts`]: the provider seam, the sandbox, store accounts.
//! - [`boleto`]: bank boleto barcodes and linhas digitáveis (check digits, due-date factor).
//! - [`pix`]: PIX "copia e cola" (BR Code) encoding, parsing and its QR code images.
//! - [`efi`]: the EFI (Efí Bank, formerly Gerencianet) PIX API client: charges, refunds, webhook bodies.
//! - [`stripe`]: cards through Stripe (PaymentIntents, refunds, Connect transfers) and its webhook events.
//! - [`pagbank`], [`pagbank_provider`]: PIX, cards and boletos through PagBank's Orders API; its notifications.
//!
//! The crate stands on `balcao-core` for ids, errors, the database, events and jobs;
//! its areas each get `model`, `service` and `http` modules as they are built.

pub mod accounts;
pub mod boleto;
pub mod efi;
pub mod efi_provider;
pub mod events;
#[cfg(feature = "http")]
pub mod http;
pub mod inbound;
pub mod jobs;
pub mod model;
pub mod pagbank;
pub mod pagbank_provider;
pub mod pix;
pub mod provider;
pub mod refunds;
pub mod sandbox;
pub mod schema;
pub mod service;
pub mod settle;
pub mod splits;
pub mod storefront;
#[cfg(feature = "http")]
pub mod storefront_http;
pub mod stripe;
pub mod stripe_provider;

pub use events::event_types;
