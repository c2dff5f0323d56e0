//! Secrets at rest (AES-256-GCM with key ids), HMAC, random tokens and constant-time compare.

use std::collections::HashMap;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::{Error, Result};

/// Encryption keys by id; the active one seals, any known one opens.
///
/// A sealed value names its key id, so keys rotate by adding a new first key
/// and keeping the old ones until everything is re-sealed.
#[derive(Clone)]
pub struct Keyring {
    active: String,
    keys: HashMap<String, Aes256Gcm>,
    mac_keys: HashMap<String, Vec<u8>>,
    development: bool,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keyring").field("active", &self.active).field("keys", &self.keys.len()).finish()
    }
}

impl Keyring {
    /// Parses `kid:base64key,kid2:base64key`; every key is 32 bytes; the first is active.
    pub fn parse(spec: &str) -> std::result::Result<Self, String> {
        let mut keys = HashMap::new();
        let mut mac_keys = HashMap::new();
        let mut active = None;
        for (i, entry) in spec.split(',').map(str::trim).filter(|e| !e.is_empty()).enumerate() {
            let Some((kid, encoded)) = entry.split_once(':') else {
                return Err(format!("entry {} is not `kid:base64key`", i + 1));
            };
            if kid.is_empty() || !kid.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
                return Err(format!("key id `{kid}` must be letters, digits, - or _"));
            }
            let bytes = STANDARD.decode(encoded).map_err(|_| format!("key `{kid}` is not valid base64"))?;
            let cipher = Aes256Gcm::new_from_slice(&bytes).map_err(|_| format!("key `{kid}` must be 32 bytes"))?;
            if keys.insert(kid.to_owned(), cipher).is_some() {
                return Err(format!("key id `{kid}` appears twice"));
            }
            mac_keys.insert(kid.to_owned(), bytes);
            active.get_or_insert_with(|| kid.to_owned());
        }
        let active = active.ok_or_else(|| "no keys given".to_owned())?;
        Ok(Self { active, keys, mac_keys, development: false })
    }

    /// A fixed, publicly known key for development and tests only.
    pub fn development() -> Self {
        let key = Sha256::digest(b"balcao development key: never use in production");
        let cipher = Aes256Gcm::new(&key);
        Self {
            active: "dev".to_owned(),
            keys: HashMap::from([("dev".to_owned(), cipher)]),
            mac_keys: HashMap::from([("dev".to_owned(), key.to_vec())]),
            development: true,
        }
    }

    /// Whether this is the development keyring.
    pub fn is_development(&self) -> bool {
        self.development
    }

    /// Encrypts `plaintext`, bound to `context` (e.g. `totp:<user id>`), as `kid.base64(nonce||ciphertext)`.
    pub fn seal(&self, plaintext: &[u8], context: &str) -> Result<String> {
        let cipher = self.keys.get(&self.active).ok_or_else(|| Error::internal("active key missing"))?;
        let nonce_bytes: [u8; 12] = rand::random();
        let nonce = Nonce::from_slice(&nonce_bytes);
        let ciphertext = cipher
            .encrypt(nonce, Payload { msg: plaintext, aad: context.as_bytes() })
            .map_err(|_| Error::internal("encryption failed"))?;
        let mut out = nonce_bytes.to_vec();
        out.extend_from_slice(&ciphertext);
        Ok(format!("{}.{}", self.active, URL_SAFE_NO_PAD.encode(out)))
    }

    /// Decrypts a value made by [`Keyring::seal`] with the same `context`.
    pub fn open(&self, sealed: &str, context: &str) -> Result<Vec<u8>> {
        let (kid, encoded) = sealed.split_once('.').ok_or_else(|| Error::internal("sealed value malformed"))?;
        let cipher = self.keys.get(kid).ok_or_else(|| Error::internal(format!("unknown key id {kid}")))?;
        let bytes = URL_SAFE_NO_PAD.decode(encoded).map_err(|_| Error::internal("sealed value malformed"))?;
        if bytes.len() < 12 {
            return Err(Error::internal("sealed value too short"));
        }
        let (nonce, ciphertext) = bytes.split_at(12);
        cipher
            .decrypt(Nonce::from_slice(nonce), Payload { msg: ciphertext, aad: context.as_bytes() })
            .map_err(|_| Error::internal("decryption failed"))
    }
}

