//! One-click unsubscribe links (RFC 8058) for marketing messages, public and without login.
//!
//! A link is `{BALCAO_PUBLIC_URL}/v1/unsubscribe/{token}`. The token is
//! `base64url({store, kind, contact}).kid.base64url(tag)`, the tag a keyring MAC with the
//! purpose `unsubscribe`: it cannot be forged, edited or moved to another store, and it never
//! expires (an old email's link must keep working; opting out twice is harmless).
//!
//! `GET` only shows a confirmation page: mail scanners and link previews fetch links, and must
//! not opt anyone out. `POST` (the mailbox provider's one-click request with the body
//! `List-Unsubscribe=One-Click`, or the page's button) records the suppression.

use balcao_core::Core;
use balcao_core::config::Config;
use balcao_core::crypto::Keyring;
use balcao_core::error::{Error, Result};
use balcao_core::id::StoreId;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use crate::channels::ChannelKind;
use crate::consent;

/// The keyring purpose of unsubscribe tags.
pub const PURPOSE: &str = "unsubscribe";
/// The suppression source recorded for an opt-out through a link.
pub const SOURCE: &str = "unsubscribe_link";
/// The longest token accepted (a 320-character address makes about 600).
const MAX_TOKEN: usize = 2048;

/// Who opts out of what: the contents of a verified token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unsubscribe {
    /// The store whose marketing the contact leaves.
    pub store_id: StoreId,
    /// The channel kind.
    pub kind: ChannelKind,
    /// The contact, in its canonical form (see `normalize_recipient`).
    pub contact: String,
}

#[derive(Serialize, Deserialize)]
struct Claims {
    s: uuid::Uuid,
    k: ChannelKind,
    c: String,
}

/// A signed token for `link`.
pub fn token(keyring: &Keyring, link: &Unsubscribe) -> Result<String> {
    let claims = Claims { s: link.store_id.uuid(), k: link.kind, c: link.contact.clone() };
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).map_err(Error::internal)?);
    let (kid, tag) = keyring.sign(PURPOSE, payload.as_bytes())?;
    Ok(format!("{payload}.{kid}.{}", URL_SAFE_NO_PAD.encode(tag)))
}

/// The link a token stands for, when its tag checks out.
pub fn verify(keyring: &Keyring, token: &str) -> Option<Unsubscribe> {
    if token.len() > MAX_TOKEN {
        return None;
    }
    let mut parts = token.split('.');
    let (Some(payload), Some(kid), Some(tag), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return None;
    };
    let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
    if !keyring.verify(kid, PURPOSE, payload.as_bytes(), &tag) {
        return None;
    }
    let claims: Claims = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).ok()?).ok()?;
    Some(Unsubscribe { store_id: StoreId(claims.s), kind: claims.k, contact: claims.c })
}

/// The public one-click unsubscribe URL for `contact` on `kind` in `store`.
pub fn unsubscribe_url(config: &Config, store: StoreId, kind: ChannelKind, contact: &str) -> Result<String> {
    let link = Unsubscribe { store_id: store, kind, contact: contact.to_owned() };
    Ok(format!("{}/v1/unsubscribe/{}", config.public_url, token(&config.keyring, &link)?))
}

/// Records the opt-out (idempotent); answers whether it is new.
pub async fn record(core: &Core, link: &Unsubscribe) -> Result<bool> {
    let mut conn = core.pool.get().await?;
    consent::suppress(&mut conn, link.store_id, link.kind, &link.contact, SOURCE).await
}

/// `contact` with most of it hidden, for a page anyone holding the link may see.
pub fn mask(contact: &str) -> String {
    let stars = |n: usize| "*".repeat(n.clamp(3, 8));
    match contact.rsplit_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}{}@{domain}", stars(local.chars().count().saturating_sub(1)))
        }
        None => {
            let chars: Vec<char> = contact.chars().collect();
            let keep = if chars.len() > 8 { 4 } else { 0 };
            let head: String =
                chars.iter().take(if contact.starts_with('+') { 3.min(chars.len()) } else { 0 }).collect();
            let tail: String = chars[chars.len() - keep..].iter().collect();
            format!("{head}{}{tail}", stars(chars.len().saturating_sub(head.len() + keep)))
        }
    }
}

