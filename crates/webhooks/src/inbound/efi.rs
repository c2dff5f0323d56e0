//! EFI (Gerencianet) PIX webhooks: `hmac` query secret, source IP and proxy-verified mTLS.
//!
//! EFI registers the webhook URL with a secret query parameter (`?hmac=...`)
//! and sends from a published address ([`DEFAULT_SOURCE_CIDRS`]). The mutual
//! TLS handshake EFI requires is terminated at the proxy, which forwards its
//! verdict in a header (e.g. nginx `$ssl_client_verify` as
//! `X-Client-Cert-Verified: SUCCESS`); when configured, that value is checked.
//!
//! EFI's billing API (boletos) notifies differently: a form `notification=<token>` posted to
//! the charge's notification URL, with no secret. The token means nothing without the store's
//! credentials: the handler reads it back from EFI, and that read is its authentication
//! ([`notification_token`]).

use std::net::IpAddr;

use super::{VerifyError, ip, required, secret_eq};

/// Query parameter carrying the shared secret in the registered webhook URL.
pub const HMAC_PARAM: &str = "hmac";

/// Source addresses EFI documents for its webhook calls.
pub const DEFAULT_SOURCE_CIDRS: &[&str] = &["34.193.116.226/32"];

/// Default header in which the proxy reports the client-certificate verdict.
pub const CLIENT_CERT_HEADER: &str = "X-Client-Cert-Verified";

pub use balcao_core::inbound::efi::{NOTIFICATION_PARAM, notification_token};

/// What a store's EFI receiver checks.
#[derive(Debug, Clone, Copy)]
pub struct EfiConfig<'a> {
    /// Expected value of the `hmac` query parameter.
    pub hmac_secret: &'a str,
    /// Allowed source networks; [`DEFAULT_SOURCE_CIDRS`] unless overridden.
    pub allowed_sources: &'a [&'a str],
    /// Expected value of the proxy's mTLS header (e.g. `SUCCESS`); `None` skips the check.
    pub client_cert_verified: Option<&'a str>,
}

/// The parts of an EFI request the checks read.
#[derive(Debug, Clone, Copy)]
pub struct EfiRequest<'a> {
    /// Address of the peer as established by the trusted proxy.
    pub remote: IpAddr,
    /// Value of the `hmac` query parameter, already percent-decoded.
    pub hmac_param: Option<&'a str>,
    /// Value of the proxy's mTLS verdict header.
    pub client_cert_header: Option<&'a str>,
}

/// Runs every EFI check: source address, then mTLS verdict, then `hmac` secret.
pub fn verify(config: &EfiConfig<'_>, request: &EfiRequest<'_>) -> Result<(), VerifyError> {
    verify_source(request.remote, config.allowed_sources)?;
    verify_client_cert(config.client_cert_verified, request.client_cert_header)?;
    verify_hmac_param(config.hmac_secret, request.hmac_param)
}

/// Checks the `hmac` query secret against the configured one.
pub fn verify_hmac_param(expected: &str, received: Option<&str>) -> Result<(), VerifyError> {
    let received = required(received)?;
    if secret_eq(expected.as_bytes(), received.as_bytes()) { Ok(()) } else { Err(VerifyError::BadSignature) }
}

/// Checks that the request comes from an allowed network.
pub fn verify_source<S: AsRef<str>>(remote: IpAddr, allow: &[S]) -> Result<(), VerifyError> {
    if ip::allowlisted(remote, allow) { Ok(()) } else { Err(VerifyError::ForbiddenIp) }
}

/// Checks the proxy's mTLS verdict header when an expected value is configured.
pub fn verify_client_cert(expected: Option<&str>, header: Option<&str>) -> Result<(), VerifyError> {
    let Some(expected) = expected else {
        return Ok(());
    };
    let received = required(header)?;
    if secret_eq(expected.as_bytes(), received.as_bytes()) { Ok(()) } else { Err(VerifyError::BadSignature) }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "efi-hmac-7d1c";

    fn config() -> EfiConfig<'static> {
        EfiConfig { hmac_secret: SECRET, allowed_sources: DEFAULT_SOURCE_CIDRS, client_cert_verified: Some("SUCCESS") }
    }

    fn request() -> EfiRequest<'static> {
        EfiRequest {
            remote: IpAddr::from([34, 193, 116, 226]),
            hmac_param: Some(SECRET),
            client_cert_header: Some("SUCCESS"),
        }
    }

    #[test]
    fn accepts_good_request() {
        assert_eq!(verify(&config(), &request()), Ok(()));
    }

    #[test]
    fn rejects_other_source_first() {
        let req = EfiRequest { remote: IpAddr::from([203, 0, 113, 9]), hmac_param: None, ..request() };
        assert_eq!(verify(&config(), &req), Err(VerifyError::ForbiddenIp));
    }

    #[test]
    fn rejects_wrong_or_missing_hmac() {
        let wrong = EfiRequest { hmac_param: Some("efi-hmac-7d1d"), ..request() };
        assert_eq!(verify(&config(), &wrong), Err(VerifyError::BadSignature));
        let missing = EfiRequest { hmac_param: None, ..request() };
        assert_eq!(verify(&config(), &missing), Err(VerifyError::MissingSignature));
        let empty_cfg = EfiConfig { hmac_secret: "", ..config() };
        let empty_req = EfiRequest { hmac_param: Some("x"), ..request() };
        assert_eq!(verify(&empty_cfg, &empty_req), Err(VerifyError::BadSignature));
    }

    #[test]
    fn rejects_failed_or_missing_client_cert() {
        let failed = EfiRequest { client_cert_header: Some("FAILED:unable to verify"), ..request() };
        assert_eq!(verify(&config(), &failed), Err(VerifyError::BadSignature));
        let none = EfiRequest { client_cert_header: Some("NONE"), ..request() };
        assert_eq!(verify(&config(), &none), Err(VerifyError::BadSignature));
        let missing = EfiRequest { client_cert_header: None, ..request() };
        assert_eq!(verify(&config(), &missing), Err(VerifyError::MissingSignature));
    }

    #[test]
    fn client_cert_check_is_optional() {
        let cfg = EfiConfig { client_cert_verified: None, ..config() };
        let req = EfiRequest { client_cert_header: None, ..request() };
        assert_eq!(verify(&cfg, &req), Ok(()));
    }

    #[test]
    fn custom_sources_replace_default() {
        let allowed = ["10.0.0.0/8"];
        let cfg = EfiConfig { allowed_sources: &allowed, ..config() };
        let inside = EfiRequest { remote: IpAddr::from([10, 1, 2, 3]), ..request() };
        assert_eq!(verify(&cfg, &inside), Ok(()));
        assert_eq!(verify(&cfg, &request()), Err(VerifyError::ForbiddenIp));
    }
}
