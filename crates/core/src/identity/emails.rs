//! The emails balcao sends about an account, in Brazilian Portuguese or English, each with a
//! plain-text and an HTML part (`templates/account_email.{txt,html}`; HTML is escaped by askama).
//!
//! They are queued as a job in the transaction that issues their link, so a link exists only if
//! its email will go out, and a request answers at once whatever the mail server does. The job's
//! payload is sealed with the keyring: links (which are credentials) are never stored in clear.

use askama::Template;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;
use serde::{Deserialize, Serialize};

use crate::context::Core;
use crate::error::{Error, Result};
use crate::jobs::{self, JobContext, JobError, JobHandler, NewJob};
use crate::mail::Email;

/// The job that sends one account email.
pub const SEND_JOB: &str = "core.account_email";
const SEAL_CONTEXT: &str = "account_email";

/// A language balcao writes account emails in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locale {
    /// Brazilian Portuguese (the default).
    PtBr,
    /// English.
    En,
}

impl Locale {
    /// `pt-BR` or `en` (anything else is Portuguese).
    pub fn parse(tag: &str) -> Self {
        if tag.eq_ignore_ascii_case("en") || tag.to_ascii_lowercase().starts_with("en-") {
            Self::En
        } else {
            Self::PtBr
        }
    }

    /// The tag stored with a user.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PtBr => "pt-BR",
            Self::En => "en",
        }
    }
}

/// One account email and what it needs to say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountEmail {
    /// Confirms the address given at signup.
    VerifyEmail {
        /// The user's name.
        name: String,
        /// The verification link.
        link: String,
    },
    /// Someone signed up with an address that already has an account.
    ExistingAccount {
        /// The owner's name.
        name: String,
        /// Where to reset the password.
        reset_link: String,
    },
    /// A password reset link.
    PasswordReset {
        /// The user's name.
        name: String,
        /// The reset link.
        link: String,
    },
    /// The password was changed (by a reset or from the account page).
    PasswordChanged {
        /// The user's name.
        name: String,
    },
    /// An invitation to join a store.
    Invitation {
        /// The store's name.
        store: String,
        /// Who invited (their name), when known.
        inviter: Option<String>,
        /// The role offered.
        role: String,
        /// The acceptance link.
        link: String,
        /// When the link stops working.
        expires_at: DateTime<Utc>,
    },
}

#[derive(Template)]
#[template(path = "account_email.html")]
struct Html<'a> {
    lang: &'a str,
    subject: &'a str,
    greeting: &'a str,
    paragraphs: &'a [String],
    action: &'a Option<Action>,
    notes: &'a [String],
    footer: &'a str,
}

#[derive(Template)]
#[template(path = "account_email.txt")]
struct Text<'a> {
    greeting: &'a str,
    paragraphs: &'a [String],
    action: &'a Option<Action>,
    notes: &'a [String],
    footer: &'a str,
}

struct Action {
    label: String,
    url: String,
}

struct Parts {
    subject: String,
    greeting: String,
    paragraphs: Vec<String>,
    action: Option<Action>,
    notes: Vec<String>,
}

fn greeting(locale: Locale, name: &str) -> String {
    match locale {
        Locale::PtBr => format!("Olá, {name}!"),
        Locale::En => format!("Hi {name},"),
    }
}

fn action(label: &str, url: &str) -> Option<Action> {
    Some(Action { label: label.to_owned(), url: url.to_owned() })
}

