//! A small cache: Redis when `REDIS_URL` is set, in-process otherwise.
//!
//! A Redis failure never fails a request, nor do requests pay for it: after a failure a circuit
//! breaker stops calling Redis, and a background probe closes it again once Redis answers, so
//! while Redis is down each call costs an atomic load, not a timeout. Meanwhile reads and writes
//! go to the in-process store, with entries kept at most [`FALLBACK_TTL`] (other instances do
//! not see this one's invalidations then, so what they may serve stale is bounded by it), and
//! counters count in-process.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
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

/// The longest an entry lives in the in-process store while Redis is unreachable.
pub const FALLBACK_TTL: Duration = Duration::from_secs(5);

/// Redis through deadpool-redis, with every key under a prefix, a short timeout per call and
/// a circuit breaker.
pub struct RedisCache {
    pool: deadpool_redis::Pool,
    prefix: String,
    timeout: Duration,
    fallback: LocalCache,
    breaker: Arc<Breaker>,
}

/// Open after a failure: calls skip Redis until the probe sees it answer again.
pub(crate) struct Breaker {
    /// What falls back while it is open, for the logs.
    fallback: &'static str,
    open: AtomicBool,
    probe_every: Duration,
}

async fn ping(pool: &deadpool_redis::Pool, timeout: Duration) -> bool {
    let work = async {
        let mut conn = pool.get().await.map_err(|e| e.to_string())?;
        deadpool_redis::redis::cmd("PING").query_async::<String>(&mut conn).await.map_err(|e| e.to_string())
    };
    matches!(tokio::time::timeout(timeout, work).await, Ok(Ok(_)))
}

impl Breaker {
    /// A closed breaker whose probe, once tripped, pings every `probe_every`.
    pub(crate) fn new(fallback: &'static str, probe_every: Duration) -> Arc<Self> {
        Arc::new(Self { fallback, open: AtomicBool::new(false), probe_every })
    }

    pub(crate) fn is_open(&self) -> bool {
        self.open.load(Ordering::Acquire)
    }

    /// Opens the breaker after a failure of `op`; the first opener starts the probe.
    pub(crate) fn trip(
        self: &Arc<Self>,
        op: &'static str,
        error: &str,
        pool: &deadpool_redis::Pool,
        timeout: Duration,
    ) {
        if self.open.swap(true, Ordering::AcqRel) {
            return;
        }
        tracing::warn!(op, %error, fallback = self.fallback, "redis unavailable; falling back until it answers again");
        let breaker = self.clone();
        let pool = pool.clone();
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(breaker.probe_every).await;
                if ping(&pool, timeout).await {
                    breaker.open.store(false, Ordering::Release);
                    tracing::info!(fallback = breaker.fallback, "redis answers again; back in use");
                    return;
                }
            }
        });
    }
}

impl RedisCache {
    /// Connects lazily to `url`; keys are written under `prefix` (empty in production, unique per test).
    pub fn new(url: &str, prefix: &str) -> Result<Self, String> {
        Self::with_probe_interval(url, prefix, Duration::from_secs(1))
    }

    /// Like [`Self::new`], probing a failed Redis every `probe_every`.
    pub fn with_probe_interval(url: &str, prefix: &str, probe_every: Duration) -> Result<Self, String> {
        let mut config = deadpool_redis::Config::from_url(url);
        let timeout = Duration::from_millis(500);
        config.pool = Some(deadpool_redis::PoolConfig {
            max_size: 16,
            timeouts: deadpool_redis::Timeouts { wait: Some(timeout), create: Some(timeout), recycle: Some(timeout) },
            ..Default::default()
        });
        let pool = config.create_pool(Some(deadpool_redis::Runtime::Tokio1)).map_err(|e| format!("REDIS_URL: {e}"))?;
        let breaker = Breaker::new("the in-process cache", probe_every);
        Ok(Self { pool, prefix: prefix.to_owned(), timeout, fallback: LocalCache::new(10_000), breaker })
    }

    fn key(&self, key: &str) -> String {
        format!("{}{}", self.prefix, key)
    }

    async fn run<T, F, Fut>(&self, op: &'static str, f: F) -> Option<T>
    where
        F: FnOnce(deadpool_redis::Connection) -> Fut,
        Fut: std::future::Future<Output = deadpool_redis::redis::RedisResult<T>>,
    {
        if self.breaker.is_open() {
            return None;
        }
        let work = async {
            let conn = self.pool.get().await.map_err(|e| e.to_string())?;
            f(conn).await.map_err(|e| e.to_string())
        };
        let error = match tokio::time::timeout(self.timeout, work).await {
            Ok(Ok(value)) => return Some(value),
            Ok(Err(error)) => error,
            Err(_) => "timed out".to_owned(),
        };
        self.breaker.trip(op, &error, &self.pool, self.timeout);
        None
    }
}

#[async_trait]
impl Cache for RedisCache {
    async fn get(&self, key: &str) -> Option<Vec<u8>> {
        if self.breaker.is_open() {
            return self.fallback.get(key).await;
        }
        let full = self.key(key);
        self.run("get", |mut c| async move { c.get::<_, Option<Vec<u8>>>(full).await }).await.flatten()
    }

    async fn set(&self, key: &str, value: &[u8], ttl: Duration) {
        if self.breaker.is_open() {
            return self.fallback.set(key, value, ttl.min(FALLBACK_TTL)).await;
        }
        let full = self.key(key);
        let bytes = value.to_vec();
        let ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1);
        self.run("set", |mut c| async move { c.pset_ex::<_, _, ()>(full, bytes, ms).await }).await;
    }

    async fn delete(&self, key: &str) {
        // Whatever the fallback holds from an earlier outage goes too.
        self.fallback.delete(key).await;
        let full = self.key(key);
        self.run("del", |mut c| async move { c.del::<_, ()>(full).await }).await;
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
        // An open breaker answers at once; its probe is what notices Redis coming back.
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
#[path = "cache_tests.rs"]
mod tests;
