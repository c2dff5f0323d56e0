//! A store's provider accounts as staff see and set them, and what each provider needs.

use std::collections::BTreeMap;

use balcao_core::id::StoreId;

use crate::payments::model::Method;

/// The providers that take `method`, in order of preference.
pub fn providers_for(method: Method) -> &'static [&'static str] {
    match method {
        Method::Pix => &["efi", "pagbank"],
        // EFI issues boletos through its billing API (Cobranças) with the same credentials.
        Method::Boleto => &["efi", "pagbank"],
        Method::Card => &["stripe", "pagbank"],
    }
}

/// The keyring context binding an account's sealed credentials to it.
pub fn credentials_context(store: StoreId, provider: &str) -> String {
    format!("payment-account:{store}:{provider}")
}

/// A store's account at a provider as staff see it: credentials are never returned, only
/// their names.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct PaymentAccount {
    /// `efi`, `stripe` or `pagbank`.
    #[schema(example = "stripe")]
    pub provider: String,
    /// Non-secret settings: `base_url`; EFI `pix_key`.
    #[schema(value_type = Object)]
    pub settings: serde_json::Value,
    /// The names of the credentials stored (sealed).
    pub configured_credentials: Vec<String>,
    /// Whether it takes payments (otherwise the sandbox does).
    pub active: bool,
    /// When it last changed.
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

/// `PUT .../payment-accounts/{provider}`.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
pub struct UpsertAccount {
    /// Stripe: `secret_key` (`sk_...` or `rk_...`). EFI: `client_id`, `client_secret`,
    /// `certificate_pem` (certificate and key).
    pub credentials: BTreeMap<String, String>,
    /// Non-secret settings: `base_url` (https, never internal unless the operator allows it);
    /// EFI: `pix_key`, and `billing_base_url` for boletos (the billing API, EFI's production
    /// `https://cobrancas.api.efipay.com.br` by default; homologation
    /// `https://cobrancas-h.api.efipay.com.br`), under the same policy as `base_url`.
    #[serde(default)]
    #[schema(value_type = Object)]
    pub settings: serde_json::Map<String, serde_json::Value>,
    /// Whether it takes payments (default true).
    pub active: Option<bool>,
}

/// What each provider takes: required credentials, optional credentials, required settings.
pub type Needs = (&'static [&'static str], &'static [&'static str], &'static [&'static str]);

pub fn required(provider: &str) -> Option<Needs> {
    match provider {
        "stripe" => Some((&["secret_key"], &[], &[])),
        // `extra_root_pem` trusts a private CA (EFI's homologation behind a proxy, tests).
        "efi" => Some((&["client_id", "client_secret", "certificate_pem"], &["extra_root_pem"], &["pix_key"])),
        "pagbank" => Some((&["token"], &[], &[])),
        _ => None,
    }
}
