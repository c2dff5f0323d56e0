//! A small cache: Redis when `REDIS_URL` is set, in-process otherwise.
//!
//! A Redis failure never fails a request: reads miss, writes are skipped, and
//! counters fall back to the in-process store, each with a warning.

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use deadpool_redis::redis::AsyncCommands;

/// What balcao needs from a cache.
#[async_trait]
pub trait Cache: Send + Sync {
    /// The value under `key`, if present and fresh.
    async fn get(&self, key: &str) -> Option<Vec<u8>>;
    /// Stores `value` under `key` for `ttl`.
    async fn set(&self, key: &str, value: &[u8], ttl: Duration);
    /// Removes `key`.
    async fn delete(&self, key: &str);
    /// Adds one to the counter under `key`, starting its `ttl` window on first use; returns the new count.
    async fn incr(&self, key: &str, ttl: Duration) -> i64;
    /// Whether the cache's backend answers (always true in-process).
    async fn healthy(&self) -> bool;
}

/// A shared cache handle.
pub type SharedCache = Arc<dyn Cache>;

#[derive(Clone)]
struct Entry {
    value: Vec<u8>,
    expires_at: Instant,
}

/// An in-process cache, bounded in size, for single-instance deployments and as Redis's fallback.
pub struct LocalCache {
    entries: moka::sync::Cache<String, Entry>,
}

impl Default for LocalCache {
    fn default() -> Self {
        Self::new(100_000)
    }
}

impl LocalCache {
    /// A cache holding at most `capacity` entries.
    pub fn new(capacity: u64) -> Self {
        Self {
            entries: moka::sync::Cache::builder()
                .max_capacity(capacity)
                .time_to_live(Duration::from_secs(24 * 3600))
                .build(),
        }
    }

    fn fresh(&self, key: &str) -> Option<Entry> {
        let entry = self.entries.get(key)?;
        if entry.expires_at > Instant::now() {
            Some(entry)
        } else {
            self.entries.invalidate(key);
            None
        }
    }

    fn incr_sync(&self, key: &str, ttl: Duration) -> i64 {
        let now = Instant::now();
        let entry = self.entries.entry(key.to_owned()).and_upsert_with(|existing| match existing {
            Some(e) if e.value().expires_at > now => {
                let count = parse_count(&e.value().value) + 1;
                Entry { value: count.to_string().into_bytes(), expires_at: e.value().expires_at }
            }
            _ => Entry { value: b"1".to_vec(), expires_at: now + ttl },
        });
        parse_count(&entry.value().value)
    }
}

fn parse_count(bytes: &[u8]) -> i64 {
    std::str::from_utf8(bytes).ok().and_then(|s| s.parse().ok()).unwrap_or(0)
}

#[async_trait]
impl Cache for LocalCache {
    async fn get(&self, key: &str) -> Option<Vec<u8>> {
        self.fresh(key).map(|e| e.value)
    }

    async fn set(&self, key: &str, value: &[u8], ttl: Duration) {
        self.entries.insert(key.to_owned(), Entry { value: value.to_vec(), expires_at: Instant::now() + ttl });
    }

    async fn delete(&self, key: &str) {
        self.entries.invalidate(key);
    }

    async fn incr(&self, key: &str, ttl: Duration) -> i64 {
        self.incr_sync(key, ttl)
    }

    async fn healthy(&self) -> bool {
        true
    }
}

/// Redis through deadpool-redis, with every key under a prefix and a short timeout per call.
pub struct RedisCache {
    pool: deadpool_redis::Pool,
    prefix: String,
    timeout: Duration,
    fallback: LocalCache,
}

impl RedisCache {
    /// Connects lazily to `url`; keys are written under `prefix` (empty in production, unique per test).
    pub fn new(url: &str, prefix: &str) -> Result<Self, String> {
        let mut config = deadpool_redis::Config::from_url(url);
        let timeout = Duration::from_millis(500);
        config.pool = Some(deadpool_redis::PoolConfig {
            max_size: 16,
            timeouts: deadpool_redis::Timeouts { wait: Some(timeout), create: Some(timeout), recycle: Some(timeout) },
            ..Default::default()
        });
        let pool = config.create_pool(Some(deadpool_redis::Runtime::Tokio1)).map_err(|e| format!("REDIS_URL: {e}"))?;
        Ok(Self { pool, prefix: prefix.to_owned(), timeout, fallback: LocalCache::new(10_000) })
    }

