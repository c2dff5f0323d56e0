//! The providers that may call a store's inbound receiver.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A provider whose webhooks a store can receive at `/v1/inbound/{provider}/{store_id}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    /// WhatsApp Cloud API (Meta): `X-Hub-Signature-256` and the `hub.challenge` handshake.
    Whatsapp,
    /// Instagram messaging (Meta): `X-Hub-Signature-256` and the `hub.challenge` handshake.
    Instagram,
    /// Stripe: `Stripe-Signature` with a 300 s tolerance.
    Stripe,
    /// EFI (Gerencianet) PIX: `hmac` query secret, source IP, optional proxy mTLS verdict.
    Efi,
    /// PagBank: `x-authenticity-token`.
    Pagbank,
    /// Zenvia: a shared secret in a configured header.
    Zenvia,
    /// Twilio: `X-Twilio-Signature` over the public URL and the form fields.
    Twilio,
}

impl Provider {
    /// Every provider, in documentation order.
    pub const ALL: [Provider; 7] = [
        Provider::Whatsapp,
        Provider::Instagram,
        Provider::Stripe,
        Provider::Efi,
        Provider::Pagbank,
        Provider::Zenvia,
        Provider::Twilio,
    ];

    /// The name used in paths, JSON and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Whatsapp => "whatsapp",
            Self::Instagram => "instagram",
            Self::Stripe => "stripe",
            Self::Efi => "efi",
            Self::Pagbank => "pagbank",
            Self::Zenvia => "zenvia",
            Self::Twilio => "twilio",
        }
    }

    /// Whether the provider is one of Meta's (the same signature and handshake).
    pub fn is_meta(self) -> bool {
        matches!(self, Self::Whatsapp | Self::Instagram)
    }

    /// Whether the provider verifies the receiver with a GET handshake.
    pub fn has_handshake(self) -> bool {
        self.is_meta()
    }

    /// The receiver's path for a store.
    pub fn receiver_path(self, store_id: uuid::Uuid) -> String {
        format!("/v1/inbound/{}/{store_id}", self.as_str())
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A provider name that is not one of [`Provider::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown provider `{0}`")]
pub struct UnknownProvider(pub String);

impl FromStr for Provider {
    type Err = UnknownProvider;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|p| p.as_str() == s).ok_or_else(|| UnknownProvider(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for p in Provider::ALL {
            assert_eq!(p.as_str().parse::<Provider>(), Ok(p));
            assert_eq!(serde_json::to_value(p).ok(), Some(serde_json::Value::String(p.as_str().to_owned())));
        }
        assert!("WhatsApp".parse::<Provider>().is_err());
        assert!("mercadopago".parse::<Provider>().is_err());
    }

    #[test]
    fn only_meta_has_a_handshake() {
        let with: Vec<_> = Provider::ALL.into_iter().filter(|p| p.has_handshake()).collect();
        assert_eq!(with, vec![Provider::Whatsapp, Provider::Instagram]);
    }
}
