//! What every provider client (Stripe, PagBank, EFI) shares when it calls out: one way to
//! build its HTTP client and one check of a configured base URL, both on
//! [`balcao_core::outbound`] (names resolved and checked at connect time, no redirects, no
//! proxy from the environment).

use std::time::Duration;

use balcao_core::outbound::{self, Policy};

/// A client builder with the given timeouts that reaches only what `policy` allows (a
/// credential-bearing call never follows a provider elsewhere).
pub fn client_builder(policy: Policy, connect_timeout: Duration, timeout: Duration) -> reqwest::ClientBuilder {
    outbound::builder(policy).connect_timeout(connect_timeout).timeout(timeout)
}

/// A provider's base URL without surrounding spaces or trailing slashes, parsed: `http` or
/// `https` with a host, no query, and no literal internal address unless `policy` allows it.
/// The error says what is wrong, never the URL.
pub fn base_url(raw: &str, policy: Policy) -> Result<(String, reqwest::Url), &'static str> {
    let base = raw.trim().trim_end_matches('/');
    let parsed = reqwest::Url::parse(base).map_err(|_| "base_url is not a URL")?;
    if !matches!(parsed.scheme(), "https" | "http") || parsed.host_str().is_none() || parsed.query().is_some() {
        return Err("base_url must be an http(s) URL without a query");
    }
    outbound::check_url(&parsed, policy).map_err(|_| "base_url is not an allowed destination")?;
    Ok((base.to_owned(), parsed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_trimmed_and_checked() {
        let strict = Policy::STRICT;
        assert_eq!(
            base_url(" https://api.example.com/ ", strict).map(|(b, _)| b),
            Ok("https://api.example.com".to_owned())
        );
        assert!(base_url("ftp://api.example.com", strict).is_err());
        assert!(base_url("https://api.example.com?x=1", strict).is_err());
        assert!(base_url("not a url", strict).is_err());
        assert_eq!(base_url("https://2130706433:8443", strict).err(), Some("base_url is not an allowed destination"));
        assert!(base_url("https://127.0.0.1:8443", Policy::ALLOW_PRIVATE).is_ok());
    }
}
