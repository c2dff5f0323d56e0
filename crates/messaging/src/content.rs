//! What a message says: one shape per kind of content, validated against what the channel
//! carries and its provider's limits.

use balcao_core::error::Validator;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::channels::ChannelKind;

/// WhatsApp's longest text body.
pub const MAX_TEXT: usize = 4096;
/// The most reply buttons in one interactive message.
pub const MAX_BUTTONS: usize = 3;
/// The most rows in one list message, over all sections.
pub const MAX_LIST_ROWS: usize = 10;
/// The longest SMS body balcao sends (ten concatenated parts).
pub const MAX_SMS: usize = 1530;

/// A reply button.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Button {
    /// The id returned when the contact taps it (at most 256 characters).
    pub id: String,
    /// The label, at most 20 characters.
    pub title: String,
}

/// A row of a list message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ListRow {
    /// The id returned when the contact picks it.
    pub id: String,
    /// The label, at most 24 characters.
    pub title: String,
    /// A line under the label, at most 72 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// A section of a list message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ListSection {
    /// The section's title, at most 24 characters.
    pub title: String,
    /// Its rows.
    pub rows: Vec<ListRow>,
}

/// A parameter of a template's button.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct TemplateButton {
    /// `quick_reply` (the parameter is the payload) or `url` (the parameter completes the URL).
    #[schema(example = "url")]
    pub sub_type: String,
    /// The button's position in the template, from 0.
    #[schema(minimum = 0, maximum = 9)]
    pub index: u8,
    /// The value.
    pub parameter: String,
}

/// A message's content, by `type`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Content {
    /// Free text (WhatsApp, Instagram, SMS).
    Text {
        /// The text.
        text: String,
        /// Show a preview of the first link (WhatsApp).
        #[serde(default)]
        preview_url: bool,
    },
    /// An approved WhatsApp template: the only content allowed outside the customer-service window.
    Template {
        /// The template's name.
        name: String,
        /// Its language code, e.g. `pt_BR`.
        language: String,
        /// Text parameters of the header, in order.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        header: Vec<String>,
        /// Text parameters of the body, in order.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        body: Vec<String>,
        /// Button parameters.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        buttons: Vec<TemplateButton>,
    },
    /// An image by public https link (WhatsApp, Instagram).
    Image {
        /// The image's URL.
        url: String,
        /// A caption (WhatsApp).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        caption: Option<String>,
    },
    /// A document by public https link (WhatsApp).
    Document {
        /// The document's URL.
        url: String,
        /// The file name shown.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        filename: Option<String>,
        /// A caption.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        caption: Option<String>,
    },
    /// Text with up to three reply buttons (WhatsApp).
    Buttons {
        /// The text.
        body: String,
        /// The buttons, one to three.
        buttons: Vec<Button>,
        /// A footer line.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        footer: Option<String>,
    },
    /// Text with a menu of up to ten rows (WhatsApp).
    List {
        /// The text.
        body: String,
        /// The label of the button that opens the menu (at most 20 characters).
        button: String,
        /// The menu's sections.
        sections: Vec<ListSection>,
        /// A footer line.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        footer: Option<String>,
    },
    /// An email with a text part and, optionally, an HTML part.
    Email {
        /// The subject.
        subject: String,
        /// The plain-text part.
        text: String,
        /// The HTML part.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        html: Option<String>,
    },
}

impl Content {
    /// The content's `type`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Text { .. } => "text",
            Self::Template { .. } => "template",
            Self::Image { .. } => "image",
            Self::Document { .. } => "document",
            Self::Buttons { .. } => "buttons",
            Self::List { .. } => "list",
            Self::Email { .. } => "email",
        }
    }

    /// Whether it may be sent outside the customer-service window (only templates may).
    pub fn is_template(&self) -> bool {
        matches!(self, Self::Template { .. })
    }

    /// The types a channel kind carries.
    pub fn allowed(kind: ChannelKind) -> &'static [&'static str] {
        match kind {
            ChannelKind::Whatsapp => &["text", "template", "image", "document", "buttons", "list"],
            ChannelKind::Instagram => &["text", "image"],
            ChannelKind::Email => &["email"],
            ChannelKind::Sms => &["text"],
        }
    }
}

fn https(v: &mut Validator, url: &str, field: &str) {
    let ok = url.len() <= 2048 && url.starts_with("https://") && url.len() > "https://".len() && !url.contains(' ');
    v.check(ok, field, "invalid_url", "must be a public https URL");
}

fn text(v: &mut Validator, value: &str, field: &str, max: usize) {
    v.length(value.trim(), field, 1, max);
}

