//! Zenvia webhooks: a shared secret sent in a custom header.
//!
//! Zenvia subscriptions let the store configure extra headers on each
//! delivery; we register one (by default [`DEFAULT_HEADER`]) holding a random
//! secret and compare it on receipt.

use super::{VerifyError, required, secret_eq};

/// Header name used for the shared secret unless the store configures another.
pub const DEFAULT_HEADER: &str = "X-Zenvia-Token";

/// Verifies that the configured secret header carries `expected`.
pub fn verify(expected: &str, header: Option<&str>) -> Result<(), VerifyError> {
    let received = required(header)?;
    if secret_eq(expected.as_bytes(), received.as_bytes()) { Ok(()) } else { Err(VerifyError::BadSignature) }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "zv_4f9c2b7e1d";

    #[test]
    fn accepts_matching_secret() {
        assert_eq!(verify(SECRET, Some(SECRET)), Ok(()));
        assert_eq!(verify(SECRET, Some(" zv_4f9c2b7e1d ")), Ok(()));
    }

    #[test]
    fn rejects_wrong_secret() {
        assert_eq!(verify(SECRET, Some("zv_4f9c2b7e1e")), Err(VerifyError::BadSignature));
        assert_eq!(verify(SECRET, Some("zv_4f9c2b7e1d0")), Err(VerifyError::BadSignature));
        assert_eq!(verify(SECRET, Some("ZV_4F9C2B7E1D")), Err(VerifyError::BadSignature));
    }

    #[test]
    fn rejects_missing_header() {
        assert_eq!(verify(SECRET, None), Err(VerifyError::MissingSignature));
        assert_eq!(verify(SECRET, Some("")), Err(VerifyError::MissingSignature));
    }

    #[test]
    fn empty_configured_secret_never_matches() {
        assert_eq!(verify("", Some("anything")), Err(VerifyError::BadSignature));
    }
}
