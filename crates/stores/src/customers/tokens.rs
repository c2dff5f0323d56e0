//! Customer tokens: what a shopper presents to the storefront (`Authorization: Bearer bct_...`).
//!
//! Format: `bct_` + base64url(payload) + `.` + key id + `.` + base64url(tag), where the payload is
//! the JSON `{"store_id", "customer_id", "exp"}` (`exp` in Unix seconds) and the tag is
//! `keyring.sign("customer-token", payload)`. Tokens are stateless: they hold for 24 hours, only
//! in the store that minted them, and keep working across key rotation while the key is known.

use std::sync::Arc;

use async_trait::async_trait;
use balcao_core::Core;
use balcao_core::crypto::Keyring;
use balcao_core::error::{Error, Result};
use balcao_core::id::StoreId;
use balcao_core::tenancy::StoreService;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, TimeZone, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::load;
use crate::ids::CustomerId;

/// Every customer token starts with this.
pub const TOKEN_PREFIX: &str = "bct_";
/// The signing purpose, so no other signed value can pass for a token.
pub const TOKEN_PURPOSE: &str = "customer-token";
/// How long a token holds.
pub const TOKEN_TTL: Duration = Duration::hours(24);
/// The problem code of a missing, malformed, forged, expired or foreign token.
pub const INVALID_TOKEN: balcao_core::error::ErrorCode = crate::problems::INVALID_CUSTOMER_TOKEN;

/// What a token says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenClaims {
    /// The store it was minted in.
    pub store_id: StoreId,
    /// The customer.
    pub customer_id: CustomerId,
    /// Expiry, in Unix seconds.
    pub exp: i64,
}

/// `POST .../customers/{id}/tokens`: a token to hand to the shopper.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct IssuedToken {
    /// The bearer token (`bct_...`).
    pub token: String,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
}

/// A shopper whose token checked out on a store's storefront.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shopper {
    /// The store of the storefront (and of the token).
    pub store_id: StoreId,
    /// The customer.
    pub customer_id: CustomerId,
    /// When the token expires.
    pub expires_at: DateTime<Utc>,
}

fn invalid(detail: &str) -> Error {
    Error::unauthenticated(INVALID_TOKEN, detail)
}

/// Mints a token for `claims`.
pub fn mint(keyring: &Keyring, claims: &TokenClaims) -> Result<String> {
    let payload = serde_json::to_vec(claims).map_err(Error::internal)?;
    let (kid, tag) = keyring.sign(TOKEN_PURPOSE, &payload)?;
    Ok(format!("{TOKEN_PREFIX}{}.{kid}.{}", URL_SAFE_NO_PAD.encode(&payload), URL_SAFE_NO_PAD.encode(tag)))
}

/// Checks a token's form, signature and expiry (at `now`); any failure is a 401 `invalid_customer_token`.
pub fn verify(keyring: &Keyring, token: &str, now: DateTime<Utc>) -> Result<TokenClaims> {
    let malformed = || invalid("The customer token is malformed.");
    let rest = token.strip_prefix(TOKEN_PREFIX).ok_or_else(malformed)?;
    let mut parts = rest.split('.');
    let (Some(payload), Some(kid), Some(tag), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(malformed());
    };
    let payload = URL_SAFE_NO_PAD.decode(payload).map_err(|_| malformed())?;
    let tag = URL_SAFE_NO_PAD.decode(tag).map_err(|_| malformed())?;
    if !keyring.verify(kid, TOKEN_PURPOSE, &payload, &tag) {
        return Err(invalid("The customer token's signature does not check out."));
    }
    let claims: TokenClaims = serde_json::from_slice(&payload).map_err(|_| malformed())?;
    if claims.exp <= now.timestamp() {
        return Err(invalid("The customer token has expired; ask the store for a new one."));
    }
    Ok(claims)
}

/// Minting and checking customer tokens.
#[async_trait]
pub trait CustomerTokenService: Send + Sync {
    /// Mints a 24-hour token for a customer of the store.
    async fn issue(&self, store: StoreId, customer: CustomerId) -> Result<IssuedToken>;
    /// Checks `token` on the storefront of the store with `slug`: 404 when there is no such store,
    /// 401 `invalid_customer_token` when the token is bad, expired or of another store.
    async fn authenticate(&self, slug: &str, token: &str) -> Result<Shopper>;
}

/// [`CustomerTokenService`] with core's keyring; stores come from core's [`StoreService`].
pub struct PgCustomerTokenService {
    core: Core,
    stores: Arc<dyn StoreService>,
}

impl PgCustomerTokenService {
    /// A service on the shared handles; `stores` resolves storefront slugs.
    pub fn new(core: Core, stores: Arc<dyn StoreService>) -> Self {
        Self { core, stores }
    }
}

#[async_trait]
impl CustomerTokenService for PgCustomerTokenService {
    async fn issue(&self, store: StoreId, customer: CustomerId) -> Result<IssuedToken> {
        let mut conn = self.core.pool.get().await?;
        load::row(&mut conn, store, customer).await?;
        let expires_at = Utc::now() + TOKEN_TTL;
        let claims = TokenClaims { store_id: store, customer_id: customer, exp: expires_at.timestamp() };
        let token = mint(&self.core.config.keyring, &claims)?;
        let expires_at = Utc.timestamp_opt(claims.exp, 0).single().unwrap_or(expires_at);
        Ok(IssuedToken { token, expires_at })
    }

    async fn authenticate(&self, slug: &str, token: &str) -> Result<Shopper> {
        let claims = verify(&self.core.config.keyring, token, Utc::now())?;
        let store = self.stores.get_by_slug(slug).await?;
        if store.id != claims.store_id {
            return Err(invalid("This customer token belongs to another store."));
        }
        let expires_at = Utc.timestamp_opt(claims.exp, 0).single().unwrap_or_default();
        Ok(Shopper { store_id: claims.store_id, customer_id: claims.customer_id, expires_at })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(exp: i64) -> TokenClaims {
        TokenClaims { store_id: StoreId::new(), customer_id: CustomerId::new(), exp }
    }

    fn code(result: Result<TokenClaims>) -> &'static str {
        result.err().map(|e| e.code()).unwrap_or("ok")
    }

    #[test]
    fn round_trip_and_expiry() {
        let ring = Keyring::development();
        let now = Utc::now();
        let c = claims(now.timestamp() + 60);
        let token = mint(&ring, &c).unwrap_or_default();
        assert!(token.starts_with("bct_") && token.contains(".dev."), "{token}");
        assert_eq!(verify(&ring, &token, now).ok(), Some(c));
        assert_eq!(code(verify(&ring, &token, now + Duration::seconds(61))), INVALID_TOKEN.code());
    }

    #[test]
    fn tampering_is_refused() {
        let ring = Keyring::development();
        let now = Utc::now();
        let token = mint(&ring, &claims(now.timestamp() + 60)).unwrap_or_default();
        let (body, tag) = token.rsplit_once('.').unwrap_or_default();
        let other = mint(&ring, &claims(now.timestamp() + 60)).unwrap_or_default();
        let (_, other_tag) = other.rsplit_once('.').unwrap_or_default();
        for bad in [
            format!("{body}.{other_tag}"),
            format!("{body}x.{tag}"),
            token.replacen("bct_", "bk_", 1),
            token.replacen(".dev.", ".other.", 1),
            format!("{token}.extra"),
            "bct_".to_owned(),
            String::new(),
        ] {
            assert_eq!(code(verify(&ring, &bad, now)), INVALID_TOKEN.code(), "{bad}");
        }
    }
}
