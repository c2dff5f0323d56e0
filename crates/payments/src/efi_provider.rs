//! PIX and boletos through a store's EFI account. PIX: a charge (`cob`) per payment whose txid
//! is the payment's id, so a repeated create after a crash updates the same charge; refunds of
//! the received PIX; the charge's state for reconciliation. Boletos go through EFI's billing API
//! ([`billing`]). One client per account and API is kept, so its OAuth token is reused until it
//! expires.

mod billing;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use chrono::Utc;

use crate::efi::split::Repasse;
use crate::efi::{CobRequest, CobStatus, Debtor, DebtorDocument, EfiClient, EfiConfig, EfiError, PRODUCTION_URL};
use crate::model::{Instructions, Method};
use crate::provider::{Account, Charge, ChargeRef, ChargeRequest, PaymentProvider, ProviderError, Remote};

pub use billing::billing_config;

/// Shares with an EFI account ride on the charge (EFI split): one configuration of fixed
/// amounts per charge, keyed by its txid, linked before anyone can pay it.
async fn link_split(client: &EfiClient, req: &ChargeRequest, txid: &str) -> Result<(), ProviderError> {
    let repasses: Vec<Repasse> = req
        .splits
        .iter()
        .filter_map(|share| {
            let (document, account) = share.destination.as_deref()?.split_once(':')?;
            Some(Repasse { document: document.into(), account: account.into(), amount_cents: share.amount })
        })
        .collect();
    if repasses.is_empty() {
        return Ok(());
    }
    let own = req.amount - repasses.iter().map(|r| r.amount_cents).sum::<i64>();
    let body =
        crate::efi::split::config_body(&format!("Pedido {}", req.order_number), own, &repasses).map_err(error)?;
    let config_id = crate::splits::job::efi_split_config_id(txid);
    client.configure_split(&config_id, &body).await.map_err(error)?;
    client.link_split(txid, &config_id).await.map_err(error)
}

/// The EFI provider, with a client cached per account.
#[derive(Default)]
pub struct EfiProvider {
    clients: Mutex<HashMap<String, Arc<EfiClient>>>,
    billing: Mutex<HashMap<String, Arc<crate::efi::EfiBillingClient>>>,
}

fn error(e: EfiError) -> ProviderError {
    let code = e.name().unwrap_or("efi_error").to_owned();
    if e.is_retryable() {
        ProviderError::retryable(code, e.to_string())
    } else {
        ProviderError::permanent(code, e.to_string())
    }
}

fn credential<'a>(account: &'a Account, name: &str) -> Result<&'a str, ProviderError> {
    account
        .credentials
        .get(name)
        .map(String::as_str)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| ProviderError::permanent("missing_credentials", format!("the EFI account has no {name}")))
}

fn setting<'a>(account: &'a Account, name: &str) -> Option<&'a str> {
    account.settings.get(name).and_then(|v| v.as_str()).filter(|v| !v.is_empty())
}

impl EfiProvider {
    /// A provider with no clients yet.
    pub fn new() -> Self {
        Self::default()
    }

    fn client(&self, account: &Account) -> Result<Arc<EfiClient>, ProviderError> {
        let config = EfiConfig {
            base_url: setting(account, "base_url").unwrap_or(PRODUCTION_URL).to_owned(),
            client_id: credential(account, "client_id")?.to_owned(),
            client_secret: credential(account, "client_secret")?.to_owned(),
            certificate_pem: credential(account, "certificate_pem")?.to_owned(),
            extra_root_pem: account.credentials.get("extra_root_pem").cloned(),
            outbound: account.outbound,
        };
        let key = balcao_core::crypto::sha256_hex(
            format!("{}\n{}\n{}\n{}", config.base_url, config.client_id, config.client_secret, config.certificate_pem)
                .as_bytes(),
        );
        let mut clients =
            self.clients.lock().map_err(|_| ProviderError::retryable("efi_client", "client cache poisoned"))?;
        if let Some(client) = clients.get(&key) {
            return Ok(client.clone());
        }
        let client = Arc::new(EfiClient::new(config).map_err(error)?);
        clients.insert(key, client.clone());
        Ok(client)
    }
}

#[async_trait]
impl PaymentProvider for EfiProvider {
    fn name(&self) -> &'static str {
        "efi"
    }

    fn methods(&self) -> &'static [Method] {
        &[Method::Pix, Method::Boleto]
    }

    async fn create(&self, account: &Account, req: &ChargeRequest) -> Result<Charge, ProviderError> {
        if req.method == Method::Boleto {
            return self.create_boleto(account, req).await;
        }
        if req.method != Method::Pix {
            return Err(ProviderError::permanent("unsupported_method", "this EFI account takes PIX and boletos"));
        }
        let key = setting(account, "pix_key")
            .ok_or_else(|| ProviderError::permanent("missing_settings", "the EFI account has no pix_key"))?;
        // EFI requires the payer's name with a CPF or CNPJ, or neither.
        let debtor = req.payer.document.as_ref().and_then(|doc| {
            let document = match doc.len() {
                11 => DebtorDocument::Cpf(doc.clone()),
                14 => DebtorDocument::Cnpj(doc.clone()),
                _ => return None,
            };
            Some(Debtor { document, name: req.payer.name.chars().take(200).collect() })
        });
        let request = CobRequest {
            expires_in_secs: u32::try_from(req.expires_in.as_secs()).unwrap_or(3600),
            debtor,
            amount_cents: req.amount,
            pix_key: key.to_owned(),
            payer_message: Some(format!("Pedido {}", req.order_number)),
        };
        let txid = req.txid();
        let client = self.client(account)?;
        let cob = client.create_charge(&txid, &request).await.map_err(error)?;
        link_split(&client, req, &txid).await?;
        let code = cob.pix_copia_e_cola.ok_or_else(|| {
            ProviderError::permanent("invalid_response", "EFI answered the charge without its BR Code")
        })?;
        let instructions = Instructions { pix_code: Some(code), ..Instructions::default() };
        let expires_at = Utc::now() + chrono::Duration::from_std(req.expires_in).unwrap_or(chrono::Duration::hours(1));
        Ok(Charge { provider_payment_id: txid, instructions, expires_at: Some(expires_at), status: Remote::Pending })
    }

    async fn refund(
        &self,
        account: &Account,
        charge: ChargeRef<'_>,
        refund_id: &str,
        amount: i64,
    ) -> Result<String, ProviderError> {
        if charge.method == Method::Boleto {
            return Err(billing::refund_unsupported());
        }
        let client = self.client(account)?;
        let cob = client.get_charge(charge.id).await.map_err(error)?;
        let Some(pix) = cob.payments.first() else {
            return Err(ProviderError::permanent("not_paid", "EFI shows no PIX received for this charge"));
        };
        let refund = client.refund(&pix.end_to_end_id, refund_id, amount).await.map_err(error)?;
        Ok(refund.rtr_id.unwrap_or(refund.id))
    }

    async fn status(&self, account: &Account, charge: ChargeRef<'_>) -> Result<Remote, ProviderError> {
        if charge.method == Method::Boleto {
            return self.boleto_status(account, charge).await;
        }
        let cob = self.client(account)?.get_charge(charge.id).await.map_err(error)?;
        Ok(match cob.status {
            CobStatus::Completed => {
                let amount = cob.payments.iter().map(|p| p.amount_cents).sum();
                let at = cob.payments.first().map_or_else(Utc::now, |p| p.paid_at);
                Remote::Paid { amount, at }
            }
            CobStatus::RemovedByReceiver | CobStatus::RemovedByPsp => Remote::Gone,
            _ => Remote::Pending,
        })
    }
}
