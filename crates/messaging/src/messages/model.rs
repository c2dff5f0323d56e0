//! Message rows, statuses and API types.

use balcao_core::id::StoreId;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::channels::ChannelId;
use crate::content::Content;
use crate::schema::messages;

balcao_core::id_type!(
    /// A message.
    MessageId
);

balcao_core::id_type!(
    /// A conversation.
    ConversationId
);

/// Where a message is. Outbound messages only move forward:
/// queued -> sending -> sent -> delivered -> read, or failed; inbound ones are `received`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum MessageStatus {
    /// Stored, with its send job.
    Queued,
    /// Handed to the provider.
    Sending,
    /// The provider accepted it.
    Sent,
    /// It reached the contact's device.
    Delivered,
    /// The contact read it.
    Read,
    /// It will not be delivered (see `error_code`).
    Failed,
    /// An inbound message.
    Received,
}

impl MessageStatus {
    /// Every status.
    pub const ALL: [MessageStatus; 7] =
        [Self::Queued, Self::Sending, Self::Sent, Self::Delivered, Self::Read, Self::Failed, Self::Received];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Sending => "sending",
            Self::Sent => "sent",
            Self::Delivered => "delivered",
            Self::Read => "read",
            Self::Failed => "failed",
            Self::Received => "received",
        }
    }

    /// Parses a wire name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// The statuses an outbound message may move to `self` from.
    pub fn predecessors(self) -> &'static [&'static str] {
        match self {
            Self::Queued | Self::Received => &[],
            Self::Sending => &["queued"],
            Self::Sent => &["queued", "sending"],
            Self::Delivered => &["queued", "sending", "sent"],
            Self::Read => &["queued", "sending", "sent", "delivered"],
            Self::Failed => &["queued", "sending", "sent"],
        }
    }
}

/// Marketing needs the contact's consent at send time; transactional messages (order
/// updates, receipts, replies) go by their legal basis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
#[schema(as = MessageCategory)]
pub enum Category {
    /// Order updates, receipts, replies.
    #[default]
    Transactional,
    /// Promotions and campaigns.
    Marketing,
}

impl Category {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Transactional => "transactional",
            Self::Marketing => "marketing",
        }
    }
}

/// A `messages` row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = messages)]
pub struct MessageRow {
    pub store_id: uuid::Uuid,
    pub id: uuid::Uuid,
    pub channel_id: uuid::Uuid,
    pub conversation_id: uuid::Uuid,
    pub direction: String,
    pub category: String,
    pub contact: String,
    pub content: serde_json::Value,
    pub status: String,
    pub idempotency_key: String,
    pub provider_message_id: Option<String>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub attempts: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub read_at: Option<DateTime<Utc>>,
    pub failed_at: Option<DateTime<Utc>>,
}

/// A message.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Message {
    /// The message.
    pub id: MessageId,
    /// The store.
    pub store_id: StoreId,
    /// The channel it went through.
    pub channel_id: ChannelId,
    /// Its conversation.
    pub conversation_id: ConversationId,
    /// `outbound` or `inbound`.
    #[schema(example = "outbound")]
    pub direction: String,
    /// `transactional` or `marketing`.
    #[schema(example = "transactional")]
    pub category: String,
    /// The other party: E.164 phone, Instagram-scoped id or email address.
    #[schema(example = "+5511987654321")]
    pub contact: String,
    /// What it says.
    pub content: Content,
    /// Where it is.
    pub status: MessageStatus,
    /// The provider's id, once it accepted the message.
    pub provider_message_id: Option<String>,
    /// The provider's error code when it failed (e.g. WhatsApp `131026`).
    pub error_code: Option<String>,
    /// The provider's error message.
    pub error_message: Option<String>,
    /// Send attempts so far.
    pub attempts: i32,
    /// When it was created (queued or received).
    pub created_at: DateTime<Utc>,
    /// When the provider accepted it.
    pub sent_at: Option<DateTime<Utc>>,
    /// When it was delivered.
    pub delivered_at: Option<DateTime<Utc>>,
    /// When it was read.
    pub read_at: Option<DateTime<Utc>>,
    /// When it failed.
    pub failed_at: Option<DateTime<Utc>>,
}

impl From<MessageRow> for Message {
    fn from(r: MessageRow) -> Self {
        let content =
            serde_json::from_value(r.content).unwrap_or(Content::Text { text: String::new(), preview_url: false });
        Self {
            id: MessageId(r.id),
            store_id: StoreId(r.store_id),
            channel_id: ChannelId(r.channel_id),
            conversation_id: ConversationId(r.conversation_id),
            direction: r.direction,
            category: r.category,
            contact: r.contact,
            content,
            status: MessageStatus::parse(&r.status).unwrap_or(MessageStatus::Queued),
            provider_message_id: r.provider_message_id,
            error_code: r.error_code,
            error_message: r.error_message,
            attempts: r.attempts,
            created_at: r.created_at,
            sent_at: r.sent_at,
            delivered_at: r.delivered_at,
            read_at: r.read_at,
            failed_at: r.failed_at,
        }
    }
}

/// `POST .../messages`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct SendMessage {
    /// A channel id, or a kind (`whatsapp`, `instagram`, `email`, `sms`) for the store's
    /// oldest active channel of that kind (a sandbox channel when it has none).
    #[schema(example = "whatsapp")]
    pub channel: String,
    /// The recipient: E.164 phone (WhatsApp, SMS), Instagram-scoped id, or email address.
    #[schema(example = "+5511987654321")]
    pub to: String,
    /// What to send.
    pub content: Content,
    /// `transactional` (default) or `marketing` (refused for contacts who opted out).
    #[serde(default)]
    pub category: Category,
}

/// `GET .../messages` filters.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MessageFilter {
    /// Only messages in this status.
    pub status: Option<String>,
    /// Only messages of this channel.
    pub channel_id: Option<uuid::Uuid>,
    /// Only messages to or from this contact.
    pub contact: Option<String>,
}

/// `POST .../messages/{id}/simulate`: what the sandbox provider reports next.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[schema(as = SimulateMessageStatus)]
pub struct Simulate {
    /// `delivered`, `read` or `failed`.
    #[schema(example = "delivered")]
    pub status: String,
    /// For `failed`: the error code reported (default `sandbox_failure`).
    pub error_code: Option<String>,
    /// For `failed`: the error message reported.
    pub error_message: Option<String>,
}
