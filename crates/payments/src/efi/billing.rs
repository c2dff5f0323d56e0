//! The EFI billing API (Cobranças) client: boletos issued in one step, charges read and
//! cancelled, notification tokens read back. Unlike the PIX API it takes no client
//! certificate: plain TLS, OAuth2 client credentials with HTTP basic auth at `/v1/authorize`,
//! and one token reused until shortly before it expires.

use std::fmt;
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use tokio::sync::Mutex;
use tokio::time::Instant;

use super::EfiError;
use super::billing_model::{
    BillingCharge, BoletoRequest, Envelope, IssuedBoleto, NotificationEntry, WireCharge, WireEntry, WireIssued,
};
use super::client::{chain, clip, read, transport};
use super::model::{describe_json_error, lenient_u64};

/// EFI's production billing API.
pub const BILLING_PRODUCTION_URL: &str = "https://cobrancas.api.efipay.com.br";
/// EFI's homologation (sandbox) billing API.
pub const BILLING_HOMOLOGATION_URL: &str = "https://cobrancas-h.api.efipay.com.br";

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// A token is renewed this long before it expires (at most half of its lifetime).
const TOKEN_MARGIN: Duration = Duration::from_secs(60);
/// The billing API's documented token lifetime, used when `expires_in` is missing.
const DEFAULT_TOKEN_SECS: u64 = 600;
/// Lifetimes above this are capped.
const MAX_TOKEN_SECS: u64 = 86_400;
/// The longest notification token accepted (EFI's are UUIDs).
const MAX_NOTIFICATION_TOKEN: usize = 128;

/// How to reach one EFI account's billing API.
#[derive(Clone)]
pub struct BillingConfig {
    /// [`BILLING_PRODUCTION_URL`], [`BILLING_HOMOLOGATION_URL`], or a test server.
    pub base_url: String,
    /// The application's Client_Id.
    pub client_id: String,
    /// The application's Client_Secret.
    pub client_secret: String,
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

/// A cached access token; deliberately not `Debug`.
struct Token {
    value: String,
    fresh_until: Instant,
}

#[derive(Deserialize)]
struct TokenResponse {
    access_token: String,
    #[serde(default, deserialize_with = "lenient_u64")]
    expires_in: Option<u64>,
}

/// The billing API client of one EFI account. Cheap to share behind an `Arc`; calls run
/// concurrently and share one token.
pub struct EfiBillingClient {
    http: reqwest::Client,
    base_url: String,
    client_id: String,
    client_secret: String,
    token: Mutex<Option<Token>>,
}

impl fmt::Debug for EfiBillingClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EfiBillingClient").field("base_url", &self.base_url).finish_non_exhaustive()
    }
}

