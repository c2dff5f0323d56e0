//! RFC 6238 TOTP (SHA-1, 6 digits, 30 s) and one-time recovery codes.

use totp_rs::{Algorithm, Secret, TOTP};

use crate::crypto::{constant_time_eq, random_alphanumeric, random_bytes};
use crate::error::{Error, Result};

/// Seconds per TOTP step.
pub const STEP_SECS: u64 = 30;

/// A new random secret (160 bits, as RFC 4226 recommends).
pub fn new_secret() -> Vec<u8> {
    random_bytes(20)
}

fn totp(secret: &[u8], issuer: &str, account: &str) -> Result<TOTP> {
    TOTP::new(Algorithm::SHA1, 6, 1, STEP_SECS, secret.to_vec(), Some(issuer.to_owned()), account.replace(':', ""))
        .map_err(Error::internal)
}

/// The base32 form people type into an authenticator app.
pub fn encode_secret(secret: &[u8]) -> String {
    Secret::Raw(secret.to_vec()).to_encoded().to_string()
}

/// The `otpauth://` URI to show as a QR code.
pub fn otpauth_uri(secret: &[u8], issuer: &str, account: &str) -> Result<String> {
    Ok(totp(secret, issuer, account)?.get_url())
}

/// The code for a Unix time.
pub fn code_at(secret: &[u8], unix_time: u64) -> Result<String> {
    Ok(totp(secret, "balcao", "user")?.generate(unix_time))
}

/// The time step a code matches, allowing one step of clock drift each way.
pub fn matching_step(secret: &[u8], code: &str, unix_time: u64) -> Result<Option<i64>> {
    let code = code.trim();
    if code.len() != 6 || !code.chars().all(|c| c.is_ascii_digit()) {
        return Ok(None);
    }
    let now_step = unix_time / STEP_SECS;
    for step in [now_step.saturating_sub(1), now_step, now_step + 1] {
        let expected = code_at(secret, step * STEP_SECS)?;
        if constant_time_eq(expected.as_bytes(), code.as_bytes()) {
            return Ok(i64::try_from(step).ok());
        }
    }
    Ok(None)
}

/// Ten recovery codes such as `k3x9q-7mfa2`.
pub fn new_recovery_codes() -> Vec<String> {
    (0..10).map(|_| format!("{}-{}", random_alphanumeric(5), random_alphanumeric(5))).collect()
}

/// The form a recovery code is hashed in: lowercase, no spaces.
pub fn normalize_recovery_code(code: &str) -> String {
    code.trim().to_ascii_lowercase().replace(' ', "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6238_sha1_vector() {
        // RFC 6238 appendix B: secret "12345678901234567890", T = 59 -> 94287082 (8 digits); 6 digits: 287082.
        assert_eq!(code_at(b"12345678901234567890", 59).unwrap(), "287082");
        assert_eq!(code_at(b"12345678901234567890", 1_111_111_109).unwrap(), "081804");
    }

    #[test]
    fn matches_within_one_step() {
        let secret = new_secret();
        let now = 1_800_000_000;
        let code = code_at(&secret, now).unwrap();
        assert_eq!(matching_step(&secret, &code, now).unwrap(), Some((now / 30) as i64));
        assert_eq!(matching_step(&secret, &code, now + 30).unwrap(), Some((now / 30) as i64));
        assert_eq!(matching_step(&secret, &code, now + 120).unwrap(), None);
        assert_eq!(matching_step(&secret, "abc", now).unwrap(), None);
    }

    #[test]
    fn uri_and_codes() {
        let secret = new_secret();
        let uri = otpauth_uri(&secret, "balcao", "ana@example.com").unwrap();
        assert!(uri.starts_with("otpauth://totp/"), "{uri}");
        assert_eq!(new_recovery_codes().len(), 10);
        assert_eq!(normalize_recovery_code(" AbC12-x "), "abc12-x");
    }
}
