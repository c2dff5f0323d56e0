//! Conversation rows and API types.

use balcao_core::id::{StoreId, UserId};
use balcao_core::pagination::{Page, PageParams};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::channels::{ChannelId, ChannelKind};
use crate::content::Content;
use crate::messages::window::WINDOW;
use crate::messages::{ConversationId, Message, MessageId, MessageStatus};
use crate::schema::conversations;

/// The most labels on one conversation.
pub const MAX_LABELS: usize = 20;
/// The longest label.
pub const MAX_LABEL_LEN: usize = 50;
/// The longest last-message preview, in characters.
pub const PREVIEW_LEN: usize = 120;

/// Where a conversation is in the team's inbox.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ConversationStatus {
    /// Needs the team (a new message reopens a resolved conversation).
    Open,
    /// Waiting (on the contact, a bot or a colleague).
    Pending,
    /// Done.
    Resolved,
}

impl ConversationStatus {
    /// Every status.
    pub const ALL: [ConversationStatus; 3] = [Self::Open, Self::Pending, Self::Resolved];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Pending => "pending",
            Self::Resolved => "resolved",
        }
    }

    /// Parses a wire name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

/// A `conversations` row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = conversations)]
pub struct ConversationRow {
    pub store_id: uuid::Uuid,
    pub id: uuid::Uuid,
    pub channel_id: uuid::Uuid,
    pub contact: String,
    pub contact_name: String,
    pub status: String,
    pub assignee_id: Option<uuid::Uuid>,
    pub labels: Vec<String>,
    pub last_inbound_at: Option<DateTime<Utc>>,
    pub last_activity_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The latest message of a conversation, in short.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MessagePreview {
    /// The message.
    pub id: MessageId,
    /// `inbound` or `outbound`.
    #[schema(example = "inbound")]
    pub direction: String,
    /// Where it is.
    pub status: MessageStatus,
    /// Its first characters (media and templates as `[imagem]`, `[modelo: nome]`...).
    #[schema(example = "Oi, vocês entregam hoje?")]
    pub text: String,
    /// When it was created or received.
    pub created_at: DateTime<Utc>,
}

/// A conversation with one contact on one channel.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Conversation {
    /// The conversation.
    pub id: ConversationId,
    /// The store.
    pub store_id: StoreId,
    /// The channel.
    pub channel_id: ChannelId,
    /// What the channel carries.
    pub channel_kind: ChannelKind,
    /// The contact: E.164 phone, Instagram-scoped id or email address.
    #[schema(example = "+5511987654321")]
    pub contact: String,
    /// The contact's profile name, as the channel last reported it (may be empty).
    #[schema(example = "Maria da Silva")]
    pub contact_name: String,
    /// Where it is in the inbox.
    pub status: ConversationStatus,
    /// The member handling it.
    pub assignee_id: Option<UserId>,
    /// Labels.
    pub labels: Vec<String>,
    /// When the contact last wrote.
    pub last_inbound_at: Option<DateTime<Utc>>,
    /// WhatsApp and Instagram: until when free-form messages may go (24 hours after the
    /// contact's last message; in the past once the window closed); null when the contact never
    /// wrote or the channel has no window.
    pub window_expires_at: Option<DateTime<Utc>>,
    /// The last message in or out.
    pub last_activity_at: DateTime<Utc>,
    /// The latest message.
    pub last_message: Option<MessagePreview>,
    /// When it started.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl Conversation {
    /// The API view of a row on a channel of `kind`.
    pub fn from_row(row: ConversationRow, kind: ChannelKind, last_message: Option<MessagePreview>) -> Self {
        let window_expires_at = row.last_inbound_at.filter(|_| kind.has_window()).map(|at| at + WINDOW);
        Self {
            id: ConversationId(row.id),
            store_id: StoreId(row.store_id),
            channel_id: ChannelId(row.channel_id),
            channel_kind: kind,
            contact: row.contact,
            contact_name: row.contact_name,
            status: ConversationStatus::parse(&row.status).unwrap_or(ConversationStatus::Open),
            assignee_id: row.assignee_id.map(UserId),
            labels: row.labels,
            last_inbound_at: row.last_inbound_at,
            window_expires_at,
            last_activity_at: row.last_activity_at,
            last_message,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

/// `GET .../conversations/{id}`: the conversation and a page of its messages.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ConversationDetail {
    /// The conversation.
    pub conversation: Conversation,
    /// Its messages, oldest first unless `order=desc`; follow `next_cursor` for more.
    pub messages: Page<Message>,
}

/// `GET .../conversations` filters.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConversationFilter {
    /// Only conversations in this status.
    pub status: Option<ConversationStatus>,
    /// Only conversations assigned to this member.
    pub assignee_id: Option<uuid::Uuid>,
    /// Only conversations with this label.
    pub label: Option<String>,
    /// Only conversations on this channel.
    pub channel_id: Option<uuid::Uuid>,
    /// Only the conversation with this contact.
    pub contact: Option<String>,
}

/// Message order in a conversation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum MessageOrder {
    /// Oldest first.
    #[default]
    Asc,
    /// Newest first.
    Desc,
}