impl Keyring {
    /// Signs `message` for `purpose` with the active key (a purpose-bound subkey); returns the key id and tag.
    pub fn sign(&self, purpose: &str, message: &[u8]) -> Result<(String, Vec<u8>)> {
        let key = self.mac_keys.get(&self.active).ok_or_else(|| Error::internal("active key missing"))?;
        Ok((self.active.clone(), hmac_sha256(&hmac_sha256(key, purpose.as_bytes()), message)))
    }

    /// Checks a tag made by [`Keyring::sign`] with key `kid`.
    pub fn verify(&self, kid: &str, purpose: &str, message: &[u8], tag: &[u8]) -> bool {
        self.mac_keys
            .get(kid)
            .is_some_and(|key| verify_hmac_sha256(&hmac_sha256(key, purpose.as_bytes()), message, tag))
    }
}

/// HMAC-SHA256 of `message` under `key`.
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> Vec<u8> {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).unwrap_or_else(|_| unreachable!());
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

/// Checks an HMAC-SHA256 tag in constant time.
pub fn verify_hmac_sha256(key: &[u8], message: &[u8], tag: &[u8]) -> bool {
    constant_time_eq(&hmac_sha256(key, message), tag)
}

/// Compares two byte strings without leaking where they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

/// SHA-256 as lowercase hex: how tokens and codes are stored.
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

/// `bytes` random bytes from the OS generator.
pub fn random_bytes(bytes: usize) -> Vec<u8> {
    (0..bytes).map(|_| rand::random::<u8>()).collect()
}

/// A random URL-safe token carrying `bytes` bytes of entropy.
pub fn random_token(bytes: usize) -> String {
    URL_SAFE_NO_PAD.encode(random_bytes(bytes))
}

/// A random string of `len` lowercase letters and digits (for prefixes and codes).
pub fn random_alphanumeric(len: usize) -> String {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    (0..len).map(|_| ALPHABET[usize::from(rand::random::<u8>()) % ALPHABET.len()] as char).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_and_open_round_trip_with_context() {
        let ring = Keyring::development();
        let sealed = ring.seal(b"secret", "ctx:1").unwrap_or_default();
        assert!(sealed.starts_with("dev."));
        assert_eq!(ring.open(&sealed, "ctx:1").ok(), Some(b"secret".to_vec()));
        assert!(ring.open(&sealed, "ctx:2").is_err(), "context is bound");
    }

    #[test]
    fn rotation_opens_old_keys() {
        let k1 = STANDARD.encode([1u8; 32]);
        let k2 = STANDARD.encode([2u8; 32]);
        let old = Keyring::parse(&format!("k1:{k1}")).map_err(|e| e.to_string());
        let new = Keyring::parse(&format!("k2:{k2},k1:{k1}")).map_err(|e| e.to_string());
        let (Ok(old), Ok(new)) = (old, new) else { panic!("parse failed") };
        let sealed = old.seal(b"x", "c").unwrap_or_default();
        assert_eq!(new.open(&sealed, "c").ok(), Some(b"x".to_vec()));
        assert!(new.seal(b"x", "c").unwrap_or_default().starts_with("k2."));
    }

    #[test]
    fn signatures_are_bound_to_purpose_and_key() {
        let ring = Keyring::development();
        let (kid, tag) = ring.sign("customer-token", b"msg").unwrap();
        assert!(ring.verify(&kid, "customer-token", b"msg", &tag));
        assert!(!ring.verify(&kid, "other", b"msg", &tag));
        assert!(!ring.verify(&kid, "customer-token", b"msg2", &tag));
        assert!(!ring.verify("nope", "customer-token", b"msg", &tag));
    }

    #[test]
    fn parse_rejects_bad_keys() {
        assert!(Keyring::parse("k1:short").is_err());
        assert!(Keyring::parse("nokid").is_err());
        assert!(Keyring::parse("").is_err());
    }

    #[test]
    fn hmac_matches_rfc4231_case_2() {
        let tag = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(hex::encode(&tag), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
        assert!(verify_hmac_sha256(b"Jefe", b"what do ya want for nothing?", &tag));
        assert!(!verify_hmac_sha256(b"Jefe", b"tampered", &tag));
    }

    #[test]
    fn tokens_are_random() {
        assert_ne!(random_token(32), random_token(32));
        assert_eq!(random_alphanumeric(12).len(), 12);
    }
}