/// Checks `content` for a channel of `kind`; fields are named under `content.`.
pub fn validate(v: &mut Validator, kind: ChannelKind, content: &Content) {
    if !Content::allowed(kind).contains(&content.kind()) {
        v.check(
            false,
            "content.type",
            "unsupported_content",
            &format!("{} channels carry {}", kind.as_str(), Content::allowed(kind).join(", ")),
        );
        return;
    }
    match content {
        Content::Text { text: body, .. } => {
            let max = if kind == ChannelKind::Sms {
                MAX_SMS
            } else if kind == ChannelKind::Instagram {
                1000
            } else {
                MAX_TEXT
            };
            text(v, body, "content.text", max);
        }
        Content::Template { name, language, header, body, buttons } => {
            let name_ok = !name.is_empty()
                && name.len() <= 512
                && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            v.check(name_ok, "content.name", "invalid", "lowercase letters, digits and underscores");
            let lang_ok =
                (2..=8).contains(&language.len()) && language.chars().all(|c| c.is_ascii_alphabetic() || c == '_');
            v.check(lang_ok, "content.language", "invalid", "a language code such as pt_BR");
            for (i, p) in header.iter().enumerate() {
                text(v, p, &format!("content.header[{i}]"), 60);
            }
            for (i, p) in body.iter().enumerate() {
                text(v, p, &format!("content.body[{i}]"), 1024);
            }
            for (i, b) in buttons.iter().enumerate() {
                let ok = b.sub_type == "quick_reply" || b.sub_type == "url";
                v.check(ok, &format!("content.buttons[{i}].sub_type"), "invalid", "quick_reply or url");
                v.check(b.index < 10, &format!("content.buttons[{i}].index"), "out_of_range", "0 to 9");
                text(v, &b.parameter, &format!("content.buttons[{i}].parameter"), 1000);
            }
        }
        Content::Image { url, caption } => {
            https(v, url, "content.url");
            if let Some(c) = caption {
                text(v, c, "content.caption", 1024);
            }
        }
        Content::Document { url, filename, caption } => {
            https(v, url, "content.url");
            if let Some(f) = filename {
                text(v, f, "content.filename", 240);
            }
            if let Some(c) = caption {
                text(v, c, "content.caption", 1024);
            }
        }
        Content::Buttons { body, buttons, footer } => {
            text(v, body, "content.body", 1024);
            v.check(
                (1..=MAX_BUTTONS).contains(&buttons.len()),
                "content.buttons",
                "invalid_count",
                "one to three buttons",
            );
            for (i, b) in buttons.iter().enumerate() {
                text(v, &b.id, &format!("content.buttons[{i}].id"), 256);
                text(v, &b.title, &format!("content.buttons[{i}].title"), 20);
            }
            let mut ids: Vec<&str> = buttons.iter().map(|b| b.id.as_str()).collect();
            ids.sort_unstable();
            ids.dedup();
            v.check(ids.len() == buttons.len(), "content.buttons", "duplicate_id", "button ids must differ");
            if let Some(f) = footer {
                text(v, f, "content.footer", 60);
            }
        }
        Content::List { body, button, sections, footer } => {
            text(v, body, "content.body", 4096);
            text(v, button, "content.button", 20);
            let rows: usize = sections.iter().map(|s| s.rows.len()).sum();
            v.check(
                !sections.is_empty() && sections.len() <= 10,
                "content.sections",
                "invalid_count",
                "one to ten sections",
            );
            v.check((1..=MAX_LIST_ROWS).contains(&rows), "content.sections", "invalid_count", "one to ten rows in all");
            for (i, s) in sections.iter().enumerate() {
                text(v, &s.title, &format!("content.sections[{i}].title"), 24);
                for (j, r) in s.rows.iter().enumerate() {
                    text(v, &r.id, &format!("content.sections[{i}].rows[{j}].id"), 200);
                    text(v, &r.title, &format!("content.sections[{i}].rows[{j}].title"), 24);
                    if let Some(d) = &r.description {
                        text(v, d, &format!("content.sections[{i}].rows[{j}].description"), 72);
                    }
                }
            }
            if let Some(f) = footer {
                text(v, f, "content.footer", 60);
            }
        }
        Content::Email { subject, text: body, html } => {
            text(v, subject, "content.subject", 998);
            v.check(!subject.contains(['\r', '\n']), "content.subject", "invalid", "one line");
            text(v, body, "content.text", 1_000_000);
            if let Some(h) = html {
                text(v, h, "content.html", 1_000_000);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(kind: ChannelKind, content: serde_json::Value) -> Vec<String> {
        let content: Content = serde_json::from_value(content).unwrap_or_else(|e| panic!("{e}"));
        let mut v = Validator::new();
        validate(&mut v, kind, &content);
        match v.finish() {
            Ok(()) => vec![],
            Err(balcao_core::Error::Validation(errors)) => errors.into_iter().map(|e| e.field).collect(),
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn contents_are_checked_per_channel() {
        assert!(errors(ChannelKind::Whatsapp, serde_json::json!({"type": "text", "text": "Oi"})).is_empty());
        assert_eq!(
            errors(ChannelKind::Sms, serde_json::json!({"type": "image", "url": "https://x/y.png"})),
            ["content.type"]
        );
        assert_eq!(
            errors(ChannelKind::Whatsapp, serde_json::json!({"type": "image", "url": "http://x/y.png"})),
            ["content.url"]
        );
        let four = serde_json::json!({"type": "buttons", "body": "?", "buttons": [
            {"id": "a", "title": "A"}, {"id": "b", "title": "B"}, {"id": "c", "title": "C"}, {"id": "d", "title": "D"}]});
        assert_eq!(errors(ChannelKind::Whatsapp, four), ["content.buttons"]);
        let template = serde_json::json!({"type": "template", "name": "Pedido", "language": "pt_BR"});
        assert_eq!(errors(ChannelKind::Whatsapp, template), ["content.name"]);
    }
}
