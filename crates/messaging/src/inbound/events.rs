//! The events inbound messages emit.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::model::InboundContent;
use crate::channels::{ChannelId, ChannelKind};
use crate::messages::{ConversationId, MessageId};

/// The event type of [`MessageReceived`].
pub const MESSAGE_RECEIVED: &str = "message.received";

/// `message.received`: a contact wrote to one of the store's channels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MessageReceived {
    /// The message, as stored (`GET .../messages/{id}`).
    pub message_id: MessageId,
    /// Its conversation.
    pub conversation_id: ConversationId,
    /// The channel it arrived on.
    pub channel_id: ChannelId,
    /// What that channel carries.
    pub channel_kind: ChannelKind,
    /// The provider's id for the message.
    #[schema(example = "wamid.HBgNNTUxMTk4NzY1NDMyMRUCABIYFjNFQjA=")]
    pub provider_message_id: String,
    /// The contact: E.164 phone (WhatsApp, SMS) or Instagram-scoped id.
    #[schema(example = "+5511987654321")]
    pub contact: String,
    /// The contact's profile name, when known.
    #[schema(example = "Maria da Silva")]
    pub contact_name: Option<String>,
    /// What they sent.
    pub content: InboundContent,
    /// The words they sent (the text, or the label of the reply they tapped), for rules that
    /// match keywords.
    #[schema(example = "Oi, vocês entregam hoje?")]
    pub text: Option<String>,
    /// When they sent it, per the provider.
    pub received_at: DateTime<Utc>,
}
