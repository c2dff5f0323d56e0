//! Pure signature verifiers for inbound provider webhooks.
//!
//! Each provider module checks one request against the store's configured
//! secret and answers `Ok(())` or a [`VerifyError`]; none does I/O, reads the
//! clock or touches the database, so handlers pass in the raw body, the
//! relevant header or query value and, where needed, the current time.
//!
//! - [`meta`]: WhatsApp Cloud API / Instagram `X-Hub-Signature-256` and the `hub.challenge` handshake.
//! - [`stripe`]: `Stripe-Signature` (`t=`, `v1=`) with a timestamp tolerance.
//! - [`pagbank`]: `x-authenticity-token`, SHA-256 of `token-body`.
//! - [`twilio`]: `X-Twilio-Signature`, HMAC-SHA1 of the URL and sorted form fields.
//! - [`zenvia`]: a shared secret in a configured custom header.
//! - [`efi`]: EFI (Gerencianet) PIX `hmac` query secret, source IP and proxy mTLS header.
//! - [`ip`]: CIDR allowlists for any provider.
//! - [`receiver`]: the `/v1/inbound/{provider}/{store_id}` receivers built on these checks.
//!
//! Every secret or signature comparison is constant-time.

pub mod efi;
pub mod ip;
pub mod meta;
pub mod pagbank;
pub mod receiver;
pub mod stripe;
pub mod twilio;
pub mod zenvia;

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Why an inbound webhook was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    /// The signature header or secret parameter is absent or empty.
    #[error("webhook signature is missing")]
    MissingSignature,
    /// The signature or secret does not match the configured one.
    #[error("webhook signature does not match")]
    BadSignature,
    /// The signed timestamp is outside the accepted tolerance.
    #[error("webhook timestamp is outside the tolerance")]
    Expired,
    /// The signature header or request parameters cannot be parsed.
    #[error("webhook signature is malformed")]
    Malformed,
    /// A subscription handshake was refused (wrong mode or token).
    #[error("webhook verification handshake refused")]
    HandshakeRefused,
    /// The request came from an address outside the allowlist.
    #[error("webhook source address is not allowed")]
    ForbiddenIp,
}

impl VerifyError {
    /// Stable machine-readable code for logs and error bodies.
    pub fn code(&self) -> &'static str {
        self.error_code().code()
    }

    /// The declared problem code of the refusal, with its status (401, or 403 for a refused
    /// handshake or address).
    pub fn error_code(&self) -> balcao_core::error::ErrorCode {
        use crate::problems;
        match self {
            Self::MissingSignature => problems::MISSING_SIGNATURE,
            Self::BadSignature => problems::BAD_SIGNATURE,
            Self::Expired => problems::EXPIRED,
            Self::Malformed => problems::MALFORMED,
            Self::HandshakeRefused => problems::HANDSHAKE_REFUSED,
            Self::ForbiddenIp => problems::FORBIDDEN_IP,
        }
    }
}

/// The trimmed header value, or `MissingSignature` when absent or blank.
fn required(value: Option<&str>) -> Result<&str, VerifyError> {
    match value.map(str::trim) {
        Some(v) if !v.is_empty() => Ok(v),
        _ => Err(VerifyError::MissingSignature),
    }
}

/// Constant-time equality of two equal-length digests (length mismatch is `false`).
fn digest_eq(a: &[u8], b: &[u8]) -> bool {
    a.ct_eq(b).into()
}

/// Constant-time equality of a received secret with the configured one.
///
/// Both sides are hashed first so neither content nor length leaks through
/// timing; an empty configured secret never matches.
fn secret_eq(expected: &[u8], received: &[u8]) -> bool {
    if expected.is_empty() {
        return false;
    }
    digest_eq(&Sha256::digest(expected), &Sha256::digest(received))
}

/// HMAC-SHA256 of the concatenated `parts` under `key`.
fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> Result<[u8; 32], VerifyError> {
    // HMAC accepts keys of any length, so this error cannot occur in practice.
    let mut mac = Hmac::<Sha256>::new_from_slice(key).map_err(|_| VerifyError::BadSignature)?;
    for part in parts {
        mac.update(part);
    }
    Ok(mac.finalize().into_bytes().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable() {
        let all = [
            (VerifyError::MissingSignature, "missing_signature"),
            (VerifyError::BadSignature, "bad_signature"),
            (VerifyError::Expired, "expired"),
            (VerifyError::Malformed, "malformed"),
            (VerifyError::HandshakeRefused, "handshake_refused"),
            (VerifyError::ForbiddenIp, "forbidden_ip"),
        ];
        for (err, code) in all {
            assert_eq!(err.code(), code);
        }
    }

    #[test]
    fn required_rejects_absent_and_blank() {
        assert_eq!(required(None), Err(VerifyError::MissingSignature));
        assert_eq!(required(Some("  ")), Err(VerifyError::MissingSignature));
        assert_eq!(required(Some(" x ")), Ok("x"));
    }

    #[test]
    fn secret_eq_handles_lengths_and_empty() {
        assert!(secret_eq(b"abc", b"abc"));
        assert!(!secret_eq(b"abc", b"abcd"));
        assert!(!secret_eq(b"abc", b"abd"));
        assert!(!secret_eq(b"", b""));
    }

    #[test]
    fn digest_eq_rejects_length_mismatch() {
        assert!(digest_eq(&[1, 2], &[1, 2]));
        assert!(!digest_eq(&[1, 2], &[1, 2, 3]));
    }
}
