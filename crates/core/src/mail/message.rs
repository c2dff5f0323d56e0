//! The message a service asks to send, why one was not sent, and how it becomes an RFC 5322
//! message: checked addresses, a `Message-ID`, extra headers that may not replace the ones
//! the builder owns.

use lettre::Message;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};

/// One outbound message.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Email {
    /// Recipients, each an address or `Name <address>`; at least one.
    pub to: Vec<String>,
    /// Subject line (non-ASCII is encoded).
    pub subject: String,
    /// Plain-text body; always sent.
    pub text: String,
    /// HTML body; when set the message is `multipart/alternative` (text, then HTML).
    pub html: Option<String>,
    /// Sender overriding the configured default, e.g. `Loja da Ana <vendas@loja.com>`.
    pub from: Option<String>,
    /// `Reply-To` address.
    pub reply_to: Option<String>,
    /// Extra headers such as `List-Unsubscribe` and `List-Unsubscribe-Post`. A `Message-ID`
    /// here (see [`Email::with_message_id`]) replaces the generated one.
    pub headers: Vec<(String, String)>,
}

impl Email {
    /// The message with a `Message-ID` chosen by the caller (`<unique@domain>`, e.g. from
    /// [`new_message_id`]), to match bounces and replies later; otherwise one is generated.
    pub fn with_message_id(mut self, message_id: impl Into<String>) -> Self {
        self.headers.retain(|(name, _)| !name.eq_ignore_ascii_case("message-id"));
        self.headers.push(("Message-ID".to_owned(), message_id.into()));
        self
    }
}

/// A fresh `Message-ID` (`<uuid@domain>`) for a sender at `domain`.
pub fn new_message_id(domain: &str) -> String {
    format!("<{}@{}>", uuid::Uuid::now_v7().simple(), domain)
}

/// Why a message was not sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailError {
    /// The message or one of its addresses is unusable, or the server refused it
    /// for good: sending it again will fail again.
    #[error("invalid email: {0}")]
    Invalid(String),
    /// The transport failed (connection, timeout, temporary refusal, disk): retry later.
    #[error("mail transport failed: {0}")]
    Transport(String),
}

impl MailError {
    /// True when retrying cannot help.
    pub fn is_permanent(&self) -> bool {
        matches!(self, Self::Invalid(_))
    }
}

/// Headers that the message builder owns; an extra header may not replace them.
const RESERVED_HEADERS: &[&str] = &[
    "from",
    "sender",
    "to",
    "cc",
    "bcc",
    "reply-to",
    "subject",
    "date",
    "message-id",
    "mime-version",
    "content-type",
    "content-transfer-encoding",
    "return-path",
];

/// A mailbox (`Name <address>` or an address), or why `field` holds none.
pub(super) fn parse_mailbox(field: &str, value: &str) -> Result<Mailbox, MailError> {
    value.trim().parse::<Mailbox>().map_err(|e| MailError::Invalid(format!("{field} `{value}`: {e}")))
}

/// A caller's `Message-ID`: `<left@right>`, printable ASCII without spaces (RFC 5322 msg-id).
fn checked_message_id(value: &str) -> Result<String, MailError> {
    let part =
        |p: &str| !p.is_empty() && p.bytes().all(|b| (33..=126).contains(&b) && !matches!(b, b'<' | b'>' | b'@'));
    let ok = value.len() <= 250
        && value
            .strip_prefix('<')
            .and_then(|v| v.strip_suffix('>'))
            .and_then(|v| v.split_once('@'))
            .is_some_and(|(left, right)| part(left) && part(right));
    if ok {
        Ok(value.to_owned())
    } else {
        Err(MailError::Invalid(format!("Message-ID `{value}` is not `<left@right>`")))
    }
}

fn extra_header(name: &str, value: &str) -> Result<HeaderValue, MailError> {
    // RFC 5322 field names: printable ASCII except the colon.
    let valid_name = !name.is_empty() && name.bytes().all(|b| (33..=126).contains(&b) && b != b':');
    if !valid_name {
        return Err(MailError::Invalid(format!("header name `{name}` is not valid")));
    }
    if RESERVED_HEADERS.iter().any(|r| r.eq_ignore_ascii_case(name)) {
        return Err(MailError::Invalid(format!("header `{name}` is set from the message fields")));
    }
    if value.contains(['\r', '\n']) {
        return Err(MailError::Invalid(format!("header `{name}` contains a line break")));
    }
    let name = HeaderName::new_from_ascii(name.to_owned())
        .map_err(|_| MailError::Invalid(format!("header name `{name}` is not valid")))?;
    Ok(HeaderValue::new(name, value.to_owned()))
}

