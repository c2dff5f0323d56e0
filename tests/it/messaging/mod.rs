//! Messaging end to end: channels, the dispatcher, the send job and providers on loopback.

mod consent;
mod conversations;
mod crash;
mod email;
mod inbound;
mod instagram;
mod sandbox;
mod sms;
pub mod support;
mod whatsapp;
