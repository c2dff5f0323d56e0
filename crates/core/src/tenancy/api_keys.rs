//! Store API keys: scoped, shown once, stored hashed, revocable.

use async_trait::async_trait;
use chrono::{Duration as ChronoDuration, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use super::model::{ApiKey, ApiKeyRow, CreateApiKey, CreatedApiKey, RollApiKey};
use super::permissions::{Permission, parse_list};
use crate::auth::{self, API_KEY_PREFIX, Access};
use crate::context::Core;
use crate::crypto::{random_alphanumeric, random_token, sha256_hex};
use crate::error::{Error, Result, Validator};
use crate::id::{ApiKeyId, StoreId, UserId};
use crate::pagination::{Page, PageParams};
use crate::schema::api_keys;

/// A store's API keys.
#[async_trait]
pub trait ApiKeyService: Send + Sync {
    /// Live (unrevoked) keys, ordered by id.
    async fn list(&self, store: StoreId, page: &PageParams) -> Result<Page<ApiKey>>;
    /// Creates a key with scopes within the creator's own permissions.
    async fn create(
        &self,
        store: StoreId,
        actor: &Access,
        created_by: Option<UserId>,
        req: CreateApiKey,
    ) -> Result<CreatedApiKey>;
    /// Revokes a key at once.
    async fn revoke(&self, store: StoreId, key: ApiKeyId) -> Result<()>;
    /// Replaces a key with a new one of the same name and scopes, whose secret is returned once;
    /// the old secret keeps working for `expires_old_in` seconds (at most 7 days). The caller
    /// must hold every scope of the key.
    async fn roll(
        &self,
        store: StoreId,
        actor: &Access,
        created_by: Option<UserId>,
        key: ApiKeyId,
        req: RollApiKey,
    ) -> Result<CreatedApiKey>;
}

/// The longest overlap of a rolled key's old and new secrets.
pub const MAX_ROLL_OVERLAP_SECS: i64 = 7 * 86_400;

/// A fresh `(prefix, secret)` pair.
fn new_secret() -> (String, String) {
    let prefix = format!("{API_KEY_PREFIX}{}", random_alphanumeric(12));
    let secret = format!("{prefix}_{}", random_token(32));
    (prefix, secret)
}

/// Inserts a key row with a new secret; returns it with the secret.
async fn insert(
    conn: &mut AsyncPgConnection,
    store: StoreId,
    name: &str,
    scopes: &[String],
    created_by: Option<UserId>,
    expires_at: Option<chrono::DateTime<Utc>>,
) -> Result<CreatedApiKey> {
    let (prefix, secret) = new_secret();
    let row: ApiKeyRow = diesel::insert_into(api_keys::table)
        .values((
            api_keys::store_id.eq(store.uuid()),
            api_keys::id.eq(ApiKeyId::new().uuid()),
            api_keys::name.eq(name),
            api_keys::prefix.eq(&prefix),
            api_keys::secret_hash.eq(sha256_hex(secret.as_bytes())),
            api_keys::scopes.eq(scopes),
            api_keys::created_by.eq(created_by.map(UserId::uuid)),
            api_keys::expires_at.eq(expires_at),
        ))
        .returning(ApiKeyRow::as_returning())
        .get_result(conn)
        .await?;
    Ok(CreatedApiKey { key: row.into(), secret })
}

/// [`ApiKeyService`] on PostgreSQL.
pub struct PgApiKeyService {
    core: Core,
}

impl PgApiKeyService {
    /// A service on the shared handles.
    pub fn new(core: Core) -> Self {
        Self { core }
    }
}

#[async_trait]
impl ApiKeyService for PgApiKeyService {
    async fn list(&self, store: StoreId, page: &PageParams) -> Result<Page<ApiKey>> {
        let req = page.parse::<uuid::Uuid>()?;
        let mut conn = self.core.pool.get().await?;
        let mut query = api_keys::table
            .filter(api_keys::store_id.eq(store.uuid()))
            .filter(api_keys::revoked_at.is_null())
            .select(ApiKeyRow::as_select())
            .order(api_keys::id.asc())
            .limit(req.fetch_limit())
            .into_boxed();
        if let Some(after) = req.after {
            query = query.filter(api_keys::id.gt(after));
        }
        let rows = query.load(&mut conn).await?;
        Ok(req.page(rows, |r| r.id)?.map(ApiKey::from))
    }

    async fn create(
        &self,
        store: StoreId,
        actor: &Access,
        created_by: Option<UserId>,
        req: CreateApiKey,
    ) -> Result<CreatedApiKey> {
        let mut v = Validator::new();
        v.length(&req.name, "name", 1, 100);
        if let Some(at) = req.expires_at {
            v.check(at > Utc::now(), "expires_at", "in_the_past", "must be in the future");
        }
        v.finish()?;
        let scopes: Vec<Permission> = match &req.scopes {
            Some(names) => {
                let wanted = parse_list(names, "scopes")?;
                if let Some((i, p)) = wanted.iter().enumerate().find(|(_, p)| !actor.permissions.contains(p)) {
                    return Err(Error::field(
                        format!("scopes[{i}]"),
                        "exceeds_permissions",
                        format!("you do not hold `{}` yourself", p.as_str()),
                    ));
                }
                wanted
            }
            None => actor.permissions.clone(),
        };
        let names: Vec<String> = scopes.iter().map(|p| p.as_str().to_owned()).collect();
        let mut conn = self.core.pool.get().await?;
        insert(&mut conn, store, req.name.trim(), &names, created_by, req.expires_at).await
    }

    async fn revoke(&self, store: StoreId, key: ApiKeyId) -> Result<()> {
        let mut conn = self.core.pool.get().await?;
        let hash: Option<String> = diesel::update(
            api_keys::table
                .filter(api_keys::store_id.eq(store.uuid()))
                .filter(api_keys::id.eq(key.uuid()))
                .filter(api_keys::revoked_at.is_null()),
        )
        .set(api_keys::revoked_at.eq(Utc::now()))
        .returning(api_keys::secret_hash)
        .get_result(&mut conn)
        .await
        .optional()?;
        let hash = hash.ok_or_else(|| Error::not_found("api key"))?;
        auth::forget(&self.core, &hash).await;
        Ok(())
    }

    async fn roll(
        &self,
        store: StoreId,
        actor: &Access,
        created_by: Option<UserId>,
        key: ApiKeyId,
        req: RollApiKey,
    ) -> Result<CreatedApiKey> {
        let mut v = Validator::new();
        v.check(
            (0..=MAX_ROLL_OVERLAP_SECS).contains(&req.expires_old_in),
            "expires_old_in",
            "out_of_range",
            "must be 0 to 604800 seconds (7 days)",
        );
        if let Some(at) = req.expires_at {
            v.check(at > Utc::now(), "expires_at", "in_the_past", "must be in the future");
        }
        v.finish()?;
        let mut conn = self.core.pool.get().await?;
        let (rolled, old_hash) = conn
            .transaction::<_, Error, _>(async |conn| {
                let old: ApiKeyRow = api_keys::table
                    .filter(api_keys::store_id.eq(store.uuid()))
                    .filter(api_keys::id.eq(key.uuid()))
                    .filter(api_keys::revoked_at.is_null())
                    .select(ApiKeyRow::as_select())
                    .for_update()
                    .first(conn)
                    .await
                    .optional()?
                    .ok_or_else(|| Error::not_found("api key"))?;
                let held: Vec<Permission> = old.scopes.iter().filter_map(|s| Permission::parse(s)).collect();
                super::roles::require_holds(actor, &held)?;
                let now = Utc::now();
                let until = now + ChronoDuration::seconds(req.expires_old_in);
                let old_expiry = old.expires_at.map_or(until, |at| at.min(until));
                diesel::update(
                    api_keys::table.filter(api_keys::store_id.eq(store.uuid())).filter(api_keys::id.eq(old.id)),
                )
                .set((
                    api_keys::expires_at.eq(Some(old_expiry)),
                    api_keys::revoked_at.eq((req.expires_old_in == 0).then_some(now)),
                ))
                .execute(conn)
                .await?;
                let rolled = insert(conn, store, &old.name, &old.scopes, created_by, req.expires_at).await?;
                Ok((rolled, old.secret_hash))
            })
            .await?;
        // The cached principal carries the old expiry: forget it so the new one applies now.
        auth::forget(&self.core, &old_hash).await;
        Ok(rolled)
    }
}
