//! The EFI billing API (Cobranças) client: boletos issued in one step, charges read and
//! cancelled, notification tokens read back. Unlike the PIX API it takes no client
//! certificate: plain TLS, OAuth2 client credentials with HTTP basic auth at `/v1/authorize`,
//! and one token reused until shortly before it expires.

use std::fmt;
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::Value;

use super::EfiError;
use super::auth::{ApiProfile, AuthorizedApi, http_builder};
use super::billing_model::{
    BillingCharge, BoletoRequest, Envelope, IssuedBoleto, NotificationEntry, WireCharge, WireEntry, WireIssued,
};
use super::transport::{chain, clip};

/// EFI's production billing API.
pub const BILLING_PRODUCTION_URL: &str = "https://cobrancas.api.efipay.com.br";
/// EFI's homologation (sandbox) billing API.
pub const BILLING_HOMOLOGATION_URL: &str = "https://cobrancas-h.api.efipay.com.br";

/// The billing API: its token at `/v1/authorize` (documented lifetime: ten minutes),
/// `error`/`error_description` errors. Renewals log no path: it may hold a notification token.
static BILLING_API: ApiProfile = ApiProfile {
    name: "EFI billing",
    token_path: "/v1/authorize",
    default_token_secs: 600,
    log_path: false,
    api_error,
};

/// How to reach one EFI account's billing API.
#[derive(Clone)]
pub struct BillingConfig {
    /// [`BILLING_PRODUCTION_URL`], [`BILLING_HOMOLOGATION_URL`], or a test server.
    pub base_url: String,
    /// The application's Client_Id.
    pub client_id: String,
    /// The application's Client_Secret.
    pub client_secret: String,
    /// Where the client may connect ([`balcao_core::outbound`]).
    pub outbound: balcao_core::outbound::Policy,
}

impl fmt::Debug for BillingConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BillingConfig")
            .field("base_url", &self.base_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .finish()
    }
}

/// The billing API client of one EFI account. Cheap to share behind an `Arc`; calls run
/// concurrently and share one token.
pub struct EfiBillingClient {
    api: AuthorizedApi,
}

impl fmt::Debug for EfiBillingClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EfiBillingClient").field("base_url", &self.api.base_url()).finish_non_exhaustive()
    }
}

impl EfiBillingClient {
    /// Builds the client: checks the base URL (`https`, or `http` for a local test server) and
    /// sets timeouts; redirects are not followed. Nothing is sent until the first call.
    pub fn new(config: BillingConfig) -> Result<Self, EfiError> {
        let (base_url, parsed) = balcao_core::outbound::base_url(&config.base_url, config.outbound)
            .map_err(|e| EfiError::Config(format!("billing {e}")))?;
        if config.client_id.is_empty() || config.client_secret.is_empty() {
            return Err(EfiError::Config("client_id and client_secret are required".into()));
        }
        let http = http_builder(config.outbound)
            .https_only(parsed.scheme() == "https")
            .build()
            .map_err(|e| EfiError::Config(format!("HTTP client: {}", chain(&e))))?;
        Ok(Self { api: AuthorizedApi::new(http, base_url, config.client_id, config.client_secret, &BILLING_API) })
    }

    /// Issues a boleto in one step (`POST /v1/charge/one-step`). EFI takes no idempotency key
    /// here: a retry after a lost answer may issue a second boleto.
    pub async fn create_boleto(&self, request: &BoletoRequest) -> Result<IssuedBoleto, EfiError> {
        request.validate().map_err(EfiError::InvalidInput)?;
        let body = request.to_wire();
        let issued: Envelope<WireIssued> = self.api.call(Method::POST, "/v1/charge/one-step", Some(&body)).await?;
        issued.data.into_model().map_err(EfiError::Decode)
    }

    /// Reads a charge (`GET /v1/charge/:id`).
    pub async fn get_charge(&self, charge_id: u64) -> Result<BillingCharge, EfiError> {
        let charge: Envelope<WireCharge> = self.api.call(Method::GET, &format!("/v1/charge/{charge_id}"), None).await?;
        Ok(charge.data.into_model())
    }

    /// Cancels a charge that is not paid yet (`PUT /v1/charge/:id/cancel`).
    pub async fn cancel_charge(&self, charge_id: u64) -> Result<(), EfiError> {
        let _: Value = self.api.call(Method::PUT, &format!("/v1/charge/{charge_id}/cancel"), None).await?;
        Ok(())
    }

    /// Reads what a notification token stands for (`GET /v1/notification/:token`): the status
    /// changes of its charge, oldest first. Reading it is what tells EFI the notification
    /// arrived; only this account's credentials can read its tokens.
    pub async fn get_notification(&self, token: &str) -> Result<Vec<NotificationEntry>, EfiError> {
        if !valid_notification_token(token) {
            return Err(EfiError::InvalidInput("a notification token matches [A-Za-z0-9-]{1,128}".into()));
        }
        let entries: Envelope<Vec<WireEntry>> =
            self.api.call(Method::GET, &format!("/v1/notification/{token}"), None).await?;
        entries.data.into_iter().map(WireEntry::into_model).collect::<Result<_, _>>().map_err(EfiError::Decode)
    }
}

pub use balcao_core::inbound::efi::valid_token as valid_notification_token;

/// An error answer: 408, 429 and 5xx may pass, other statuses will not. The billing API
/// answers `{"code", "error", "error_description"}`, the description a text or an object
/// naming the refused `property`.
fn api_error(status: StatusCode, retry_after: Option<Duration>, body: &[u8]) -> EfiError {
    let parsed: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    let code = status.as_u16();
    let name = parsed["error"].as_str().map_or_else(|| format!("http_{code}"), str::to_owned);
    let description = &parsed["error_description"];
    let message = match description {
        Value::String(text) => text.clone(),
        Value::Object(_) => {
            let text = description["message"].as_str().unwrap_or_default();
            match description["property"].as_str() {
                Some(property) => format!("{property}: {text}"),
                None => text.to_owned(),
            }
        }
        _ => String::new(),
    };
    let (name, message) = (clip(name), clip(message));
    if code == 408 || code == 429 || status.is_server_error() {
        EfiError::Unavailable { status: code, name, message, retry_after }
    } else {
        EfiError::Api { status: code, name, message }
    }
}

#[cfg(test)]
#[path = "billing_tests.rs"]
mod tests;
