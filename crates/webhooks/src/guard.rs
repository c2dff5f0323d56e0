//! The form check of a destination URL against server-side request forgery, on top of
//! [`balcao_core::outbound`] (which every connection goes through): a literal internal address
//! or `localhost` is refused when the URL is given, unless the operator allows internal
//! destinations (`BALCAO_OUTBOUND_ALLOW_PRIVATE`, alias `BALCAO_WEBHOOKS_ALLOW_PRIVATE`).
//! Names are resolved and checked again at every connection.

use balcao_core::error::{Error, Result};
use balcao_core::outbound::{self, Policy};
use reqwest::Url;

/// Checks a URL whose host is a literal address (in any notation) without resolving names.
pub fn check_literal(url: &Url, allow_private: bool) -> Result<()> {
    outbound::check_url(url, Policy { allow_private }).map_err(|refused| Error::Rule {
        code: refused.code(),
        detail: format!("{refused}."),
        field: Some("url".to_owned()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap_or_else(|_| panic!("bad test url {s}"))
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
