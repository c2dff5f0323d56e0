//! Twilio SMS: `POST {base_url}/2010-04-01/Accounts/{account_sid}/Messages.json`, HTTP basic
//! auth with the channel's `account_sid` and `auth_token`, a form with `To`, `From` (the
//! channel's sender; a Messaging Service `MG...` sid goes as `MessagingServiceSid`) and
//! `Body`. The answer's `sid` is the provider message id.

use async_trait::async_trait;
use serde::Deserialize;

use super::rest;
use crate::channels::ProviderKind;
use crate::content::Content;
use crate::provider::{Accepted, ChannelContext, Outbound, Provider, ProviderError};

/// Twilio's API.
pub const DEFAULT_BASE_URL: &str = "https://api.twilio.com";

/// Sends SMS through Twilio's Messages API.
#[derive(Clone)]
pub struct TwilioProvider {
    client: balcao_core::outbound::Client,
}

impl TwilioProvider {
    /// A provider with its own client (timeouts from [`rest::client`]), shared by every send.
    pub fn new(policy: balcao_core::outbound::Policy) -> Result<Self, reqwest::Error> {
        Ok(Self { client: rest::client(policy)? })
    }

    /// A provider on `client`.
    pub fn with_client(client: balcao_core::outbound::Client) -> Self {
        Self { client }
    }
}

/// Whether `sender` is a Messaging Service sid rather than a phone number or alphanumeric id.
fn is_messaging_service(sender: &str) -> bool {
    sender.len() == 34 && sender.starts_with("MG") && sender[2..].chars().all(|c| c.is_ascii_hexdigit())
}

/// The form Twilio expects, URL-encoded.
pub fn request_body(sender: &str, to: &str, text: &str) -> String {
    let from = if is_messaging_service(sender) { "MessagingServiceSid" } else { "From" };
    form_urlencoded::Serializer::new(String::new())
        .append_pair("To", to)
        .append_pair(from, sender)
        .append_pair("Body", text)
        .finish()
}

#[derive(Deserialize)]
struct Created {
    sid: String,
}

#[async_trait]
impl Provider for TwilioProvider {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Twilio
    }

    async fn send(&self, channel: &ChannelContext, message: &Outbound) -> Result<Accepted, ProviderError> {
        let Content::Text { text, .. } = &message.content else {
            return Err(ProviderError::permanent("unsupported_content", "Twilio SMS carries text only"));
        };
        let account = channel.credential("account_sid")?;
        // It goes into the path: letters and digits only.
        if !account.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(ProviderError::permanent(
                "invalid_credentials",
                "the channel's account_sid is not a Twilio sid",
            ));
        }
        let token = channel.credential("auth_token")?;
        let base = rest::base_url(channel.settings.base_url.as_deref(), DEFAULT_BASE_URL);
        let request = rest::request(&self.client, &format!("{base}/2010-04-01/Accounts/{account}/Messages.json"))?
            .basic_auth(account, Some(token))
            .header(reqwest::header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(request_body(&channel.sender, &message.to, text));
        let body = rest::exchange(request, "twilio").await?;
        // Twilio took the message: never send it again, even when its answer is odd.
        match serde_json::from_slice::<Created>(&body) {
            Ok(created) if !created.sid.is_empty() => Ok(Accepted { provider_message_id: created.sid }),
            _ => Err(ProviderError::permanent("unexpected_response", "Twilio accepted the message without a sid")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_is_url_encoded() {
        assert_eq!(
            request_body("+15017122661", "+5511987654321", "Seu pedido saiu & chega hoje"),
            "To=%2B5511987654321&From=%2B15017122661&Body=Seu+pedido+saiu+%26+chega+hoje"
        );
        let service = "MG9752274e9e519418a7406176694466fa";
        assert!(request_body(service, "+5511987654321", "x").contains(&format!("&MessagingServiceSid={service}&")));
    }
}
