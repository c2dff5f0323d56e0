//! Twilio webhooks: the `X-Twilio-Signature` header.
//!
//! The header is base64(HMAC-SHA1(auth token, url + sorted form fields)), where
//! `url` is the full URL Twilio requested (scheme, host, port if any, path and
//! query string, as configured in Twilio; a proxy must not rewrite it) and each
//! POST form field is appended as `key` followed by `value`, sorted by key then
//! value, with no separators.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha1::Sha1;

use super::{VerifyError, digest_eq, required};

/// Header carrying the request signature.
pub const SIGNATURE_HEADER: &str = "X-Twilio-Signature";

/// Verifies an `X-Twilio-Signature` header for a form POST to `url`.
pub fn verify<K: AsRef<str>, V: AsRef<str>>(
    auth_token: &str,
    header: Option<&str>,
    url: &str,
    params: &[(K, V)],
) -> Result<(), VerifyError> {
    let received = STANDARD.decode(required(header)?).map_err(|_| VerifyError::Malformed)?;
    if received.len() != 20 {
        return Err(VerifyError::Malformed);
    }
    if auth_token.is_empty() {
        return Err(VerifyError::BadSignature);
    }
    let mut sorted: Vec<(&str, &str)> = params.iter().map(|(k, v)| (k.as_ref(), v.as_ref())).collect();
    sorted.sort_unstable();
    // HMAC accepts keys of any length, so this error cannot occur in practice.
    let mut mac = Hmac::<Sha1>::new_from_slice(auth_token.as_bytes()).map_err(|_| VerifyError::BadSignature)?;
    mac.update(url.as_bytes());
    for (key, value) in sorted {
        mac.update(key.as_bytes());
        mac.update(value.as_bytes());
    }
    if digest_eq(&mac.finalize().into_bytes(), &received) { Ok(()) } else { Err(VerifyError::BadSignature) }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The example published in Twilio's "Webhooks security" docs, re-checked in the shell:
    // printf '%s' 'https://mycompany.com/myapp.php?foo=1&bar=2CallSidCA1234567890ABCDECaller+12349013030Digits1234From+12349013030To+18005551212' \
    //   | openssl dgst -sha1 -hmac 12345 -binary | base64
    const TOKEN: &str = "12345";
    const URL: &str = "https://mycompany.com/myapp.php?foo=1&bar=2";
    const GOOD: &str = "0/KCTR6DLpKmkAf8muzZqo1nDgQ=";

    /// The documented parameters, deliberately out of order.
    fn params() -> Vec<(&'static str, &'static str)> {
        vec![
            ("To", "+18005551212"),
            ("CallSid", "CA1234567890ABCDE"),
            ("From", "+12349013030"),
            ("Digits", "1234"),
            ("Caller", "+12349013030"),
        ]
    }

    #[test]
    fn accepts_documented_vector() {
        assert_eq!(verify(TOKEN, Some(GOOD), URL, &params()), Ok(()));
    }

    #[test]
    fn accepts_owned_params() {
        let owned: Vec<(String, String)> = params().into_iter().map(|(k, v)| (k.into(), v.into())).collect();
        assert_eq!(verify(TOKEN, Some(GOOD), URL, &owned), Ok(()));
    }

    #[test]
    fn rejects_tampered_params_or_url() {
        let mut p = params();
        p[3] = ("Digits", "9999");
        assert_eq!(verify(TOKEN, Some(GOOD), URL, &p), Err(VerifyError::BadSignature));
        let url = "https://mycompany.com/myapp.php?foo=1&bar=3";
        assert_eq!(verify(TOKEN, Some(GOOD), url, &params()), Err(VerifyError::BadSignature));
        let none: [(&str, &str); 0] = [];
        assert_eq!(verify(TOKEN, Some(GOOD), URL, &none), Err(VerifyError::BadSignature));
    }

    #[test]
    fn rejects_wrong_or_empty_token() {
        assert_eq!(verify("54321", Some(GOOD), URL, &params()), Err(VerifyError::BadSignature));
        assert_eq!(verify("", Some(GOOD), URL, &params()), Err(VerifyError::BadSignature));
    }

    #[test]
    fn rejects_missing_header() {
        assert_eq!(verify(TOKEN, None, URL, &params()), Err(VerifyError::MissingSignature));
    }

    #[test]
    fn rejects_malformed_header() {
        for bad in ["%%%", "AAAA", "0/KCTR6DLpKmkAf8muzZqo1nDgQ"] {
            assert_eq!(verify(TOKEN, Some(bad), URL, &params()), Err(VerifyError::Malformed), "{bad}");
        }
    }
}
