//! The real providers behind [`crate::provider::Provider`], one module each.

pub mod email;
pub mod graph;
pub mod instagram;
pub mod rest;
pub mod twilio;
pub mod whatsapp;
pub mod zenvia;

use std::sync::Arc;

/// Registers the HTTP API providers (Zenvia, Twilio, WhatsApp Cloud, Instagram) on one pooled
/// client that reaches only what `policy` allows.
pub fn register_http(
    providers: &mut crate::provider::Providers,
    policy: balcao_core::outbound::Policy,
) -> Result<(), reqwest::Error> {
    let client = rest::client(policy)?;
    providers
        .register(Arc::new(zenvia::ZenviaProvider::with_client(client.clone())))
        .register(Arc::new(twilio::TwilioProvider::with_client(client.clone())))
        .register(Arc::new(whatsapp::WhatsappCloudProvider::with_client(client.clone())))
        .register(Arc::new(instagram::InstagramProvider::with_client(client)));
    Ok(())
}