/// The HTTP side: the confirmation page and the one-click endpoint.
#[cfg(feature = "http")]
pub mod http {
    use actix_web::http::header::{self, ContentType};
    use actix_web::{HttpRequest, HttpResponse, get, post, web};
    use balcao_core::Core;
    use balcao_core::error::{Error, Problem, Result};
    use balcao_core::tenancy::StoreService;
    use serde::{Deserialize, Serialize};
    use utoipa::ToSchema;

    use super::{Unsubscribe, mask, record, verify};
    use crate::channels::ChannelKind;

    /// The answer to a one-click unsubscribe.
    #[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
    pub struct Unsubscribed {
        /// Always true: the contact no longer gets marketing from the store on this channel.
        pub unsubscribed: bool,
    }

    /// The one-click form a mailbox provider POSTs (RFC 8058); any other body is ignored.
    #[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
    pub struct OneClick {
        /// `One-Click`.
        #[serde(rename = "List-Unsubscribe")]
        #[schema(example = "One-Click")]
        pub list_unsubscribe: Option<String>,
    }

    /// The link and the live store's name, or 404.
    async fn resolve(core: &Core, stores: &dyn StoreService, token: &str) -> Result<(Unsubscribe, String)> {
        let link = verify(&core.config.keyring, token).ok_or_else(|| Error::not_found("unsubscribe link"))?;
        let store = stores.get(link.store_id).await.map_err(|e| match e {
            Error::NotFound { .. } => Error::not_found("unsubscribe link"),
            other => other,
        })?;
        Ok((link, store.name))
    }

