//! One verification entry point over the pure per-provider verifiers.

use std::collections::BTreeMap;
use std::net::IpAddr;

use super::config::SourceSecrets;
use crate::inbound::{VerifyError, efi, ip, meta, pagbank, stripe, twilio, zenvia};

/// An inbound request as the receiver saw it, without any actix type.
#[derive(Debug, Clone, Default)]
pub struct InboundRequest {
    /// The peer address of the connection (not `X-Forwarded-For`, which anyone can send).
    pub remote: Option<IpAddr>,
    /// The full URL the provider called, as it sees it (Twilio signs it).
    pub url: String,
    /// The raw query string.
    pub query: String,
    /// Header names in lowercase, each with its first value.
    pub headers: BTreeMap<String, String>,
    /// The raw body, byte for byte.
    pub body: Vec<u8>,
}

impl InboundRequest {
    /// A header's value by name (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(&name.to_ascii_lowercase()).map(String::as_str)
    }

    /// A query parameter's first value, percent-decoded.
    pub fn query_param(&self, name: &str) -> Option<String> {
        form_urlencoded::parse(self.query.as_bytes()).find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
    }
}

/// Checks the source address against `allowlist` (empty allows any address).
pub fn check_source(remote: Option<IpAddr>, allowlist: &[String]) -> Result<(), VerifyError> {
    if allowlist.is_empty() {
        return Ok(());
    }
    match remote {
        Some(remote) if ip::allowlisted(remote, allowlist) => Ok(()),
        _ => Err(VerifyError::ForbiddenIp),
    }
}

/// Verifies a delivery with the source's secrets at unix time `now` (Stripe's tolerance).
pub fn verify(secrets: &SourceSecrets, request: &InboundRequest, now: i64) -> Result<(), VerifyError> {
    let body = request.body.as_slice();
    match secrets {
        SourceSecrets::Meta(m) => {
            meta::verify_signature(m.app_secret.as_bytes(), request.header(meta::SIGNATURE_HEADER), body)
        }
        SourceSecrets::Stripe(s) => stripe::verify(
            &s.signing_secret,
            request.header(stripe::SIGNATURE_HEADER),
            body,
            now,
            stripe::DEFAULT_TOLERANCE_SECS,
        ),
        SourceSecrets::Pagbank(p) => pagbank::verify(&p.token, request.header(pagbank::SIGNATURE_HEADER), body),
        SourceSecrets::Twilio(t) => {
            let params: Vec<(String, String)> = form_urlencoded::parse(body).into_owned().collect();
            twilio::verify(&t.auth_token, request.header(twilio::SIGNATURE_HEADER), &request.url, &params)
        }
        SourceSecrets::Zenvia(z) => zenvia::verify(&z.secret, request.header(&z.header_name)),
        // A billing (boleto) notification comes to the charge's notification URL without the
        // `hmac` or EFI's mTLS: its token is read back from EFI with the store's credentials,
        // which authenticates it (the source's IP allowlist still applies).
        SourceSecrets::Efi(_) if efi::notification_token(body).is_some() => Ok(()),
        SourceSecrets::Efi(e) => {
            efi::verify_client_cert(e.client_cert_verified.as_deref(), request.header(&e.client_cert_header))?;
            efi::verify_hmac_param(&e.hmac_secret, request.query_param(efi::HMAC_PARAM).as_deref())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inbound::receiver::config::{EfiSecrets, ZenviaSecrets};

    fn request(headers: &[(&str, &str)], query: &str) -> InboundRequest {
        InboundRequest {
            headers: headers.iter().map(|(k, v)| (k.to_ascii_lowercase(), (*v).to_owned())).collect(),
            query: query.to_owned(),
            ..Default::default()
        }
    }

    #[test]
    fn allowlist_is_optional_and_needs_a_peer() {
        let local: IpAddr = [127, 0, 0, 1].into();
        assert_eq!(check_source(None, &[]), Ok(()));
        assert_eq!(check_source(Some(local), &["127.0.0.0/8".to_owned()]), Ok(()));
        assert_eq!(check_source(Some(local), &["10.0.0.0/8".to_owned()]), Err(VerifyError::ForbiddenIp));
        assert_eq!(check_source(None, &["10.0.0.0/8".to_owned()]), Err(VerifyError::ForbiddenIp));
    }

    #[test]
    fn zenvia_reads_the_configured_header() {
        let secrets = SourceSecrets::Zenvia(ZenviaSecrets { secret: "s3".into(), header_name: "X-Shop-Secret".into() });
        assert_eq!(verify(&secrets, &request(&[("X-Shop-Secret", "s3")], ""), 0), Ok(()));
        assert_eq!(verify(&secrets, &request(&[("X-Zenvia-Token", "s3")], ""), 0), Err(VerifyError::MissingSignature));
    }

    #[test]
    fn efi_reads_the_query_and_the_proxy_verdict() {
        let mut efi = EfiSecrets {
            hmac_secret: "h 1".into(),
            client_cert_header: "X-Client-Cert-Verified".into(),
            client_cert_verified: None,
        };
        let ok = request(&[], "hmac=h%201&ignorar=/pix");
        assert_eq!(verify(&SourceSecrets::Efi(efi.clone()), &ok, 0), Ok(()));
        assert_eq!(
            verify(&SourceSecrets::Efi(efi.clone()), &request(&[], "hmac=h2"), 0),
            Err(VerifyError::BadSignature)
        );
        efi.client_cert_verified = Some("SUCCESS".into());
        assert_eq!(verify(&SourceSecrets::Efi(efi.clone()), &ok, 0), Err(VerifyError::MissingSignature));
        let verified = request(&[("X-Client-Cert-Verified", "SUCCESS")], "hmac=h%201");
        assert_eq!(verify(&SourceSecrets::Efi(efi.clone()), &verified, 0), Ok(()));

        // A billing notification needs neither; any other body still does.
        let with_body = |body: &str| InboundRequest { body: body.as_bytes().to_vec(), ..request(&[], "") };
        let notification = with_body("notification=09027955-5e06-4ff0-a9c7-46b47b8f1b27");
        assert_eq!(verify(&SourceSecrets::Efi(efi.clone()), &notification, 0), Ok(()));
        let pix = with_body(r#"{"pix":[]}"#);
        assert_eq!(verify(&SourceSecrets::Efi(efi.clone()), &pix, 0), Err(VerifyError::MissingSignature));
        let smuggled = with_body("notification=abc&pix=1");
        assert_eq!(verify(&SourceSecrets::Efi(efi), &smuggled, 0), Err(VerifyError::MissingSignature));
    }
}
