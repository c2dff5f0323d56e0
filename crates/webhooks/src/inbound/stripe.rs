//! Stripe webhooks: the `Stripe-Signature` header (`t=<unix>,v1=<hex>,...`).
//!
//! The signed payload is `"{t}.{raw body}"`, HMAC-SHA256 keyed with the full
//! endpoint secret string (`whsec_...`) as bytes. A delivery is accepted when
//! any `v1` matches and `t` is within the tolerance of `now`; other schemes
//! (`v0`, future ones) are ignored.

use super::{VerifyError, digest_eq, hmac_sha256, required};

/// Header carrying the timestamp and signatures.
pub const SIGNATURE_HEADER: &str = "Stripe-Signature";

/// Stripe's default tolerance between the signed timestamp and now, in seconds.
pub const DEFAULT_TOLERANCE_SECS: i64 = 300;

/// Verifies a `Stripe-Signature` header against the raw body at unix time `now`.
pub fn verify(
    secret: &str,
    header: Option<&str>,
    body: &[u8],
    now: i64,
    tolerance_secs: i64,
) -> Result<(), VerifyError> {
    let parsed = parse(required(header)?)?;
    if secret.is_empty() {
        return Err(VerifyError::BadSignature);
    }
    let expected = hmac_sha256(secret.as_bytes(), &[parsed.t_raw.as_bytes(), b".", body])?;
    // Check every candidate, without stopping early, so timing reveals nothing.
    let matched = parsed.v1.iter().fold(false, |acc, sig| acc | digest_eq(&expected, sig));
    if !matched {
        return Err(VerifyError::BadSignature);
    }
    let tolerance = u64::try_from(tolerance_secs).unwrap_or(0);
    if now.abs_diff(parsed.t) > tolerance {
        return Err(VerifyError::Expired);
    }
    Ok(())
}

/// The parts of a `Stripe-Signature` header this verifier uses.
struct Parsed<'a> {
    t: i64,
    t_raw: &'a str,
    v1: Vec<Vec<u8>>,
}

/// Splits the header into its timestamp and `v1` signatures.
///
/// `v1` values that are not 32-byte hex can never match and are skipped; a
/// header without a numeric `t` or without any usable `v1` is malformed.
fn parse(header: &str) -> Result<Parsed<'_>, VerifyError> {
    let mut t = None;
    let mut v1 = Vec::new();
    for item in header.split(',') {
        let (key, value) = item.split_once('=').ok_or(VerifyError::Malformed)?;
        match key.trim() {
            "t" => {
                let raw = value.trim();
                if t.is_some() || raw.is_empty() || !raw.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(VerifyError::Malformed);
                }
                let secs = raw.parse::<i64>().map_err(|_| VerifyError::Malformed)?;
                t = Some((secs, raw));
            }
            "v1" => {
                if let Ok(sig) = hex::decode(value.trim())
                    && sig.len() == 32
                {
                    v1.push(sig);
                }
            }
            _ => {}
        }
    }
    let (t, t_raw) = t.ok_or(VerifyError::Malformed)?;
    if v1.is_empty() {
        return Err(VerifyError::Malformed);
    }
    Ok(Parsed { t, t_raw, v1 })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_test_secret";
    const BODY: &[u8] = br#"{"id":"evt_1","type":"payment_intent.succeeded"}"#;
    const T: i64 = 1_700_000_000;
    // Computed independently in the shell:
    // printf '%s' '1700000000.{"id":"evt_1","type":"payment_intent.succeeded"}' \
    //   | openssl dgst -sha256 -hmac 'whsec_test_secret'
    const SIG: &str = "22d8dc182f5c588077683bd378368e29765bfe5df2560112b4f28fef120f0e31";
    const OTHER: &str = "0000000000000000000000000000000000000000000000000000000000000000";

    fn check(header: &str, body: &[u8], now: i64) -> Result<(), VerifyError> {
        verify(SECRET, Some(header), body, now, DEFAULT_TOLERANCE_SECS)
    }

    #[test]
    fn accepts_openssl_vector() {
        assert_eq!(check(&format!("t={T},v1={SIG}"), BODY, T), Ok(()));
    }

    #[test]
    fn accepts_any_matching_v1_and_ignores_v0() {
        let h = format!("t={T}, v1={OTHER}, v1={SIG}, v0={OTHER}");
        assert_eq!(check(&h, BODY, T + 10), Ok(()));
    }

    #[test]
    fn tolerance_is_inclusive_and_symmetric() {
        let h = format!("t={T},v1={SIG}");
        assert_eq!(check(&h, BODY, T + 300), Ok(()));
        assert_eq!(check(&h, BODY, T - 300), Ok(()));
        assert_eq!(check(&h, BODY, T + 301), Err(VerifyError::Expired));
        assert_eq!(check(&h, BODY, T - 301), Err(VerifyError::Expired));
        assert_eq!(verify(SECRET, Some(&h), BODY, T + 1, -5), Err(VerifyError::Expired));
    }

    #[test]
    fn rejects_tampered_body_and_timestamp() {
        let h = format!("t={T},v1={SIG}");
        assert_eq!(check(&h, br#"{"id":"evt_2"}"#, T), Err(VerifyError::BadSignature));
        let shifted = format!("t={},v1={SIG}", T + 1);
        assert_eq!(check(&shifted, BODY, T), Err(VerifyError::BadSignature));
    }

    #[test]
    fn rejects_wrong_or_empty_secret() {
        let h = format!("t={T},v1={SIG}");
        assert_eq!(verify("whsec_other", Some(&h), BODY, T, 300), Err(VerifyError::BadSignature));
        assert_eq!(verify("", Some(&h), BODY, T, 300), Err(VerifyError::BadSignature));
    }

    #[test]
    fn only_v0_signature_is_malformed() {
        assert_eq!(check(&format!("t={T},v0={SIG}"), BODY, T), Err(VerifyError::Malformed));
    }

    #[test]
    fn rejects_missing_header() {
        assert_eq!(verify(SECRET, None, BODY, T, 300), Err(VerifyError::MissingSignature));
        assert_eq!(verify(SECRET, Some(" "), BODY, T, 300), Err(VerifyError::MissingSignature));
    }

    #[test]
    fn rejects_malformed_headers() {
        let cases = [
            format!("v1={SIG}"),
            format!("t=abc,v1={SIG}"),
            format!("t=-5,v1={SIG}"),
            format!("t={T},t={T},v1={SIG}"),
            format!("t={T}"),
            format!("t={T},v1=nothex"),
            format!("t={T},garbage,v1={SIG}"),
            "t=".to_string(),
        ];
        for h in &cases {
            assert_eq!(check(h, BODY, T), Err(VerifyError::Malformed), "{h}");
        }
    }
}
