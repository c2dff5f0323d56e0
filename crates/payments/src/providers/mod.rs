//! The provider seam: one implementation per payment provider (EFI, Stripe, PagBank, the
//! sandbox), each creating charges and refunds and answering what it knows of a charge.
//!
//! Each provider keeps its client, its adapter to this seam and its notification handling in
//! its own folder; [`inbound`] hands verified provider notifications to them.

pub mod cache;
pub mod efi;
pub mod inbound;
pub mod pagbank;
pub mod sandbox;
pub mod stripe;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use balcao_core::id::StoreId;
use chrono::{DateTime, Utc};

use crate::payments::model::{Instructions, Method, PaymentId, PaymentRow};
use crate::splits::model::SplitShare;

/// A store's account at a provider, credentials opened.
#[derive(Clone, Default)]
pub struct Account {
    /// Non-secret settings (PIX key, merchant name and city, base URL, split rules).
    pub settings: serde_json::Value,
    /// The credentials (never log them).
    pub credentials: BTreeMap<String, String>,
    /// Where the provider's clients may connect (the operator's outbound policy).
    pub outbound: balcao_core::outbound::Policy,
}

impl std::fmt::Debug for Account {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Account")
            .field("settings", &self.settings)
            .field("credentials", &self.credentials.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// A charge to create.
#[derive(Debug, Clone)]
pub struct ChargeRequest {
    /// The store.
    pub store_id: StoreId,
    /// The store's name, for the payer's screens (PIX merchant name).
    pub store_name: String,
    /// The payment.
    pub payment_id: PaymentId,
    /// The order's number, for descriptions.
    pub order_number: i64,
    /// The order.
    pub order_id: uuid::Uuid,
    /// How.
    pub method: Method,
    /// The amount in minor units (BRL).
    pub amount: i64,
    /// How long the payer has.
    pub expires_in: Duration,
    /// Unique per payment: sent as the provider's idempotency key where it takes one.
    pub idempotency_key: String,
    /// Who pays (from the order): boletos and some providers need a name and CPF/CNPJ.
    pub payer: Payer,
    /// Cards through a provider whose browser SDK encrypts the card (PagBank): the encrypted
    /// card, opaque to balcao, which never sees card numbers.
    pub card_token: Option<String>,
    /// Where the provider posts its notifications for this charge, when it takes one per
    /// charge (`{BALCAO_PUBLIC_URL}/v1/inbound/{provider}/{store_id}`); `None` without a public URL.
    pub notification_url: Option<String>,
    /// The payment's shares under the store's split rules (empty without rules): a provider
    /// that splits at the charge (EFI) applies those with a destination.
    pub splits: Vec<SplitShare>,
}

/// The payer, as the order names them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Payer {
    /// Full name.
    pub name: String,
    /// Email.
    pub email: String,
    /// Phone in E.164, when given.
    pub phone: Option<String>,
    /// CPF (11 digits) or CNPJ (14 digits), digits only, when given.
    pub document: Option<String>,
}

/// A charge at its provider, as refunds and reconciliation name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChargeRef<'a> {
    /// How it is paid (one provider may keep PIX and boleto charges apart).
    pub method: Method,
    /// The provider's id for it.
    pub id: &'a str,
    /// The charged amount in minor units.
    pub amount: i64,
}

impl<'a> ChargeRef<'a> {
    /// The charge of a payment at its provider, once one was created.
    pub fn of(row: &'a PaymentRow) -> Option<Self> {
        Some(Self { method: Method::parse(&row.method)?, id: row.provider_payment_id.as_deref()?, amount: row.amount })
    }
}

impl ChargeRequest {
    /// The PIX txid of this payment: its id's 32 hex digits, within `[a-zA-Z0-9]{26,35}`, so a
    /// repeated `PUT /v2/cob/{txid}` after a crash updates the same charge.
    pub fn txid(&self) -> String {
        self.payment_id.uuid().simple().to_string()
    }
}

/// The charge a provider created.
#[derive(Debug, Clone, PartialEq)]
pub struct Charge {
    /// Its id at the provider.
    pub provider_payment_id: String,
    /// What the payer needs.
    pub instructions: Instructions,
    /// When it expires unpaid.
    pub expires_at: Option<DateTime<Utc>>,
    /// What the provider already decided: `Pending` for a charge that waits for the payer;
    /// `Paid` when it settled at once (a card captured in the same call).
    pub status: Remote,
}

/// What a provider says of a charge (reconciliation).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Remote {
    /// Still waiting.
    #[default]
    Pending,
    /// Paid this amount.
    Paid { amount: i64, at: DateTime<Utc> },
    /// Removed or expired at the provider.
    Gone,
}

/// Why a provider call did not succeed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct ProviderError {
    /// Whether trying again later may work.
    pub retryable: bool,
    /// The provider's code, or ours.
    pub code: String,
    /// The provider's message (never a secret).
    pub message: String,
}

impl ProviderError {
    /// A permanent failure.
    pub fn permanent(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self { retryable: false, code: code.into(), message: message.into() }
    }

    /// A temporary failure.
    pub fn retryable(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self { retryable: true, code: code.into(), message: message.into() }
    }
}

/// Takes payments through one provider.
#[async_trait]
pub trait PaymentProvider: Send + Sync {
    /// Its name, as stored (`efi`, `stripe`, `pagbank`, `sandbox`).
    fn name(&self) -> &'static str;
    /// The methods it takes.
    fn methods(&self) -> &'static [Method];
    /// Creates a charge.
    async fn create(&self, account: &Account, req: &ChargeRequest) -> Result<Charge, ProviderError>;
    /// Refunds `amount` of a paid charge; answers the provider's refund id.
    async fn refund(
        &self,
        account: &Account,
        charge: ChargeRef<'_>,
        refund_id: &str,
        amount: i64,
    ) -> Result<String, ProviderError>;
    /// What the provider knows of a charge now.
    async fn status(&self, account: &Account, charge: ChargeRef<'_>) -> Result<Remote, ProviderError>;
}

/// The providers, by name.
#[derive(Clone, Default)]
pub struct Providers {
    by_name: HashMap<&'static str, Arc<dyn PaymentProvider>>,
}

impl Providers {
    /// No providers.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) a provider.
    pub fn register(&mut self, provider: Arc<dyn PaymentProvider>) -> &mut Self {
        self.by_name.insert(provider.name(), provider);
        self
    }

    /// The provider named `name`.
    pub fn get(&self, name: &str) -> Option<&Arc<dyn PaymentProvider>> {
        self.by_name.get(name)
    }
}
