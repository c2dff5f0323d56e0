//! The form check of a destination URL a store gives (a webhook endpoint, a provider's base
//! URL, an SMTP server): a literal internal address or `localhost` is refused when the URL is
//! given, unless the operator allows internal destinations. Names are resolved and checked
//! again at every connection ([`super::Client`], [`super::resolve`]).

use reqwest::Url;

use super::{Policy, check_url};
use crate::error::{Error, FieldError, Result, Validator};

/// The longest destination URL accepted.
pub const MAX_URL_LEN: usize = 2048;

/// What the operator allows for destinations.
#[derive(Debug, Clone, Copy, Default)]
pub struct UrlPolicy {
    /// Plain `http://` URLs are accepted.
    pub allow_http: bool,
    /// Literal internal addresses are accepted.
    pub allow_private: bool,
}

/// Checks a URL whose host is a literal address (in any notation) without resolving names.
pub fn check_literal(url: &Url, allow_private: bool) -> Result<()> {
    check_url(url, Policy { allow_private }).map_err(|refused| Error::Rule {
        code: refused.error_code(),
        detail: format!("{refused}."),
        field: Some("url".to_owned()),
    })
}

/// Checks an outbound destination URL given in `field`: https (http only when allowed),
/// a host, no credentials or fragment, and no literal internal address unless allowed.
pub fn destination(v: &mut Validator, field: &str, raw: &str, policy: UrlPolicy) {
    let raw = raw.trim();
    if raw.is_empty() || raw.len() > MAX_URL_LEN {
        v.push(FieldError::new(field, "invalid_url", format!("must be a URL of at most {MAX_URL_LEN} characters")));
        return;
    }
    let Ok(parsed) = Url::parse(raw) else {
        v.push(FieldError::new(field, "invalid_url", "must be an absolute URL"));
        return;
    };
    let scheme_ok = parsed.scheme() == "https" || (policy.allow_http && parsed.scheme() == "http");
    if !scheme_ok {
        let message = if policy.allow_http { "must use https or http" } else { "must use https" };
        v.push(FieldError::new(field, "https_required", message));
    } else if parsed.host_str().is_none_or(str::is_empty) {
        v.push(FieldError::new(field, "invalid_url", "must name a host"));
    } else if !parsed.username().is_empty() || parsed.password().is_some() {
        v.push(FieldError::new(field, "credentials_in_url", "must not carry a user or password; use headers"));
    } else if parsed.fragment().is_some() {
        v.push(FieldError::new(field, "invalid_url", "must not have a fragment"));
    } else if let Err(e) = check_literal(&parsed, policy.allow_private) {
        v.push(FieldError::new(field, "destination_forbidden", e.to_string()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(raw: &str, policy: UrlPolicy) -> Vec<String> {
        let mut v = Validator::new();
        destination(&mut v, "url", raw, policy);
        match v.finish() {
            Ok(()) => Vec::new(),
            Err(e) => e.problem().errors.into_iter().map(|e| e.code).collect(),
        }
    }

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap_or_else(|_| panic!("bad test url {s}"))
    }

    #[test]
    fn destinations() {
        let strict = UrlPolicy::default();
        assert!(codes("https://example.com/hook", strict).is_empty());
        assert_eq!(codes("http://example.com/hook", strict), ["https_required"]);
        let lax = UrlPolicy { allow_http: true, allow_private: false };
        assert!(codes("http://example.com/hook", lax).is_empty());
        assert_eq!(codes("ftp://example.com/", lax), ["https_required"]);
        assert_eq!(codes("not a url", strict), ["invalid_url"]);
        assert_eq!(codes("https://example.com/#top", strict), ["invalid_url"]);
        assert_eq!(codes("https://u:p@example.com/", strict), ["credentials_in_url"]);
        assert_eq!(codes("https://192.168.0.10/", strict), ["destination_forbidden"]);
        let private = UrlPolicy { allow_http: false, allow_private: true };
        assert!(codes("https://192.168.0.10/", private).is_empty());
        assert_eq!(codes(&format!("https://example.com/{}", "a".repeat(MAX_URL_LEN)), strict), ["invalid_url"]);
    }

    #[test]
    fn literal_check_needs_no_resolution() {
        assert!(check_literal(&url("https://10.0.0.1/"), false).is_err());
        assert!(check_literal(&url("https://LOCALHOST/"), false).is_err());
        assert!(check_literal(&url("https://2130706433/"), false).is_err());
        assert!(check_literal(&url("https://10.0.0.1/"), true).is_ok());
        assert!(check_literal(&url("https://example.com/"), false).is_ok());
        let refused = check_literal(&url("https://[::1]/"), false).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(!refused.contains("::1"), "the refusal does not repeat the address: {refused}");
    }
}
