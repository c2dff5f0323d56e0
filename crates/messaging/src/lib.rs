//! balcao-messaging: one dispatcher for WhatsApp, Instagram, email and SMS, with channel
//! credentials, conversations, templates and consent.
//!
//! | module | what it holds |
//! |---|---|
//! | [`channels`] | per-store channels (kind, provider, sender, settings) with sealed credentials |
//! | [`content`] | message contents (text, template, media, interactive, email) and their limits |
//! | [`messages`] | the dispatcher (checks, then queues with the send job), the send job, status reports |
//! | [`provider`] | the provider seam and registry |
//! | [`providers`] | WhatsApp Cloud, Instagram, email (SMTP), Zenvia and Twilio |
//! | [`sandbox`] | the sandbox provider, the default for stores without credentials |
//! | [`consent`] | the one marketing gate (consent ledger, suppression list, keywords) and opt-out keywords |
//! | [`suppressions`] | the suppression list as staff see and change it |
//! | [`inbound`] | inbound messages and status reports from provider webhooks, and the sandbox's |
//! | [`conversations`] | the inbox: conversations with status, assignee, labels and messages |
//! | [`templates`] | the store's registry of message templates |
//! | [`unsubscribe`] | signed one-click unsubscribe links and their public routes |
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