    fn what(kind: ChannelKind) -> &'static str {
        match kind {
            ChannelKind::Email => "e-mails de marketing",
            ChannelKind::Sms => "SMS de marketing",
            ChannelKind::Whatsapp => "mensagens de marketing no WhatsApp",
            ChannelKind::Instagram => "mensagens de marketing no Instagram",
        }
    }

    fn escape(text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        for c in text.chars() {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '"' => out.push_str("&quot;"),
                '\'' => out.push_str("&#39;"),
                c => out.push(c),
            }
        }
        out
    }

    fn page(title: &str, body: &str) -> HttpResponse {
        let html = format!(
            "<!doctype html>\n<html lang=\"pt-BR\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <meta name=\"robots\" content=\"noindex\"><title>{title}</title>\
             <style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#222}}\
             button{{font-size:1rem;padding:.6rem 1.2rem;cursor:pointer}}</style></head>\
             <body><main><h1>{title}</h1>{body}</main></body></html>\n"
        );
        HttpResponse::Ok()
            .content_type(ContentType::html())
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .insert_header(("Referrer-Policy", "no-referrer"))
            .insert_header(("X-Robots-Tag", "noindex"))
            .insert_header((
                "Content-Security-Policy",
                "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
            ))
            .body(html)
    }

    /// The confirmation page of an unsubscribe link (pt-BR HTML). It changes nothing: mail
    /// scanners fetch links. Its button POSTs to the same URL.
    #[utoipa::path(tag = "messaging",
        params(("token" = String, Path, description = "The signed token from the `List-Unsubscribe` link")),
        responses(
            (status = 200, description = "A page asking to confirm, with a button", content_type = "text/html", body = String),
            (status = 404, description = "The link is not valid (tampered with, or its store is gone)",
                body = Problem, content_type = "application/problem+json")))]
    #[get("/unsubscribe/{token}")]
    pub async fn unsubscribe_page(
        core: web::Data<Core>,
        stores: web::Data<dyn StoreService>,
        token: web::Path<String>,
    ) -> Result<HttpResponse> {
        let (link, store) = resolve(&core, stores.get_ref(), &token).await?;
        let body = format!(
            "<p>Você não quer mais receber {what} de <strong>{store}</strong> em <strong>{contact}</strong>?</p>\
             <form method=\"post\"><input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">\
             <button type=\"submit\">Cancelar inscrição</button></form>\
             <p><small>Mensagens sobre os seus pedidos continuam chegando normalmente.</small></p>",
            what = what(link.kind),
            store = escape(&store),
            contact = escape(&mask(&link.contact)),
        );
        Ok(page("Cancelar inscrição", &body))
    }

    /// One-click unsubscribe (RFC 8058): the contact stops getting marketing from the store on
    /// this channel. Takes the form body `List-Unsubscribe=One-Click` (or none); idempotent.
    /// Answers JSON, or a pt-BR page when the caller asks for HTML (the page's button).
    #[utoipa::path(tag = "messaging",
        params(("token" = String, Path, description = "The signed token from the `List-Unsubscribe` link")),
        request_body(content = Option<OneClick>, content_type = "application/x-www-form-urlencoded",
            description = "`List-Unsubscribe=One-Click`, or empty"),
        responses(
            (status = 200, description = "The contact is unsubscribed", body = Unsubscribed),
            (status = 404, description = "The link is not valid (tampered with, or its store is gone)",
                body = Problem, content_type = "application/problem+json")))]
    #[post("/unsubscribe/{token}")]
    pub async fn unsubscribe(
        core: web::Data<Core>,
        stores: web::Data<dyn StoreService>,
        token: web::Path<String>,
        req: HttpRequest,
        _body: web::Bytes,
    ) -> Result<HttpResponse> {
        let (link, store) = resolve(&core, stores.get_ref(), &token).await?;
        if record(&core, &link).await? {
            tracing::info!(store = %link.store_id, kind = link.kind.as_str(), "contact unsubscribed through a link");
        }
        let wants_html = req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html"));
        if wants_html {
            let body = format!(
                "<p>Pronto: você não vai mais receber {what} de <strong>{store}</strong>.</p>",
                what = what(link.kind),
                store = escape(&store),
            );
            return Ok(page("Inscrição cancelada", &body));
        }
        Ok(HttpResponse::Ok()
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .json(Unsubscribed { unsubscribed: true }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link() -> Unsubscribe {
        Unsubscribe { store_id: StoreId::new(), kind: ChannelKind::Email, contact: "ana@example.com".into() }
    }

    #[test]
    fn tokens_round_trip_and_resist_tampering() {
        let keyring = Keyring::development();
        let link = link();
        let Ok(token) = token(&keyring, &link) else { panic!("token") };
        assert!(token.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')), "{token}");
        assert_eq!(verify(&keyring, &token), Some(link.clone()));

        // Another store, kind or contact under the same tag fails.
        let parts: Vec<&str> = token.split('.').collect();
        let other = Unsubscribe { store_id: StoreId::new(), ..link.clone() };
        let Ok(other_token) = super::token(&keyring, &other) else { panic!("token") };
        let other_payload = other_token.split('.').next().unwrap_or_default();
        assert_eq!(verify(&keyring, &format!("{other_payload}.{}.{}", parts[1], parts[2])), None);
        let mut flipped = token.clone().into_bytes();
        flipped[3] = if flipped[3] == b'A' { b'B' } else { b'A' };
        assert_eq!(verify(&keyring, &String::from_utf8(flipped).unwrap_or_default()), None);
        for bad in ["", "x", "a.b", "a.b.c.d", &format!("{}.nokey.{}", parts[0], parts[2]), &"a".repeat(5000)] {
            assert_eq!(verify(&keyring, bad), None, "{bad}");
        }

        // A token is bound to the keyring that made it.
        let Ok(other_keys) = Keyring::parse("k1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=") else { panic!("keys") };
        assert_eq!(verify(&other_keys, &token), None);
    }

    #[test]
    fn the_url_starts_with_the_public_url() {
        let Ok(mut config) = Config::from_map(&std::collections::HashMap::new()) else { panic!("config") };
        config.public_url = "https://api.loja.com".into();
        let link = link();
        let Ok(url) = unsubscribe_url(&config, link.store_id, link.kind, &link.contact) else { panic!("url") };
        let token = url.strip_prefix("https://api.loja.com/v1/unsubscribe/").unwrap_or_default();
        assert_eq!(verify(&config.keyring, token), Some(link));
    }

    #[test]
    fn contacts_are_masked() {
        assert_eq!(mask("ana@example.com"), "a***@example.com");
        assert_eq!(mask("carolina.souza@example.com"), "c********@example.com");
        assert_eq!(mask("+5511987654321"), "+55*******4321");
        assert_eq!(mask("1234"), "****");
    }
}
