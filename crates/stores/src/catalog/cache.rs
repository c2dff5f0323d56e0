//! The storefront cache's per-store version: bumping it makes every cached page of the store stale.

use std::time::Duration;

use balcao_core::Core;
use balcao_core::id::StoreId;

/// How long the version key lives; it is renewed on every change.
const VERSION_TTL: Duration = Duration::from_secs(7 * 24 * 3600);

fn key(store: StoreId) -> String {
    format!("storefront:{store}:version")
}

/// The current version of a store's storefront data (a new one is made when none is known).
pub async fn version(core: &Core, store: StoreId) -> String {
    if let Some(bytes) = core.cache.get(&key(store)).await
        && let Ok(version) = String::from_utf8(bytes)
    {
        return version;
    }
    let fresh = uuid::Uuid::now_v7().to_string();
    core.cache.set(&key(store), fresh.as_bytes(), VERSION_TTL).await;
    fresh
}

/// Marks everything cached for the store's storefront as stale; call after a change commits.
pub async fn invalidate(core: &Core, store: StoreId) {
    core.cache.set(&key(store), uuid::Uuid::now_v7().to_string().as_bytes(), VERSION_TTL).await;
}
