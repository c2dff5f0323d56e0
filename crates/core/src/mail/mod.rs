//! Outbound email: one message shape, one sending trait, two transports.
//!
//! - [`Email`] is what a service asks to send: recipients, subject, a plain-text
//!   body, an optional HTML body (sent together as `multipart/alternative`), an
//!   optional sender overriding the configured one, `Reply-To`, and extra headers
//!   such as `List-Unsubscribe`.
//! - [`Mailer`] sends it. [`MailError::is_permanent`] tells a caller (usually a
//!   job) whether retrying can help: a bad address or a message the server
//!   refuses is permanent, a connection or server hiccup is not.
//! - [`SmtpMailer`] talks to an SMTP server (`BALCAO_SMTP_URL`) through a pool of
//!   reused connections; [`FileMailer`] writes each message as an `.eml` file
//!   (`BALCAO_MAIL_DIR`, default `var/mail`) so a laptop needs no mail server.
//! - [`from_config`] picks one from the configuration.

mod file;
mod mailer;
mod message;
mod smtp;

use std::sync::Arc;

use crate::config::Config;
use crate::error::Error;

pub use file::FileMailer;
pub use lettre::message::Mailbox;
pub use mailer::Mailer;
pub use message::{Email, MailError, new_message_id};
pub use smtp::SmtpMailer;

/// The mailer the configuration asks for: SMTP when `BALCAO_SMTP_URL` is set,
/// `.eml` files under `BALCAO_MAIL_DIR` otherwise (with a warning).
///
/// Must run inside a tokio runtime (the SMTP pool starts a cleanup task).
pub fn from_config(config: &Config) -> Result<Arc<dyn Mailer>, Error> {
    let from = message::parse_mailbox("BALCAO_MAIL_FROM", &config.mail_from).map_err(Error::internal)?;
    match &config.smtp_url {
        Some(url) => Ok(Arc::new(SmtpMailer::new(url, from, smtp::DEFAULT_TIMEOUT)?)),
        None => {
            tracing::warn!(
                dir = %config.mail_dir.display(),
                "BALCAO_SMTP_URL is not set: email is written as .eml files instead of being sent"
            );
            Ok(Arc::new(FileMailer::new(&config.mail_dir, from)))
        }
    }
}
