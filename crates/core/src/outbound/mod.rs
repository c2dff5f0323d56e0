//! Every connection balcao opens to an address a store (or a provider's answer) chose goes
//! through here: webhook deliveries, messaging and payment provider APIs, store SMTP servers.
//!
//! - A host is parsed and normalised by one function for every scheme ([`normalize_host`]):
//!   `2130706433`, `0x7f000001`, `127.1` and `017700000001` are all 127.0.0.1, whether they
//!   come in an `https://` URL or an `smtp://` one.
//! - Names are resolved when the connection is made, every answer is checked, and the
//!   connection goes to the checked addresses only (no second lookup, so no DNS rebinding
//!   window): [`resolve`] for SMTP, [`Client`]'s resolver for HTTP.
//! - Internal addresses are refused ([`is_forbidden`]) unless the operator allows them
//!   ([`Policy::allow_private`], `BALCAO_OUTBOUND_ALLOW_PRIVATE`, alias
//!   `BALCAO_WEBHOOKS_ALLOW_PRIVATE`).
//! - HTTP clients follow no redirects, use no proxy from the environment, and time out.
//!
//! - A URL a store gives is checked when it is given ([`form::destination`]): https, a host,
//!   no credentials, no literal internal address.
//!
//! A refusal says the destination is not allowed, never the address a name resolved to.

pub mod form;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::OnceLock;
use std::time::Duration;

use reqwest::Url;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Which destinations outbound connections may reach.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Policy {
    /// Allow loopback, private and other internal addresses (development and tests only).
    pub allow_private: bool,
}

impl Policy {
    /// Only public addresses.
    pub const STRICT: Self = Self { allow_private: false };
    /// Any address, internal ones included.
    pub const ALLOW_PRIVATE: Self = Self { allow_private: true };
}

/// Why a destination was refused. The message never names a resolved address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    /// The URL has no usable host or port.
    #[error("the destination URL has no usable host")]
    Invalid,
    /// The host does not resolve.
    #[error("the destination's host does not resolve")]
    Unresolvable,
    /// The host is, or resolves to, an internal address.
    #[error("the destination is not allowed: it is an internal address")]
    Forbidden,
}

impl Refused {
    /// A stable code for problems and message errors.
    pub fn code(&self) -> &'static str {
        self.error_code().code()
    }

    /// The declared problem code of this refusal.
    pub fn error_code(&self) -> crate::error::ErrorCode {
        match self {
            Self::Invalid => crate::problems::DESTINATION_INVALID,
            Self::Unresolvable => crate::problems::DESTINATION_UNRESOLVABLE,
            Self::Forbidden => crate::problems::DESTINATION_FORBIDDEN,
        }
    }
}

/// Whether `ip` is internal: loopback, private, unique-local, link-local, unspecified,
/// multicast, broadcast, shared (CGNAT) or "this network", directly, IPv4-mapped,
/// IPv4-compatible (`::a.b.c.d`) or through the NAT64 prefix `64:ff9b::/96`.
pub fn is_forbidden(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_forbidden_v4(v4),
        IpAddr::V6(v6) => is_forbidden_v6(v6),
    }
}

fn is_forbidden_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_multicast()
        || ip.is_broadcast()
        || a == 0
        || a >= 240
        || (a == 100 && (64..128).contains(&b))
        || (a == 192 && b == 0 && ip.octets()[2] == 0)
        || (a == 198 && (b == 18 || b == 19))
}

fn is_forbidden_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_forbidden_v4(v4);
    }
    let segments = ip.segments();
    let first = segments[0];
    let embedded = Ipv4Addr::from_bits(ip.to_bits() as u32);
    let nat64 = segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0];
    // `::/96`, the deprecated IPv4-compatible form (`::` and `::1` are caught below).
    let compatible = segments[..6] == [0; 6];
    ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        || (first & 0xffc0) == 0xfec0
        || compatible
        || (nat64 && is_forbidden_v4(embedded))
}

/// A host as every client sees it: an IP address (in any notation a resolver would take:
/// decimal, hex, octal, shortened) or a lower-case name without a trailing dot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Host {
    /// A literal address.
    Ip(IpAddr),
    /// A name to resolve.
    Name(String),
}