/// `?limit=&cursor=&order=` for a conversation's messages.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MessagesParams {
    /// Page size, 1..=100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page of messages.
    pub cursor: Option<String>,
    /// `asc` (oldest first, the default) or `desc` (newest first).
    #[param(inline)]
    pub order: Option<MessageOrder>,
}

impl MessagesParams {
    /// The page part.
    pub fn page(&self) -> PageParams {
        PageParams { limit: self.limit, cursor: self.cursor.clone() }
    }
}

/// `PATCH .../conversations/{id}`: only given fields change.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, ToSchema)]
pub struct UpdateConversation {
    /// `open`, `pending` or `resolved`.
    pub status: Option<ConversationStatus>,
    /// A member of the store, or null to unassign.
    #[serde(default, deserialize_with = "balcao_core::patch::double_option")]
    #[schema(value_type = Option<uuid::Uuid>)]
    pub assignee_id: Option<Option<uuid::Uuid>>,
    /// The labels (replace them all): at most 20, each 1 to 50 characters.
    #[schema(example = json!(["entrega", "vip"]))]
    pub labels: Option<Vec<String>>,
}

/// A stored message content in a few words.
pub fn preview(content: &serde_json::Value) -> String {
    let text = match serde_json::from_value::<Content>(content.clone()) {
        Ok(Content::Text { text, .. }) => text,
        Ok(Content::Template { name, .. }) => format!("[modelo: {name}]"),
        Ok(Content::Image { caption, .. }) => caption.unwrap_or_else(|| "[imagem]".to_owned()),
        Ok(Content::Document { caption, filename, .. }) => {
            caption.or(filename).unwrap_or_else(|| "[documento]".to_owned())
        }
        Ok(Content::Buttons { body, .. } | Content::List { body, .. }) => body,
        Ok(Content::Email { subject, .. }) => subject,
        Err(_) => "[mensagem]".to_owned(),
    };
    let text = text.trim();
    if text.chars().count() <= PREVIEW_LEN {
        text.to_owned()
    } else {
        let cut: String = text.chars().take(PREVIEW_LEN - 1).collect();
        format!("{}…", cut.trim_end())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn previews_are_short_and_readable() {
        assert_eq!(preview(&json!({"type": "text", "text": " Oi "})), "Oi");
        assert_eq!(preview(&json!({"type": "template", "name": "pedido", "language": "pt_BR"})), "[modelo: pedido]");
        assert_eq!(preview(&json!({"type": "image", "url": "https://x/y.png"})), "[imagem]");
        let long = "a".repeat(500);
        assert_eq!(preview(&json!({"type": "text", "text": long})).chars().count(), PREVIEW_LEN);
    }

    #[test]
    fn patches_tell_null_from_absent() {
        let parse = |s: &str| serde_json::from_str::<UpdateConversation>(s).map(|u| u.assignee_id).ok();
        assert_eq!(parse("{}"), Some(None));
        assert_eq!(parse(r#"{"assignee_id": null}"#), Some(Some(None)));
    }
}
