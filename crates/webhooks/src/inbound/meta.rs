//! Meta (WhatsApp Cloud API, Instagram) webhooks: `X-Hub-Signature-256` and the GET handshake.
//!
//! Deliveries carry `X-Hub-Signature-256: sha256=<hex HMAC-SHA256(app_secret, raw body)>`.
//! Subscribing sends `GET ?hub.mode=subscribe&hub.verify_token=..&hub.challenge=..`,
//! answered with the challenge when the token matches.

use std::collections::HashMap;

use super::{VerifyError, digest_eq, hmac_sha256, required, secret_eq};

/// Header carrying the delivery signature.
pub const SIGNATURE_HEADER: &str = "X-Hub-Signature-256";

/// Longest `hub.challenge` echoed back (Meta sends a short integer).
const MAX_CHALLENGE_LEN: usize = 256;

/// Verifies a delivery's `X-Hub-Signature-256` header against the raw body.
pub fn verify_signature(app_secret: &[u8], header: Option<&str>, body: &[u8]) -> Result<(), VerifyError> {
    let header = required(header)?;
    let hex_sig = header.strip_prefix("sha256=").ok_or(VerifyError::Malformed)?;
    let received = hex::decode(hex_sig).map_err(|_| VerifyError::Malformed)?;
    if received.len() != 32 {
        return Err(VerifyError::Malformed);
    }
    if app_secret.is_empty() {
        return Err(VerifyError::BadSignature);
    }
    let expected = hmac_sha256(app_secret, &[body])?;
    if digest_eq(&expected, &received) { Ok(()) } else { Err(VerifyError::BadSignature) }
}

/// Answers the subscription handshake: the `hub.challenge` to echo as `text/plain`.
///
/// The challenge is only echoed when it is short and made of `[A-Za-z0-9._-]`,
/// so the endpoint cannot be used to reflect arbitrary content.
pub fn handshake(params: &HashMap<String, String>, verify_token: &str) -> Result<String, VerifyError> {
    if params.get("hub.mode").map(String::as_str) != Some("subscribe") {
        return Err(VerifyError::HandshakeRefused);
    }
    let token = params.get("hub.verify_token").ok_or(VerifyError::HandshakeRefused)?;
    if !secret_eq(verify_token.as_bytes(), token.as_bytes()) {
        return Err(VerifyError::HandshakeRefused);
    }
    let challenge = params.get("hub.challenge").ok_or(VerifyError::Malformed)?;
    let safe = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-');
    if challenge.is_empty() || challenge.len() > MAX_CHALLENGE_LEN || !challenge.chars().all(safe) {
        return Err(VerifyError::Malformed);
    }
    Ok(challenge.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"meta-app-secret";
    const BODY: &[u8] = br#"{"object":"whatsapp_business_account","entry":[]}"#;
    // Computed independently in the shell:
    // printf '%s' '{"object":"whatsapp_business_account","entry":[]}' | openssl dgst -sha256 -hmac 'meta-app-secret'
    const GOOD: &str = "sha256=ee9f05f989bc0aa2693d85691a477f8b8403933cde7959a1c5c6be7ea85e8d3d";

    #[test]
    fn accepts_openssl_vector() {
        assert_eq!(verify_signature(SECRET, Some(GOOD), BODY), Ok(()));
    }

    #[test]
    fn accepts_uppercase_hex() {
        let upper = format!("sha256={}", GOOD["sha256=".len()..].to_uppercase());
        assert_eq!(verify_signature(SECRET, Some(&upper), BODY), Ok(()));
    }

    #[test]
    fn rejects_tampered_body() {
        let body = br#"{"object":"whatsapp_business_account","entry":[1]}"#;
        assert_eq!(verify_signature(SECRET, Some(GOOD), body), Err(VerifyError::BadSignature));
    }

    #[test]
    fn rejects_wrong_or_empty_secret() {
        assert_eq!(verify_signature(b"other", Some(GOOD), BODY), Err(VerifyError::BadSignature));
        assert_eq!(verify_signature(b"", Some(GOOD), BODY), Err(VerifyError::BadSignature));
    }

    #[test]
    fn rejects_missing_header() {
        assert_eq!(verify_signature(SECRET, None, BODY), Err(VerifyError::MissingSignature));
        assert_eq!(verify_signature(SECRET, Some(""), BODY), Err(VerifyError::MissingSignature));
    }

    #[test]
    fn rejects_malformed_header() {
        let bare = &GOOD["sha256=".len()..];
        for bad in [bare, "sha1=abcd", "sha256=zz", "sha256=abcd", "sha256="] {
            assert_eq!(verify_signature(SECRET, Some(bad), BODY), Err(VerifyError::Malformed), "{bad}");
        }
    }

    fn params(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn handshake_echoes_challenge() {
        let p = params(&[("hub.mode", "subscribe"), ("hub.verify_token", "tok"), ("hub.challenge", "1158201444")]);
        assert_eq!(handshake(&p, "tok"), Ok("1158201444".to_string()));
    }

    #[test]
    fn handshake_refuses_wrong_token_or_mode() {
        let wrong = params(&[("hub.mode", "subscribe"), ("hub.verify_token", "nope"), ("hub.challenge", "1")]);
        assert_eq!(handshake(&wrong, "tok"), Err(VerifyError::HandshakeRefused));
        let mode = params(&[("hub.mode", "unsubscribe"), ("hub.verify_token", "tok"), ("hub.challenge", "1")]);
        assert_eq!(handshake(&mode, "tok"), Err(VerifyError::HandshakeRefused));
        let none = params(&[("hub.challenge", "1")]);
        assert_eq!(handshake(&none, "tok"), Err(VerifyError::HandshakeRefused));
        let empty_cfg = params(&[("hub.mode", "subscribe"), ("hub.verify_token", ""), ("hub.challenge", "1")]);
        assert_eq!(handshake(&empty_cfg, ""), Err(VerifyError::HandshakeRefused));
    }

    #[test]
    fn handshake_rejects_unsafe_or_missing_challenge() {
        let base = [("hub.mode", "subscribe"), ("hub.verify_token", "tok")];
        let missing = params(&base);
        assert_eq!(handshake(&missing, "tok"), Err(VerifyError::Malformed));
        let long = "1".repeat(MAX_CHALLENGE_LEN + 1);
        for bad in ["<script>", "", long.as_str()] {
            let mut p = params(&base);
            p.insert("hub.challenge".into(), bad.into());
            assert_eq!(handshake(&p, "tok"), Err(VerifyError::Malformed));
        }
    }
}
