//! Zenvia SMS: `POST {base_url}/v2/channels/sms/messages` with the channel's `api_token` in
//! `X-API-TOKEN`, from the channel's sender (the Zenvia sender id) to the recipient's digits.
//! The answer's `id` is the provider message id that Zenvia's status webhooks name.

use async_trait::async_trait;
use reqwest::header::HeaderValue;
use serde::Deserialize;

use super::rest;
use crate::channels::ProviderKind;
use crate::content::Content;
use crate::provider::{Accepted, ChannelContext, Outbound, Provider, ProviderError};

/// Zenvia's API.
pub const DEFAULT_BASE_URL: &str = "https://api.zenvia.com";

/// Sends SMS through Zenvia's API v2.
#[derive(Clone)]
pub struct ZenviaProvider {
    client: balcao_core::outbound::Client,
}

impl ZenviaProvider {
    /// A provider with its own client (timeouts from [`rest::client`]), shared by every send.
    pub fn new(policy: balcao_core::outbound::Policy) -> Result<Self, reqwest::Error> {
        Ok(Self { client: rest::client(policy)? })
    }

    /// A provider on `client`.
    pub fn with_client(client: balcao_core::outbound::Client) -> Self {
        Self { client }
    }
}

/// The request body Zenvia expects.
pub fn request_body(sender: &str, to: &str, text: &str) -> serde_json::Value {
    serde_json::json!({
        "from": sender,
        "to": to.trim_start_matches('+'),
        "contents": [{"type": "text", "text": text}],
    })
}

#[derive(Deserialize)]
struct Created {
    id: String,
}

#[async_trait]
impl Provider for ZenviaProvider {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Zenvia
    }

    async fn send(&self, channel: &ChannelContext, message: &Outbound) -> Result<Accepted, ProviderError> {
        let Content::Text { text, .. } = &message.content else {
            return Err(ProviderError::permanent("unsupported_content", "Zenvia SMS carries text only"));
        };
        let mut token = HeaderValue::from_str(channel.credential("api_token")?)
            .map_err(|_| ProviderError::permanent("invalid_credentials", "the channel's api_token is not a token"))?;
        token.set_sensitive(true);
        let base = rest::base_url(channel.settings.base_url.as_deref(), DEFAULT_BASE_URL);
        let request = rest::request(&self.client, &format!("{base}/v2/channels/sms/messages"))?
            .header("X-API-TOKEN", token)
            .json(&request_body(&channel.sender, &message.to, text));
        let body = rest::exchange(request, "zenvia").await?;
        // Zenvia took the message: never send it again, even when its answer is odd.
        match serde_json::from_slice::<Created>(&body) {
            Ok(created) if !created.id.is_empty() => Ok(Accepted { provider_message_id: created.id }),
            _ => Err(ProviderError::permanent("unexpected_response", "Zenvia accepted the message without an id")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_has_digits_without_the_plus() {
        assert_eq!(
            request_body("loja-da-ana", "+5511987654321", "Oi"),
            serde_json::json!({"from": "loja-da-ana", "to": "5511987654321", "contents": [{"type": "text", "text": "Oi"}]})
        );
    }
}
