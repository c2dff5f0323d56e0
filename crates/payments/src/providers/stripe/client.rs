//! The Stripe REST client: PaymentIntents, refunds and Connect transfers.
//!
//! Every request carries `Authorization: Bearer sk_...` and `Stripe-Version: API_VERSION`; a POST
//! sends an `application/x-www-form-urlencoded` body (nested keys such as `metadata[order_id]`,
//! encoded `metadata%5Border_id%5D`) and the caller's `Idempotency-Key`, which must be the same
//! on every retry of one operation (e.g. derived from the payment id and the operation). A
//! non-2xx answer becomes a [`StripeError`] classified retryable or permanent.

use std::fmt;
use std::time::Duration;

use balcao_core::money::Currency;
use reqwest::RequestBuilder;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::{API_VERSION, PaymentIntentStatus, REDACTED, StripeConfig, StripeError, network, refusal, scrub};

/// The longest one Stripe call may take, connection included.
pub const TIMEOUT: Duration = Duration::from_secs(30);
/// The longest to wait for a connection.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Stripe's limit on idempotency keys and object ids.
const MAX_KEY_LEN: usize = 255;

/// A PaymentIntent for an order, confirmed later by the frontend with Stripe Elements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatePaymentIntent {
    /// Minor units (centavos for BRL), positive.
    pub amount: i64,
    /// The charge currency (sent lowercase, e.g. `brl`).
    pub currency: Currency,
    /// balcao's order id, stored as `metadata[order_id]`.
    pub order_id: String,
    /// balcao's payment id, stored as `metadata[payment_id]`.
    pub payment_id: String,
    /// Shown in the Stripe dashboard.
    pub description: Option<String>,
    /// Groups the charge with the transfers that split it (Connect).
    pub transfer_group: Option<String>,
}

impl CreatePaymentIntent {
    /// The form, in this order: `amount`, `currency`, `automatic_payment_methods[enabled]=true`,
    /// `metadata[order_id]`, `metadata[payment_id]`, then `description` and `transfer_group`
    /// when given.
    fn form(&self) -> Result<String, StripeError> {
        positive(self.amount)?;
        let amount = self.amount.to_string();
        let currency = self.currency.code().to_ascii_lowercase();
        let mut pairs = vec![
            ("amount", amount.as_str()),
            ("currency", currency.as_str()),
            ("automatic_payment_methods[enabled]", "true"),
            ("metadata[order_id]", metadata_value(&self.order_id, "order_id")?),
            ("metadata[payment_id]", metadata_value(&self.payment_id, "payment_id")?),
        ];
        if let Some(description) = &self.description {
            pairs.push(("description", description));
        }
        if let Some(group) = &self.transfer_group {
            pairs.push(("transfer_group", group));
        }
        Ok(encode(&pairs))
    }
}

/// A transfer of part of a charge to a connected account (`acct_...`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateTransfer {
    /// Minor units, positive.
    pub amount: i64,
    /// The currency of the platform balance it comes from.
    pub currency: Currency,
    /// The connected account, `acct_...`.
    pub destination: String,
    /// The charge's `transfer_group`.
    pub transfer_group: String,
    /// The charge (`latest_charge`) whose funds pay for it: the transfer then waits for that
    /// charge's funds instead of needing an available platform balance.
    pub source_transaction: Option<String>,
}

impl CreateTransfer {
    /// The form, in this order: `amount`, `currency`, `destination`, `transfer_group`, then
    /// `source_transaction` when given.
    fn form(&self) -> Result<String, StripeError> {
        positive(self.amount)?;
        let amount = self.amount.to_string();
        let currency = self.currency.code().to_ascii_lowercase();
        let mut pairs = vec![
            ("amount", amount.as_str()),
            ("currency", currency.as_str()),
            ("destination", stripe_id(&self.destination, "acct_", "destination")?),
            ("transfer_group", metadata_value(&self.transfer_group, "transfer_group")?),
        ];
        if let Some(charge) = &self.source_transaction {
            pairs.push(("source_transaction", stripe_id(charge, "", "source_transaction")?));
        }
        Ok(encode(&pairs))
    }
}

