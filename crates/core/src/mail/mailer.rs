//! The sending trait both transports implement.

use async_trait::async_trait;

use super::message::{Email, MailError};

/// Sends email; shared as `Arc<dyn Mailer>` in [`crate::Core`].
#[async_trait]
pub trait Mailer: Send + Sync {
    /// Sends one message to all its recipients.
    async fn send(&self, email: &Email) -> Result<(), MailError>;
}
