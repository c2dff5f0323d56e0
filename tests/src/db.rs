//! Isolated databases: one migrated template per migration set, one copy per test.

use std::sync::OnceLock;

use balcao_core::db::{MIGRATIONS, database_url_for, quote_ident, run_migrations};
use diesel::migration::MigrationSource;
use diesel::sql_types::{BigInt, Bool, Text};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use sha2::{Digest, Sha256};
use tokio::sync::OnceCell;

/// Where test databases live (`TEST_DATABASE_URL`, default the local server as `postgres`).
pub fn server_url() -> String {
    std::env::var("TEST_DATABASE_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

static TEMPLATE: OnceCell<String> = OnceCell::const_new();

/// The template's name: it changes whenever a migration does.
fn template_name() -> &'static str {
    static NAME: OnceLock<String> = OnceLock::new();
    NAME.get_or_init(|| {
        let mut hasher = Sha256::new();
        let migrations: Vec<_> = MigrationSource::<diesel::pg::Pg>::migrations(&MIGRATIONS).expect("migrations");
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations");
        for migration in migrations {
            let name = migration.name().to_string();
            hasher.update(name.as_bytes());
            // The SQL too, so editing a migration in place rebuilds the template.
            hasher.update(std::fs::read(dir.join(&name).join("up.sql")).unwrap_or_default());
        }
        format!("balcao_test_tpl_{}", &hex::encode(hasher.finalize())[..16])
    })
}

async fn admin() -> AsyncPgConnection {
    AsyncPgConnection::establish(&server_url()).await.expect("connect to the test PostgreSQL server")
}

#[derive(diesel::QueryableByName)]
struct Exists {
    #[diesel(sql_type = Bool)]
    exists: bool,
}

async fn exists(conn: &mut AsyncPgConnection, name: &str) -> bool {
    diesel::sql_query("SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1) AS exists")
        .bind::<Text, _>(name)
        .get_result::<Exists>(conn)
        .await
        .expect("query pg_database")
        .exists
}

/// Creates and migrates the template once, safely across concurrent test processes.
async fn template() -> &'static str {
    TEMPLATE
        .get_or_init(|| async {
            let name = template_name().to_owned();
            let mut conn = admin().await;
            diesel::sql_query("SELECT pg_advisory_lock($1)")
                .bind::<BigInt, _>(0x0ba1ca0_i64)
                .execute(&mut conn)
                .await
                .expect("lock");
            if !exists(&mut conn, &name).await {
                let building = format!("{name}_building");
                diesel::sql_query(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", quote_ident(&building)))
                    .execute(&mut conn)
                    .await
                    .expect("drop stale template");
                diesel::sql_query(format!("CREATE DATABASE {}", quote_ident(&building)))
                    .execute(&mut conn)
                    .await
                    .expect("create template");
                run_migrations(&database_url_for(&server_url(), &building).expect("url"))
                    .await
                    .expect("migrate template");
                diesel::sql_query(format!(
                    "ALTER DATABASE {} RENAME TO {}",
                    quote_ident(&building),
                    quote_ident(&name)
                ))
                .execute(&mut conn)
                .await
                .expect("publish template");
            }
            diesel::sql_query("SELECT pg_advisory_unlock($1)")
                .bind::<BigInt, _>(0x0ba1ca0_i64)
                .execute(&mut conn)
                .await
                .expect("unlock");
            name
        })
        .await
}

/// A database copied from the template, dropped with its owner.
pub struct TestDatabase {
    /// Its name.
    pub name: String,
    /// Its URL.
    pub url: String,
    dropped: bool,
}

impl TestDatabase {
    /// Copies the template into a fresh database.
    pub async fn create() -> Self {
        let template = template().await;
        let name = format!("balcao_test_{}", uuid::Uuid::now_v7().simple());
        let mut conn = admin().await;
        diesel::sql_query(format!("CREATE DATABASE {} TEMPLATE {}", quote_ident(&name), quote_ident(template)))
            .execute(&mut conn)
            .await
            .expect("create test database");
        let url = database_url_for(&server_url(), &name).expect("url");
        Self { name, url, dropped: false }
    }

    /// Runs one statement in this database.
    pub async fn execute(&self, sql: &str) {
        let mut conn = AsyncPgConnection::establish(&self.url).await.expect("connect to test database");
        diesel::sql_query(sql).execute(&mut conn).await.expect("test database statement");
    }

    /// Drops the database now, closing any connection still open.
    pub fn drop_now(&mut self) {
        if self.dropped {
            return;
        }
        self.dropped = true;
        let name = self.name.clone();
        // Drop runs outside async code: use a thread with its own small runtime.
        let _ = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
            runtime.block_on(async {
                let mut conn = admin().await;
                let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", quote_ident(&name)))
                    .execute(&mut conn)
                    .await;
            });
        })
        .join();
    }
}