/// Parses `raw` (a URL's host, brackets allowed around IPv6) with the WHATWG host parser of
/// `http` URLs whatever the scheme it came in, so `smtp://0x7f000001` is 127.0.0.1 too.
pub fn normalize_host(raw: &str) -> Result<Host, Refused> {
    let raw = raw.trim();
    if raw.is_empty() || raw.contains(['/', '?', '#', '@', ' ']) {
        return Err(Refused::Invalid);
    }
    let bare = raw.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return Ok(Host::Ip(ip));
    }
    // The http parser writes every IPv4 notation as dotted decimal and IPv6 in brackets.
    let parsed = Url::parse(&format!("http://{raw}/")).map_err(|_| Refused::Invalid)?;
    let host = parsed.host_str().ok_or(Refused::Invalid)?;
    if let Ok(ip) = host.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>() {
        return Ok(Host::Ip(ip));
    }
    let name = host.trim_end_matches('.').to_ascii_lowercase();
    if name.is_empty() {
        return Err(Refused::Invalid);
    }
    Ok(Host::Name(name))
}

/// The host of `url`, normalised.
pub fn url_host(url: &Url) -> Result<Host, Refused> {
    normalize_host(url.host_str().ok_or(Refused::Invalid)?)
}

/// Checks what can be checked without a lookup: a literal address, or the name `localhost`
/// (for validating a form; connecting goes through [`resolve`] or [`Client`]).
pub fn check_url(url: &Url, policy: Policy) -> Result<(), Refused> {
    if policy.allow_private {
        return url_host(url).map(|_| ());
    }
    match url_host(url)? {
        Host::Ip(ip) if is_forbidden(ip) => Err(Refused::Forbidden),
        Host::Name(name) if name == "localhost" || name.ends_with(".localhost") => Err(Refused::Forbidden),
        _ => Ok(()),
    }
}

/// Resolves `host` and returns the addresses a connection may use: every answer must be
/// allowed (one internal address among public ones refuses the whole name).
pub async fn resolve(host: &Host, port: u16, policy: Policy) -> Result<Vec<SocketAddr>, Refused> {
    let addrs: Vec<SocketAddr> = match host {
        Host::Ip(ip) => vec![SocketAddr::new(*ip, port)],
        Host::Name(name) => {
            tokio::net::lookup_host((name.as_str(), port)).await.map_err(|_| Refused::Unresolvable)?.collect()
        }
    };
    if addrs.is_empty() {
        return Err(Refused::Unresolvable);
    }
    if !policy.allow_private && addrs.iter().any(|a| is_forbidden(a.ip())) {
        return Err(Refused::Forbidden);
    }
    Ok(addrs)
}

/// The resolver of [`Client`]: names resolve through [`resolve`], at connect time.
#[derive(Debug, Clone, Copy)]
struct GuardedResolver(Policy);

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.0;
        Box::pin(async move {
            let host = normalize_host(name.as_str())?;
            // The port is set by the connector; 0 here.
            let addrs = resolve(&host, 0, policy).await?;
            let addrs: Addrs = Box::new(addrs.into_iter());
            Ok(addrs)
        })
    }
}

/// The default timeouts of [`builder`].
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// See [`CONNECT_TIMEOUT`].
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// A client builder every outbound HTTP client starts from: the guarded resolver, no
/// redirects, no proxy from the environment, balcao's user agent and timeouts (callers may
/// shorten them). Build it with [`Client::build`].
pub fn builder(policy: Policy) -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .dns_resolver(GuardedResolver(policy))
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(TIMEOUT)
        .user_agent(concat!("balcao/", env!("CARGO_PKG_VERSION")))
}

/// An HTTP client that reaches allowed destinations only: names are checked by its resolver
/// when it connects, literal addresses by [`Client::request`] before anything is sent.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    policy: Policy,
}

impl Client {
    /// A client from [`builder`] with nothing added.
    pub fn new(policy: Policy) -> Result<Self, reqwest::Error> {
        Self::build(builder(policy), policy)
    }

