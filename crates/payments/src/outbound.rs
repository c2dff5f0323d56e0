//! What every provider client (Stripe, PagBank, EFI) shares when it calls out: one way to
//! build its HTTP client and one check of a configured base URL.

use std::time::Duration;

/// A client builder with the given timeouts, balcao's user agent and no redirects (a
/// credential-bearing call never follows a provider elsewhere).
pub fn client_builder(connect_timeout: Duration, timeout: Duration) -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .connect_timeout(connect_timeout)
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("balcao/", env!("CARGO_PKG_VERSION")))
}

/// A provider's base URL without surrounding spaces or trailing slashes, parsed: `http` or
/// `https` with a host and no query. The error says what is wrong, never the URL.
pub fn base_url(raw: &str) -> Result<(String, reqwest::Url), &'static str> {
    let base = raw.trim().trim_end_matches('/');
    let parsed = reqwest::Url::parse(base).map_err(|_| "base_url is not a URL")?;
    if !matches!(parsed.scheme(), "https" | "http") || parsed.host_str().is_none() || parsed.query().is_some() {
        return Err("base_url must be an http(s) URL without a query");
    }
    Ok((base.to_owned(), parsed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_trimmed_and_checked() {
        assert_eq!(base_url(" https://api.example.com/ ").map(|(b, _)| b), Ok("https://api.example.com".to_owned()));
        assert!(base_url("ftp://api.example.com").is_err());
        assert!(base_url("https://api.example.com?x=1").is_err());
        assert!(base_url("not a url").is_err());
    }
}
