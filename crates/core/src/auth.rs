//! Resolves bearer tokens to principals and principals to store access, with a short cache.
//!
//! Used by the `StoreAccess` and `Authenticated` extractors; nothing else checks credentials.

use std::time::Duration;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};

use crate::cache::{get_json, set_json};
use crate::context::Core;
use crate::crypto::{constant_time_eq, sha256_hex};
use crate::error::{Error, Result};
use crate::id::{StoreId, UserId};
use crate::identity::Principal;
use crate::schema::{api_keys, roles, sessions, store_members, stores};
use crate::tenancy::permissions::{BuiltinRole, Permission};

/// Session tokens start with this.
pub const SESSION_PREFIX: &str = "bs_";
/// API keys start with this.
pub const API_KEY_PREFIX: &str = "bk_";

#[derive(Serialize, Deserialize)]
struct CachedPrincipal {
    principal: Principal,
    expires_at: Option<DateTime<Utc>>,
}

fn token_key(hash: &str) -> String {
    format!("auth:token:{hash}")
}

fn access_key(store_id: StoreId, user_id: UserId) -> String {
    format!("auth:access:{store_id}:{user_id}")
}

fn unauthenticated() -> Error {
    Error::unauthenticated(crate::problems::INVALID_TOKEN, "The bearer token is missing, expired or revoked.")
}

/// Resolves a bearer token (session or API key).
pub async fn authenticate(core: &Core, token: &str) -> Result<Principal> {
    let hash = sha256_hex(token.as_bytes());
    if let Some(cached) = get_json::<CachedPrincipal>(core.cache.as_ref(), &token_key(&hash)).await
        && cached.expires_at.is_none_or(|at| at > Utc::now())
    {
        return Ok(cached.principal);
    }
    let (principal, expires_at) = if token.starts_with(API_KEY_PREFIX) {
        resolve_api_key(core, token, &hash).await?
    } else if token.starts_with(SESSION_PREFIX) {
        resolve_session(core, &hash).await?
    } else {
        return Err(unauthenticated());
    };
    let mut ttl = core.config.auth_cache_ttl;
    if let Some(left) = expires_at.and_then(|at| (at - Utc::now()).to_std().ok()) {
        ttl = ttl.min(left);
    }
    if !ttl.is_zero() {
        set_json(
            core.cache.as_ref(),
            &token_key(&hash),
            &CachedPrincipal { principal: principal.clone(), expires_at },
            ttl,
        )
        .await;
    }
    Ok(principal)
}

/// Id, user, expiry, last use.
type SessionAuthRow = (uuid::Uuid, uuid::Uuid, DateTime<Utc>, Option<DateTime<Utc>>);

async fn resolve_session(core: &Core, hash: &str) -> Result<(Principal, Option<DateTime<Utc>>)> {
    let mut conn = core.pool.get().await?;
    let found: Option<SessionAuthRow> = sessions::table
        .filter(sessions::token_hash.eq(hash))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(Utc::now()))
        .select((sessions::id, sessions::user_id, sessions::expires_at, sessions::last_used_at))
        .first(&mut conn)
        .await
        .optional()?;
    let (session_id, user_id, expires_at, last_used_at) = found.ok_or_else(unauthenticated)?;
    crate::identity::activity::touch(&mut conn, session_id, last_used_at).await?;
    Ok((Principal::User { user_id: UserId(user_id), session_id }, Some(expires_at)))
}

/// Id, store, secret hash, scopes, creator, expiry, last use.
type KeyAuthRow =
    (uuid::Uuid, uuid::Uuid, String, Vec<String>, Option<uuid::Uuid>, Option<DateTime<Utc>>, Option<DateTime<Utc>>);

async fn resolve_api_key(core: &Core, token: &str, hash: &str) -> Result<(Principal, Option<DateTime<Utc>>)> {
    let prefix = api_key_prefix(token).ok_or_else(unauthenticated)?;
    let mut conn = core.pool.get().await?;
    let found: Option<KeyAuthRow> = api_keys::table
        .inner_join(stores::table.on(stores::id.eq(api_keys::store_id)))
        .filter(api_keys::prefix.eq(prefix))
        .filter(api_keys::revoked_at.is_null())
        .filter(stores::deleted_at.is_null())
        .select((
            api_keys::id,
            api_keys::store_id,
            api_keys::secret_hash,
            api_keys::scopes,
            api_keys::created_by,
            api_keys::expires_at,
            api_keys::last_used_at,
        ))
        .first(&mut conn)
        .await
        .optional()?;
    let (key_id, store_id, secret_hash, scopes, created_by, expires_at, last_used_at) =
        found.ok_or_else(unauthenticated)?;
    if !constant_time_eq(secret_hash.as_bytes(), hash.as_bytes()) || expires_at.is_some_and(|at| at <= Utc::now()) {
        return Err(unauthenticated());
    }
    if last_used_at.is_none_or(|at| Utc::now() - at > chrono::Duration::seconds(60)) {
        diesel::update(api_keys::table.filter(api_keys::store_id.eq(store_id)).filter(api_keys::id.eq(key_id)))
            .set(api_keys::last_used_at.eq(Utc::now()))
            .execute(&mut conn)
            .await?;
    }
    let created_by = created_by.map(UserId);
    Ok((Principal::ApiKey { key_id, store_id: StoreId(store_id), scopes, created_by }, expires_at))
}

