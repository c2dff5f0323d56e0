//! The PostgreSQL pool, embedded migrations and database creation.
//!
//! No libpq: diesel-async talks to the server through tokio-postgres, and
//! migrations run through diesel-async's migration harness.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use diesel::ConnectionError;
use diesel::connection::InstrumentationEvent;
use diesel_async::pooled_connection::deadpool::{Object, Pool};
use diesel_async::pooled_connection::{AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod};
use diesel_async::{AsyncConnection, AsyncMigrationHarness, AsyncPgConnection, RunQueryDsl};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};
use futures_util::FutureExt;

use crate::error::{Error, Result};

diesel::define_sql_function! {
    /// SQL `lower(text)`.
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// Every migration of the product, compiled into the binary.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations");

/// The connection pool.
pub type DbPool = Pool<AsyncPgConnection>;
/// A connection checked out of the pool.
pub type DbConn = Object<AsyncPgConnection>;

/// How the pool is built.
#[derive(Debug, Clone)]
pub struct PoolOptions {
    /// Largest number of connections.
    pub max_size: usize,
    /// Server-side statement timeout set on every new connection.
    pub statement_timeout: Duration,
    /// How long a caller waits for a connection before the request answers 503.
    pub wait_timeout: Duration,
    /// Counts every query the pool's connections start (tests assert fixed query counts with it).
    pub query_counter: Option<Arc<AtomicU64>>,
}

/// Builds the pool: fast recycling (no query per checkout) and a statement timeout per connection.
pub fn build_pool(database_url: &str, options: &PoolOptions) -> Result<DbPool> {
    let timeout_ms = options.statement_timeout.as_millis();
    let counter = options.query_counter.clone();
    let mut config = ManagerConfig::<AsyncPgConnection>::default();
    config.recycling_method = RecyclingMethod::Fast;
    config.custom_setup = Box::new(move |url| {
        let counter = counter.clone();
        async move {
            let mut conn = AsyncPgConnection::establish(url).await?;
            diesel::sql_query(format!("SET statement_timeout = {timeout_ms}"))
                .execute(&mut conn)
                .await
                .map_err(ConnectionError::CouldntSetupConfiguration)?;
            if let Some(counter) = counter {
                conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
                    if matches!(event, InstrumentationEvent::StartQuery { .. }) {
                        counter.fetch_add(1, Ordering::Relaxed);
                    }
                });
            }
            Ok(conn)
        }
        .boxed()
    });
    let manager = AsyncDieselConnectionManager::new_with_config(database_url, config);
    Pool::builder(manager)
        .max_size(options.max_size)
        .wait_timeout(Some(options.wait_timeout))
        .create_timeout(Some(options.wait_timeout))
        .runtime(deadpool_runtime())
        .build()
        .map_err(|e| Error::internal(format!("building the pool: {e}")))
}

fn deadpool_runtime() -> deadpool::Runtime {
    deadpool::Runtime::Tokio1
}

/// Runs every pending migration; returns how many ran.
pub async fn run_migrations(database_url: &str) -> Result<usize> {
    let conn = AsyncPgConnection::establish(database_url)
        .await
        .map_err(|e| Error::Unavailable(format!("connecting to run migrations: {e}")))?;
    tokio::task::spawn_blocking(move || {
        let mut harness = AsyncMigrationHarness::new(conn);
        harness
            .run_pending_migrations(MIGRATIONS)
            .map(|applied| applied.len())
            .map_err(|e| Error::internal(format!("running migrations: {e}")))
    })
    .await?
}

/// Splits a PostgreSQL URL into the server part (with any query string) and the database name.
pub fn split_database_url(database_url: &str) -> Result<(String, String)> {
    let (base, query) = match database_url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (database_url, String::new()),
    };
    let scheme_end = base.find("://").map(|i| i + 3).ok_or_else(|| Error::internal("DATABASE_URL needs a scheme"))?;
    let (server, name) = match base[scheme_end..].find('/') {
        Some(i) => (&base[..scheme_end + i], &base[scheme_end + i + 1..]),
        None => (base, ""),
    };
    let name = if name.is_empty() { "postgres" } else { name };
    Ok((format!("{server}{query}"), name.to_owned()))
}

/// A URL for database `name` on the same server as `database_url`.
pub fn database_url_for(database_url: &str, name: &str) -> Result<String> {
    let (server, _) = split_database_url(database_url)?;
    Ok(match server.split_once('?') {
        Some((s, q)) => format!("{s}/{name}?{q}"),
        None => format!("{server}/{name}"),
    })
}

/// Quotes an SQL identifier.
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Creates the database named in `database_url` when it does not exist yet.
pub async fn create_database_if_missing(database_url: &str) -> Result<bool> {
    let (_, name) = split_database_url(database_url)?;
    let admin_url = database_url_for(database_url, "postgres")?;
    let mut conn = AsyncPgConnection::establish(&admin_url)
        .await
        .map_err(|e| Error::Unavailable(format!("connecting to the postgres database: {e}")))?;
    #[derive(diesel::QueryableByName)]
    struct Exists {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        exists: bool,
    }
    let exists: Exists = diesel::sql_query("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS exists")
        .bind::<diesel::sql_types::Text, _>(&name)
        .get_result(&mut conn)
        .await?;
    if exists.exists {
        return Ok(false);
    }
    match diesel::sql_query(format!("CREATE DATABASE {}", quote_ident(&name))).execute(&mut conn).await {
        Ok(_) => Ok(true),
        // Another instance created it at the same moment.
        Err(diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)) => Ok(false),
        Err(e) if e.to_string().contains("already exists") => Ok(false),
        Err(e) => Err(e.into()),
    }
}

/// Prepares a database for use: create when missing, then migrate.
pub async fn prepare_database(database_url: &str) -> Result<()> {
    if create_database_if_missing(database_url).await? {
        tracing::info!("created the database");
    }
    let applied = run_migrations(database_url).await?;
    if applied > 0 {
        tracing::info!(applied, "ran migrations");
    }
    Ok(())
}

/// Checks that the pool can reach the database.
pub async fn ping(pool: &DbPool) -> Result<()> {
    let mut conn = pool.get().await?;
    diesel::sql_query("SELECT 1").execute(&mut conn).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_urls() {
        let (server, name) = split_database_url("postgres://u@h:5432/shop?sslmode=disable").unwrap();
        assert_eq!(server, "postgres://u@h:5432?sslmode=disable");
        assert_eq!(name, "shop");
        assert_eq!(
            database_url_for("postgres://u@h:5432/shop?sslmode=disable", "postgres").unwrap(),
            "postgres://u@h:5432/postgres?sslmode=disable"
        );
        assert_eq!(database_url_for("postgres://localhost/balcao", "x").unwrap(), "postgres://localhost/x");
    }

    #[test]
    fn quotes_identifiers() {
        assert_eq!(quote_ident("a\"b"), "\"a\"\"b\"");
    }
}
