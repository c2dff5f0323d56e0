//! Meta's WhatsApp Cloud API.
//!
//! One request per message: `POST {base_url}/{api_version}/{phone_number_id}/messages` with
//! the channel's access token as a bearer token and a JSON body per Meta's Cloud API
//! reference (`messaging_product: "whatsapp"`, `recipient_type: "individual"`, `to` as digits
//! without `+`, `type` and one object named after the type). The provider message id is
//! `messages[0].id` of the answer (`wamid...`), which status webhooks carry.
//!
//! Errors come as a Graph error body `{"error": {"code", "message", "error_data": {"details"}}}`
//! and are classified by Meta's code first, then by HTTP status:
//!
//! | code | meaning | outcome |
//! |---|---|---|
//! | 131056 | pair rate limit (one recipient, too fast) | [`ProviderError::RecipientThrottled`] after the channel's recipient interval (default 6 s) |
//! | 130429, 131000, 131016, 133004, 1, 2, 4, 80007 | throughput, transient, service unavailable | [`ProviderError::Retry`] |
//! | 131047 | re-engagement: more than 24 h since the contact's last message | [`ProviderError::Permanent`] (send a template) |
//! | 131026 | undeliverable | [`ProviderError::Permanent`] |
//! | 368, 131048 | policy block, spam rate limit: stop sending | [`ProviderError::Permanent`] |
//! | other | HTTP 429, 408 and 5xx retry (honouring `Retry-After`), any other status is permanent | |
//!
//! The stored error code is Meta's code as a string (`"131026"`), or `http_<status>` when the
//! answer is not a Graph error; network errors and timeouts retry. Response bodies are never
//! copied into errors, only the Graph error's own message and details, and the access token
//! is never logged.
//!
//! [`graph`] holds what this provider shares with the Instagram one (the URL, the request and
//! Graph error bodies), on top of [`super::rest`] (the client, `Retry-After`, network errors).

use std::time::Duration;

use async_trait::async_trait;
use serde_json::{Value, json};

use crate::channels::ProviderKind;
use crate::content::{Button, Content, ListSection, TemplateButton};
use crate::provider::{Accepted, ChannelContext, Outbound, Provider, ProviderError};

/// Graph API host used when the channel sets no `base_url`.
pub const DEFAULT_BASE_URL: &str = "https://graph.facebook.com";
pub use super::graph::DEFAULT_API_VERSION;
/// Seconds to wait after a pair rate limit (131056) when the channel sets no recipient interval.
pub const DEFAULT_PAIR_INTERVAL_SECS: u32 = 6;

/// Sends through the WhatsApp Cloud API; one HTTP client shared by every send.
#[derive(Clone)]
pub struct WhatsappCloudProvider {
    client: balcao_core::outbound::Client,
}

impl WhatsappCloudProvider {
    /// A provider with its own client (timeouts from [`super::rest::client`]).
    pub fn new(policy: balcao_core::outbound::Policy) -> Result<Self, reqwest::Error> {
        Ok(Self { client: super::rest::client(policy)? })
    }

    /// A provider on `client` (to share one client or change its timeouts).
    pub fn with_client(client: balcao_core::outbound::Client) -> Self {
        Self { client }
    }
}

/// The request URL for a channel: `{base_url}/{api_version}/{phone_number_id}/messages`.
pub fn endpoint(channel: &ChannelContext) -> Result<String, ProviderError> {
    let phone_number_id = channel.sender.trim();
    if phone_number_id.is_empty() || !phone_number_id.chars().all(|c| c.is_ascii_digit()) {
        return Err(ProviderError::permanent(
            "invalid_sender",
            "the channel's sender must be the WhatsApp phone number id (digits)",
        ));
    }
    Ok(graph::url(&channel.settings, DEFAULT_BASE_URL, phone_number_id))
}

fn template_buttons(buttons: &[TemplateButton]) -> Vec<Value> {
    buttons
        .iter()
        .map(|b| {
            let parameter = if b.sub_type == "quick_reply" {
                json!({"type": "payload", "payload": b.parameter})
            } else {
                json!({"type": "text", "text": b.parameter})
            };
            json!({"type": "button", "sub_type": b.sub_type, "index": b.index.to_string(), "parameters": [parameter]})
        })
        .collect()
}

fn text_parameters(values: &[String]) -> Vec<Value> {
    values.iter().map(|v| json!({"type": "text", "text": v})).collect()
}

fn reply_buttons(buttons: &[Button]) -> Vec<Value> {
    buttons.iter().map(|b| json!({"type": "reply", "reply": {"id": b.id, "title": b.title}})).collect()
}

fn sections(sections: &[ListSection]) -> Vec<Value> {
    sections
        .iter()
        .map(|s| {
            let rows: Vec<Value> = s
                .rows
                .iter()
                .map(|r| {
                    let mut row = json!({"id": r.id, "title": r.title});
                    if let Some(d) = &r.description {
                        row["description"] = json!(d);
                    }
                    row
                })
                .collect();
            json!({"title": s.title, "rows": rows})
        })
        .collect()
}

fn interactive(kind: &str, body: &str, footer: Option<&String>, action: Value) -> Value {
    let mut interactive = json!({"type": kind, "body": {"text": body}, "action": action});
    if let Some(footer) = footer {
        interactive["footer"] = json!({"text": footer});
    }
    interactive
}

