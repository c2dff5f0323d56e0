//! Standard Webhooks signing (<https://www.standardwebhooks.com>).
//!
//! A secret is `whsec_` + base64 of 24 to 64 random bytes; the signature of a
//! delivery is `v1,` + base64(HMAC-SHA256(secret bytes, "{msg_id}.{timestamp}.{body}"))
//! over the exact bytes sent. While a rotated secret's grace period lasts, the
//! `webhook-signature` header carries one signature per valid secret, space-separated.

use balcao_core::crypto::{constant_time_eq, hmac_sha256, random_bytes};
use balcao_core::error::{Error, Result};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The prefix of every secret.
pub const SECRET_PREFIX: &str = "whsec_";
/// Random bytes in a newly generated secret.
pub const SECRET_BYTES: usize = 32;
/// The fewest key bytes a secret may carry.
pub const MIN_SECRET_BYTES: usize = 24;
/// The most key bytes a secret may carry.
pub const MAX_SECRET_BYTES: usize = 64;

/// A signing secret and, for a rotated-out secret, when it stops signing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Secret {
    /// `whsec_<base64>`.
    pub secret: String,
    /// When it stops being valid; `None` for the current secret.
    pub expires_at: Option<DateTime<Utc>>,
}

impl Secret {
    /// A new random secret without expiry.
    pub fn generate() -> Self {
        Self { secret: format!("{SECRET_PREFIX}{}", STANDARD.encode(random_bytes(SECRET_BYTES))), expires_at: None }
    }

    /// Whether it still signs at `now`.
    pub fn is_valid_at(&self, now: DateTime<Utc>) -> bool {
        self.expires_at.is_none_or(|at| at > now)
    }

    /// The HMAC key: the base64-decoded part after `whsec_`.
    pub fn key(&self) -> Result<Vec<u8>> {
        key_bytes(&self.secret)
    }
}

/// Decodes a `whsec_` secret into its key bytes, checking its length.
pub fn key_bytes(secret: &str) -> Result<Vec<u8>> {
    let encoded = secret.strip_prefix(SECRET_PREFIX).ok_or_else(|| Error::internal("webhook secret lacks whsec_"))?;
    let bytes = STANDARD.decode(encoded).map_err(|_| Error::internal("webhook secret is not base64"))?;
    if !(MIN_SECRET_BYTES..=MAX_SECRET_BYTES).contains(&bytes.len()) {
        return Err(Error::internal("webhook secret has a bad length"));
    }
    Ok(bytes)
}

fn signed_content(msg_id: &str, timestamp: i64, body: &[u8]) -> Vec<u8> {
    let mut content = format!("{msg_id}.{timestamp}.").into_bytes();
    content.extend_from_slice(body);
    content
}

/// The `v1,<base64>` signature of one message under one secret.
pub fn sign(secret: &str, msg_id: &str, timestamp: i64, body: &[u8]) -> Result<String> {
    let tag = hmac_sha256(&key_bytes(secret)?, &signed_content(msg_id, timestamp, body));
    Ok(format!("v1,{}", STANDARD.encode(tag)))
}

/// The `webhook-signature` header value: one signature per secret valid at `now`, space-separated.
pub fn signature_header(
    secrets: &[Secret],
    now: DateTime<Utc>,
    msg_id: &str,
    timestamp: i64,
    body: &[u8],
) -> Result<String> {
    let signatures = secrets
        .iter()
        .filter(|s| s.is_valid_at(now))
        .map(|s| sign(&s.secret, msg_id, timestamp, body))
        .collect::<Result<Vec<_>>>()?;
    if signatures.is_empty() {
        return Err(Error::internal("webhook endpoint has no valid secret"));
    }
    Ok(signatures.join(" "))
}

/// Whether any `v1` signature in `header` matches `secret` (as a receiver checks).
pub fn verify(secret: &str, msg_id: &str, timestamp: i64, body: &[u8], header: &str) -> bool {
    let Ok(key) = key_bytes(secret) else { return false };
    let expected = hmac_sha256(&key, &signed_content(msg_id, timestamp, body));
    header
        .split(' ')
        .filter_map(|sig| sig.strip_prefix("v1,"))
        .any(|encoded| STANDARD.decode(encoded).is_ok_and(|tag| constant_time_eq(&tag, &expected)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const MSG_ID: &str = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    const TIMESTAMP: i64 = 1_614_265_330;
    const BODY: &[u8] = br#"{"test": 2432232314}"#;
    const EXPECTED: &str = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

    #[test]
    fn matches_the_published_vector() {
        assert_eq!(sign(SECRET, MSG_ID, TIMESTAMP, BODY).ok().as_deref(), Some(EXPECTED));
        assert!(verify(SECRET, MSG_ID, TIMESTAMP, BODY, EXPECTED));
        assert!(!verify(SECRET, MSG_ID, TIMESTAMP + 1, BODY, EXPECTED));
        assert!(!verify(SECRET, MSG_ID, TIMESTAMP, br#"{"test": 2432232315}"#, EXPECTED));
    }

    #[test]
    fn generated_secrets_are_well_formed_and_distinct() {
        let (a, b) = (Secret::generate(), Secret::generate());
        assert!(a.secret.starts_with(SECRET_PREFIX));
        assert_eq!(a.key().map(|k| k.len()).ok(), Some(SECRET_BYTES));
        assert_ne!(a.secret, b.secret);
    }

    #[test]
    fn bad_secrets_are_refused() {
        assert!(key_bytes("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").is_err(), "no prefix");
        assert!(key_bytes("whsec_!!!").is_err(), "not base64");
        assert!(key_bytes(&format!("whsec_{}", STANDARD.encode([0u8; 8]))).is_err(), "too short");
        assert!(!verify("whsec_!!!", MSG_ID, TIMESTAMP, BODY, EXPECTED));
    }

    #[test]
    fn header_signs_with_every_valid_secret() {
        let now = Utc::now();
        let current = Secret::generate();
        let previous = Secret { expires_at: Some(now + Duration::hours(1)), ..Secret::generate() };
        let expired = Secret { expires_at: Some(now - Duration::seconds(1)), ..Secret::generate() };
        let secrets = [current.clone(), previous.clone(), expired.clone()];
        let header = signature_header(&secrets, now, MSG_ID, TIMESTAMP, BODY).unwrap_or_default();
        assert_eq!(header.split(' ').count(), 2, "{header}");
        assert!(verify(&current.secret, MSG_ID, TIMESTAMP, BODY, &header));
        assert!(verify(&previous.secret, MSG_ID, TIMESTAMP, BODY, &header));
        assert!(!verify(&expired.secret, MSG_ID, TIMESTAMP, BODY, &header));
        assert!(signature_header(&[expired], now, MSG_ID, TIMESTAMP, BODY).is_err());
    }
}
