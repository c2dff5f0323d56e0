//! Meta's Instagram messaging, through the Instagram API with Instagram Login.
//!
//! Meta documents sending for Instagram professional accounts as
//! `POST https://graph.instagram.com/{api_version}/{ig_id}/messages` with an Instagram User
//! access token as a bearer token (`/me/messages` is accepted too). The older flow, the
//! Instagram API with Facebook Login (Messenger Platform), posts the same body to
//! `graph.facebook.com/{api_version}/{page_id}/messages` with a Page token: point the channel's
//! `base_url` at `https://graph.facebook.com` and make its sender the page id to use it.
//!
//! The body is `{"recipient": {"id": IGSID}, "messaging_type": "RESPONSE", "message": {...}}`,
//! the message being `{"text"}` or `{"attachment": {"type": "image", "payload": {"url"}}}`
//! (Instagram shows no caption). A message sent by staff after the 24-hour window but within 7
//! days carries `"messaging_type": "MESSAGE_TAG", "tag": "HUMAN_AGENT"` instead. The answer's
//! `message_id` is the provider message id.
//!
//! Errors are Graph error bodies, classified by code then by HTTP status:
//!
//! | code | meaning | outcome |
//! |---|---|---|
//! | 10 / 2018278 | outside the messaging window | [`ProviderError::Permanent`] |
//! | 551 | the person is not available | [`ProviderError::Permanent`] |
//! | 1, 2, 4, 17, 32, 613, or `is_transient` | transient or rate limits | [`ProviderError::Retry`] |
//! | other | HTTP 429, 408 and 5xx retry (honouring `Retry-After`), any other status is permanent | |
//!
//! The stored error code is Meta's code, followed by `/` and the subcode when Meta gives one
//! (`"10/2018278"`), or `http_<status>` without a Graph body.

use std::time::Duration;

use async_trait::async_trait;
use serde_json::{Value, json};

use super::whatsapp::graph;
use crate::channels::ProviderKind;
use crate::content::Content;
use crate::provider::{Accepted, ChannelContext, Outbound, Provider, ProviderError};

/// The Instagram API with Instagram Login's host, used when the channel sets no `base_url`.
pub const DEFAULT_BASE_URL: &str = "https://graph.instagram.com";

/// Sends through Instagram messaging; one HTTP client shared by every send.
#[derive(Clone)]
pub struct InstagramProvider {
    client: balcao_core::outbound::Client,
}

impl InstagramProvider {
    /// A provider with its own client (timeouts from [`super::rest::client`]).
    pub fn new(policy: balcao_core::outbound::Policy) -> Result<Self, reqwest::Error> {
        Ok(Self { client: super::rest::client(policy)? })
    }

    /// A provider on `client`.
    pub fn with_client(client: balcao_core::outbound::Client) -> Self {
        Self { client }
    }
}

/// The request URL for a channel: `{base_url}/{api_version}/{ig_id}/messages`.
pub fn endpoint(channel: &ChannelContext) -> Result<String, ProviderError> {
    let account = channel.sender.trim();
    let ok = account == "me" || (!account.is_empty() && account.chars().all(|c| c.is_ascii_digit()));
    if !ok {
        return Err(ProviderError::permanent(
            "invalid_sender",
            "the channel's sender must be the Instagram professional account id (digits)",
        ));
    }
    Ok(graph::url(&channel.settings, DEFAULT_BASE_URL, account))
}

/// The request body for `content` sent to the Instagram-scoped id `to`; `human_agent` tags it
/// `HUMAN_AGENT`.
pub fn request_body(to: &str, content: &Content, human_agent: bool) -> Result<Value, ProviderError> {
    let message = match content {
        Content::Text { text, .. } => json!({"text": text}),
        Content::Image { url, .. } => json!({"attachment": {"type": "image", "payload": {"url": url}}}),
        other => {
            return Err(ProviderError::permanent(
                "unsupported_content",
                format!("Instagram does not carry {} content", other.kind()),
            ));
        }
    };
    let mut body = json!({"recipient": {"id": to.trim()}, "message": message});
    if human_agent {
        body["messaging_type"] = json!("MESSAGE_TAG");
        body["tag"] = json!("HUMAN_AGENT");
    } else {
        body["messaging_type"] = json!("RESPONSE");
    }
    Ok(body)
}

/// The provider message id of a successful answer: `message_id`.
pub fn message_id(body: &[u8]) -> Option<String> {
    let value: Value = serde_json::from_slice(body).ok()?;
    let id = value.get("message_id")?.as_str()?;
    (!id.is_empty()).then(|| id.to_owned())
}

/// Classifies a failed answer from its HTTP `status`, `Retry-After` and body.
pub fn classify(status: u16, retry_after: Option<Duration>, body: &[u8]) -> ProviderError {
    let Some(error) = graph::GraphError::parse(body) else {
        return graph::by_status(status, retry_after, format!("http_{status}"), graph::status_message(status));
    };
    let code = match (error.code, error.subcode) {
        (Some(code), Some(subcode)) => format!("{code}/{subcode}"),
        (Some(code), None) => code.to_string(),
        (None, _) => format!("http_{status}"),
    };
    let message = error.describe();
    match (error.code, error.subcode) {
        (Some(10), Some(2018278)) => ProviderError::Permanent {
            code,
            message: format!(
                "outside Instagram's messaging window: the contact last wrote more than 24 hours ago \
                 (7 days with the human agent tag) ({message})"
            ),
        },
        (Some(551), _) => ProviderError::Permanent { code, message },
        (Some(1 | 2 | 4 | 17 | 32 | 613), _) => ProviderError::Retry { code, message, after: retry_after },
        _ if error.transient => ProviderError::Retry { code, message, after: retry_after },
        _ => graph::by_status(status, retry_after, code, message),
    }
}

