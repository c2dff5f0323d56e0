//! What the PIX and billing clients share: an HTTP client with EFI's timeouts, the OAuth2
//! client-credentials token (asked for with HTTP basic auth, cached until shortly before it
//! expires, its response kept out of error texts) and the authorized JSON call that renews a
//! refused token once. Each API names its token path, default lifetime and error reading in an
//! [`ApiProfile`].

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use tokio::sync::Mutex;
use tokio::time::Instant;

use super::EfiError;
use super::model::{describe_json_error, lenient_u64};
use super::transport::{read, transport};

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// A token is renewed this long before it expires (at most half of its lifetime).
const TOKEN_MARGIN: Duration = Duration::from_secs(60);
/// Lifetimes above this are capped (a bogus `expires_in` must not pin a token forever).
const MAX_TOKEN_SECS: u64 = 86_400;

/// A client builder with EFI's connect and request timeouts and our user agent.
pub(super) fn http_builder(outbound: balcao_core::outbound::Policy) -> reqwest::ClientBuilder {
    balcao_core::outbound::builder(outbound).connect_timeout(CONNECT_TIMEOUT).timeout(REQUEST_TIMEOUT)
}

/// How one EFI API differs from the other in its token and its error answers.
pub(super) struct ApiProfile {
    /// The API's name in logs, e.g. `EFI` or `EFI billing`.
    pub(super) name: &'static str,
    /// Where the token is asked for, e.g. `/oauth/token`.
    pub(super) token_path: &'static str,
    /// The token lifetime when `expires_in` is missing.
    pub(super) default_token_secs: u64,
    /// Whether a renewal log names the path of the call.
    pub(super) log_path: bool,
    /// Reads an error answer (status, `Retry-After`, body).
    pub(super) api_error: fn(StatusCode, Option<Duration>, &[u8]) -> EfiError,
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

/// One token shared by concurrent calls.
#[derive(Default)]
struct TokenCache {
    slot: Mutex<Option<Token>>,
}

impl TokenCache {
    /// The cached token, or a new one from `fetch`. The lock is held while fetching, so
    /// concurrent calls wait for one token request instead of each making their own.
    async fn get<F: Future<Output = Result<Token, EfiError>>>(
        &self,
        fetch: impl FnOnce() -> F,
    ) -> Result<String, EfiError> {
        let mut cached = self.slot.lock().await;
        if let Some(token) = cached.as_ref()
            && Instant::now() < token.fresh_until
        {
            return Ok(token.value.clone());
        }
        *cached = None;
        let token = fetch().await?;
        let value = token.value.clone();
        *cached = Some(token);
        Ok(value)
    }

    /// Drops the cached token if it is still the one EFI refused (another call may have renewed it).
    async fn forget(&self, refused: &str) {
        let mut cached = self.slot.lock().await;
        if cached.as_ref().is_some_and(|t| t.value == refused) {
            *cached = None;
        }
    }
}

/// Reads a successful token answer asked for at `asked_at`. The body is a secret: no serde
/// text (which can quote values) goes into the error.
fn parse_token(bytes: &[u8], asked_at: Instant, default_secs: u64) -> Result<(Token, Duration), EfiError> {
    let parsed: TokenResponse = serde_json::from_slice(bytes).map_err(|e| {
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
    let lifetime = Duration::from_secs(parsed.expires_in.unwrap_or(default_secs).min(MAX_TOKEN_SECS));
    let fresh_until = asked_at + lifetime - TOKEN_MARGIN.min(lifetime / 2);
    Ok((Token { value: parsed.access_token, fresh_until }, lifetime))
}

/// One EFI API reached with an OAuth2 client-credentials token: the HTTP client (with or
/// without a client certificate), the base URL, the credentials and the cached token.
pub(super) struct AuthorizedApi {
    http: reqwest::Client,
    base_url: String,
    client_id: String,
    client_secret: String,
    token: TokenCache,
    profile: &'static ApiProfile,
}

impl AuthorizedApi {
    /// `base_url` without a trailing slash; nothing is sent until the first call.
    pub(super) fn new(
        http: reqwest::Client,
        base_url: String,
        client_id: String,
        client_secret: String,
        profile: &'static ApiProfile,
    ) -> Self {
        Self { http, base_url, client_id, client_secret, token: TokenCache::default(), profile }
    }

    pub(super) fn base_url(&self) -> &str {
        &self.base_url
    }

    /// One API call with the cached token; a 401 drops the token and retries once with a new one.
    pub(super) async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<T, EfiError> {
        let url = format!("{}{path}", self.base_url);
        let token = self.token().await?;
        let mut response = self.send(&method, &url, body, &token).await?;
        if response.status() == StatusCode::UNAUTHORIZED {
            let logged_path = self.profile.log_path.then_some(path);
            tracing::info!(%method, path = logged_path, "{} refused the access token; renewing it once", self.profile.name);
            self.token.forget(&token).await;
            let token = self.token().await?;
            response = self.send(&method, &url, body, &token).await?;
        }
        let (status, retry_after, bytes) = read(response).await?;
        if !status.is_success() {
            return Err((self.profile.api_error)(status, retry_after, &bytes));
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

    async fn token(&self) -> Result<String, EfiError> {
        self.token.get(|| self.fetch_token()).await
    }

    /// `POST <token_path>` with HTTP basic auth and `{"grant_type": "client_credentials"}`;
    /// a refusal is an [`EfiError::Auth`].
    async fn fetch_token(&self) -> Result<Token, EfiError> {
        let asked_at = Instant::now();
        let response = self
            .http
            .post(format!("{}{}", self.base_url, self.profile.token_path))
            .basic_auth(&self.client_id, Some(&self.client_secret))
            .json(&serde_json::json!({ "grant_type": "client_credentials" }))
            .send()
            .await
            .map_err(transport)?;
        let (status, retry_after, bytes) = read(response).await?;
        if !status.is_success() {
            return Err(match (self.profile.api_error)(status, retry_after, &bytes) {
                EfiError::Api { status, name, message } => EfiError::Auth { status, name, message },
                other => other,
            });
        }
        let (token, lifetime) = parse_token(&bytes, asked_at, self.profile.default_token_secs)?;
        tracing::debug!(lifetime_secs = lifetime.as_secs(), "{} issued an access token", self.profile.name);
        Ok(token)
    }
}
