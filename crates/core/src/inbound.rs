//! The seam between the inbound receivers (in `balcao-webhooks`) and the crates that give a
//! provider's deliveries their meaning (messaging for WhatsApp, Instagram, Zenvia and Twilio;
//! payments for Stripe, EFI and PagBank).
//!
//! A receiver verifies and stores a delivery, then hands it as an [`InboundEvent`] to every
//! [`InboundHandler`] registered for its [`Provider`] in one [`InboundHandlers`]. Every handler
//! for the event's provider runs, in registration order; a failure retries the whole event, so
//! handlers must be idempotent (the provider's id is in [`InboundEvent::external_id`]).

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::id::StoreId;
use crate::jobs::JobError;

crate::id_type!(
    /// An accepted inbound provider delivery.
    InboundEventId
);

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

/// An accepted, verified delivery as handlers see it.
#[derive(Debug, Clone)]
pub struct InboundEvent {
    /// The store.
    pub store_id: StoreId,
    /// The event.
    pub id: InboundEventId,
    /// The provider.
    pub provider: Provider,
    /// The provider's event id, or `sha256:<hex>` of the body.
    pub external_id: String,
    /// Best-effort event type.
    pub event_type: String,
    /// The non-secret request headers kept (lowercase names).
    pub headers: BTreeMap<String, String>,
    /// The raw body, byte for byte.
    pub body: Vec<u8>,
    /// When it was received.
    pub received_at: DateTime<Utc>,
    /// This processing attempt, from 1.
    pub attempt: i32,
}

impl InboundEvent {
    /// The body as JSON; a body that does not parse fails the event for good.
    pub fn json<T: DeserializeOwned>(&self) -> std::result::Result<T, JobError> {
        serde_json::from_slice(&self.body)
            .map_err(|e| JobError::Permanent(format!("body is not the expected JSON: {e}")))
    }

    /// The body as form fields (Twilio, PagBank's legacy notifications).
    pub fn form(&self) -> Vec<(String, String)> {
        form_urlencoded::parse(&self.body).into_owned().collect()
    }
}

/// Does something with a provider's verified deliveries (record a message, settle a payment).
#[async_trait]
pub trait InboundHandler: Send + Sync {
    /// The handler's name, in logs and event errors.
    fn name(&self) -> &str {
        std::any::type_name::<Self>()
    }

    /// The providers whose events it handles.
    fn providers(&self) -> &[Provider];

    /// Handles one event; an error retries the event (or fails it for good when permanent).
    async fn handle(&self, event: &InboundEvent) -> std::result::Result<(), JobError>;
}

/// The handlers registered by the crates that own each provider.
#[derive(Clone, Default)]
pub struct InboundHandlers {
    handlers: Vec<Arc<dyn InboundHandler>>,
}

impl InboundHandlers {
    /// No handlers: every event is marked `ignored`.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a handler; handlers for one provider run in the order they were added.
    pub fn register(&mut self, handler: Arc<dyn InboundHandler>) -> &mut Self {
        self.handlers.push(handler);
        self
    }

    /// The handlers for `provider`.
    pub fn for_provider(&self, provider: Provider) -> Vec<Arc<dyn InboundHandler>> {
        self.handlers.iter().filter(|h| h.providers().contains(&provider)).cloned().collect()
    }

    /// How many handlers are registered.
    pub fn len(&self) -> usize {
        self.handlers.len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.handlers.is_empty()
    }
}

/// EFI's billing notifications: a form `notification=<token>` posted with no secret, whose
/// token means something only to the store's own credentials. The receiver (webhooks) and the
/// handler (payments) read it the same way.
pub mod efi {
    /// The form field of a billing notification.
    pub const NOTIFICATION_PARAM: &str = "notification";

    /// The longest notification token taken (EFI's are UUIDs).
    pub const MAX_NOTIFICATION_TOKEN: usize = 128;

    /// Whether `token` can be an EFI notification token (and is safe in a URL path):
    /// 1 to 128 characters of `[A-Za-z0-9-]`.
    pub fn valid_token(token: &str) -> bool {
        (1..=MAX_NOTIFICATION_TOKEN).contains(&token.len())
            && token.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
    }

    /// The token of a billing notification: a body that is exactly the form
    /// `notification=<token>` with a [valid](valid_token) token. Anything else is not one.
    pub fn notification_token(body: &[u8]) -> Option<String> {
        let mut pairs = form_urlencoded::parse(body);
        let (name, token) = pairs.next()?;
        (name == NOTIFICATION_PARAM && valid_token(&token) && pairs.next().is_none()).then(|| token.into_owned())
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
    fn reads_only_a_lone_efi_notification_token() {
        let token = "09027955-5e06-4ff0-a9c7-46b47b8f1b27";
        assert_eq!(efi::notification_token(format!("notification={token}").as_bytes()).as_deref(), Some(token));
        for body in [
            "",
            "notification=",
            "notification=a%2Fb",
            "notification=x&hmac=y",
            "token=x",
            r#"{"pix":[]}"#,
            &format!("notification={}", "a".repeat(129)),
        ] {
            assert_eq!(efi::notification_token(body.as_bytes()), None, "{body}");
        }
    }

    #[test]
    fn only_meta_has_a_handshake() {
        let with: Vec<_> = Provider::ALL.into_iter().filter(|p| p.has_handshake()).collect();
        assert_eq!(with, vec![Provider::Whatsapp, Provider::Instagram]);
    }
}
