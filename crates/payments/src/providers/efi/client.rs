//! The EFI PIX HTTP client: one reqwest client holding the account's certificate (mutual TLS),
//! an OAuth2 client-credentials token cached until shortly before it expires, and the calls.

use std::fmt;
use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde::Deserialize;

use super::EfiError;
use super::auth::{ApiProfile, AuthorizedApi, http_builder};
use super::model::{
    Cob, CobRequest, Devolucao, MAX_AMOUNT_CENTS, WireRefundRequest, format_amount, valid_refund_id, valid_txid,
};
use super::transport::{chain, clip};
use super::wire::{WireCob, WireDevolucao};

/// EFI's production PIX API.
pub const PRODUCTION_URL: &str = "https://pix.api.efipay.com.br";
/// EFI's homologation (sandbox) PIX API.
pub const HOMOLOGATION_URL: &str = "https://pix-h.api.efipay.com.br";

/// The PIX API: its token at `/oauth/token` (EFI's documented default lifetime is an hour),
/// `nome`/`mensagem` errors.
static PIX_API: ApiProfile =
    ApiProfile { name: "EFI", token_path: "/oauth/token", default_token_secs: 3600, log_path: true, api_error };
/// How to reach one EFI account's PIX API.
#[derive(Clone)]
pub struct EfiConfig {
    /// [`PRODUCTION_URL`], [`HOMOLOGATION_URL`], or a test server; must be `https`.
    pub base_url: String,
    /// The application's Client_Id.
    pub client_id: String,
    /// The application's Client_Secret.
    pub client_secret: String,
    /// The account's certificate and its unencrypted private key, in PEM (see the module docs
    /// for the `openssl pkcs12` conversion of EFI's `.p12`).
    pub certificate_pem: String,
    /// Extra root certificates (PEM) to trust besides the system's, e.g. a test CA.
    pub extra_root_pem: Option<String>,
    /// Where the client may connect ([`balcao_core::outbound`]).
    pub outbound: balcao_core::outbound::Policy,
}

impl fmt::Debug for EfiConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EfiConfig")
            .field("base_url", &self.base_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("certificate_pem", &"<redacted>")
            .field("extra_root_pem", &self.extra_root_pem.as_ref().map(|_| "<set>"))
            .finish()
    }
}

/// EFI's error bodies: its own (`nome`, `mensagem`), the central bank's problem details
/// (`title`, `detail`) and OAuth's (`error`, `error_description`).
#[derive(Deserialize, Default)]
struct ErrorBody {
    nome: Option<String>,
    mensagem: Option<String>,
    title: Option<String>,
    detail: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

/// The PIX API client of one EFI account. Cheap to share behind an `Arc`; calls run
/// concurrently and share one token.
pub struct EfiClient {
    /// The PIX API behind its token; [`split`](super::split) calls it too.
    pub(super) api: AuthorizedApi,
}

impl fmt::Debug for EfiClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EfiClient").field("base_url", &self.api.base_url()).finish_non_exhaustive()
    }
}

impl EfiClient {
    /// Builds the client: checks the base URL, loads the certificate for mutual TLS and the
    /// extra roots, and sets timeouts. Nothing is sent until the first call.
    pub fn new(config: EfiConfig) -> Result<Self, EfiError> {
        let base_url = config.base_url.trim_end_matches('/').to_owned();
        let parsed = reqwest::Url::parse(&base_url).map_err(|_| EfiError::Config("base_url is not a URL".into()))?;
        if parsed.scheme() != "https" || parsed.query().is_some() || parsed.host_str().is_none() {
            return Err(EfiError::Config("base_url must be an https URL without a query".into()));
        }
        balcao_core::outbound::check_url(&parsed, config.outbound)
            .map_err(|_| EfiError::Config("base_url is not an allowed destination".into()))?;
        let identity = reqwest::Identity::from_pem(config.certificate_pem.as_bytes()).map_err(|e| {
            EfiError::Config(format!(
                "certificate_pem must hold the certificate and its unencrypted private key: {}",
                chain(&e)
            ))
        })?;
        let mut builder = http_builder(config.outbound).identity(identity).https_only(true);
        if let Some(pem) = &config.extra_root_pem {
            let roots = reqwest::Certificate::from_pem_bundle(pem.as_bytes())
                .map_err(|e| EfiError::Config(format!("extra_root_pem: {}", chain(&e))))?;
            if roots.is_empty() {
                return Err(EfiError::Config("extra_root_pem holds no certificate".into()));
            }
            builder = builder.tls_certs_merge(roots);
        }
        let http = builder.build().map_err(|e| EfiError::Config(format!("HTTP client: {}", chain(&e))))?;
        Ok(Self { api: AuthorizedApi::new(http, base_url, config.client_id, config.client_secret, &PIX_API) })
    }