impl EfiBillingClient {
    /// Builds the client: checks the base URL (`https`, or `http` for a local test server) and
    /// sets timeouts; redirects are not followed. Nothing is sent until the first call.
    pub fn new(config: BillingConfig) -> Result<Self, EfiError> {
        let base_url = config.base_url.trim_end_matches('/').to_owned();
        let parsed = reqwest::Url::parse(&base_url).map_err(|_| EfiError::Config("base_url is not a URL".into()))?;
        let scheme_ok = matches!(parsed.scheme(), "https" | "http");
        if !scheme_ok || parsed.query().is_some() || parsed.host_str().is_none() {
            return Err(EfiError::Config("billing base_url must be an http(s) URL without a query".into()));
        }
        if config.client_id.is_empty() || config.client_secret.is_empty() {
            return Err(EfiError::Config("client_id and client_secret are required".into()));
        }
        let http = reqwest::Client::builder()
            .https_only(parsed.scheme() == "https")
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .user_agent(concat!("balcao/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| EfiError::Config(format!("HTTP client: {}", chain(&e))))?;
        Ok(Self {
            http,
            base_url,
            client_id: config.client_id,
            client_secret: config.client_secret,
            token: Mutex::new(None),
        })
    }

    /// Issues a boleto in one step (`POST /v1/charge/one-step`). EFI takes no idempotency key
    /// here: a retry after a lost answer may issue a second boleto.
    pub async fn create_boleto(&self, request: &BoletoRequest) -> Result<IssuedBoleto, EfiError> {
        request.validate().map_err(EfiError::InvalidInput)?;
        let body = request.to_wire();
        let issued: Envelope<WireIssued> = self.call(Method::POST, "/v1/charge/one-step", Some(&body)).await?;
        issued.data.into_model().map_err(EfiError::Decode)
    }

    /// Reads a charge (`GET /v1/charge/:id`).
    pub async fn get_charge(&self, charge_id: u64) -> Result<BillingCharge, EfiError> {
        let charge: Envelope<WireCharge> = self.call(Method::GET, &format!("/v1/charge/{charge_id}"), None).await?;
        Ok(charge.data.into_model())
    }

    /// Cancels a charge that is not paid yet (`PUT /v1/charge/:id/cancel`).
    pub async fn cancel_charge(&self, charge_id: u64) -> Result<(), EfiError> {
        let _: Value = self.call(Method::PUT, &format!("/v1/charge/{charge_id}/cancel"), None).await?;
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
            self.call(Method::GET, &format!("/v1/notification/{token}"), None).await?;
        entries.data.into_iter().map(WireEntry::into_model).collect::<Result<_, _>>().map_err(EfiError::Decode)
    }

    /// One API call with the cached token; a 401 drops the token and retries once with a new one.
    async fn call<T: DeserializeOwned>(&self, method: Method, path: &str, body: Option<&Value>) -> Result<T, EfiError> {
        let url = format!("{}{path}", self.base_url);
        let token = self.token().await?;
        let mut response = self.send(&method, &url, body, &token).await?;
        if response.status() == StatusCode::UNAUTHORIZED {
            tracing::info!(%method, "EFI billing refused the access token; renewing it once");
            self.forget_token(&token).await;
            let token = self.token().await?;
            response = self.send(&method, &url, body, &token).await?;
        }
        let (status, retry_after, bytes) = read(response).await?;
        if !status.is_success() {
            return Err(api_error(status, retry_after, &bytes));
        }
        serde_json::from_slice(&bytes).map_err(|e| EfiError::Decode(describe_json_error(&e)))
    }

    async fn send(
        &self,
        method: &Method,
        url: &str,
        body: Option<&Value>,
        token: &str,
    ) -> Result<reqwest::Response, EfiError> {
        let mut request = self.http.request(method.clone(), url).bearer_auth(token);
        if let Some(body) = body {
            request = request.json(body);
        }
        request.send().await.map_err(transport)
    }

    /// The cached token, or a new one; concurrent calls wait for one token request.
    async fn token(&self) -> Result<String, EfiError> {
        let mut cached = self.token.lock().await;
        if let Some(token) = cached.as_ref()
            && Instant::now() < token.fresh_until
        {
            return Ok(token.value.clone());
        }
        *cached = None;
        let token = self.fetch_token().await?;
        let value = token.value.clone();
        *cached = Some(token);
        Ok(value)
    }

    /// Drops the cached token if it is still the one EFI refused.
    async fn forget_token(&self, refused: &str) {
        let mut cached = self.token.lock().await;
        if cached.as_ref().is_some_and(|t| t.value == refused) {
            *cached = None;
        }
    }

    /// `POST /v1/authorize` with HTTP basic auth and `{"grant_type": "client_credentials"}`.
    async fn fetch_token(&self) -> Result<Token, EfiError> {
        let asked_at = Instant::now();
        let response = self
            .http
            .post(format!("{}/v1/authorize", self.base_url))
            .basic_auth(&self.client_id, Some(&self.client_secret))
            .json(&serde_json::json!({ "grant_type": "client_credentials" }))
            .send()
            .await
            .map_err(transport)?;
        let (status, retry_after, bytes) = read(response).await?;
        if !status.is_success() {
            return Err(match api_error(status, retry_after, &bytes) {
                EfiError::Api { status, name, message } => EfiError::Auth { status, name, message },
                other => other,
            });
        }
        // The body is a secret: no serde text (which can quote values) goes into the error.
        let parsed: TokenResponse = serde_json::from_slice(&bytes).map_err(|e| {
            EfiError::Decode(format!(
                "token response: {:?} error at line {}, column {}",
                e.classify(),
                e.line(),
                e.column()
            ))
        })?;
        if parsed.access_token.is_empty() {
            return Err(EfiError::Decode("token response: empty access_token".into()));
        }
        let lifetime = Duration::from_secs(parsed.expires_in.unwrap_or(DEFAULT_TOKEN_SECS).min(MAX_TOKEN_SECS));
        tracing::debug!(lifetime_secs = lifetime.as_secs(), "EFI billing issued an access token");
        Ok(Token { value: parsed.access_token, fresh_until: asked_at + lifetime - TOKEN_MARGIN.min(lifetime / 2) })
    }
}

/// Whether `token` can be an EFI notification token (and is safe in a URL path).
pub fn valid_notification_token(token: &str) -> bool {
    (1..=MAX_NOTIFICATION_TOKEN).contains(&token.len()) && token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

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
