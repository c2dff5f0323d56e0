//! Per-provider receiver configuration: the secrets (sealed at rest, never returned) and a
//! few non-secret settings, parsed from the staff API with every bad field named.

use std::collections::BTreeMap;

use balcao_core::error::{Error, FieldError, Result, Validator};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{MAX_ALLOWLIST, Provider};
use crate::inbound::{efi, ip, zenvia};

/// The longest secret or setting accepted, in characters.
pub const MAX_VALUE_LEN: usize = 512;

/// WhatsApp and Instagram (Meta apps).
#[derive(Clone, Serialize, Deserialize, ToSchema)]
pub struct MetaSecrets {
    /// The Meta app secret: signs every delivery (`X-Hub-Signature-256`).
    pub app_secret: String,
    /// The verify token typed in the Meta dashboard, echoed back in the `hub.challenge` handshake.
    pub verify_token: String,
}

/// Stripe.
#[derive(Clone, Serialize, Deserialize, ToSchema)]
pub struct StripeSecrets {
    /// The endpoint's signing secret, `whsec_...`. While Stripe rolls a secret it signs with both,
    /// so replacing this with the new one is enough.
    pub signing_secret: String,
}

/// PagBank.
#[derive(Clone, Serialize, Deserialize, ToSchema)]
pub struct PagbankSecrets {
    /// The store's PagBank API token (`x-authenticity-token` is SHA-256 of `token-body`).
    pub token: String,
}

/// Twilio.
#[derive(Clone, Serialize, Deserialize, ToSchema)]
pub struct TwilioSecrets {
    /// The account's auth token (HMAC-SHA1 key of `X-Twilio-Signature`).
    pub auth_token: String,
}

/// Zenvia.
#[derive(Clone, Serialize, Deserialize, ToSchema)]
pub struct ZenviaSecrets {
    /// The shared secret configured as a custom header on the Zenvia subscription.
    pub secret: String,
    /// The header carrying it (default `X-Zenvia-Token`); not secret.
    pub header_name: String,
}

/// EFI (Gerencianet) PIX.
#[derive(Clone, Serialize, Deserialize, ToSchema)]
pub struct EfiSecrets {
    /// The value of the `hmac` query parameter in the webhook URL registered with EFI.
    pub hmac_secret: String,
    /// The header in which the TLS-terminating proxy reports the client-certificate verdict
    /// (default `X-Client-Cert-Verified`); not secret.
    pub client_cert_header: String,
    /// The verdict required in that header (e.g. `SUCCESS`); absent skips the mTLS check. Only set
    /// it when the proxy always overwrites the header.
    pub client_cert_verified: Option<String>,
}

/// A provider's configuration; which shape applies is given by the provider in the path.
#[derive(Clone, Serialize, ToSchema)]
#[serde(untagged)]
pub enum SourceSecrets {
    /// `whatsapp`, `instagram`.
    Meta(MetaSecrets),
    /// `stripe`.
    Stripe(StripeSecrets),
    /// `pagbank`.
    Pagbank(PagbankSecrets),
    /// `twilio`.
    Twilio(TwilioSecrets),
    /// `zenvia`.
    Zenvia(ZenviaSecrets),
    /// `efi`.
    Efi(EfiSecrets),
}

impl std::fmt::Debug for SourceSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SourceSecrets([redacted])")
    }
}

/// What a field of a provider's configuration is.
#[derive(Clone, Copy)]
enum Kind {
    /// Required; never shown again.
    Secret,
    /// Optional and shown in `settings`, with its default.
    Setting(Option<&'static str>),
}

fn fields(provider: Provider) -> &'static [(&'static str, Kind)] {
    match provider {
        Provider::Whatsapp | Provider::Instagram => &[("app_secret", Kind::Secret), ("verify_token", Kind::Secret)],
        Provider::Stripe => &[("signing_secret", Kind::Secret)],
        Provider::Pagbank => &[("token", Kind::Secret)],
        Provider::Twilio => &[("auth_token", Kind::Secret)],
        Provider::Zenvia => &[("secret", Kind::Secret), ("header_name", Kind::Setting(Some(zenvia::DEFAULT_HEADER)))],
        Provider::Efi => &[
            ("hmac_secret", Kind::Secret),
            ("client_cert_header", Kind::Setting(Some(efi::CLIENT_CERT_HEADER))),
            ("client_cert_verified", Kind::Setting(None)),
        ],
    }
}

fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)
}

