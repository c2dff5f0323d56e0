//! The sandbox provider: the default for a store without credentials. It accepts every
//! message with a `sbx_` id and records the call; `POST .../messages/{id}/simulate` then
//! moves the message to delivered, read or failed as a provider's webhook would.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use crate::channels::ProviderKind;
use crate::provider::{Accepted, ChannelContext, Outbound, Provider, ProviderError};

/// A call the sandbox received.
#[derive(Debug, Clone)]
pub struct SandboxCall {
    /// The channel's sender.
    pub sender: String,
    /// The message.
    pub message: Outbound,
    /// The id it answered.
    pub provider_message_id: String,
}

/// Accepts everything and keeps the calls in memory (the last 10,000).
#[derive(Clone, Default)]
pub struct SandboxProvider {
    calls: Arc<Mutex<Vec<SandboxCall>>>,
}

/// How many calls the sandbox keeps.
pub const KEPT_CALLS: usize = 10_000;

impl SandboxProvider {
    /// A sandbox with no calls yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The calls so far, oldest first.
    pub fn calls(&self) -> Vec<SandboxCall> {
        self.calls.lock().map(|c| c.clone()).unwrap_or_default()
    }
}

#[async_trait]
impl Provider for SandboxProvider {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Sandbox
    }

    async fn send(&self, channel: &ChannelContext, message: &Outbound) -> Result<Accepted, ProviderError> {
        let provider_message_id = format!("sbx_{}", message.id);
        if let Ok(mut calls) = self.calls.lock() {
            if calls.len() >= KEPT_CALLS {
                calls.remove(0);
            }
            calls.push(SandboxCall {
                sender: channel.sender.clone(),
                message: message.clone(),
                provider_message_id: provider_message_id.clone(),
            });
        }
        tracing::info!(message = %message.id, to = %message.to, kind = message.content.kind(), "sandbox provider accepted a message");
        Ok(Accepted { provider_message_id })
    }
}