/// The Cloud API request body for `content` sent to `to` (E.164; sent as digits without `+`).
pub fn request_body(to: &str, content: &Content) -> Result<Value, ProviderError> {
    let (kind, object) = match content {
        Content::Text { text, preview_url } => ("text", json!({"body": text, "preview_url": preview_url})),
        Content::Template { name, language, header, body, buttons } => {
            let mut components = Vec::new();
            if !header.is_empty() {
                components.push(json!({"type": "header", "parameters": text_parameters(header)}));
            }
            if !body.is_empty() {
                components.push(json!({"type": "body", "parameters": text_parameters(body)}));
            }
            components.extend(template_buttons(buttons));
            let mut template = json!({"name": name, "language": {"code": language}});
            if !components.is_empty() {
                template["components"] = Value::Array(components);
            }
            ("template", template)
        }
        Content::Image { url, caption } => {
            let mut image = json!({"link": url});
            if let Some(caption) = caption {
                image["caption"] = json!(caption);
            }
            ("image", image)
        }
        Content::Document { url, filename, caption } => {
            let mut document = json!({"link": url});
            if let Some(filename) = filename {
                document["filename"] = json!(filename);
            }
            if let Some(caption) = caption {
                document["caption"] = json!(caption);
            }
            ("document", document)
        }
        Content::Buttons { body, buttons, footer } => {
            ("interactive", interactive("button", body, footer.as_ref(), json!({"buttons": reply_buttons(buttons)})))
        }
        Content::List { body, button, sections: list, footer } => (
            "interactive",
            interactive("list", body, footer.as_ref(), json!({"button": button, "sections": sections(list)})),
        ),
        Content::Email { .. } => {
            return Err(ProviderError::permanent("unsupported_content", "WhatsApp does not carry email content"));
        }
    };
    let mut request = json!({
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": to.trim().trim_start_matches('+'),
        "type": kind,
    });
    request[kind] = object;
    Ok(request)
}

/// The provider message id of a successful answer: `messages[0].id`.
pub fn message_id(body: &[u8]) -> Option<String> {
    let value: Value = serde_json::from_slice(body).ok()?;
    let id = value.get("messages")?.get(0)?.get("id")?.as_str()?;
    (!id.is_empty()).then(|| id.to_owned())
}

/// Classifies a failed answer: HTTP `status`, its `Retry-After`, its body, and the wait after a
/// pair rate limit (the channel's recipient interval).
pub fn classify(status: u16, retry_after: Option<Duration>, body: &[u8], pair_interval: Duration) -> ProviderError {
    let Some(error) = graph::GraphError::parse(body) else {
        return graph::by_status(status, retry_after, format!("http_{status}"), graph::status_message(status));
    };
    let code = error.code.map_or_else(|| format!("http_{status}"), |c| c.to_string());
    let message = error.describe();
    match error.code {
        Some(131056) => {
            ProviderError::RecipientThrottled { code, message, after: retry_after.unwrap_or(pair_interval) }
        }
        Some(130429 | 131000 | 131016 | 133004 | 1 | 2 | 4 | 80007) => {
            ProviderError::Retry { code, message, after: retry_after }
        }
        Some(131047) => ProviderError::Permanent {
            code,
            message: format!(
                "more than 24 hours have passed since the contact's last message: send an approved template \
                 (content.type = template) to re-engage ({message})"
            ),
        },
        Some(131026 | 368 | 131048) => ProviderError::Permanent { code, message },
        _ if error.transient => ProviderError::Retry { code, message, after: retry_after },
        _ => graph::by_status(status, retry_after, code, message),
    }
}

#[async_trait]
impl Provider for WhatsappCloudProvider {
    fn kind(&self) -> ProviderKind {
        ProviderKind::WhatsappCloud
    }

    async fn send(&self, channel: &ChannelContext, message: &Outbound) -> Result<Accepted, ProviderError> {
        let token = channel.credential("access_token")?;
        let url = endpoint(channel)?;
        let body = request_body(&message.to, &message.content)?;
        let answer = graph::post(&self.client, &url, token, &body).await?;
        if !answer.status.is_success() {
            let interval = channel.settings.recipient_interval_secs.unwrap_or(DEFAULT_PAIR_INTERVAL_SECS).max(1);
            let error = classify(
                answer.status.as_u16(),
                answer.retry_after,
                &answer.body,
                Duration::from_secs(interval.into()),
            );
            tracing::warn!(message = %message.id, channel = %channel.channel_id, status = answer.status.as_u16(), %error, "WhatsApp refused a message");
            return Err(error);
        }
        match message_id(&answer.body) {
            Some(provider_message_id) => Ok(Accepted { provider_message_id }),
            None => {
                // Accepted but unidentifiable: retrying could send it twice, so it fails here.
                tracing::warn!(message = %message.id, channel = %channel.channel_id, "WhatsApp answered without messages[0].id");
                Err(ProviderError::permanent("invalid_response", "WhatsApp answered without a message id"))
            }
        }
    }
}

/// What the WhatsApp and Instagram providers share on top of [`super::rest`]: the URL, the
/// request with a bounded answer, and Graph error bodies.
pub use super::graph;

#[cfg(test)]
#[path = "whatsapp_tests.rs"]
mod tests;