/// Checks one value; returns it trimmed when good.
fn check_value(v: &mut Validator, field: &str, name: &str, raw: &serde_json::Value) -> Option<String> {
    let Some(text) = raw.as_str() else {
        v.push(FieldError::new(field, "invalid", "must be a string"));
        return None;
    };
    let text = text.trim();
    if text.is_empty() {
        v.push(FieldError::new(field, "required", "must not be empty"));
        return None;
    }
    if text.chars().count() > MAX_VALUE_LEN || !text.chars().all(|c| c.is_ascii_graphic()) {
        let message = format!("must be at most {MAX_VALUE_LEN} visible ASCII characters without spaces");
        v.push(FieldError::new(field, "invalid", message));
        return None;
    }
    let header = matches!(name, "header_name" | "client_cert_header");
    if header && (text.len() > 64 || !text.chars().all(is_token_char)) {
        v.push(FieldError::new(field, "invalid_header_name", "must be 1 to 64 header token characters"));
        return None;
    }
    if name == "signing_secret" && !text.starts_with("whsec_") {
        v.push(FieldError::new(field, "invalid_format", "must be the endpoint's signing secret, `whsec_...`"));
        return None;
    }
    Some(text.to_owned())
}

impl SourceSecrets {
    /// Parses the `secrets` object of the staff API for `provider`; every problem is pushed onto
    /// `v` against `secrets.<field>`, and `None` comes back when there was any.
    pub fn parse(provider: Provider, raw: &serde_json::Value, v: &mut Validator) -> Option<Self> {
        let Some(object) = raw.as_object() else {
            v.push(FieldError::new("secrets", "invalid", "must be an object"));
            return None;
        };
        let spec = fields(provider);
        let mut ok = true;
        for key in object.keys() {
            if !spec.iter().any(|(name, _)| name == key) {
                let known: Vec<&str> = spec.iter().map(|(name, _)| *name).collect();
                let message = format!("is not a {provider} setting; expected {}", known.join(", "));
                v.push(FieldError::new(format!("secrets.{key}"), "unknown_field", message));
                ok = false;
            }
        }
        let mut values = serde_json::Map::new();
        for (name, kind) in spec {
            let field = format!("secrets.{name}");
            let value = match (object.get(*name), kind) {
                (None | Some(serde_json::Value::Null), Kind::Secret) => {
                    v.push(FieldError::new(field, "required", "is required"));
                    ok = false;
                    continue;
                }
                (None | Some(serde_json::Value::Null), Kind::Setting(default)) => default.map(str::to_owned),
                (Some(raw), _) => match check_value(v, &field, name, raw) {
                    Some(value) => Some(value),
                    None => {
                        ok = false;
                        continue;
                    }
                },
            };
            if let Some(value) = value {
                values.insert((*name).to_owned(), serde_json::Value::String(value));
            }
        }
        if !ok {
            return None;
        }
        Self::from_value(provider, serde_json::Value::Object(values)).ok()
    }

    fn from_value(provider: Provider, value: serde_json::Value) -> serde_json::Result<Self> {
        Ok(match provider {
            Provider::Whatsapp | Provider::Instagram => Self::Meta(serde_json::from_value(value)?),
            Provider::Stripe => Self::Stripe(serde_json::from_value(value)?),
            Provider::Pagbank => Self::Pagbank(serde_json::from_value(value)?),
            Provider::Twilio => Self::Twilio(serde_json::from_value(value)?),
            Provider::Zenvia => Self::Zenvia(serde_json::from_value(value)?),
            Provider::Efi => Self::Efi(serde_json::from_value(value)?),
        })
    }

    /// Reads the JSON that [`SourceSecrets::to_json`] wrote for `provider`.
    pub fn from_json(provider: Provider, json: &[u8]) -> Result<Self> {
        let value: serde_json::Value = serde_json::from_slice(json).map_err(Error::internal)?;
        Self::from_value(provider, value).map_err(|e| Error::internal(format!("stored {provider} secrets: {e}")))
    }

    /// The JSON sealed at rest.
    pub fn to_json(&self) -> Result<Vec<u8>> {
        serde_json::to_vec(self).map_err(Error::internal)
    }

    /// The names of the secret fields set (never their values).
    pub fn secret_names(&self, provider: Provider) -> Vec<String> {
        fields(provider)
            .iter()
            .filter(|(_, kind)| matches!(kind, Kind::Secret))
            .map(|(name, _)| (*name).to_owned())
            .collect()
    }

    /// The non-secret settings with their values.
    pub fn settings(&self) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        match self {
            Self::Zenvia(z) => {
                out.insert("header_name".to_owned(), z.header_name.clone());
            }
            Self::Efi(e) => {
                out.insert("client_cert_header".to_owned(), e.client_cert_header.clone());
                if let Some(verdict) = &e.client_cert_verified {
                    out.insert("client_cert_verified".to_owned(), verdict.clone());
                }
            }
            _ => {}
        }
        out
    }
}

