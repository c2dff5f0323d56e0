//! Email: from the channel's sender (`Loja da Ana <vendas@loja.com>`) with its `Reply-To`,
//! through the store's own SMTP server when the channel has an `smtp_url` credential (one
//! pooled mailer per channel, reused while the credential stays the same), or through the
//! operator's mailer (`BALCAO_SMTP_URL`, or `.eml` files) otherwise. Marketing mail carries
//! RFC 8058 one-click unsubscribe headers. The `Message-ID` set here is the provider id.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use balcao_core::mail::{self, Email, MailError, Mailbox, Mailer, SmtpMailer};
use balcao_core::outbound;

use crate::channels::ProviderKind;
use crate::content::Content;
use crate::messages::Category;
use crate::provider::{Accepted, ChannelContext, Outbound, Provider, ProviderError};

/// How long one SMTP step may take on a store's own server.
pub const SMTP_TIMEOUT: Duration = Duration::from_secs(15);
/// Store mailers kept at once (each holds a small connection pool).
const MAX_STORE_MAILERS: u64 = 1024;
/// A store mailer unused this long is dropped with its connections.
const STORE_MAILER_IDLE: Duration = Duration::from_secs(3600);

/// Sends email through the store's SMTP server or the operator's mailer.
pub struct EmailProvider {
    operator: Arc<dyn Mailer>,
    /// Where a store's own SMTP server may be.
    policy: outbound::Policy,
    /// By channel id: the hash of the `smtp_url` it was built from, and the mailer.
    store_mailers: moka::sync::Cache<uuid::Uuid, (String, Arc<dyn Mailer>)>,
}

impl EmailProvider {
    /// A provider falling back to `operator` (`core.mailer`) for channels without `smtp_url`.
    /// A store's own server is reached only where `policy` allows ([`balcao_core::outbound`]).
    pub fn new(operator: Arc<dyn Mailer>, policy: outbound::Policy) -> Self {
        let store_mailers =
            moka::sync::Cache::builder().max_capacity(MAX_STORE_MAILERS).time_to_idle(STORE_MAILER_IDLE).build();
        Self { operator, policy, store_mailers }
    }

    /// The mailer for `channel`: its own SMTP server's (cached, pinned to the address checked
    /// when it was built), or the operator's.
    async fn mailer(&self, channel: &ChannelContext, from: &Mailbox) -> Result<Arc<dyn Mailer>, ProviderError> {
        let Some(url) = channel.credentials.get("smtp_url").map(|u| u.trim()).filter(|u| !u.is_empty()) else {
            return Ok(self.operator.clone());
        };
        let hash = balcao_core::crypto::sha256_hex(url.as_bytes());
        let id = channel.channel_id.uuid();
        if let Some((built_from, mailer)) = self.store_mailers.get(&id)
            && built_from == hash
        {
            return Ok(mailer);
        }
        // The URL carries a password: neither it nor the parser's message is repeated.
        let mailer = SmtpMailer::to_checked_destination(url, from.clone(), SMTP_TIMEOUT, self.policy).await;
        let mailer: Arc<dyn Mailer> = Arc::new(mailer.map_err(|refused| match refused {
            outbound::Refused::Invalid => {
                ProviderError::permanent("invalid_smtp_url", "the channel's smtp_url is not a usable SMTP URL")
            }
            refused => ProviderError::permanent(refused.code(), format!("{refused} (the channel's smtp_url)")),
        })?);
        self.store_mailers.insert(id, (hash, mailer.clone()));
        Ok(mailer)
    }
}

/// The channel's sender as a mailbox.
fn sender(channel: &ChannelContext) -> Result<Mailbox, ProviderError> {
    channel
        .sender
        .parse()
        .map_err(|_| ProviderError::permanent("invalid_sender", "the channel's sender is not an email address"))
}