/// The public prefix of an API key token `bk_<prefix>_<secret>`, as stored (`bk_<prefix>`).
pub fn api_key_prefix(token: &str) -> Option<&str> {
    let rest = token.strip_prefix(API_KEY_PREFIX)?;
    let (prefix, secret) = rest.split_once('_')?;
    (!prefix.is_empty() && !secret.is_empty()).then(|| &token[..API_KEY_PREFIX.len() + prefix.len()])
}

/// Forgets a cached credential (after logout or revocation).
pub async fn forget(core: &Core, token_hash: &str) {
    core.cache.delete(&token_key(token_hash)).await;
}

/// Forgets a user's cached access to a store (after a role change or removal).
pub async fn forget_access(core: &Core, store_id: StoreId, user_id: UserId) {
    core.cache.delete(&access_key(store_id, user_id)).await;
}

/// What a principal may do in one store.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Access {
    /// The store.
    pub store_id: StoreId,
    /// The member's role; `None` for API keys.
    pub role: Option<String>,
    /// The permissions held.
    pub permissions: Vec<Permission>,
}

/// Resolves a principal's access to a store; another store (or a missing one) is 404.
///
/// An API key may do what its scopes name *and* its creator may do now: the creator's access
/// is read (through the same cache, forgotten on every membership or role change) on every
/// request, so demoting the creator narrows their keys at once. A key whose creator is gone
/// from the store is refused as revoked (removal revokes the member's keys as well).
pub async fn store_access(core: &Core, principal: &Principal, store_id: StoreId) -> Result<Access> {
    match principal {
        Principal::ApiKey { store_id: key_store, scopes, created_by, .. } => {
            if *key_store != store_id {
                return Err(Error::not_found("store"));
            }
            let creator = match created_by {
                Some(user) => member_access_cached(core, store_id, *user).await.map_err(|e| match e {
                    Error::NotFound { .. } => unauthenticated(),
                    other => other,
                })?,
                None => return Err(unauthenticated()),
            };
            let permissions = scopes
                .iter()
                .filter_map(|s| Permission::parse(s))
                .filter(|p| creator.permissions.contains(p))
                .collect();
            Ok(Access { store_id, role: None, permissions })
        }
        Principal::User { user_id, .. } => member_access_cached(core, store_id, *user_id).await,
    }
}

/// A member's access, through the cache.
async fn member_access_cached(core: &Core, store_id: StoreId, user_id: UserId) -> Result<Access> {
    let key = access_key(store_id, user_id);
    if let Some(access) = get_json::<Access>(core.cache.as_ref(), &key).await {
        return Ok(access);
    }
    let access = member_access(core, store_id, user_id).await?;
    let ttl = core.config.auth_cache_ttl;
    if ttl > Duration::ZERO {
        set_json(core.cache.as_ref(), &key, &access, ttl).await;
    }
    Ok(access)
}

async fn member_access(core: &Core, store_id: StoreId, user_id: UserId) -> Result<Access> {
    let mut conn = core.pool.get().await?;
    // One query: the membership, the store's liveness and a custom role's permissions.
    let found: Option<(String, Option<Vec<String>>)> = store_members::table
        .inner_join(stores::table.on(stores::id.eq(store_members::store_id)))
        .left_join(
            roles::table.on(roles::store_id.eq(store_members::store_id).and(roles::name.eq(store_members::role))),
        )
        .filter(store_members::store_id.eq(store_id.uuid()))
        .filter(store_members::user_id.eq(user_id.uuid()))
        .filter(stores::deleted_at.is_null())
        .select((store_members::role, roles::permissions.nullable()))
        .first(&mut conn)
        .await
        .optional()?;
    let (role, custom) = found.ok_or_else(|| Error::not_found("store"))?;
    let permissions = match BuiltinRole::parse(&role) {
        Some(builtin) => builtin.permissions(),
        None => custom.unwrap_or_default().iter().filter_map(|s| Permission::parse(s)).collect(),
    };
    Ok(Access { store_id, role: Some(role), permissions })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_key_prefix_parses() {
        assert_eq!(api_key_prefix("bk_abc123_secretpart"), Some("bk_abc123"));
        assert_eq!(api_key_prefix("bk_abc123_"), None);
        assert_eq!(api_key_prefix("bs_abc"), None);
    }
}
