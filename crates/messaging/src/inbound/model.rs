//! What a provider's webhook says, once parsed: inbound messages, status reports, and the
//! contents contacts send.

use chrono::{DateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::content::Content;
use crate::messages::status::StatusReport;

/// What a contact sent, by `type`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum InboundContent {
    /// Text the contact typed.
    Text {
        /// The text.
        text: String,
    },
    /// A tap on a reply button, a list row, a quick reply or a postback.
    Reply {
        /// The id the store gave the button or row.
        id: String,
        /// Its label.
        title: String,
    },
    /// An image, video, audio, document, sticker or file.
    Media {
        /// `image`, `video`, `audio`, `document`, `sticker` or `file`.
        #[schema(example = "image")]
        media_type: String,
        /// A link to the file, when the provider gives one (Instagram, Twilio, Zenvia).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        url: Option<String>,
        /// The provider's media id, to download it with the channel's credentials (WhatsApp).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        media_id: Option<String>,
        /// Its MIME type.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        mime_type: Option<String>,
        /// The caption the contact wrote.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        caption: Option<String>,
        /// The file name (documents).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        filename: Option<String>,
    },
    /// A location pin.
    Location {
        /// Latitude in degrees.
        latitude: f64,
        /// Longitude in degrees.
        longitude: f64,
        /// The place's name.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        /// The place's address.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        address: Option<String>,
    },
    /// Anything else (a reaction, a contact card, an order...), by the provider's type name.
    Other {
        /// The provider's type, such as `reaction` or `contacts`.
        #[schema(example = "reaction")]
        provider_type: String,
    },
}

impl InboundContent {
    /// The words the contact sent: the text, or the label of the reply they tapped.
    pub fn text(&self) -> Option<&str> {
        match self {
            Self::Text { text } => Some(text),
            Self::Reply { title, .. } => Some(title),
            _ => None,
        }
    }

    /// The closest [`Content`], so inbound messages read like every other message.
    pub fn as_content(&self) -> Content {
        let text = |text: String| Content::Text { text, preview_url: false };
        match self {
            Self::Text { text: t } => text(t.clone()),
            Self::Reply { title, .. } => text(title.clone()),
            Self::Media { media_type, url: Some(url), caption, .. } if media_type == "image" => {
                Content::Image { url: url.clone(), caption: caption.clone() }
            }
            Self::Media { url: Some(url), caption, filename, .. } => {
                Content::Document { url: url.clone(), filename: filename.clone(), caption: caption.clone() }
            }
            Self::Media { media_type, caption, .. } => text(match caption {
                Some(caption) => format!("[{}] {caption}", media_label(media_type)),
                None => format!("[{}]", media_label(media_type)),
            }),
            Self::Location { latitude, longitude, name, address } => {
                let place = [name.as_deref(), address.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(", ");
                text(if place.is_empty() {
                    format!("[localização] {latitude}, {longitude}")
                } else {
                    format!("[localização] {place} ({latitude}, {longitude})")
                })
            }
            Self::Other { provider_type } => text(format!("[{provider_type}]")),
        }
    }

    /// The JSON stored in `messages.content`: the [`Content`] readers expect, with the full
    /// inbound content kept under `inbound`.
    pub fn stored(&self) -> Value {
        let mut value = serde_json::to_value(self.as_content()).unwrap_or(Value::Null);
        if let (Some(object), Ok(inbound)) = (value.as_object_mut(), serde_json::to_value(self)) {
            object.insert("inbound".to_owned(), inbound);
        }
        value
    }
}

fn media_label(media_type: &str) -> &'static str {
    match media_type {
        "image" => "imagem",
        "video" => "vídeo",
        "audio" => "áudio",
        "document" => "documento",
        "sticker" => "figurinha",
        _ => "arquivo",
    }
}