/// The email for `message` from `from`, with its `Message-ID`.
pub fn compose(channel: &ChannelContext, from: &Mailbox, message: &Outbound) -> Result<(Email, String), ProviderError> {
    let Content::Email { subject, text, html } = &message.content else {
        return Err(ProviderError::permanent("unsupported_content", "email channels carry email content only"));
    };
    let message_id = mail::new_message_id(from.email.domain());
    let mut headers = Vec::new();
    if message.category == Category::Marketing {
        match &message.unsubscribe_url {
            Some(url) => {
                headers.push(("List-Unsubscribe".to_owned(), format!("<{url}>")));
                headers.push(("List-Unsubscribe-Post".to_owned(), "List-Unsubscribe=One-Click".to_owned()));
            }
            None => tracing::warn!(message = %message.id, "marketing email without an unsubscribe link"),
        }
    }
    let email = Email {
        to: vec![message.to.clone()],
        subject: subject.clone(),
        text: text.clone(),
        html: html.clone(),
        from: Some(from.to_string()),
        reply_to: channel.settings.reply_to.clone().filter(|r| !r.trim().is_empty()),
        headers,
    }
    .with_message_id(message_id.clone());
    Ok((email, message_id))
}

#[async_trait]
impl Provider for EmailProvider {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Smtp
    }

    async fn send(&self, channel: &ChannelContext, message: &Outbound) -> Result<Accepted, ProviderError> {
        let from = sender(channel)?;
        let (email, message_id) = compose(channel, &from, message)?;
        let mailer = self.mailer(channel, &from).await?;
        match mailer.send(&email).await {
            Ok(()) => Ok(Accepted { provider_message_id: message_id }),
            Err(MailError::Invalid(reason)) => Err(ProviderError::permanent("email_rejected", reason)),
            Err(MailError::Transport(reason)) => Err(ProviderError::retry("smtp_unavailable", reason)),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::sync::Mutex;

    use balcao_core::id::StoreId;

    use super::*;
    use crate::channels::{ChannelId, ChannelSettings};
    use crate::messages::MessageId;

    #[derive(Default)]
    struct Recorder(Mutex<Vec<Email>>);

    #[async_trait]
    impl Mailer for Recorder {
        async fn send(&self, email: &Email) -> Result<(), MailError> {
            self.0.lock().map_err(|_| MailError::Transport("poisoned".into()))?.push(email.clone());
            Ok(())
        }
    }

    struct Failing(MailError);

    #[async_trait]
    impl Mailer for Failing {
        async fn send(&self, _: &Email) -> Result<(), MailError> {
            Err(self.0.clone())
        }
    }

    fn channel(credentials: &[(&str, &str)]) -> ChannelContext {
        ChannelContext {
            store_id: StoreId::new(),
            channel_id: ChannelId::new(),
            sender: "Loja da Ana <vendas@loja.example>".into(),
            settings: ChannelSettings {
                reply_to: Some("atendimento@loja.example".into()),
                ..ChannelSettings::default()
            },
            credentials: credentials
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect::<BTreeMap<_, _>>(),
        }
    }

    fn outbound(category: Category) -> Outbound {
        Outbound {
            id: MessageId::new(),
            idempotency_key: "k".into(),
            to: "ana@example.com".into(),
            content: Content::Email {
                subject: "Promoção".into(),
                text: "Só hoje".into(),
                html: Some("<p>Só hoje</p>".into()),
            },
            category,
            human_agent: false,
            unsubscribe_url: Some("https://balcao.example/v1/unsubscribe/abc".into()),
        }
    }

    fn header<'a>(email: &'a Email, name: &str) -> Option<&'a str> {
        email.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    #[tokio::test]
    async fn marketing_mail_carries_one_click_unsubscribe_and_its_message_id() {
        let recorder = Arc::new(Recorder::default());
        let provider = EmailProvider::new(recorder.clone(), outbound::Policy::ALLOW_PRIVATE);
        let accepted = provider.send(&channel(&[]), &outbound(Category::Marketing)).await;
        let Ok(accepted) = accepted else { panic!("{accepted:?}") };
        let sent = recorder.0.lock().map(|v| v.clone()).unwrap_or_default();
        assert_eq!(sent.len(), 1);
        let email = &sent[0];
        assert_eq!(email.to, ["ana@example.com"]);
        assert_eq!(email.from.as_deref(), Some("Loja da Ana <vendas@loja.example>"));
        assert_eq!(email.reply_to.as_deref(), Some("atendimento@loja.example"));
        assert_eq!(header(email, "List-Unsubscribe"), Some("<https://balcao.example/v1/unsubscribe/abc>"));
        assert_eq!(header(email, "List-Unsubscribe-Post"), Some("List-Unsubscribe=One-Click"));
        assert_eq!(header(email, "Message-ID"), Some(accepted.provider_message_id.as_str()));
        assert!(accepted.provider_message_id.ends_with("@loja.example>"), "{accepted:?}");
    }

    #[tokio::test]
    async fn transactional_mail_has_no_unsubscribe_headers() {
        let channel = channel(&[]);
        let Ok(from) = sender(&channel) else { panic!("sender") };
        let Ok((email, _)) = compose(&channel, &from, &outbound(Category::Transactional)) else { panic!("compose") };
        assert_eq!(header(&email, "List-Unsubscribe"), None);
        assert_eq!(header(&email, "List-Unsubscribe-Post"), None);
    }

    #[tokio::test]
    async fn mail_errors_are_classified() {
        let invalid = EmailProvider::new(
            Arc::new(Failing(MailError::Invalid("550 no such user".into()))),
            outbound::Policy::ALLOW_PRIVATE,
        );
        let err = invalid.send(&channel(&[]), &outbound(Category::Transactional)).await.err();
        assert_eq!(err, Some(ProviderError::permanent("email_rejected", "550 no such user")));
        let down = EmailProvider::new(
            Arc::new(Failing(MailError::Transport("connection refused".into()))),
            outbound::Policy::ALLOW_PRIVATE,
        );
        let err = down.send(&channel(&[]), &outbound(Category::Transactional)).await.err();
        assert_eq!(err, Some(ProviderError::retry("smtp_unavailable", "connection refused")));
        let mut sms = outbound(Category::Transactional);
        sms.content = Content::Text { text: "Oi".into(), preview_url: false };
        assert!(
            matches!(down.send(&channel(&[]), &sms).await, Err(ProviderError::Permanent { code, .. }) if code == "unsupported_content")
        );
    }

    #[tokio::test]
    async fn a_store_mailer_is_reused_until_its_url_changes() {
        let provider = EmailProvider::new(Arc::new(Recorder::default()), outbound::Policy::ALLOW_PRIVATE);
        let from: Mailbox = "vendas@loja.example".parse().unwrap_or_else(|e| panic!("{e}"));
        let first = channel(&[("smtp_url", "smtp://127.0.0.1:2525")]);
        let a = provider.mailer(&first, &from).await.unwrap_or_else(|e| panic!("{e}"));
        let b = provider.mailer(&first, &from).await.unwrap_or_else(|e| panic!("{e}"));
        assert!(Arc::ptr_eq(&a, &b), "the pool is reused");
        assert!(!Arc::ptr_eq(&a, &provider.operator), "not the operator's mailer");
        let changed = ChannelContext {
            credentials: BTreeMap::from([("smtp_url".to_owned(), "smtp://127.0.0.1:2526".to_owned())]),
            ..first.clone()
        };
        let c = provider.mailer(&changed, &from).await.unwrap_or_else(|e| panic!("{e}"));
        assert!(!Arc::ptr_eq(&a, &c), "a new URL gets a new mailer");
        let operator = provider.mailer(&channel(&[]), &from).await.unwrap_or_else(|e| panic!("{e}"));
        assert!(Arc::ptr_eq(&operator, &provider.operator));
        let bad = channel(&[("smtp_url", "gopher://x")]);
        assert!(
            matches!(provider.mailer(&bad, &from).await, Err(ProviderError::Permanent { code, .. }) if code == "invalid_smtp_url")
        );
    }

    #[tokio::test]
    async fn a_store_smtp_server_at_an_internal_address_is_refused_in_every_notation() {
        let provider = EmailProvider::new(Arc::new(Recorder::default()), outbound::Policy::STRICT);
        let from: Mailbox = "vendas@loja.example".parse().unwrap_or_else(|e| panic!("{e}"));
        for url in [
            "smtps://u:p@2130706433:2465",
            "smtps://u:p@0x7f000001:2465",
            "smtp://127.1:2525",
            "smtp://017700000001:2525",
            "smtp://u:p@localhost:2587?tls=required",
            "smtp://[::ffff:127.0.0.1]:2525",
            "smtp://10.0.0.5",
        ] {
            let refused = provider.mailer(&channel(&[("smtp_url", url)]), &from).await.err();
            assert!(
                matches!(&refused, Some(ProviderError::Permanent { code, message }) if code == "destination_forbidden" && !message.contains("127.0.0.1")),
                "{url}: {refused:?}"
            );
        }
    }
}