/// Builds the RFC 5322 message for `email`, sent from `default_from` unless it names its own sender.
pub(crate) fn build_message(email: &Email, default_from: &Mailbox) -> Result<Message, MailError> {
    if email.to.is_empty() {
        return Err(MailError::Invalid("no recipients".into()));
    }
    let from = match &email.from {
        Some(from) => parse_mailbox("from", from)?,
        None => default_from.clone(),
    };
    let mut message_id = None;
    let mut extra = Vec::with_capacity(email.headers.len());
    for (name, value) in &email.headers {
        if name.eq_ignore_ascii_case("message-id") {
            message_id = Some(checked_message_id(value)?);
        } else {
            extra.push(extra_header(name, value)?);
        }
    }
    let message_id = message_id.unwrap_or_else(|| new_message_id(from.email.domain()));
    let mut builder = Message::builder().from(from).subject(email.subject.as_str()).message_id(Some(message_id));
    for to in &email.to {
        builder = builder.to(parse_mailbox("to", to)?);
    }
    if let Some(reply_to) = &email.reply_to {
        builder = builder.reply_to(parse_mailbox("reply_to", reply_to)?);
    }
    for header in extra {
        builder = builder.raw_header(header);
    }
    let built = match &email.html {
        Some(html) => builder.multipart(MultiPart::alternative_plain_html(email.text.clone(), html.clone())),
        None => builder.singlepart(SinglePart::plain(email.text.clone())),
    };
    built.map_err(|e| MailError::Invalid(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sender() -> Mailbox {
        match "balcao <no-reply@balcao.local>".parse() {
            Ok(m) => m,
            Err(e) => panic!("{e}"),
        }
    }

    fn email() -> Email {
        Email {
            to: vec!["Ana <ana@example.com>".into(), "bruno@example.com".into()],
            subject: "Seu pedido nº 1042 foi confirmado".into(),
            text: "Olá Ana, recebemos seu pedido.".into(),
            html: Some("<p>Olá Ana, recebemos seu <b>pedido</b>.</p>".into()),
            from: None,
            reply_to: Some("atendimento@loja.com".into()),
            headers: vec![
                ("List-Unsubscribe".into(), "<https://loja.com/u/abc>, <mailto:sair@loja.com>".into()),
                ("List-Unsubscribe-Post".into(), "List-Unsubscribe=One-Click".into()),
            ],
        }
    }

    fn render(email: &Email) -> String {
        match build_message(email, &sender()) {
            Ok(m) => String::from_utf8_lossy(&m.formatted()).into_owned(),
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn html_and_text_become_alternative_parts() {
        let raw = render(&email());
        assert!(raw.contains("Content-Type: multipart/alternative"), "{raw}");
        assert!(raw.contains("Content-Type: text/plain; charset=utf-8"), "{raw}");
        assert!(raw.contains("Content-Type: text/html; charset=utf-8"), "{raw}");
        let text_at = raw.find("text/plain").unwrap_or(usize::MAX);
        let html_at = raw.find("text/html").unwrap_or(0);
        assert!(text_at < html_at, "text comes before HTML: {raw}");
        assert!(raw.contains("MIME-Version: 1.0"), "{raw}");
    }

    #[test]
    fn text_only_is_a_single_part() {
        let raw = render(&Email { html: None, ..email() });
        assert!(!raw.contains("multipart"), "{raw}");
        assert!(raw.contains("Content-Type: text/plain; charset=utf-8"), "{raw}");
    }

    #[test]
    fn addresses_and_headers_are_present() {
        let raw = render(&email());
        assert!(raw.contains("From: balcao <no-reply@balcao.local>"), "{raw}");
        assert!(raw.contains("To: Ana <ana@example.com>, bruno@example.com"), "{raw}");
        assert!(raw.contains("Reply-To: atendimento@loja.com"), "{raw}");
        assert!(raw.contains("List-Unsubscribe: <https://loja.com/u/abc>, <mailto:sair@loja.com>"), "{raw}");
        assert!(raw.contains("List-Unsubscribe-Post: List-Unsubscribe=One-Click"), "{raw}");
        assert!(raw.contains("Message-ID: <") && raw.contains("@balcao.local>"), "{raw}");
        // The non-ASCII subject is encoded, not sent raw.
        assert!(raw.contains("Subject: Seu pedido =?utf-8?"), "{raw}");
    }

    #[test]
    fn the_sender_can_be_overridden() {
        let raw = render(&Email { from: Some("Loja da Ana <vendas@loja.com>".into()), ..email() });
        assert!(raw.contains("From: \"Loja da Ana\" <vendas@loja.com>"), "{raw}");
        assert!(!raw.contains("balcao.local"), "the message id follows the sender's domain: {raw}");
    }

    #[test]
    fn bad_input_is_invalid() {
        let cases = [
            Email { to: vec![], ..email() },
            Email { to: vec!["not an address".into()], ..email() },
            Email { from: Some("vendas@".into()), ..email() },
            Email { reply_to: Some("@loja.com".into()), ..email() },
            Email { headers: vec![("Bcc".into(), "spy@example.com".into())], ..email() },
            Email { headers: vec![("X-Bad Name".into(), "1".into())], ..email() },
            Email { headers: vec![("X-Tag".into(), "a\r\nBcc: spy@example.com".into())], ..email() },
        ];
        for case in cases {
            let err = build_message(&case, &sender()).err();
            assert!(matches!(&err, Some(e @ MailError::Invalid(_)) if e.is_permanent()), "{case:?} -> {err:?}");
        }
    }

    #[test]
    fn a_caller_may_choose_the_message_id() {
        let id = new_message_id("loja.com");
        assert!(id.starts_with('<') && id.ends_with("@loja.com>"), "{id}");
        let raw = render(&email().with_message_id(id.clone()).with_message_id(id.clone()));
        assert_eq!(raw.matches("Message-ID:").count(), 1, "{raw}");
        assert!(raw.contains(&format!("Message-ID: {id}")), "{raw}");
        for bad in ["no-brackets@loja.com", "<sem-arroba>", "<a b@loja.com>", "<@loja.com>", "<a@>", "<a@b>\r\nBcc: x"]
        {
            let err = build_message(&email().with_message_id(bad), &sender()).err();
            assert!(matches!(err, Some(MailError::Invalid(_))), "{bad} -> {err:?}");
        }
    }

    #[test]
    fn transport_errors_are_retryable() {
        assert!(!MailError::Transport("connection refused".into()).is_permanent());
    }
}