impl AccountEmail {
    fn parts(&self, locale: Locale) -> Parts {
        use Locale::{En, PtBr};
        match (self, locale) {
            (Self::VerifyEmail { name, link }, PtBr) => Parts {
                subject: "Confirme seu email no balcao".into(),
                greeting: greeting(locale, name),
                paragraphs: vec!["Para terminar seu cadastro no balcao, confirme que este email é seu.".into()],
                action: action("Confirmar email", link),
                notes: vec!["O link vale por 24 horas e funciona uma vez. Se você não criou uma conta, ignore este email.".into()],
            },
            (Self::VerifyEmail { name, link }, En) => Parts {
                subject: "Confirm your email for balcao".into(),
                greeting: greeting(locale, name),
                paragraphs: vec!["To finish signing up for balcao, confirm that this address is yours.".into()],
                action: action("Confirm email", link),
                notes: vec!["The link works once, for 24 hours. If you did not sign up, ignore this email.".into()],
            },
            (Self::ExistingAccount { name, reset_link }, PtBr) => Parts {
                subject: "Tentativa de cadastro com seu email".into(),
                greeting: greeting(locale, name),
                paragraphs: vec![
                    "Alguém tentou criar uma conta no balcao com este email, mas você já tem uma. Nada mudou na sua conta."
                        .into(),
                    "Se foi você e esqueceu a senha, crie uma nova:".into(),
                ],
                action: action("Redefinir senha", reset_link),
                notes: vec!["Se não foi você, pode ignorar este email.".into()],
            },
            (Self::ExistingAccount { name, reset_link }, En) => Parts {
                subject: "Someone tried to sign up with your email".into(),
                greeting: greeting(locale, name),
                paragraphs: vec![
                    "Someone tried to create a balcao account with this address, but you already have one. Nothing changed in your account.".into(),
                    "If it was you and you forgot your password, choose a new one:".into(),
                ],
                action: action("Reset password", reset_link),
                notes: vec!["If it was not you, you can ignore this email.".into()],
            },
            (Self::PasswordReset { name, link }, PtBr) => Parts {
                subject: "Redefinição de senha do balcao".into(),
                greeting: greeting(locale, name),
                paragraphs: vec!["Recebemos um pedido para redefinir a senha da sua conta.".into()],
                action: action("Escolher nova senha", link),
                notes: vec![
                    "O link vale por 30 minutos e funciona uma vez. Ao trocar a senha, todas as sessões abertas são encerradas.".into(),
                    "Se você não pediu, ignore este email: sua senha continua a mesma.".into(),
                ],
            },
            (Self::PasswordReset { name, link }, En) => Parts {
                subject: "Reset your balcao password".into(),
                greeting: greeting(locale, name),
                paragraphs: vec!["We received a request to reset the password of your account.".into()],
                action: action("Choose a new password", link),
                notes: vec![
                    "The link works once, for 30 minutes. Setting a new password ends every open session.".into(),
                    "If you did not ask for this, ignore this email: your password stays the same.".into(),
                ],
            },
            (Self::PasswordChanged { name }, PtBr) => Parts {
                subject: "Sua senha do balcao foi alterada".into(),
                greeting: greeting(locale, name),
                paragraphs: vec!["A senha da sua conta acabou de ser alterada e as outras sessões foram encerradas.".into()],
                action: None,
                notes: vec!["Se não foi você, redefina a senha agora e ative a verificação em duas etapas.".into()],
            },
            (Self::PasswordChanged { name }, En) => Parts {
                subject: "Your balcao password was changed".into(),
                greeting: greeting(locale, name),
                paragraphs: vec!["The password of your account was just changed and your other sessions were ended.".into()],
                action: None,
                notes: vec!["If this was not you, reset your password now and turn on two-factor authentication.".into()],
            },
            (Self::Invitation { store, inviter, role, link, expires_at }, PtBr) => Parts {
                subject: format!("Convite para a equipe da {store}"),
                greeting: "Olá!".into(),
                paragraphs: vec![match inviter {
                    Some(who) => format!("{who} convidou você para a equipe da loja {store} no balcao, com o papel {role}."),
                    None => format!("Você foi convidado para a equipe da loja {store} no balcao, com o papel {role}."),
                }],
                action: action("Aceitar convite", link),
                notes: vec![format!(
                    "O convite vale até {} (UTC) e funciona uma vez. Se você não esperava este convite, ignore este email.",
                    expires_at.format("%d/%m/%Y %H:%M")
                )],
            },
            (Self::Invitation { store, inviter, role, link, expires_at }, En) => Parts {
                subject: format!("You're invited to join {store}"),
                greeting: "Hi,".into(),
                paragraphs: vec![match inviter {
                    Some(who) => format!("{who} invited you to the team of {store} on balcao, as {role}."),
                    None => format!("You were invited to the team of {store} on balcao, as {role}."),
                }],
                action: action("Accept invitation", link),
                notes: vec![format!(
                    "The invitation works once, until {} (UTC). If you did not expect it, ignore this email.",
                    expires_at.format("%Y-%m-%d %H:%M")
                )],
            },
        }
    }

    /// The message for `to`, with its text and HTML parts.
    pub fn render(&self, locale: Locale, to: &str) -> Result<Email> {
        let parts = self.parts(locale);
        let footer = match locale {
            Locale::PtBr => "balcao: vendas pelo WhatsApp, Instagram e web. Este email é automático.",
            Locale::En => "balcao: selling over WhatsApp, Instagram and the web. This is an automatic email.",
        };
        let html = Html {
            lang: locale.as_str(),
            subject: &parts.subject,
            greeting: &parts.greeting,
            paragraphs: &parts.paragraphs,
            action: &parts.action,
            notes: &parts.notes,
            footer,
        }
        .render()
        .map_err(Error::internal)?;
        let text = Text {
            greeting: &parts.greeting,
            paragraphs: &parts.paragraphs,
            action: &parts.action,
            notes: &parts.notes,
            footer,
        }
        .render()
        .map_err(Error::internal)?;
        Ok(Email { to: vec![to.to_owned()], subject: parts.subject, text, html: Some(html), ..Email::default() })
    }
}

