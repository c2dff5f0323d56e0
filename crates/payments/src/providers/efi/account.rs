//! A store's EFI account as the clients need it: the PIX and billing configurations built from
//! its credentials and settings, the clients kept per account (so each OAuth token is reused
//! until it expires), and EFI's errors as the provider seam's.

use std::sync::Arc;

use super::{BILLING_PRODUCTION_URL, BillingConfig, EfiBillingClient, EfiClient, EfiConfig, EfiError, PRODUCTION_URL};
use crate::providers::cache::Clients;
use crate::providers::{Account, ProviderError};

/// EFI's error as the provider seam's: retryable when EFI may answer later.
pub fn error(e: EfiError) -> ProviderError {
    let code = e.name().unwrap_or("efi_error").to_owned();
    if e.is_retryable() {
        ProviderError::retryable(code, e.to_string())
    } else {
        ProviderError::permanent(code, e.to_string())
    }
}

/// A credential the account must have.
pub fn credential<'a>(account: &'a Account, name: &str) -> Result<&'a str, ProviderError> {
    account
        .credentials
        .get(name)
        .map(String::as_str)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| ProviderError::permanent("missing_credentials", format!("the EFI account has no {name}")))
}

/// A non-empty setting of the account.
pub fn setting<'a>(account: &'a Account, name: &str) -> Option<&'a str> {
    account.settings.get(name).and_then(|v| v.as_str()).filter(|v| !v.is_empty())
}

/// The PIX API configuration of a store's EFI account: `settings.base_url` (default
/// [`PRODUCTION_URL`]), its certificate and application credentials.
pub fn pix_config(account: &Account) -> Result<EfiConfig, ProviderError> {
    Ok(EfiConfig {
        base_url: setting(account, "base_url").unwrap_or(PRODUCTION_URL).to_owned(),
        client_id: credential(account, "client_id")?.to_owned(),
        client_secret: credential(account, "client_secret")?.to_owned(),
        certificate_pem: credential(account, "certificate_pem")?.to_owned(),
        extra_root_pem: account.credentials.get("extra_root_pem").cloned(),
        outbound: account.outbound,
    })
}

/// The billing API configuration of a store's EFI account: `settings.billing_base_url`
/// (default [`BILLING_PRODUCTION_URL`]) and the account's `client_id` and `client_secret`.
pub fn billing_config(account: &Account) -> Result<BillingConfig, ProviderError> {
    Ok(BillingConfig {
        base_url: setting(account, "billing_base_url").unwrap_or(BILLING_PRODUCTION_URL).to_owned(),
        client_id: credential(account, "client_id")?.to_owned(),
        client_secret: credential(account, "client_secret")?.to_owned(),
        outbound: account.outbound,
    })
}

/// The PIX and billing clients of every EFI account seen, each built once.
#[derive(Default)]
pub struct EfiClients {
    pix: Clients<EfiClient>,
    billing: Clients<EfiBillingClient>,
}

impl EfiClients {
    /// No clients yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The account's PIX API client.
    pub fn pix(&self, account: &Account) -> Result<Arc<EfiClient>, ProviderError> {
        let config = pix_config(account)?;
        let parts = [config.base_url.as_str(), &config.client_id, &config.client_secret, &config.certificate_pem];
        let extra = config.extra_root_pem.clone().unwrap_or_default();
        let parts = [&parts[..], &[extra.as_str()]].concat();
        self.pix.get_or_build(&parts, || EfiClient::new(config.clone()).map_err(error))
    }

    /// The account's billing API client.
    pub fn billing(&self, account: &Account) -> Result<Arc<EfiBillingClient>, ProviderError> {
        let config = billing_config(account)?;
        let parts = [config.base_url.as_str(), &config.client_id, &config.client_secret];
        self.billing.get_or_build(&parts, || EfiBillingClient::new(config.clone()).map_err(error))
    }
}
