//! The events inbound messages emit.

use balcao_core::events::{EventKind, EventType};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::model::InboundContent;
use crate::channels::{ChannelId, ChannelKind};
use crate::messages::{ConversationId, MessageId};

/// A contact wrote to one of the store's channels.
pub const MESSAGE_RECEIVED: EventKind<MessageReceived> = EventKind::new(
    "message.received",
    "A contact wrote to one of the store's channels (WhatsApp, Instagram, SMS, or a sandbox channel). Its \
     conversation's customer-service window is now open; a redelivered message is reported once.",
    || {
        json!({
            "message_id": "019378a2-7777-7d3a-9b2f-0a1b2c3d4e5f",
            "conversation_id": "019378a2-8888-7d3a-9b2f-0a1b2c3d4e5f",
            "channel_id": "019378a2-9999-7d3a-9b2f-0a1b2c3d4e5f",
            "channel_kind": "whatsapp",
            "provider_message_id": "wamid.HBgNNTUxMTk4NzY1NDMyMRUCABIYFjNFQjA=",
            "contact": "+5511987654321",
            "contact_name": "Maria da Silva",
            "content": {"type": "text", "text": "Oi, vocês entregam hoje?"},
            "text": "Oi, vocês entregam hoje?",
            "received_at": "2026-11-29T14:00:00Z"
        })
    },
);

/// Every event type this area emits.
pub fn event_types() -> Result<Vec<EventType>, String> {
    Ok(vec![MESSAGE_RECEIVED.describe()?])
}

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