/// Why a refund is made (`reason`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RefundReason {
    /// The charge was made twice.
    Duplicate,
    /// The charge was fraudulent (Stripe adds the card to the block lists).
    Fraudulent,
    /// The customer asked for it.
    RequestedByCustomer,
}

impl RefundReason {
    /// The value Stripe expects.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Duplicate => "duplicate",
            Self::Fraudulent => "fraudulent",
            Self::RequestedByCustomer => "requested_by_customer",
        }
    }
}

/// A PaymentIntent as balcao reads it.
#[derive(Clone, PartialEq, Eq, Deserialize)]
pub struct PaymentIntent {
    /// `pi_...`.
    pub id: String,
    /// Handed to the frontend only, to confirm with Stripe Elements; never stored nor logged.
    pub client_secret: String,
    /// Where the payment stands.
    pub status: PaymentIntentStatus,
    /// The amount to collect, minor units.
    pub amount: i64,
    /// The amount collected so far.
    pub amount_received: i64,
    /// The latest charge (`ch_...`), the `source_transaction` of the transfers that split it.
    pub latest_charge: Option<String>,
}

impl fmt::Debug for PaymentIntent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PaymentIntent")
            .field("id", &self.id)
            .field("client_secret", &REDACTED)
            .field("status", &self.status)
            .field("amount", &self.amount)
            .field("amount_received", &self.amount_received)
            .field("latest_charge", &self.latest_charge)
            .finish()
    }
}

/// Where a refund stands; unknown future values read as [`Self::Unknown`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RefundStatus {
    /// Sent to the card network, not settled yet.
    Pending,
    /// The customer must act (some payment methods only).
    RequiresAction,
    /// Refunded.
    Succeeded,
    /// The refund failed; the money stays with the platform.
    Failed,
    /// Canceled before it went through.
    Canceled,
    /// A status this version of balcao does not know.
    #[serde(other)]
    Unknown,
}

/// A refund as balcao reads it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Refund {
    /// `re_...`.
    pub id: String,
    /// Where it stands.
    pub status: RefundStatus,
    /// Minor units refunded.
    pub amount: i64,
}

/// A transfer as balcao reads it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct Transfer {
    /// `tr_...`.
    pub id: String,
}

/// Calls Stripe's API with the platform's secret key; cheap to clone (one connection pool).
#[derive(Clone)]
pub struct StripeClient {
    http: reqwest::Client,
    base_url: String,
    auth: HeaderValue,
}

impl fmt::Debug for StripeClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StripeClient").field("base_url", &self.base_url).finish_non_exhaustive()
    }
}

impl StripeClient {
    /// A client for `config`, with [`TIMEOUT`] and [`CONNECT_TIMEOUT`] and no redirects.
    pub fn new(config: &StripeConfig) -> Result<Self, StripeError> {
        let (base_url, _) = balcao_core::outbound::base_url(&config.base_url, config.outbound)
            .map_err(|e| StripeError::Invalid(e.into()))?;
        let key = config.secret_key.trim();
        let well_formed = (key.starts_with("sk_") || key.starts_with("rk_"))
            && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        let mut auth = HeaderValue::from_str(&format!("Bearer {key}"))
            .ok()
            .filter(|_| well_formed)
            .ok_or_else(|| StripeError::Invalid("secret_key is not a Stripe secret key (sk_... or rk_...)".into()))?;
        auth.set_sensitive(true);
        let http = balcao_core::outbound::builder(config.outbound)
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(TIMEOUT)
            .build()
            .map_err(|e| StripeError::Invalid(format!("could not build the HTTP client: {e}")))?;
        Ok(Self { http, base_url, auth })
    }

    /// Creates a PaymentIntent with automatic payment methods; hand its `client_secret` to the frontend.
    pub async fn create_payment_intent(
        &self,
        request: &CreatePaymentIntent,
        idempotency_key: &str,
    ) -> Result<PaymentIntent, StripeError> {
        self.post("/v1/payment_intents", request.form()?, idempotency_key).await
    }

    /// Reads a PaymentIntent (`pi_...`).
    pub async fn retrieve_payment_intent(&self, id: &str) -> Result<PaymentIntent, StripeError> {
        let id = stripe_id(id, "pi_", "payment_intent")?;
        self.send(self.http.get(self.url(&format!("/v1/payment_intents/{id}")))).await
    }