/// Checks and normalises an allowlist: trimmed, without repeats, every entry a CIDR.
pub fn check_allowlist(v: &mut Validator, entries: &[String]) -> Vec<String> {
    if entries.len() > MAX_ALLOWLIST {
        v.push(FieldError::new("ip_allowlist", "too_many", format!("at most {MAX_ALLOWLIST} entries")));
    }
    let mut out: Vec<String> = Vec::with_capacity(entries.len());
    for (i, entry) in entries.iter().enumerate() {
        let entry = entry.trim();
        if ip::Cidr::parse(entry).is_none() {
            let message = "must be an IPv4 or IPv6 address or CIDR such as 203.0.113.0/24";
            v.push(FieldError::new(format!("ip_allowlist[{i}]"), "invalid_cidr", message));
        } else if !out.iter().any(|e| e == entry) {
            out.push(entry.to_owned());
        }
    }
    out
}

/// The keyring context that binds a source's sealed secrets to its store and provider.
pub fn secret_context(store_id: uuid::Uuid, provider: Provider) -> String {
    format!("inbound-source:{store_id}:{provider}")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn errors(provider: Provider, raw: serde_json::Value) -> Vec<(String, String)> {
        let mut v = Validator::new();
        let parsed = SourceSecrets::parse(provider, &raw, &mut v);
        match v.finish() {
            Ok(()) => {
                assert!(parsed.is_some());
                Vec::new()
            }
            Err(e) => {
                assert!(parsed.is_none());
                e.problem().errors.into_iter().map(|e| (e.field, e.code)).collect()
            }
        }
    }

    #[test]
    fn meta_needs_both_secrets() {
        assert!(errors(Provider::Whatsapp, json!({"app_secret": "abc", "verify_token": "tok"})).is_empty());
        assert_eq!(
            errors(Provider::Instagram, json!({"app_secret": "abc"})),
            vec![("secrets.verify_token".to_owned(), "required".to_owned())]
        );
        assert_eq!(errors(Provider::Whatsapp, json!("x")), vec![("secrets".to_owned(), "invalid".to_owned())]);
    }

    #[test]
    fn names_unknown_and_bad_fields() {
        let e = errors(Provider::Stripe, json!({"signing_secret": "sk_live_x", "extra": 1}));
        assert!(e.contains(&("secrets.extra".to_owned(), "unknown_field".to_owned())), "{e:?}");
        assert!(e.contains(&("secrets.signing_secret".to_owned(), "invalid_format".to_owned())), "{e:?}");
        let e = errors(Provider::Pagbank, json!({"token": 5}));
        assert_eq!(e, vec![("secrets.token".to_owned(), "invalid".to_owned())]);
        let e = errors(Provider::Twilio, json!({"auth_token": "has space"}));
        assert_eq!(e, vec![("secrets.auth_token".to_owned(), "invalid".to_owned())]);
        let e = errors(Provider::Zenvia, json!({"secret": "s", "header_name": "bad:name"}));
        assert_eq!(e, vec![("secrets.header_name".to_owned(), "invalid_header_name".to_owned())]);
    }

    #[test]
    fn defaults_fill_settings_and_round_trip() {
        let mut v = Validator::new();
        let parsed = SourceSecrets::parse(Provider::Zenvia, &json!({"secret": " s3 "}), &mut v);
        let Some(SourceSecrets::Zenvia(z)) = parsed else { panic!("zenvia") };
        assert_eq!((z.secret.as_str(), z.header_name.as_str()), ("s3", "X-Zenvia-Token"));
        let efi = SourceSecrets::parse(Provider::Efi, &json!({"hmac_secret": "h"}), &mut v).unwrap();
        assert_eq!(efi.settings().get("client_cert_header").map(String::as_str), Some("X-Client-Cert-Verified"));
        assert_eq!(efi.secret_names(Provider::Efi), vec!["hmac_secret".to_owned()]);
        let back = SourceSecrets::from_json(Provider::Efi, &efi.to_json().unwrap()).unwrap();
        assert!(matches!(back, SourceSecrets::Efi(e) if e.hmac_secret == "h" && e.client_cert_verified.is_none()));
        assert_eq!(format!("{efi:?}"), "SourceSecrets([redacted])");
    }

    #[test]
    fn allowlists_are_checked_and_normalised() {
        let mut v = Validator::new();
        let entries = vec![" 10.0.0.0/8 ".to_owned(), "10.0.0.0/8".to_owned(), "2001:db8::/32".to_owned()];
        assert_eq!(check_allowlist(&mut v, &entries), vec!["10.0.0.0/8".to_owned(), "2001:db8::/32".to_owned()]);
        assert!(v.finish().is_ok());
        let bad = vec!["10.0.0.0/8".to_owned(), "10.0.0.0/33".to_owned()];
        check_allowlist(&mut v, &bad);
        let err = v.finish().err().map(|e| e.problem().errors[0].field.clone());
        assert_eq!(err.as_deref(), Some("ip_allowlist[1]"));
        let many: Vec<String> = (0..=MAX_ALLOWLIST).map(|i| format!("10.0.0.{i}")).collect();
        check_allowlist(&mut v, &many);
        let err = v.finish().err().map(|e| e.problem().errors[0].field.clone());
        assert_eq!(err.as_deref(), Some("ip_allowlist"));
    }
}
