//! Sending through an SMTP server with a pool of reused connections.

use std::time::Duration;

use async_trait::async_trait;
use lettre::message::Mailbox;
use lettre::transport::smtp::PoolConfig;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};

use super::mailer::Mailer;
use super::message::{Email, MailError, build_message};
use crate::error::Error;
use crate::outbound;

/// How long one SMTP step (connect, a command, the data) may take.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15);

/// Most connections kept open to the server.
const POOL_SIZE: u32 = 4;

/// Reply codes of a refused login: the configuration is wrong, not the message.
const AUTH_CODES: &[&str] = &["530", "534", "535", "538"];

/// Sends through an SMTP server.
///
/// The URL takes the forms lettre understands:
/// - `smtp://host:port`: plain, for a loopback relay;
/// - `smtp://user:pass@host:587?tls=required`: STARTTLS;
/// - `smtps://user:pass@host:465`: implicit TLS.
///
/// Credentials in the URL are secret: neither the URL nor its parts are logged.
#[derive(Clone)]
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl std::fmt::Debug for SmtpMailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpMailer").field("from", &self.from.to_string()).finish_non_exhaustive()
    }
}

impl SmtpMailer {
    /// A mailer for `url`, sending from `from` unless a message names its own sender;
    /// `timeout` bounds each SMTP step. Must run inside a tokio runtime.
    pub fn new(url: &str, from: Mailbox, timeout: Duration) -> Result<Self, Error> {
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(Error::internal("the SMTP mailer must be built inside a tokio runtime"));
        }
        // The URL is not part of the message: it may carry a password.
        let builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| Error::internal(format!("BALCAO_SMTP_URL is not usable: {e}")))?;
        let transport = builder
            .timeout(Some(timeout))
            .pool_config(PoolConfig::new().max_size(POOL_SIZE).idle_timeout(Duration::from_secs(60)))
            .build();
        Ok(Self { transport, from })
    }

    /// A mailer for a URL someone other than the operator chose (a store's own server): the
    /// host is normalised and resolved here, every address checked against `policy`, and the
    /// transport connects to the checked address only, while TLS still verifies the name.
    /// The refusal never says the address or repeats the URL (it may carry a password).
    pub async fn to_checked_destination(
        url: &str,
        from: Mailbox,
        timeout: Duration,
        policy: outbound::Policy,
    ) -> Result<Self, outbound::Refused> {
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(outbound::Refused::Invalid);
        }
        let mut parsed = reqwest::Url::parse(url).map_err(|_| outbound::Refused::Invalid)?;
        if !matches!(parsed.scheme(), "smtp" | "smtps") {
            return Err(outbound::Refused::Invalid);
        }
        let tls = parsed.query_pairs().find(|(k, _)| k == "tls").map(|(_, v)| v.into_owned());
        let port = parsed.port().unwrap_or(match (parsed.scheme(), tls.as_deref()) {
            ("smtps", _) => 465,
            ("smtp", Some("required" | "opportunistic")) => 587,
            _ => 25,
        });
        let host = outbound::url_host(&parsed)?;
        let addrs = outbound::resolve(&host, port, policy).await?;
        let addr = addrs.first().ok_or(outbound::Refused::Unresolvable)?;
        let name = match &host {
            outbound::Host::Name(name) => name.clone(),
            outbound::Host::Ip(ip) => ip.to_string(),
        };
        parsed.set_ip_host(addr.ip()).map_err(|_| outbound::Refused::Invalid)?;
        parsed.set_port(Some(port)).map_err(|_| outbound::Refused::Invalid)?;
        let mut builder =
            AsyncSmtpTransport::<Tokio1Executor>::from_url(parsed.as_str()).map_err(|_| outbound::Refused::Invalid)?;
        let parameters = || TlsParameters::new(name.clone()).map_err(|_| outbound::Refused::Invalid);
        match (parsed.scheme(), tls.as_deref()) {
            ("smtps", _) => builder = builder.tls(Tls::Wrapper(parameters()?)),
            (_, Some("required")) => builder = builder.tls(Tls::Required(parameters()?)),
            (_, Some("opportunistic")) => builder = builder.tls(Tls::Opportunistic(parameters()?)),
            _ => {}
        }
        let transport = builder
            .timeout(Some(timeout))
            .pool_config(PoolConfig::new().max_size(POOL_SIZE).idle_timeout(Duration::from_secs(60)))
            .build();
        Ok(Self { transport, from })
    }
}

#[async_trait]
impl Mailer for SmtpMailer {
    async fn send(&self, email: &Email) -> Result<(), MailError> {
        let message = build_message(email, &self.from)?;
        match self.transport.send(message).await {
            Ok(response) => {
                tracing::debug!(code = %response.code(), recipients = email.to.len(), "email sent");
                Ok(())
            }
            Err(e) => Err(classify(&e)),
        }
    }
}

/// A 5xx reply refuses the message for good, except a refused login, which an
/// operator fixes; everything else (4xx, network, TLS, timeouts) is worth retrying.
fn classify(e: &lettre::transport::smtp::Error) -> MailError {
    let code = e.status().map(|c| c.to_string());
    let auth = code.as_deref().is_some_and(|c| AUTH_CODES.contains(&c));
    if e.is_permanent() && !auth { MailError::Invalid(e.to_string()) } else { MailError::Transport(e.to_string()) }
}
