//! Inbound messages and status reports from WhatsApp, Instagram, Twilio and Zenvia webhooks
//! (received and verified by balcao-webhooks, handed here by the `inbound.process` job), and
//! the sandbox's simulated inbound messages.
//!
//! Every inbound message takes one path ([`record`]): the conversation is touched (the
//! customer-service window opens), the message is stored once per provider id, and
//! `message.received` is emitted, in one transaction; an opt-out keyword (`PARE`, `SAIR`,
//! `STOP`, `CANCELAR` and the channel's own) suppresses marketing to the contact and is
//! confirmed, `VOLTAR` undoes it. Status reports move outbound messages forward only.
//!
//! | module | what it holds |
//! |---|---|
//! | [`model`] | [`InboundContent`], [`InboundMessage`], the parsed [`Item`]s |
//! | [`events`] | the [`MessageReceived`] payload |
//! | [`whatsapp`], [`instagram`], [`twilio`], [`zenvia`] | each provider's webhook parsed into items |
//! | [`record`] | the inbound-message path and consent keywords |
//! | [`handler`] | [`InboundMessages`]: the inbound handler and the sandbox simulation |
//! | [`http`] | `POST .../channels/{id}/simulate-inbound` (feature `http`) |

pub mod events;
pub mod handler;
#[cfg(feature = "http")]
pub mod http;
pub mod instagram;
pub mod model;
pub mod record;
pub mod twilio;
pub mod whatsapp;
pub mod zenvia;

pub use events::{MESSAGE_RECEIVED, MessageReceived};
pub use handler::InboundMessages;
pub use model::{InboundContent, InboundMessage, Item, SimulateInbound};
