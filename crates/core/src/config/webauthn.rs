//! The passkey relying party: `BALCAO_WEBAUTHN_RP_ID` and `BALCAO_WEBAUTHN_ORIGIN`, or
//! defaults derived from `BALCAO_PUBLIC_URL`.

use super::env::{ConfigError, Env};

/// The WebAuthn relying party passkeys are bound to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebauthnSettings {
    /// `BALCAO_WEBAUTHN_RP_ID`: the domain credentials are scoped to (default: the origin's host).
    pub rp_id: String,
    /// `BALCAO_WEBAUTHN_ORIGIN`: the web origin browsers run the ceremonies from, such as
    /// `https://app.loja.com` (default: the origin of `BALCAO_PUBLIC_URL`).
    pub origin: webauthn_rs::prelude::Url,
}

impl WebauthnSettings {
    /// The webauthn-rs relying party for these settings.
    pub fn build(&self, rp_name: &str) -> Result<webauthn_rs::Webauthn, String> {
        webauthn_rs::WebauthnBuilder::new(&self.rp_id, &self.origin).and_then(|b| b.rp_name(rp_name).build()).map_err(
            |e| {
                format!(
                    "the relying party id `{}` must be the host of the origin `{}` or a parent domain of it ({e})",
                    self.rp_id, self.origin
                )
            },
        )
    }
}

/// Reads and checks the passkey relying party: explicit values must work; the defaults derived
/// from the public URL turn passkeys off when that URL's host is not a domain name.
pub(super) fn webauthn_settings(
    env: &Env<'_>,
    public_url: &str,
    rp_name: &str,
) -> Result<Option<WebauthnSettings>, ConfigError> {
    use webauthn_rs::prelude::Url;
    let explicit_origin = env.get("BALCAO_WEBAUTHN_ORIGIN");
    let explicit_rp_id = env.get("BALCAO_WEBAUTHN_RP_ID");
    let explicit = explicit_origin.is_some() || explicit_rp_id.is_some();
    let (var, raw_origin) = match explicit_origin {
        Some(origin) => ("BALCAO_WEBAUTHN_ORIGIN", origin),
        None => ("BALCAO_PUBLIC_URL", public_url.to_owned()),
    };
    let parsed = Url::parse(&raw_origin).map_err(|e| env.error(var, format!("`{raw_origin}` is not a URL: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(env.error(var, format!("`{raw_origin}` must be an http(s) origin")));
    }
    let Some(host) = parsed.domain().map(str::to_owned) else {
        if explicit {
            return Err(env.error(
                var,
                format!("`{raw_origin}`: WebAuthn needs a domain name as the origin's host, not an IP address (set BALCAO_WEBAUTHN_ORIGIN)"),
            ));
        }
        return Ok(None);
    };
    if var == "BALCAO_WEBAUTHN_ORIGIN"
        && (parsed.path() != "/" || parsed.query().is_some() || parsed.fragment().is_some())
    {
        return Err(env.error(var, format!("`{raw_origin}` must be an origin (scheme, host and port only)")));
    }
    if parsed.scheme() != "https" && host != "localhost" && !host.ends_with(".localhost") {
        return Err(env.error(
            var,
            format!("`{raw_origin}`: browsers only run WebAuthn on https:// origins (or http://localhost)"),
        ));
    }
    // The origin is scheme, host and port: a path in the public URL is dropped.
    let origin = Url::parse(&parsed.origin().ascii_serialization())
        .map_err(|e| env.error(var, format!("`{raw_origin}` has no usable origin: {e}")))?;
    let rp_id = explicit_rp_id.map(|id| id.to_ascii_lowercase()).unwrap_or(host);
    let settings = WebauthnSettings { rp_id, origin };
    let rp_var = if env.get("BALCAO_WEBAUTHN_RP_ID").is_some() { "BALCAO_WEBAUTHN_RP_ID" } else { var };
    settings.build(rp_name).map_err(|m| env.error(rp_var, m))?;
    Ok(Some(settings))
}