    /// Creates an immediate charge under our `txid` (`PUT /v2/cob/:txid`).
    pub async fn create_charge(&self, txid: &str, request: &CobRequest) -> Result<Cob, EfiError> {
        check_txid(txid)?;
        request.validate().map_err(EfiError::InvalidInput)?;
        let body = request.to_wire().map_err(EfiError::InvalidInput)?;
        let cob: WireCob = self.api.call(Method::PUT, &format!("/v2/cob/{txid}"), Some(&body)).await?;
        cob.into_model().map_err(|e| EfiError::Decode(e.to_string()))
    }

    /// Reads a charge, with the PIX that paid it (`GET /v2/cob/:txid`).
    pub async fn get_charge(&self, txid: &str) -> Result<Cob, EfiError> {
        check_txid(txid)?;
        let cob: WireCob = self.api.call(Method::GET, &format!("/v2/cob/{txid}"), None).await?;
        cob.into_model().map_err(|e| EfiError::Decode(e.to_string()))
    }

    /// Refunds `amount_cents` of a received PIX under our `refund_id`
    /// (`PUT /v2/pix/:e2eId/devolucao/:id`). The answer is usually `Processing`; the outcome
    /// arrives by webhook or by reading the PIX again.
    pub async fn refund(&self, e2e_id: &str, refund_id: &str, amount_cents: i64) -> Result<Devolucao, EfiError> {
        if !valid_refund_id(e2e_id) {
            return Err(EfiError::InvalidInput("e2e_id must match [a-zA-Z0-9]{1,35}".into()));
        }
        if !valid_refund_id(refund_id) {
            return Err(EfiError::InvalidInput("refund_id must match [a-zA-Z0-9]{1,35}".into()));
        }
        let valor = format_amount(amount_cents)
            .filter(|_| amount_cents > 0)
            .ok_or_else(|| EfiError::InvalidInput(format!("amount_cents must be between 1 and {MAX_AMOUNT_CENTS}")))?;
        let body =
            serde_json::to_value(WireRefundRequest { valor }).map_err(|e| EfiError::InvalidInput(e.to_string()))?;
        let path = format!("/v2/pix/{e2e_id}/devolucao/{refund_id}");
        let devolucao: WireDevolucao = self.api.call(Method::PUT, &path, Some(&body)).await?;
        devolucao.into_model().map_err(|e| EfiError::Decode(e.to_string()))
    }
}

fn check_txid(txid: &str) -> Result<(), EfiError> {
    if valid_txid(txid) { Ok(()) } else { Err(EfiError::InvalidInput("txid must match [a-zA-Z0-9]{26,35}".into())) }
}

/// An error answer: 408, 429 and 5xx may pass, other statuses will not.
fn api_error(status: StatusCode, retry_after: Option<Duration>, body: &[u8]) -> EfiError {
    let parsed: ErrorBody = serde_json::from_slice(body).unwrap_or_default();
    let code = status.as_u16();
    let name = clip(parsed.nome.or(parsed.title).or(parsed.error).unwrap_or_else(|| format!("http_{code}")));
    let message = clip(parsed.mensagem.or(parsed.detail).or(parsed.error_description).unwrap_or_default());
    if code == 408 || code == 429 || status.is_server_error() {
        EfiError::Unavailable { status: code, name, message, retry_after }
    } else {
        EfiError::Api { status: code, name, message }
    }
}