    /// A client from a builder that started as [`builder`]`(policy)` (client certificates or
    /// shorter timeouts added).
    pub fn build(builder: reqwest::ClientBuilder, policy: Policy) -> Result<Self, reqwest::Error> {
        Ok(Self { http: builder.build()?, policy })
    }

    /// The policy it enforces.
    pub fn policy(&self) -> Policy {
        self.policy
    }

    /// A request to `url`, refused before anything is sent when its host is a forbidden
    /// literal address (names are checked when the connection is made).
    pub fn request(&self, method: reqwest::Method, url: &str) -> Result<reqwest::RequestBuilder, Refused> {
        let parsed = Url::parse(url).map_err(|_| Refused::Invalid)?;
        if let Host::Ip(ip) = url_host(&parsed)?
            && !self.policy.allow_private
            && is_forbidden(ip)
        {
            return Err(Refused::Forbidden);
        }
        Ok(self.http.request(method, parsed))
    }

    /// `GET url` (see [`Client::request`]).
    pub fn get(&self, url: &str) -> Result<reqwest::RequestBuilder, Refused> {
        self.request(reqwest::Method::GET, url)
    }

    /// `POST url` (see [`Client::request`]).
    pub fn post(&self, url: &str) -> Result<reqwest::RequestBuilder, Refused> {
        self.request(reqwest::Method::POST, url)
    }
}

static STRICT_CLIENT: OnceLock<Result<Client, String>> = OnceLock::new();
static OPEN_CLIENT: OnceLock<Result<Client, String>> = OnceLock::new();

/// One pooled [`Client`] per policy for the whole process (timeouts can be shortened per request
/// with `RequestBuilder::timeout`); the error is the TLS backend's, should it fail to start.
pub fn shared(policy: Policy) -> Result<&'static Client, &'static str> {
    let cell = if policy.allow_private { &OPEN_CLIENT } else { &STRICT_CLIENT };
    cell.get_or_init(|| Client::new(policy).map_err(|e| e.to_string())).as_ref().map_err(String::as_str)
}

/// The refusal behind a failed request, when the guarded resolver refused its destination.
pub fn refusal(error: &reqwest::Error) -> Option<Refused> {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(current) = source {
        if let Some(refused) = current.downcast_ref::<Refused>() {
            return Some(refused.clone());
        }
        source = current.source();
    }
    None
}

/// The longest `Retry-After` any caller honours.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(3600);

/// An HTTP `Retry-After` value as a delay: delta-seconds or an HTTP date (RFC 9110), at most
/// `max`; `None` when it is neither.
pub fn parse_retry_after(value: &str, max: Duration) -> Option<Duration> {
    let value = value.trim();
    let delay = match value.parse::<u64>() {
        Ok(secs) => Duration::from_secs(secs),
        Err(_) => {
            let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
            (at.with_timezone(&chrono::Utc) - chrono::Utc::now()).to_std().unwrap_or(Duration::ZERO)
        }
    };
    Some(delay.min(max))
}

/// The `Retry-After` header of an answer as a delay, at most `max` (see [`parse_retry_after`]).
/// Every client of a provider or an endpoint reads it through here.
pub fn retry_after(headers: &reqwest::header::HeaderMap, max: Duration) -> Option<Duration> {
    parse_retry_after(headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?, max)
}

/// A provider's configured base URL without surrounding spaces or trailing slashes, parsed:
/// `http` or `https` with a host, no query, and no literal internal address unless `policy`
/// allows it (names are checked when connecting). The error says what is wrong, never the URL.
pub fn base_url(raw: &str, policy: Policy) -> Result<(String, Url), &'static str> {
    let base = raw.trim().trim_end_matches('/');
    let parsed = Url::parse(base).map_err(|_| "base_url is not a URL")?;
    if !matches!(parsed.scheme(), "https" | "http") || parsed.host_str().is_none() || parsed.query().is_some() {
        return Err("base_url must be an http(s) URL without a query");
    }
    check_url(&parsed, policy).map_err(|_| "base_url is not an allowed destination")?;
    Ok((base.to_owned(), parsed))
}

#[cfg(test)]
mod tests;
