//! Cards through Stripe: a PaymentIntent per payment (the frontend confirms it with Stripe's
//! elements using its client secret), refunds, and the intent's state for reconciliation.

use std::sync::Arc;

use async_trait::async_trait;
use balcao_core::money::Currency;
use chrono::Utc;

use super::{CreatePaymentIntent, DEFAULT_BASE_URL, PaymentIntentStatus, StripeClient, StripeConfig, StripeError};
use crate::payments::model::{Instructions, Method};
use crate::providers::cache::Clients;
use crate::providers::{Account, Charge, ChargeRef, ChargeRequest, PaymentProvider, ProviderError, Remote};

/// The Stripe provider, with a client kept per account.
#[derive(Default)]
pub struct StripeProvider {
    clients: Clients<StripeClient>,
}

impl StripeProvider {
    /// A provider with no clients yet.
    pub fn new() -> Self {
        Self::default()
    }
}

/// The client on the store's account (its `secret_key`, and `base_url` when set), built the
/// first time `clients` is asked for it.
pub fn client(clients: &Clients<StripeClient>, account: &Account) -> Result<Arc<StripeClient>, ProviderError> {
    let secret_key = account
        .credentials
        .get("secret_key")
        .ok_or_else(|| ProviderError::permanent("missing_credentials", "the Stripe account has no secret_key"))?;
    let base_url = account.settings.get("base_url").and_then(|v| v.as_str()).unwrap_or(DEFAULT_BASE_URL);
    let config = StripeConfig {
        base_url: base_url.to_owned(),
        secret_key: secret_key.clone(),
        webhook_secret: String::new(),
        outbound: account.outbound,
    };
    clients.get_or_build(&[&config.base_url, &config.secret_key], || StripeClient::new(&config).map_err(error))
}

fn error(e: StripeError) -> ProviderError {
    let code = e.code().unwrap_or("stripe_error").to_owned();
    if e.is_retryable() {
        ProviderError::retryable(code, e.to_string())
    } else {
        ProviderError::permanent(code, e.to_string())
    }
}

#[async_trait]
impl PaymentProvider for StripeProvider {
    fn name(&self) -> &'static str {
        "stripe"
    }

    fn methods(&self) -> &'static [Method] {
        &[Method::Card]
    }

    async fn create(&self, account: &Account, req: &ChargeRequest) -> Result<Charge, ProviderError> {
        if req.method != Method::Card {
            return Err(ProviderError::permanent("unsupported_method", "Stripe takes cards here"));
        }
        let intent = CreatePaymentIntent {
            amount: req.amount,
            currency: Currency::BRL,
            order_id: req.order_id.to_string(),
            payment_id: req.payment_id.to_string(),
            description: Some(format!("{} - pedido {}", req.store_name, req.order_number)),
            // Shares to transfer once paid are grouped with the payment (Connect transfers).
            transfer_group: req.splits.iter().any(|s| s.destination.is_some()).then(|| req.payment_id.to_string()),
        };
        let created = client(&self.clients, account)?
            .create_payment_intent(&intent, &req.idempotency_key)
            .await
            .map_err(error)?;
        let instructions = Instructions { client_secret: Some(created.client_secret), ..Instructions::default() };
        // A card payment waits for the payer without a deadline of its own.
        Ok(Charge { provider_payment_id: created.id, instructions, expires_at: None, status: Remote::Pending })
    }

    async fn refund(
        &self,
        account: &Account,
        charge: ChargeRef<'_>,
        refund_id: &str,
        amount: i64,
    ) -> Result<String, ProviderError> {
        let refund = client(&self.clients, account)?
            .create_refund(charge.id, amount, None, &format!("refund-{refund_id}"))
            .await
            .map_err(error)?;
        Ok(refund.id)
    }

    async fn status(&self, account: &Account, charge: ChargeRef<'_>) -> Result<Remote, ProviderError> {
        let intent = client(&self.clients, account)?.retrieve_payment_intent(charge.id).await.map_err(error)?;
        Ok(match intent.status {
            PaymentIntentStatus::Succeeded => Remote::Paid { amount: intent.amount_received, at: Utc::now() },
            PaymentIntentStatus::Canceled => Remote::Gone,
            _ => Remote::Pending,
        })
    }
}