/// A link into the app (`BALCAO_APP_URL`) carrying a token: `{app}/{path}?token=...`.
pub fn link(core: &Core, path: &str, token: &str) -> String {
    format!("{}/{path}?token={token}", core.config.app_url.trim_end_matches('/'))
}

#[derive(Serialize, Deserialize)]
struct Sealed {
    to: String,
    subject: String,
    text: String,
    html: Option<String>,
}

/// Queues `email` to `to` in the caller's transaction (sent by [`SendAccountEmail`]).
pub async fn queue(
    core: &Core,
    conn: &mut AsyncPgConnection,
    to: &str,
    locale: Locale,
    email: &AccountEmail,
) -> Result<()> {
    let message = email.render(locale, to)?;
    let sealed = Sealed { to: to.to_owned(), subject: message.subject, text: message.text, html: message.html };
    let bytes = serde_json::to_vec(&sealed).map_err(Error::internal)?;
    let payload = serde_json::json!({ "sealed": core.config.keyring.seal(&bytes, SEAL_CONTEXT)? });
    jobs::enqueue(conn, NewJob::new(SEND_JOB, &payload)?.max_attempts(10)).await?;
    Ok(())
}

/// Sends queued account emails through the configured mailer.
pub struct SendAccountEmail {
    core: Core,
}

impl SendAccountEmail {
    /// A handler on the shared handles.
    pub fn new(core: Core) -> Self {
        Self { core }
    }
}

#[derive(Deserialize)]
struct Payload {
    sealed: String,
}

#[async_trait]
impl JobHandler for SendAccountEmail {
    async fn run(&self, job: &JobContext) -> Result<(), JobError> {
        let payload: Payload = job.payload()?;
        let bytes = self
            .core
            .config
            .keyring
            .open(&payload.sealed, SEAL_CONTEXT)
            .map_err(|e| JobError::Permanent(format!("cannot open the message: {e}")))?;
        let sealed: Sealed =
            serde_json::from_slice(&bytes).map_err(|e| JobError::Permanent(format!("bad message: {e}")))?;
        let email = Email {
            to: vec![sealed.to],
            subject: sealed.subject,
            text: sealed.text,
            html: sealed.html,
            ..Email::default()
        };
        match self.core.mailer.send(&email).await {
            Ok(()) => Ok(()),
            Err(e) if e.is_permanent() => Err(JobError::Permanent(e.to_string())),
            Err(e) => Err(JobError::retry(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_email_renders_in_both_languages_with_the_link_in_each_part() {
        let at =
            DateTime::parse_from_rfc3339("2026-12-09T15:00:00Z").map(|t| t.with_timezone(&Utc)).unwrap_or_default();
        let emails = [
            AccountEmail::VerifyEmail { name: "Ana".into(), link: "https://app.example/verify-email?token=abc".into() },
            AccountEmail::ExistingAccount {
                name: "Ana".into(),
                reset_link: "https://app.example/reset-password".into(),
            },
            AccountEmail::PasswordReset {
                name: "Ana".into(),
                link: "https://app.example/reset-password?token=abc".into(),
            },
            AccountEmail::PasswordChanged { name: "Ana".into() },
            AccountEmail::Invitation {
                store: "Doces <da> Ana & Cia".into(),
                inviter: Some("Ana".into()),
                role: "staff".into(),
                link: "https://app.example/invitations/accept?token=abc".into(),
                expires_at: at,
            },
        ];
        for email in &emails {
            let pt = email.render(Locale::PtBr, "ana@example.com").unwrap_or_default();
            let en = email.render(Locale::En, "ana@example.com").unwrap_or_default();
            assert_ne!(pt.subject, en.subject);
            for message in [&pt, &en] {
                let html = message.html.as_deref().unwrap_or_default();
                assert!(html.starts_with("<!DOCTYPE html>"), "{html}");
                if let AccountEmail::VerifyEmail { link, .. }
                | AccountEmail::PasswordReset { link, .. }
                | AccountEmail::Invitation { link, .. } = email
                {
                    assert!(message.text.contains(link.as_str()), "{}", message.text);
                    assert!(html.contains(&link.replace('&', "&#38;")) || html.contains(link.as_str()), "{html}");
                }
            }
        }
        let invitation = emails[4].render(Locale::PtBr, "x@example.com").unwrap_or_default();
        let html = invitation.html.unwrap_or_default();
        assert!(!html.contains("<da>"), "store names are escaped in HTML: {html}");
        assert!(invitation.text.contains("Doces <da> Ana & Cia"), "and kept as written in text");
        assert!(invitation.text.contains("09/12/2026 15:00"));
        assert_eq!(Locale::parse("en-US"), Locale::En);
        assert_eq!(Locale::parse("pt-BR"), Locale::PtBr);
        assert_eq!(Locale::parse("fr"), Locale::PtBr);
    }
}
