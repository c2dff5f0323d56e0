//! Channel kinds, providers, rows and API types.

use std::collections::BTreeMap;

use balcao_core::consent::ConsentChannel;
use balcao_core::id::StoreId;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::schema::channels;

balcao_core::id_type!(
    /// A messaging channel.
    ChannelId
);

/// What a channel carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ChannelKind {
    /// WhatsApp.
    Whatsapp,
    /// Instagram direct messages.
    Instagram,
    /// Email.
    Email,
    /// SMS.
    Sms,
}

impl ChannelKind {
    /// Every kind.
    pub const ALL: [ChannelKind; 4] = [Self::Whatsapp, Self::Instagram, Self::Email, Self::Sms];

    /// The wire name (the consent ledger's name for the channel).
    pub fn as_str(self) -> &'static str {
        self.consent_channel().as_str()
    }

    /// The customer consent ledger's channel.
    pub fn consent_channel(self) -> ConsentChannel {
        match self {
            Self::Whatsapp => ConsentChannel::Whatsapp,
            Self::Instagram => ConsentChannel::Instagram,
            Self::Email => ConsentChannel::Email,
            Self::Sms => ConsentChannel::Sms,
        }
    }

    /// Parses a wire name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// Whether free-form messages need an open customer-service window (Meta's channels).
    pub fn has_window(self) -> bool {
        matches!(self, Self::Whatsapp | Self::Instagram)
    }
}

/// Who carries a channel's messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProviderKind {
    /// Meta's WhatsApp Cloud API.
    WhatsappCloud,
    /// Meta's Instagram Messaging API.
    Instagram,
    /// An SMTP server (or the operator's mailer).
    Smtp,
    /// Zenvia SMS.
    Zenvia,
    /// Twilio SMS.
    Twilio,
    /// Records every call and lets you simulate delivery, read and failure; the default
    /// for a store without credentials.
    Sandbox,
}

impl ProviderKind {
    /// Every provider.
    pub const ALL: [ProviderKind; 6] =
        [Self::WhatsappCloud, Self::Instagram, Self::Smtp, Self::Zenvia, Self::Twilio, Self::Sandbox];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::WhatsappCloud => "whatsapp_cloud",
            Self::Instagram => "instagram",
            Self::Smtp => "smtp",
            Self::Zenvia => "zenvia",
            Self::Twilio => "twilio",
            Self::Sandbox => "sandbox",
        }
    }

    /// Parses a wire name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == name)
    }

    /// Whether it can carry `kind`.
    pub fn carries(self, kind: ChannelKind) -> bool {
        match self {
            Self::WhatsappCloud => kind == ChannelKind::Whatsapp,
            Self::Instagram => kind == ChannelKind::Instagram,
            Self::Smtp => kind == ChannelKind::Email,
            Self::Zenvia | Self::Twilio => kind == ChannelKind::Sms,
            Self::Sandbox => true,
        }
    }

    /// The credential names it needs, all required.
    pub fn credential_names(self) -> &'static [&'static str] {
        match self {
            Self::WhatsappCloud | Self::Instagram => &["access_token"],
            Self::Smtp | Self::Sandbox => &[],
            Self::Zenvia => &["api_token"],
            Self::Twilio => &["account_sid", "auth_token"],
        }
    }

    /// Optional credential names.
    pub fn optional_credential_names(self) -> &'static [&'static str] {
        match self {
            Self::Smtp => &["smtp_url"],
            _ => &[],
        }
    }
}

/// A `channels` row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = channels)]
pub struct ChannelRow {
    pub store_id: uuid::Uuid,
    pub id: uuid::Uuid,
    pub kind: String,
    pub provider: String,
    pub name: String,
    pub sender: String,
    pub settings: serde_json::Value,
    pub credentials: String,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Non-secret channel settings; every one optional.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChannelSettings {
    /// Graph API version for WhatsApp and Instagram (default `v21.0`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = "v21.0")]
    pub api_version: Option<String>,
    /// The provider's API base URL (defaults: `https://graph.facebook.com` for WhatsApp,
    /// `https://graph.instagram.com` for Instagram, `https://api.zenvia.com`,
    /// `https://api.twilio.com`), for proxies and tests. https only, and never an internal
    /// address unless the operator allows them (`BALCAO_WEBHOOKS_ALLOW_HTTP`, `_ALLOW_PRIVATE`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    /// Messages per second this sender may send, across every worker (WhatsApp default 80).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 1, maximum = 1000)]
    pub rate_limit_per_second: Option<u32>,
    /// Seconds between two messages to the same recipient (WhatsApp default 6).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(minimum = 0, maximum = 3600)]
    pub recipient_interval_secs: Option<u32>,
    /// Instagram: staff may answer for 7 days after the contact's last message with the
    /// `HUMAN_AGENT` tag (the store must be approved for it by Meta).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub human_agent: Option<bool>,
    /// Email: the `Reply-To` address.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<String>,
    /// Extra opt-out keywords besides PARE, SAIR, STOP and CANCELAR.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub opt_out_keywords: Vec<String>,
}

/// A channel as staff see it. Its credentials are never returned, only their names.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Channel {
    /// The channel.
    pub id: ChannelId,
    /// The store.
    pub store_id: StoreId,
    /// What it carries.
    pub kind: ChannelKind,
    /// Who carries it.
    pub provider: ProviderKind,
    /// A name for staff.
    pub name: String,
    /// The sender: WhatsApp phone number id, Instagram account id, email address
    /// (`Loja <vendas@loja.com>`) or SMS sender.
    pub sender: String,
    /// Non-secret settings.
    pub settings: ChannelSettings,
    /// The names of the credentials stored (sealed; never returned).
    pub configured_credentials: Vec<String>,
    /// Whether it sends.
    pub active: bool,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// `POST .../channels`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct CreateChannel {
    /// What it carries.
    pub kind: ChannelKind,
    /// Who carries it.
    pub provider: ProviderKind,
    /// A name for staff (at most 100 characters).
    pub name: String,
    /// The sender (see [`Channel::sender`]).
    #[serde(default)]
    pub sender: String,
    /// Non-secret settings.
    #[serde(default)]
    pub settings: ChannelSettings,
    /// The provider's credentials: `access_token` (WhatsApp, Instagram), `api_token` (Zenvia),
    /// `account_sid` and `auth_token` (Twilio), optional `smtp_url` (email).
    #[serde(default)]
    pub credentials: BTreeMap<String, String>,
    /// Whether it sends (default true).
    pub active: Option<bool>,
}

/// `PATCH .../channels/{id}`: only given fields change; `credentials` replaces them all.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, ToSchema)]
pub struct UpdateChannel {
    /// A name for staff.
    pub name: Option<String>,
    /// The sender.
    pub sender: Option<String>,
    /// Non-secret settings (replaces them all).
    pub settings: Option<ChannelSettings>,
    /// New credentials (replaces them all).
    pub credentials: Option<BTreeMap<String, String>>,
    /// Whether it sends.
    pub active: Option<bool>,
}
