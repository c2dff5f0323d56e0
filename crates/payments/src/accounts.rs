//! A store's provider accounts: which provider takes each method, with its credentials
//! sealed at rest. A store without an account for a method pays through the sandbox.

use std::collections::BTreeMap;

use balcao_core::Core;
use balcao_core::error::{Error, Result};
use balcao_core::id::StoreId;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::model::Method;
use crate::provider::Account;
use crate::schema::payment_accounts as a;

/// The providers that take `method`, in order of preference.
pub fn providers_for(method: Method) -> &'static [&'static str] {
    match method {
        Method::Pix | Method::Boleto => &["efi"],
        Method::Card => &["stripe", "pagbank"],
    }
}

/// The keyring context binding an account's sealed credentials to it.
pub fn credentials_context(store: StoreId, provider: &str) -> String {
    format!("payment-account:{store}:{provider}")
}

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
    Ok(Some(Account { settings, credentials }))
}
