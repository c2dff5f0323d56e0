//! The provider seam: one implementation per provider, each turning a stored message into
//! its API's request and its answer into an [`Accepted`] or a classified [`ProviderError`].

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use balcao_core::id::StoreId;

use crate::channels::{ChannelId, ChannelSettings, ProviderKind};
use crate::content::Content;
use crate::messages::{Category, MessageId};

/// The channel a message goes out on, with its credentials opened.
#[derive(Clone)]
pub struct ChannelContext {
    /// The store.
    pub store_id: StoreId,
    /// The channel.
    pub channel_id: ChannelId,
    /// The sender (phone number id, account id, address).
    pub sender: String,
    /// Non-secret settings.
    pub settings: ChannelSettings,
    /// The credentials (never log them).
    pub credentials: BTreeMap<String, String>,
}

impl std::fmt::Debug for ChannelContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChannelContext")
            .field("store_id", &self.store_id)
            .field("channel_id", &self.channel_id)
            .field("sender", &self.sender)
            .field("settings", &self.settings)
            .field("credentials", &self.credentials.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl ChannelContext {
    /// A credential, or a permanent error naming it.
    pub fn credential(&self, name: &str) -> Result<&str, ProviderError> {
        self.credentials
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| ProviderError::permanent("missing_credentials", format!("the channel has no {name}")))
    }
}

/// One message to send.
#[derive(Debug, Clone)]
pub struct Outbound {
    /// The message.
    pub id: MessageId,
    /// Unique per message: providers that accept an idempotency key get this.
    pub idempotency_key: String,
    /// The recipient.
    pub to: String,
    /// What it says.
    pub content: Content,
    /// Transactional or marketing.
    pub category: Category,
    /// Instagram: send with the `HUMAN_AGENT` tag (outside 24 h, inside 7 days).
    pub human_agent: bool,
    /// Marketing email: the one-click unsubscribe URL for `List-Unsubscribe`.
    pub unsubscribe_url: Option<String>,
}

/// The provider took the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    /// Its id at the provider, matched by status webhooks.
    pub provider_message_id: String,
}

/// Why a provider did not take a message, classified for the send job.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProviderError {
    /// Temporary (rate limit, 5xx, network): retry with backoff, or after `after`.
    #[error("{code}: {message}")]
    Retry { code: String, message: String, after: Option<Duration> },
    /// This recipient is being sent to too fast: wait, without spending an attempt.
    #[error("{code}: {message}")]
    RecipientThrottled { code: String, message: String, after: Duration },
    /// It will never go through as it is: the message fails with this code.
    #[error("{code}: {message}")]
    Permanent { code: String, message: String },
}

impl ProviderError {
    /// A permanent failure.
    pub fn permanent(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Permanent { code: code.into(), message: message.into() }
    }

    /// A retryable failure.
    pub fn retry(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Retry { code: code.into(), message: message.into(), after: None }
    }
}

/// Sends through one provider's API.
#[async_trait]
pub trait Provider: Send + Sync {
    /// Which provider it is.
    fn kind(&self) -> ProviderKind;
    /// Sends one message.
    async fn send(&self, channel: &ChannelContext, message: &Outbound) -> Result<Accepted, ProviderError>;
}

/// The providers the send job can use, by kind.
#[derive(Clone, Default)]
pub struct Providers {
    by_kind: HashMap<ProviderKind, Arc<dyn Provider>>,
}

impl Providers {
    /// No providers.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds (or replaces) the provider for its kind.
    pub fn register(&mut self, provider: Arc<dyn Provider>) -> &mut Self {
        self.by_kind.insert(provider.kind(), provider);
        self
    }

    /// The provider for `kind`.
    pub fn get(&self, kind: ProviderKind) -> Option<&Arc<dyn Provider>> {
        self.by_kind.get(&kind)
    }
}
