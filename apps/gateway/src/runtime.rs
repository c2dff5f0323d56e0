//! Building the core from configuration, and the long-running commands.

use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use tokio::sync::watch;

use balcao_core::cache::{LocalCache, RedisCache, SharedCache};
use balcao_core::config::Config;
use balcao_core::db::{self, PoolOptions};
use balcao_core::ratelimit::Limiter;
use balcao_core::{Core, Error, Result};

use crate::app::{AppState, http_server};

/// How [`core_with`] builds the core.
#[derive(Default)]
pub struct CoreOptions {
    /// Prefix for every cache key (unique per test; empty in production).
    pub cache_prefix: String,
    /// Create and migrate the database first.
    pub prepare: bool,
    /// Count the pool's queries (tests).
    pub query_counter: Option<Arc<AtomicU64>>,
}

/// Builds the pool and cache, creating and migrating the database first.
pub async fn core(config: Config) -> Result<Core> {
    core_with(config, CoreOptions { prepare: true, ..Default::default() }).await
}

/// Builds the pool and cache with explicit options.
pub async fn core_with(config: Config, options: CoreOptions) -> Result<Core> {
    let CoreOptions { cache_prefix, prepare, query_counter } = options;
    if prepare {
        db::prepare_database(&config.database_url).await?;
    }
    let pool = db::build_pool(
        &config.database_url,
        &PoolOptions {
            max_size: config.db_pool_size,
            statement_timeout: config.db_statement_timeout,
            wait_timeout: config.db_connect_timeout,
            query_counter,
        },
    )?;
    let cache: SharedCache = match &config.redis_url {
        Some(url) => Arc::new(RedisCache::new(url, &cache_prefix).map_err(Error::internal)?),
        None => {
            tracing::warn!("REDIS_URL is not set: caches and limits are in-process and not shared between instances");
            Arc::new(LocalCache::default())
        }
    };
    if config.keyring.is_development() {
        tracing::warn!("BALCAO_SECRET_KEYS is not set: secrets are sealed with the public development key");
    }
    let mailer = balcao_core::mail::from_config(&config)?;
    let limiter = Arc::new(
        Limiter::new(config.redis_url.as_deref(), &cache_prefix, config.rate_limits.instances)
            .map_err(Error::internal)?,
    );
    Ok(Core { pool, cache, config: Arc::new(config), mailer, plans: Arc::default(), limiter })
}

/// A shutdown signal that turns true on SIGINT or SIGTERM.
fn shutdown_signal() -> watch::Receiver<bool> {
    let (tx, rx) = watch::channel(false);
    tokio::spawn(async move {
        wait_for_signal().await;
        let _ = tx.send(true);
    });
    rx
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// `balcao serve`: HTTP and an embedded worker until a signal; both drain before exit.
pub async fn serve(config: Config, with_worker: bool) -> Result<()> {
    let bind = config.bind;
    let core = core(config).await?;
    let state = AppState::new(core.clone()).map_err(Error::internal)?;
    let listener = TcpListener::bind(bind).map_err(|e| Error::internal(format!("binding {bind}: {e}")))?;
    tracing::info!(%bind, "listening");
    let server = http_server(state, listener).map_err(Error::internal)?;
    let (tx, rx) = watch::channel(false);
    let worker = if with_worker {
        let bus = crate::worker::event_bus(&core);
        let registry = crate::worker::registry(&core, &bus);
        Some(crate::worker::spawn(&core, registry, rx).await)
    } else {
        None
    };
    // actix handles SIGINT/SIGTERM itself: it stops accepting, drains requests, then resolves.
    let served = server.await;
    let _ = tx.send(true);
    if let Some(worker) = worker {
        let _ = worker.await;
    }
    served.map_err(Error::internal)
}

/// `balcao worker`: only the job worker, until a signal.
pub async fn work(config: Config) -> Result<()> {
    let core = core(config).await?;
    let bus = crate::worker::event_bus(&core);
    let registry = crate::worker::registry(&core, &bus);
    let shutdown = shutdown_signal();
    crate::worker::spawn(&core, registry, shutdown).await.await.map_err(Error::internal)
}

/// `balcao migrate`: create the database if needed and run pending migrations.
pub async fn migrate(config: Config) -> Result<()> {
    db::prepare_database(&config.database_url).await
}
