//! PagBank webhooks: the `x-authenticity-token` header.
//!
//! The header is the hex SHA-256 of `"{token}-{raw body}"`, where `token` is
//! the store's PagBank API token ("Confirmar autenticidade da notificação").

use sha2::{Digest, Sha256};

use super::{VerifyError, digest_eq, required};

/// Header carrying the authenticity token.
pub const SIGNATURE_HEADER: &str = "x-authenticity-token";

/// Verifies an `x-authenticity-token` header against the raw body.
pub fn verify(token: &str, header: Option<&str>, body: &[u8]) -> Result<(), VerifyError> {
    let received = hex::decode(required(header)?).map_err(|_| VerifyError::Malformed)?;
    if received.len() != 32 {
        return Err(VerifyError::Malformed);
    }
    if token.is_empty() {
        return Err(VerifyError::BadSignature);
    }
    let mut hasher = Sha256::new();
    hasher.update(token.as_bytes());
    hasher.update(b"-");
    hasher.update(body);
    if digest_eq(&hasher.finalize(), &received) { Ok(()) } else { Err(VerifyError::BadSignature) }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "pagbank-token-123";
    const BODY: &[u8] = br#"{"id":"CHAR_1","status":"PAID"}"#;
    // Computed independently in the shell:
    // printf '%s' 'pagbank-token-123-{"id":"CHAR_1","status":"PAID"}' | sha256sum
    const GOOD: &str = "4c8b87df6d7f935883e5da3729b093726dc62cd8e2bb732fa1799f327fdce8df";

    #[test]
    fn accepts_sha256sum_vector() {
        assert_eq!(verify(TOKEN, Some(GOOD), BODY), Ok(()));
        assert_eq!(verify(TOKEN, Some(&GOOD.to_uppercase()), BODY), Ok(()));
    }

    #[test]
    fn rejects_tampered_body() {
        let body = br#"{"id":"CHAR_1","status":"DECLINED"}"#;
        assert_eq!(verify(TOKEN, Some(GOOD), body), Err(VerifyError::BadSignature));
    }

    #[test]
    fn rejects_wrong_or_empty_token() {
        assert_eq!(verify("other-token", Some(GOOD), BODY), Err(VerifyError::BadSignature));
        assert_eq!(verify("", Some(GOOD), BODY), Err(VerifyError::BadSignature));
    }

    #[test]
    fn rejects_missing_header() {
        assert_eq!(verify(TOKEN, None, BODY), Err(VerifyError::MissingSignature));
        assert_eq!(verify(TOKEN, Some(""), BODY), Err(VerifyError::MissingSignature));
    }

    #[test]
    fn rejects_malformed_header() {
        for bad in ["not-hex", "abcd", &GOOD[..63]] {
            assert_eq!(verify(TOKEN, Some(bad), BODY), Err(VerifyError::Malformed), "{bad}");
        }
    }
}
