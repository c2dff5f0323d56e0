//! The sandbox provider: the default for a store without a provider account. It answers a
//! real, valid PIX BR Code (static, for a test merchant, carrying the payment's txid) and a
//! valid boleto line, and a fake client secret for cards; nothing is ever charged.
//! `POST .../payments/{id}/simulate` then reports the payment paid, failed or expired.

use async_trait::async_trait;
use chrono::Utc;

use super::{Account, Charge, ChargeRef, ChargeRequest, PaymentProvider, ProviderError, Remote};
use crate::br::boleto;
use crate::br::pix::brcode::StaticBrCode;
use crate::payments::model::{Instructions, Method};

/// The test merchant's PIX key (a random EVP key that belongs to no one).
pub const SANDBOX_PIX_KEY: &str = "7d9f0335-8dcc-4054-9bf9-0dbd61d36906";
/// The test merchant's city.
pub const SANDBOX_CITY: &str = "SAO PAULO";
/// The bank code on sandbox boletos.
pub const SANDBOX_BANK: &str = "001";

/// Charges nothing; answers real, valid codes.
#[derive(Debug, Clone, Copy, Default)]
pub struct SandboxProvider;

fn invalid(e: impl std::fmt::Display) -> ProviderError {
    ProviderError::permanent("sandbox_invalid", e.to_string())
}

#[async_trait]
impl PaymentProvider for SandboxProvider {
    fn name(&self) -> &'static str {
        "sandbox"
    }

    fn methods(&self) -> &'static [Method] {
        &[Method::Pix, Method::Boleto, Method::Card]
    }

    async fn create(&self, _account: &Account, req: &ChargeRequest) -> Result<Charge, ProviderError> {
        let expires_at = Utc::now() + chrono::Duration::from_std(req.expires_in).unwrap_or(chrono::Duration::hours(1));
        let txid = req.txid();
        let mut instructions = Instructions::default();
        match req.method {
            Method::Pix => {
                let code = StaticBrCode {
                    key: SANDBOX_PIX_KEY.into(),
                    amount: Some(req.amount),
                    merchant_name: req.store_name.clone(),
                    merchant_city: SANDBOX_CITY.into(),
                    // A static code's reference label holds at most 25 characters.
                    txid: Some(txid.chars().take(25).collect()),
                    description: Some(format!("Pedido {}", req.order_number)),
                }
                .encode()
                .map_err(invalid)?;
                instructions.pix_code = Some(code);
            }
            Method::Boleto => {
                let due = expires_at.date_naive();
                // The free field: the order number and the payment's id digits, 25 digits in all.
                let digits: String = req.payment_id.uuid().as_u128().to_string().chars().rev().take(15).collect();
                let free_field = format!("{:010}{digits:0>15}", req.order_number.rem_euclid(10_000_000_000));
                let boleto = boleto::build(SANDBOX_BANK, req.amount, due, &free_field).map_err(invalid)?;
                instructions.boleto_line = Some(boleto.formatted_line());
                instructions.boleto_barcode = Some(boleto.barcode().to_owned());
                instructions.due_date = Some(due);
            }
            Method::Card => {
                instructions.client_secret =
                    Some(format!("sbx_pi_{txid}_secret_{}", balcao_core::crypto::random_alphanumeric(16)));
            }
        }
        Ok(Charge {
            provider_payment_id: format!("sbx_{txid}"),
            instructions,
            expires_at: Some(expires_at),
            status: Remote::Pending,
        })
    }

    async fn refund(
        &self,
        _account: &Account,
        _charge: ChargeRef<'_>,
        refund_id: &str,
        _amount: i64,
    ) -> Result<String, ProviderError> {
        Ok(format!("sbx_re_{refund_id}"))
    }

    async fn status(&self, _account: &Account, _charge: ChargeRef<'_>) -> Result<Remote, ProviderError> {
        Ok(Remote::Pending)
    }
}
