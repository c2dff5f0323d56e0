//! Provider clients kept per account, so each account's connections (and OAuth token) are
//! reused instead of building an HTTP client per call. Keys are hashes of the account's
//! configuration, never the credentials themselves; idle clients are dropped after an hour.

use std::sync::Arc;
use std::time::Duration;

use moka::sync::Cache;

/// At most this many clients per provider are kept.
const MAX_CLIENTS: u64 = 1_000;
/// A client unused this long is dropped.
const IDLE: Duration = Duration::from_secs(3600);

/// Clients of one kind, by the configuration they were built from.
pub struct Clients<C> {
    cache: Cache<String, Arc<C>>,
}

impl<C: Send + Sync + 'static> Default for Clients<C> {
    fn default() -> Self {
        Self { cache: Cache::builder().max_capacity(MAX_CLIENTS).time_to_idle(IDLE).build() }
    }
}

impl<C: Send + Sync + 'static> Clients<C> {
    /// No clients yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// The client for the configuration made of `parts` (base URL, ids, secrets), built by
    /// `build` the first time it is asked for.
    pub fn get_or_build<E>(&self, parts: &[&str], build: impl FnOnce() -> Result<C, E>) -> Result<Arc<C>, E> {
        let key = balcao_core::crypto::sha256_hex(parts.join("\n").as_bytes());
        if let Some(client) = self.cache.get(&key) {
            return Ok(client);
        }
        let client = Arc::new(build()?);
        self.cache.insert(key, client.clone());
        Ok(client)
    }
}
