//! Writing each message as an `.eml` file, for machines without a mail server.

use std::path::{Path, PathBuf};

use async_trait::async_trait;
use lettre::message::Mailbox;
use lettre::{AsyncFileTransport, AsyncTransport, Tokio1Executor};

use super::mailer::Mailer;
use super::message::{Email, MailError, build_message};

/// Writes every message to `<dir>/<uuid>.eml` (the directory is created when missing).
///
/// An `.eml` file opens in any mail client and holds the exact bytes an SMTP
/// server would have received.
#[derive(Debug, Clone)]
pub struct FileMailer {
    dir: PathBuf,
    transport: AsyncFileTransport<Tokio1Executor>,
    from: Mailbox,
}

impl FileMailer {
    /// A mailer writing into `dir`, sending from `from` unless a message names its own sender.
    pub fn new(dir: impl AsRef<Path>, from: Mailbox) -> Self {
        let dir = dir.as_ref().to_path_buf();
        Self { transport: AsyncFileTransport::new(&dir), dir, from }
    }

    /// The directory messages are written to.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

#[async_trait]
impl Mailer for FileMailer {
    async fn send(&self, email: &Email) -> Result<(), MailError> {
        let message = build_message(email, &self.from)?;
        tokio::fs::create_dir_all(&self.dir)
            .await
            .map_err(|e| MailError::Transport(format!("creating {}: {e}", self.dir.display())))?;
        let id = self
            .transport
            .send(message)
            .await
            .map_err(|e| MailError::Transport(format!("writing into {}: {e}", self.dir.display())))?;
        tracing::info!(file = %self.dir.join(format!("{id}.eml")).display(), "email written to a file");
        Ok(())
    }
}
