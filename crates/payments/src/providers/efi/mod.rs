//! EFI (Efí Bank, formerly Gerencianet) API clients: the PIX API (immediate charges (`cob`),
//! refunds (`devolucao`) and the PIX webhook body) and the billing API (Cobranças: boletos and
//! their notifications).
//!
//! | module | what it holds |
//! |---|---|
//! | `auth` (private) | what both clients share: the OAuth2 token (basic auth, cached), the authorized call renewing it once on a 401 |
//! | [`client`] | [`EfiConfig`] and [`EfiClient`]: the PIX API over mutual TLS, its calls and error answers |
//! | [`model`] | charges, refunds and PIX in centavos; txids; strict amount strings |
//! | [`webhook`] | [`parse_pix_webhook`] for EFI's `{"pix": [...]}` callbacks |
//! | [`billing`] | [`BillingConfig`] and [`EfiBillingClient`]: boletos, charges, notification tokens (no mTLS) |
//! | [`billing_model`] | the billing API's requests and answers, in centavos |
//! | [`notify`] | billing notifications (`notification=<token>`) read back and settled |
//! | [`split`] | PIX split: a configuration of fixed shares per charge, linked to its txid |
//!
//! # Credentials
//! Every PIX API call, the token request included, needs the account's client certificate (mutual
//! TLS) besides the application's `client_id` and `client_secret`. EFI issues the certificate
//! as a `.p12` with an empty password; [`EfiConfig::certificate_pem`] wants the certificate and
//! its unencrypted private key in one PEM, converted once with:
//!
//! ```text
//! openssl pkcs12 -in certificado.p12 -out certificado.pem -nodes -passin pass:
//! ```
//!
//! (OpenSSL 3 may need `-legacy` for older `.p12` files.) Production and homologation have
//! different certificates, credentials and base URLs ([`PRODUCTION_URL`], [`HOMOLOGATION_URL`]).
//! The billing API takes the same `client_id` and `client_secret` without a certificate, at its
//! own hosts ([`BILLING_PRODUCTION_URL`], [`BILLING_HOMOLOGATION_URL`]).
//!
//! # Money and ids
//! Amounts are integer centavos in this API and two-decimal strings on the wire (`"123.45"`);
//! [`parse_amount`] reads them strictly, never through floats. A txid is ours to choose
//! ([`new_txid`]); a retried `create_charge` whose first attempt landed gets EFI's
//! `txid_duplicado`, so read the charge back with `get_charge` then. Refund ids behave the same
//! (`devolucao_id_duplicado`).

pub mod account;
pub mod adapter;
mod adapter_boleto;
mod auth;
pub mod billing;
pub mod billing_model;
pub mod client;
pub mod model;
pub mod notify;
pub mod split;
mod transport;
pub mod webhook;
mod wire;

use std::time::Duration;

pub use billing::{BILLING_HOMOLOGATION_URL, BILLING_PRODUCTION_URL, BillingConfig, EfiBillingClient};
pub use billing_model::{
    BillingCharge, BoletoCustomer, BoletoRequest, ChargeStatus, IssuedBoleto, NotificationEntry, PayerDocument,
};
pub use client::{EfiClient, EfiConfig, HOMOLOGATION_URL, PRODUCTION_URL};
pub use model::{
    AmountError, Cob, CobRequest, CobStatus, Debtor, DebtorDocument, Devolucao, DevolucaoStatus, PixDirection,
    PixPayment, format_amount, new_txid, parse_amount, valid_refund_id, valid_txid,
};
pub use webhook::{WebhookError, parse_pix_webhook};

/// What went wrong talking to EFI. None of the variants carries a secret: no client secret,
/// private key or token is ever part of the text.
#[derive(Debug, thiserror::Error)]
pub enum EfiError {
    /// The configuration cannot work (certificate PEM, base URL); fix it and rebuild the client.
    #[error("EFI configuration: {0}")]
    Config(String),
    /// The arguments were refused before anything was sent.
    #[error("EFI request refused locally: {0}")]
    InvalidInput(String),
    /// No answer: connection, TLS handshake or body transfer failed.
    #[error("EFI unreachable: {0}")]
    Network(String),
    /// No answer in time.
    #[error("EFI timed out")]
    Timeout,
    /// EFI is overloaded or failing (429, 5xx): try again later, after `retry_after` if given.
    #[error("EFI unavailable ({status}): {name}: {message}")]
    Unavailable {
        /// The HTTP status.
        status: u16,
        /// EFI's error name (`nome`), or `http_<status>`.
        name: String,
        /// EFI's message (`mensagem`).
        message: String,
        /// The `Retry-After` EFI asked for.
        retry_after: Option<Duration>,
    },
    /// The token request was refused: wrong credentials, or a certificate of another account.
    #[error("EFI refused the credentials ({status}): {name}: {message}")]
    Auth {
        /// The HTTP status.
        status: u16,
        /// EFI's error name.
        name: String,
        /// EFI's message.
        message: String,
    },
    /// EFI refused the call (4xx), e.g. `txid_duplicado`, `valor_invalido`,
    /// `cobranca_nao_encontrada`: sending it again will not help.
    #[error("EFI refused the request ({status}): {name}: {message}")]
    Api {
        /// The HTTP status.
        status: u16,
        /// EFI's error name (`nome`), or `http_<status>`.
        name: String,
        /// EFI's message (`mensagem`).
        message: String,
    },
    /// A success answer this client cannot read.
    #[error("EFI's answer could not be read: {0}")]
    Decode(String),
}

impl EfiError {
    /// Whether the same call may succeed later (network, timeout, 429, 5xx).
    pub fn is_retryable(&self) -> bool {
        matches!(self, Self::Network(_) | Self::Timeout | Self::Unavailable { .. })
    }

    /// EFI's error name (`nome`) when EFI answered with one.
    pub fn name(&self) -> Option<&str> {
        match self {
            Self::Unavailable { name, .. } | Self::Auth { name, .. } | Self::Api { name, .. } => Some(name),
            _ => None,
        }
    }
}
