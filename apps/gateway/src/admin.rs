//! `balcao admin`: granting and revoking platform operators, the only way anyone becomes one.

use clap::{Parser, Subcommand};

use balcao_core::{Core, Error};

/// What `balcao admin` does.
#[derive(Debug, Clone, PartialEq, Eq, Subcommand)]
pub enum AdminCommand {
    /// Make the account with this email a platform operator (the `/v1/admin` routes also want
    /// TOTP on); granting twice changes nothing.
    Grant {
        /// The account's email.
        email: String,
    },
    /// Make the account with this email an ordinary user again.
    Revoke {
        /// The account's email.
        email: String,
    },
}

/// `balcao admin ...` alone, as the binary parses it: for checking the command line in tests.
#[derive(Debug, Parser)]
#[command(name = "balcao")]
pub struct AdminLine {
    #[command(subcommand)]
    top: AdminTop,
}

#[derive(Debug, Subcommand)]
enum AdminTop {
    /// Platform operators.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
}

impl AdminLine {
    /// The admin command of a command line (`["balcao", "admin", "grant", EMAIL]`), or clap's
    /// message for a line it refuses.
    pub fn parse_args(args: &[&str]) -> Result<AdminCommand, String> {
        let line = <Self as Parser>::try_parse_from(args).map_err(|e| e.to_string())?;
        let AdminTop::Admin { command } = line.top;
        Ok(command)
    }
}

/// Runs `command`; the line to print on success, or the message for an error (unknown email).
pub async fn run(core: &Core, command: &AdminCommand) -> Result<String, String> {
    let failed = |email: &str, error: Error| match error {
        Error::NotFound { .. } => format!("no account has the email {email:?}"),
        other => other.to_string(),
    };
    match command {
        AdminCommand::Grant { email } => {
            let granted = balcao_core::admin::grant(core, email).await.map_err(|e| failed(email, e))?;
            let mut line = if granted.newly {
                format!("{email} is now a platform operator")
            } else {
                format!("{email} was already a platform operator")
            };
            if !balcao_core::admin::is_operator(core, granted.user_id).await.map_err(|e| e.to_string())? {
                line.push_str(" (the admin routes answer once the account turns TOTP on)");
            }
            Ok(line)
        }
        AdminCommand::Revoke { email } => {
            let revoked = balcao_core::admin::revoke(core, email).await.map_err(|e| failed(email, e))?;
            Ok(if revoked {
                format!("{email} is no longer a platform operator")
            } else {
                format!("{email} was not a platform operator")
            })
        }
    }
}
