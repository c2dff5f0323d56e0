//! A store's provider accounts in PostgreSQL: which provider takes each method, with its
//! credentials sealed at rest. A store without an account for a method pays through the sandbox.

use std::collections::BTreeMap;

use async_trait::async_trait;
use balcao_core::Core;
use balcao_core::error::{Error, Result};
use balcao_core::id::StoreId;
use balcao_core::outbound::form::destination;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::model::{PaymentAccount, UpsertAccount, credentials_context, providers_for, required};
use crate::payments::model::Method;
use crate::providers::Account;
use crate::schema::payment_accounts as a;

/// The provider and account that take `method` for `store`: its active account, or the
/// sandbox.
pub async fn for_method(
    core: &Core,
    conn: &mut AsyncPgConnection,
    store: StoreId,
    method: Method,
) -> Result<(&'static str, Account)> {
    for name in providers_for(method) {
        if let Some(account) = open(core, conn, store, name).await? {
            return Ok((name, account));
        }
    }
    Ok(("sandbox", Account::default()))
}

/// The store's active account at `provider`, credentials opened.
pub async fn open(
    core: &Core,
    conn: &mut AsyncPgConnection,
    store: StoreId,
    provider: &str,
) -> Result<Option<Account>> {
    let row: Option<(serde_json::Value, String)> = a::table
        .filter(a::store_id.eq(store.uuid()))
        .filter(a::provider.eq(provider))
        .filter(a::active.eq(true))
        .select((a::settings, a::credentials))
        .first(conn)
        .await
        .optional()?;
    let Some((settings, sealed)) = row else { return Ok(None) };
    let json = core.config.keyring.open(&sealed, &credentials_context(store, provider))?;
    let credentials: BTreeMap<String, String> = serde_json::from_slice(&json).map_err(Error::internal)?;
    Ok(Some(Account { settings, credentials, outbound: core.config.outbound() }))
}

/// A store's provider accounts: connect, list, disconnect. Credentials go in sealed and never
/// come back out.
#[async_trait]
pub trait PaymentAccountService: Send + Sync {
    /// Stores (or replaces) the store's account at `provider`, checking its credentials.
    async fn upsert(&self, store: StoreId, provider: &str, req: UpsertAccount) -> Result<PaymentAccount>;
    /// The store's accounts, credentials by name only.
    async fn list(&self, store: StoreId) -> Result<Vec<PaymentAccount>>;
    /// Removes the store's account at `provider` (404 when it has none).
    async fn delete(&self, store: StoreId, provider: &str) -> Result<()>;
}

/// [`PaymentAccountService`] in PostgreSQL, sealing credentials with the configured keyring.
pub struct PgPaymentAccountService {
    core: Core,
}

impl PgPaymentAccountService {
    /// A service on the shared handles.
    pub fn new(core: Core) -> Self {
        Self { core }
    }
}

#[async_trait]
impl PaymentAccountService for PgPaymentAccountService {
    /// Stores (or replaces) the store's account at `provider`.
    async fn upsert(&self, store: StoreId, provider: &str, req: UpsertAccount) -> Result<PaymentAccount> {
        let core = &self.core;
        let Some((credentials, optional, settings)) = required(provider) else {
            return Err(Error::not_found("payment provider"));
        };
        let mut v = balcao_core::error::Validator::new();
        for name in credentials {
            let ok = req.credentials.get(*name).is_some_and(|c| !c.trim().is_empty() && c.len() <= 16_384);
            v.check(ok, &format!("credentials.{name}"), "required", "required by this provider");
        }
        for name in req.credentials.keys() {
            v.check(
                credentials.contains(&name.as_str()) || optional.contains(&name.as_str()),
                &format!("credentials.{name}"),
                "unknown",
                "not a credential of this provider",
            );
        }
        for name in settings {
            let ok = req.settings.get(*name).and_then(|s| s.as_str()).is_some_and(|s| !s.trim().is_empty());
            v.check(ok, &format!("settings.{name}"), "required", "required by this provider");
        }
        if provider == "stripe"
            && let Some(key) = req.credentials.get("secret_key")
        {
            let ok = key.starts_with("sk_") || key.starts_with("rk_");
            v.check(ok, "credentials.secret_key", "invalid", "a Stripe secret key (sk_... or rk_...)");
        }
        for (name, url) in ["base_url", "billing_base_url"].iter().filter_map(|n| Some((n, req.settings.get(*n)?))) {
            let field = format!("settings.{name}");
            destination(&mut v, &field, url.as_str().unwrap_or_default(), core.config.url_policy());
        }
        v.finish()?;
        let json = serde_json::to_vec(&req.credentials).map_err(Error::internal)?;
        let sealed = core.config.keyring.seal(&json, &credentials_context(store, provider))?;
        let now = chrono::Utc::now();
        let settings = serde_json::Value::Object(req.settings);
        let active = req.active.unwrap_or(true);
        let mut conn = core.pool.get().await?;
        diesel::insert_into(a::table)
            .values((
                a::store_id.eq(store.uuid()),
                a::provider.eq(provider),
                a::settings.eq(&settings),
                a::credentials.eq(&sealed),
                a::active.eq(active),
                a::created_at.eq(now),
                a::updated_at.eq(now),
            ))
            .on_conflict((a::store_id, a::provider))
            .do_update()
            .set((a::settings.eq(&settings), a::credentials.eq(&sealed), a::active.eq(active), a::updated_at.eq(now)))
            .execute(&mut conn)
            .await?;
        Ok(PaymentAccount {
            provider: provider.to_owned(),
            settings,
            configured_credentials: req.credentials.into_keys().collect(),
            active,
            updated_at: now,
        })
    }

    /// The store's accounts.
    async fn list(&self, store: StoreId) -> Result<Vec<PaymentAccount>> {
        let core = &self.core;
        let mut conn = core.pool.get().await?;
        let rows: Vec<(String, serde_json::Value, String, bool, chrono::DateTime<chrono::Utc>)> = a::table
            .filter(a::store_id.eq(store.uuid()))
            .order(a::provider.asc())
            .select((a::provider, a::settings, a::credentials, a::active, a::updated_at))
            .load(&mut conn)
            .await?;
        rows.into_iter()
            .map(|(provider, settings, sealed, active, updated_at)| {
                let json = core.config.keyring.open(&sealed, &credentials_context(store, &provider))?;
                let names: BTreeMap<String, String> = serde_json::from_slice(&json).map_err(Error::internal)?;
                Ok(PaymentAccount {
                    provider,
                    settings,
                    configured_credentials: names.into_keys().collect(),
                    active,
                    updated_at,
                })
            })
            .collect()
    }

    /// Removes the store's account at `provider`; its method falls back to the sandbox.
    async fn delete(&self, store: StoreId, provider: &str) -> Result<()> {
        let core = &self.core;
        let mut conn = core.pool.get().await?;
        let deleted = diesel::delete(a::table.filter(a::store_id.eq(store.uuid())).filter(a::provider.eq(provider)))
            .execute(&mut conn)
            .await?;
        if deleted == 0 {
            return Err(Error::not_found("payment account"));
        }
        Ok(())
    }
}