    fn key(&self, key: &str) -> String {
        format!("{}{}", self.prefix, key)
    }

    async fn run<T, F, Fut>(&self, op: &'static str, f: F) -> Option<T>
    where
        F: FnOnce(deadpool_redis::Connection) -> Fut,
        Fut: std::future::Future<Output = deadpool_redis::redis::RedisResult<T>>,
    {
        let work = async {
            let conn = self.pool.get().await.map_err(|e| e.to_string())?;
            f(conn).await.map_err(|e| e.to_string())
        };
        match tokio::time::timeout(self.timeout, work).await {
            Ok(Ok(value)) => Some(value),
            Ok(Err(error)) => {
                tracing::warn!(op, %error, "redis unavailable; bypassing the cache");
                None
            }
            Err(_) => {
                tracing::warn!(op, "redis timed out; bypassing the cache");
                None
            }
        }
    }
}

#[async_trait]
impl Cache for RedisCache {
    async fn get(&self, key: &str) -> Option<Vec<u8>> {
        let key = self.key(key);
        self.run("get", |mut c| async move { c.get::<_, Option<Vec<u8>>>(key).await }).await.flatten()
    }

    async fn set(&self, key: &str, value: &[u8], ttl: Duration) {
        let key = self.key(key);
        let value = value.to_vec();
        let ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1);
        self.run("set", |mut c| async move { c.pset_ex::<_, _, ()>(key, value, ms).await }).await;
    }

    async fn delete(&self, key: &str) {
        let key = self.key(key);
        self.run("del", |mut c| async move { c.del::<_, ()>(key).await }).await;
    }

    async fn incr(&self, key: &str, ttl: Duration) -> i64 {
        let full = self.key(key);
        let ms = i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX).max(1);
        let counted = self
            .run("incr", |mut c| async move {
                let (count,): (i64,) = deadpool_redis::redis::pipe()
                    .atomic()
                    .incr(&full, 1)
                    .cmd("PEXPIRE")
                    .arg(&full)
                    .arg(ms)
                    .arg("NX")
                    .ignore()
                    .query_async(&mut c)
                    .await?;
                Ok(count)
            })
            .await;
        match counted {
            Some(count) => count,
            None => self.fallback.incr_sync(key, ttl),
        }
    }

    async fn healthy(&self) -> bool {
        self.run("ping", |mut c| async move { deadpool_redis::redis::cmd("PING").query_async::<String>(&mut c).await })
            .await
            .is_some()
    }
}

/// Reads a JSON value from the cache.
pub async fn get_json<T: serde::de::DeserializeOwned>(cache: &dyn Cache, key: &str) -> Option<T> {
    let bytes = cache.get(key).await?;
    serde_json::from_slice(&bytes).ok()
}

/// Writes a JSON value to the cache.
pub async fn set_json<T: serde::Serialize>(cache: &dyn Cache, key: &str, value: &T, ttl: Duration) {
    if let Ok(bytes) = serde_json::to_vec(value) {
        cache.set(key, &bytes, ttl).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn local_cache_expires_and_counts() {
        let cache = LocalCache::default();
        cache.set("a", b"1", Duration::from_millis(30)).await;
        assert_eq!(cache.get("a").await, Some(b"1".to_vec()));
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert_eq!(cache.get("a").await, None);
        assert_eq!(cache.incr("n", Duration::from_secs(60)).await, 1);
        assert_eq!(cache.incr("n", Duration::from_secs(60)).await, 2);
        cache.delete("n").await;
        assert_eq!(cache.incr("n", Duration::from_secs(60)).await, 1);
    }

    #[tokio::test]
    async fn redis_down_bypasses() {
        // Nothing listens on port 1: every call must degrade, not fail.
        let cache = RedisCache::new("redis://127.0.0.1:1", "t:").unwrap();
        cache.set("a", b"1", Duration::from_secs(5)).await;
        assert_eq!(cache.get("a").await, None);
        assert_eq!(cache.incr("n", Duration::from_secs(5)).await, 1);
        assert_eq!(cache.incr("n", Duration::from_secs(5)).await, 2);
        assert!(!cache.healthy().await);
    }
}
