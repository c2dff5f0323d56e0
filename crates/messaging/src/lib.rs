//! balcao-messaging: one dispatcher for WhatsApp, Instagram, email and SMS, with channel
//! credentials, conversations, templates and consent.
//!
//! | module | what it holds |
//! |---|---|
//! | [`channels`] | per-store channels (kind, provider, sender, settings) with sealed credentials |
//! | [`channels::http`] | Channel handlers (`channels:manage`) |
//! | [`channels::model`] | Channel kinds, providers, rows and API types |
//! | [`channels::service`] | Channels on PostgreSQL, their credentials sealed by the keyring |
//! | [`content`] | message contents (text, template, media, interactive, email) and their limits |
//! | [`messages`] | the dispatcher (checks, then queues with the send job), the send job, status reports |
//! | [`messages::dispatcher`] | the dispatcher: checks a send, then queues the message with its send job |
//! | [`messages::http`] | message handlers |
//! | [`messages::job`] | the send job: rechecks, throttles, sends once, records the answer |
//! | [`messages::model`] | Message rows, statuses and API types |
//! | [`messages::service`] | Reading messages, and the sandbox's simulated status reports |
//! | [`messages::status`] | Status changes reported by providers (webhooks) or the sandbox |
//! | [`messages::window`] | WhatsApp's and Instagram's customer-service window |
//! | [`provider`] | the provider seam and registry |
//! | [`providers`] | WhatsApp Cloud, Instagram, email (SMTP), Zenvia and Twilio |
//! | [`providers::email`] | email through SMTP (the platform's or a store's own server) |
//! | [`providers::graph`] | Meta Graph API requests and errors, shared by the WhatsApp and Instagram providers |
//! | [`providers::instagram`] | Meta's Instagram messaging, through the Instagram API with Instagram Login |
//! | [`providers::rest`] | What the HTTP API providers share |
//! | [`providers::twilio`] | Twilio SMS |
//! | [`providers::whatsapp`] | Meta's WhatsApp Cloud API |
//! | [`providers::zenvia`] | Zenvia SMS |
//! | [`sandbox`] | the sandbox provider, the default for stores without credentials |
//! | [`consent`] | the one marketing gate (consent ledger, suppression list, keywords) and opt-out keywords |
//! | [`suppressions`] | the suppression list as staff see and change it |
//! | [`suppressions::http`] | Suppression handlers (`messages:send`) |
//! | [`suppressions::model`] | Suppression rows and API types |
//! | [`suppressions::service`] | The suppression list on PostgreSQL |
//! | [`inbound`] | inbound messages and status reports from provider webhooks, and the sandbox's |
//! | [`inbound::events`] | The events inbound messages emit |
//! | [`inbound::handler`] | `InboundMessages`, the inbound handler for messaging providers' webhooks |
//! | [`inbound::http`] | The sandbox's simulated inbound message (`messages:send`) |
//! | [`inbound::instagram`] | Instagram messaging webhooks |
//! | [`inbound::model`] | What a provider's webhook says, once parsed |
//! | [`inbound::record`] | The one path every inbound message takes, from a provider or the sandbox |
//! | [`inbound::twilio`] | Twilio SMS webhooks (form fields) |
//! | [`inbound::whatsapp`] | WhatsApp Cloud API webhooks |
//! | [`inbound::zenvia`] | Zenvia webhooks (API v2 subscriptions) |
//! | [`conversations`] | the inbox: conversations with status, assignee, labels and messages |
//! | [`conversations::http`] | Conversation handlers |
//! | [`conversations::model`] | Conversation rows and API types |
//! | [`conversations::service`] | Conversations on PostgreSQL |
//! | [`templates`] | the store's registry of message templates |
//! | [`templates::http`] | Template handlers |
//! | [`templates::model`] | Template rows and API types |
//! | [`templates::service`] | Templates on PostgreSQL |
//! | [`unsubscribe`] | signed one-click unsubscribe links and their public routes |
//! | `unsubscribe::http` | the public one-click unsubscribe routes |
//! | [`problems`] | the problem codes this crate answers |
//! | [`schema`] | diesel tables |
//! | [`http`] | `Services` and `configure`, the routes under `/v1` (feature `http`) |

pub mod channels;
pub mod consent;
pub mod content;
pub mod conversations;
pub mod inbound;
pub mod messages;
pub mod problems;
pub mod provider;
pub mod providers;
pub mod sandbox;
pub mod schema;
pub mod suppressions;
pub mod templates;
pub mod unsubscribe;

#[cfg(feature = "http")]
pub mod http;

pub use channels::{ChannelId, ChannelKind};
pub use content::Content;
pub use messages::{MessageDispatcher, MessageId};

/// Every event type this crate emits, for the webhook catalog.
pub fn event_types() -> Result<Vec<balcao_core::events::EventType>, String> {
    inbound::events::event_types()
}