    /// Cancels a PaymentIntent that has not succeeded.
    pub async fn cancel_payment_intent(&self, id: &str, idempotency_key: &str) -> Result<PaymentIntent, StripeError> {
        let id = stripe_id(id, "pi_", "payment_intent")?;
        self.post(&format!("/v1/payment_intents/{id}/cancel"), String::new(), idempotency_key).await
    }

    /// Refunds `amount` of a PaymentIntent's charge. Form order: `payment_intent`, `amount`, `reason`.
    pub async fn create_refund(
        &self,
        payment_intent: &str,
        amount: i64,
        reason: Option<RefundReason>,
        idempotency_key: &str,
    ) -> Result<Refund, StripeError> {
        positive(amount)?;
        let amount = amount.to_string();
        let mut pairs =
            vec![("payment_intent", stripe_id(payment_intent, "pi_", "payment_intent")?), ("amount", amount.as_str())];
        if let Some(reason) = reason {
            pairs.push(("reason", reason.as_str()));
        }
        self.post("/v1/refunds", encode(&pairs), idempotency_key).await
    }

    /// Moves part of a charge to a connected account (Connect "separate charges and transfers").
    pub async fn create_transfer(
        &self,
        request: &CreateTransfer,
        idempotency_key: &str,
    ) -> Result<Transfer, StripeError> {
        self.post("/v1/transfers", request.form()?, idempotency_key).await
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    async fn post<T: DeserializeOwned>(
        &self,
        path: &str,
        form: String,
        idempotency_key: &str,
    ) -> Result<T, StripeError> {
        let key = idempotency_key;
        if key.is_empty() || key.len() > MAX_KEY_LEN || !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(StripeError::Invalid("the idempotency key must be 1 to 255 visible ASCII characters".into()));
        }
        let request = self
            .http
            .post(self.url(path))
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("Idempotency-Key", key)
            .body(form);
        self.send(request).await
    }

    async fn send<T: DeserializeOwned>(&self, request: RequestBuilder) -> Result<T, StripeError> {
        let request = request.header(AUTHORIZATION, self.auth.clone()).header("Stripe-Version", API_VERSION);
        let response = request.send().await.map_err(network)?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.bytes().await.map_err(network)?;
        if !status.is_success() {
            let error = refusal(status, &headers, &body);
            let request_id = error.api_error().and_then(|e| e.request_id.as_deref());
            tracing::debug!(status = status.as_u16(), ?request_id, %error, "Stripe refused a request");
            return Err(error);
        }
        serde_json::from_slice(&body).map_err(|e| StripeError::Decode(scrub(&e.to_string())))
    }
}

/// `encode(&[("a", "1"), ("b[c]", "x y")])` is `a=1&b%5Bc%5D=x+y`.
fn encode(pairs: &[(&str, &str)]) -> String {
    let mut form = form_urlencoded::Serializer::new(String::new());
    for (key, value) in pairs {
        form.append_pair(key, value);
    }
    form.finish()
}

fn positive(amount: i64) -> Result<(), StripeError> {
    if amount > 0 { Ok(()) } else { Err(StripeError::Invalid("the amount must be positive".into())) }
}

/// A non-empty value within Stripe's 500-character metadata limit.
fn metadata_value<'a>(value: &'a str, name: &str) -> Result<&'a str, StripeError> {
    if value.trim().is_empty() || value.chars().count() > 500 {
        return Err(StripeError::Invalid(format!("{name} must have 1 to 500 characters")));
    }
    Ok(value)
}

/// A Stripe object id starting with `prefix`, letters, digits and `_` only (it may go in a path).
fn stripe_id<'a>(id: &'a str, prefix: &str, name: &str) -> Result<&'a str, StripeError> {
    let valid = id.len() > prefix.len()
        && id.len() <= MAX_KEY_LEN
        && id.starts_with(prefix)
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if valid { Ok(id) } else { Err(StripeError::Invalid(format!("{name} is not a valid Stripe {prefix}... id"))) }
}

#[cfg(test)]
#[path = "client_tests.rs"]
mod tests;