#[async_trait]
impl Provider for InstagramProvider {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Instagram
    }

    async fn send(&self, channel: &ChannelContext, message: &Outbound) -> Result<Accepted, ProviderError> {
        let token = channel.credential("access_token")?;
        let url = endpoint(channel)?;
        let body = request_body(&message.to, &message.content, message.human_agent)?;
        let answer = graph::post(&self.client, &url, token, &body).await?;
        if !answer.status.is_success() {
            let error = classify(answer.status.as_u16(), answer.retry_after, &answer.body);
            tracing::warn!(message = %message.id, channel = %channel.channel_id, status = answer.status.as_u16(), %error, "Instagram refused a message");
            return Err(error);
        }
        match message_id(&answer.body) {
            Some(provider_message_id) => Ok(Accepted { provider_message_id }),
            None => {
                // Accepted but unidentifiable: retrying could send it twice, so it fails here.
                tracing::warn!(message = %message.id, channel = %channel.channel_id, "Instagram answered without message_id");
                Err(ProviderError::permanent("invalid_response", "Instagram answered without a message id"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use balcao_core::id::StoreId;
    use serde_json::json;

    use super::*;
    use crate::channels::{ChannelId, ChannelSettings};

    const IGSID: &str = "6543210987654321";

    fn text(t: &str) -> Content {
        Content::Text { text: t.into(), preview_url: false }
    }

    #[test]
    fn text_and_images_answer_within_the_window() {
        assert_eq!(
            request_body(IGSID, &text("Oi, Ana!"), false).unwrap(),
            json!({"recipient": {"id": IGSID}, "messaging_type": "RESPONSE", "message": {"text": "Oi, Ana!"}})
        );
        let image = Content::Image { url: "https://cdn.loja.com/p.png".into(), caption: Some("ignored".into()) };
        assert_eq!(
            request_body(IGSID, &image, false).unwrap(),
            json!({
                "recipient": {"id": IGSID}, "messaging_type": "RESPONSE",
                "message": {"attachment": {"type": "image", "payload": {"url": "https://cdn.loja.com/p.png"}}}
            })
        );
    }

    #[test]
    fn human_agents_tag_their_messages() {
        assert_eq!(
            request_body(IGSID, &text("Já verifiquei"), true).unwrap(),
            json!({
                "recipient": {"id": IGSID}, "messaging_type": "MESSAGE_TAG", "tag": "HUMAN_AGENT",
                "message": {"text": "Já verifiquei"}
            })
        );
    }

    #[test]
    fn other_contents_are_refused() {
        let template = Content::Template {
            name: "x".into(),
            language: "pt_BR".into(),
            header: vec![],
            body: vec![],
            buttons: vec![],
        };
        assert!(
            matches!(request_body(IGSID, &template, false), Err(ProviderError::Permanent { code, .. }) if code == "unsupported_content")
        );
    }

    #[test]
    fn the_message_id_is_message_id() {
        assert_eq!(message_id(br#"{"recipient_id":"654","message_id":"aWdfZAG1"}"#).as_deref(), Some("aWdfZAG1"));
        assert_eq!(message_id(br#"{"recipient_id":"654"}"#), None);
    }

    #[test]
    fn errors_are_classified() {
        let window = br#"{"error":{"message":"This message is sent outside of allowed window.","type":"OAuthException","code":10,"error_subcode":2018278,"fbtrace_id":"A"}}"#;
        let error = classify(400, None, window);
        assert!(
            matches!(&error, ProviderError::Permanent { code, message } if code == "10/2018278" && message.contains("window")),
            "{error:?}"
        );
        let unavailable =
            br#"{"error":{"message":"This person isn't available right now.","code":551,"error_subcode":1545041}}"#;
        assert!(
            matches!(classify(400, None, unavailable), ProviderError::Permanent { code, .. } if code == "551/1545041")
        );
        let rate = br#"{"error":{"message":"Calls to this api have exceeded the rate limit.","code":613}}"#;
        assert!(matches!(classify(400, None, rate), ProviderError::Retry { code, .. } if code == "613"));
        let token = br#"{"error":{"message":"Invalid OAuth access token.","code":190}}"#;
        assert!(matches!(classify(401, None, token), ProviderError::Permanent { code, .. } if code == "190"));
        let after = Some(Duration::from_secs(2));
        assert!(matches!(classify(429, after, b""), ProviderError::Retry { after: a, .. } if a == after));
        assert!(matches!(classify(503, None, b"<html/>"), ProviderError::Retry { code, .. } if code == "http_503"));
    }

    #[test]
    fn the_url_defaults_to_the_instagram_host() {
        let mut channel = ChannelContext {
            store_id: StoreId(uuid::Uuid::now_v7()),
            channel_id: ChannelId(uuid::Uuid::now_v7()),
            sender: "17841400000000001".into(),
            settings: ChannelSettings::default(),
            credentials: BTreeMap::from([("access_token".to_owned(), "IGAA-secret".to_owned())]),
        };
        assert_eq!(endpoint(&channel).unwrap(), "https://graph.instagram.com/v21.0/17841400000000001/messages");
        channel.settings.base_url = Some("https://graph.facebook.com".into());
        channel.sender = "me".into();
        assert_eq!(endpoint(&channel).unwrap(), "https://graph.facebook.com/v21.0/me/messages");
        channel.sender = "me?x=1".into();
        assert!(endpoint(&channel).is_err());
    }
}
