//! PIX and boletos through a store's EFI account. PIX: a charge (`cob`) per payment whose txid
//! is the payment's id, so a repeated create after a crash updates the same charge; refunds of
//! the received PIX; the charge's state for reconciliation. Boletos go through EFI's billing API
//! ([`super::adapter_boleto`]). One client per account and API is kept, so its OAuth token is reused until it
//! expires.

use async_trait::async_trait;
use chrono::Utc;

use super::account::{EfiClients, error, setting};
use super::adapter_boleto as boleto;
use super::split::{Repasse, config_body};
use super::{CobRequest, CobStatus, Debtor, DebtorDocument, EfiClient};
use crate::payments::model::{Instructions, Method};
use crate::providers::{Account, Charge, ChargeRef, ChargeRequest, PaymentProvider, ProviderError, Remote};

/// The id of the EFI split configuration linked to a PIX charge: derived from its txid, so a
/// repeated configuration after a crash updates the same one.
pub fn split_config_id(txid: &str) -> String {
    format!("s{txid}")
}

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
    let body = config_body(&format!("Pedido {}", req.order_number), own, &repasses).map_err(error)?;
    let config_id = split_config_id(txid);
    client.configure_split(&config_id, &body).await.map_err(error)?;
    client.link_split(txid, &config_id).await.map_err(error)
}

/// The EFI provider, with its clients kept per account.
#[derive(Default)]
pub struct EfiProvider {
    clients: EfiClients,
}

impl EfiProvider {
    /// A provider with no clients yet.
    pub fn new() -> Self {
        Self::default()
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
            return boleto::create(&*self.clients.billing(account)?, req).await;
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
        let client = self.clients.pix(account)?;
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
            return Err(boleto::refund_unsupported());
        }
        let client = self.clients.pix(account)?;
        let cob = client.get_charge(charge.id).await.map_err(error)?;
        let Some(pix) = cob.payments.first() else {
            return Err(ProviderError::permanent("not_paid", "EFI shows no PIX received for this charge"));
        };
        let refund = client.refund(&pix.end_to_end_id, refund_id, amount).await.map_err(error)?;
        Ok(refund.rtr_id.unwrap_or(refund.id))
    }

    async fn status(&self, account: &Account, charge: ChargeRef<'_>) -> Result<Remote, ProviderError> {
        if charge.method == Method::Boleto {
            return boleto::status(&*self.clients.billing(account)?, charge).await;
        }
        let cob = self.clients.pix(account)?.get_charge(charge.id).await.map_err(error)?;
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