/// One message from a contact, as a provider reported it.
#[derive(Debug, Clone, PartialEq)]
pub struct InboundMessage {
    /// The provider's id for it (deduplicates redeliveries).
    pub provider_message_id: String,
    /// The contact, as the provider wrote it (normalized per channel kind when recorded).
    pub from: String,
    /// The contact's profile name, when the provider gives it.
    pub contact_name: Option<String>,
    /// What they sent.
    pub content: InboundContent,
    /// When they sent it.
    pub at: DateTime<Utc>,
}

/// One thing a provider webhook reported.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// A contact wrote to the channel whose sender is `to`.
    Message {
        /// The channel's sender (phone number id, account id, number).
        to: String,
        /// The message.
        message: InboundMessage,
    },
    /// A message sent from the channel whose sender is `from` (when the provider says) moved.
    Status {
        /// The channel's sender, when known.
        from: Option<String>,
        /// The report.
        report: StatusReport,
    },
}

/// `POST .../channels/{id}/simulate-inbound`: a contact's message to a sandbox channel.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct SimulateInbound {
    /// The contact: E.164 phone (WhatsApp, SMS), Instagram-scoped id or email address.
    #[schema(example = "+5511987654321")]
    pub from: String,
    /// What they wrote.
    #[schema(example = "Oi, vocês entregam hoje?")]
    pub text: String,
    /// Their profile name.
    #[schema(example = "Maria")]
    pub name: Option<String>,
}

/// A JSON string or number as text; `None` for anything else or a blank string.
pub(crate) fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// A JSON array's items (none when it is not an array).
pub(crate) fn items(value: &Value) -> &[Value] {
    value.as_array().map(Vec::as_slice).unwrap_or_default()
}

/// Unix seconds, as a string or a number.
pub(crate) fn unix_seconds(value: &Value) -> Option<DateTime<Utc>> {
    let secs: i64 = text(value)?.parse().ok()?;
    Utc.timestamp_opt(secs, 0).single().and_then(balcao_core::timestamp::in_range)
}

/// Unix milliseconds, as a number or a string.
pub(crate) fn unix_millis(value: &Value) -> Option<DateTime<Utc>> {
    let millis: i64 = text(value)?.parse().ok()?;
    Utc.timestamp_millis_opt(millis).single().and_then(balcao_core::timestamp::in_range)
}

/// An RFC 3339 time.
pub(crate) fn rfc3339(value: &Value) -> Option<DateTime<Utc>> {
    let at = DateTime::parse_from_rfc3339(value.as_str()?.trim()).ok()?;
    balcao_core::timestamp::in_range(at.with_timezone(&Utc))
}

/// `+` and the digits of a phone number given without it (`5511987654321`).
pub(crate) fn plus_digits(raw: &str) -> String {
    let raw = raw.trim();
    if raw.starts_with('+') { raw.to_owned() } else { format!("+{raw}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inbound_contents_are_stored_as_readable_contents() {
        let reply = InboundContent::Reply { id: "sim".into(), title: "Sim".into() };
        let stored = reply.stored();
        assert_eq!(stored["type"], "text");
        assert_eq!(stored["text"], "Sim");
        assert_eq!(stored["inbound"]["id"], "sim");
        let back: Content = serde_json::from_value(stored).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back, Content::Text { text: "Sim".into(), preview_url: false });

        let audio = InboundContent::Media {
            media_type: "audio".into(),
            url: None,
            media_id: Some("123".into()),
            mime_type: Some("audio/ogg".into()),
            caption: None,
            filename: None,
        };
        assert_eq!(audio.as_content(), Content::Text { text: "[áudio]".into(), preview_url: false });
        assert_eq!(audio.text(), None);
    }

    #[test]
    fn times_and_numbers_parse_leniently() {
        assert_eq!(unix_seconds(&serde_json::json!("1504902988")).map(|t| t.timestamp()), Some(1_504_902_988));
        assert_eq!(unix_millis(&serde_json::json!(1_458_668_856_463_i64)).map(|t| t.timestamp()), Some(1_458_668_856));
        assert!(rfc3339(&serde_json::json!("2026-11-29T14:00:00Z")).is_some());
        assert_eq!(plus_digits("5511987654321"), "+5511987654321");
    }
}
