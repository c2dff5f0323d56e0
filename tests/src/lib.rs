//! Test support for balcao's end-to-end suites.
//!
//! - Every [`TestApp`] gets its own PostgreSQL database, copied from a template
//!   that is migrated once per migration set, and its own Redis key prefix, so
//!   tests run in parallel without seeing each other.
//! - The app is the real composed gateway, served on a random loopback port.
//! - Helpers sign users up, create stores and mint API keys over HTTP.
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod clock;
pub mod commerce;
pub mod db;
pub mod instance;
pub mod plans;
pub mod problems;
pub mod smtp;

use std::collections::HashMap;
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use balcao_core::Core;
use balcao_core::config::Config;
use balcao_gateway::{AppState, http_server, runtime};
use reqwest::{Method, RequestBuilder, StatusCode};
use serde_json::{Value, json};

pub use db::server_url;
pub use problems::{assert_declared, assert_problem, parse};

/// Redis for tests (`TEST_REDIS_URL`, default the local server).
pub fn redis_url() -> String {
    std::env::var("TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned())
}

/// A running app on its own database.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`.
    pub base: String,
    /// The HTTP client.
    pub client: reqwest::Client,
    /// The app's core handles (pool on the test database, cache, config).
    pub core: Core,
    /// The test database's URL.
    pub database_url: String,
    database: db::TestDatabase,
    settings: HashMap<String, String>,
    cache_prefix: String,
    handle: actix_web::dev::ServerHandle,
    queries: Arc<AtomicU64>,
}

/// A running worker; stops when dropped.
pub struct Worker {
    stop: tokio::sync::watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Worker {
    /// Stops the worker and waits for it.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

/// A worker in a runtime of its own, to be killed without a graceful shutdown.
pub struct DoomedWorker {
    kill: std::sync::mpsc::Sender<()>,
    thread: std::thread::JoinHandle<()>,
}

impl DoomedWorker {
    /// Drops the worker's runtime and every task in it, mid-flight.
    pub fn kill(self) {
        let _ = self.kill.send(());
        let _ = self.thread.join();
    }
}

/// A signed-up, logged-in user.
#[derive(Debug, Clone)]
pub struct TestUser {
    /// User id.
    pub id: String,
    /// Email.
    pub email: String,
    /// Password.
    pub password: String,
    /// Session token.
    pub token: String,
}

/// An override that keeps the plans' seeded rates (tests raise them by default, so a suite's
/// quick requests never meet a plan's limit by accident).
pub const SEEDED_PLAN_RATES: &str = "TEST_SEEDED_PLAN_RATES";

impl TestApp {
    /// An app with Redis and default settings.
    pub async fn spawn() -> Self {
        Self::spawn_with(&[]).await
    }

    /// An app with extra environment settings (`("REDIS_URL", "")` turns Redis off).
    pub async fn spawn_with(overrides: &[(&str, &str)]) -> Self {
        let database = db::TestDatabase::create().await;
        let mut vars: HashMap<String, String> = HashMap::from([
            ("DATABASE_URL".to_owned(), database.url.clone()),
            ("REDIS_URL".to_owned(), redis_url()),
            ("BALCAO_HTTP_WORKERS".to_owned(), "1".to_owned()),
            ("BALCAO_DB_POOL_SIZE".to_owned(), "8".to_owned()),
            ("BALCAO_SHUTDOWN_TIMEOUT_SECS".to_owned(), "1".to_owned()),
            // Every test user signs up from loopback: suites that test the limit lower it.
            ("BALCAO_ACCOUNT_REQUESTS_PER_HOUR".to_owned(), "100000".to_owned()),
            // The same for the rate limits on traffic without a store's credential; the plans'
            // rates are raised below. Suites that test a limit set their own.
            ("BALCAO_AUTH_RATE".to_owned(), "100000/100000".to_owned()),
            ("BALCAO_STOREFRONT_RATE".to_owned(), "100000/100000".to_owned()),
            ("BALCAO_ANONYMOUS_RATE".to_owned(), "100000/100000".to_owned()),
            ("BALCAO_INBOUND_RATE".to_owned(), "100000/100000".to_owned()),
            // Without BALCAO_SMTP_URL email goes to files: keep them out of the source tree.
            ("BALCAO_MAIL_DIR".to_owned(), std::env::temp_dir().join("balcao-tests-mail").display().to_string()),
        ]);
        for (k, v) in overrides {
            vars.insert((*k).to_owned(), (*v).to_owned());
        }
        let config = Config::from_map(&vars).expect("test configuration");
        if !vars.contains_key(SEEDED_PLAN_RATES) {
            database.execute("UPDATE plans SET requests_per_second = 100000, request_burst = 100000").await;
        }
        let settings = vars.clone();
        let queries = Arc::new(AtomicU64::new(0));
        let cache_prefix = format!("test:{}:", uuid::Uuid::now_v7());
        let options = runtime::CoreOptions {
            cache_prefix: cache_prefix.clone(),
            prepare: false,
            query_counter: Some(queries.clone()),
        };
        let core = runtime::core_with(config, options).await.expect("core");
        let state = AppState::new(core.clone()).expect("app state");
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let server = http_server(state, listener).expect("server");
        let handle = server.handle();
        tokio::spawn(server);
        Self {
            base: format!("http://127.0.0.1:{port}"),
            client: reqwest::Client::new(),
            database_url: database.url.clone(),
            core,
            database,
            settings,
            cache_prefix,
            handle,
            queries,
        }
    }

    /// Starts the product's job worker (every registered job and subscriber) for this app.
    pub async fn worker(&self) -> Worker {
        let (stop, rx) = tokio::sync::watch::channel(false);
        let bus = balcao_gateway::worker::event_bus(&self.core);
        let registry = balcao_gateway::worker::registry(&self.core, &bus);
        let task = balcao_gateway::worker::spawn(&self.core, registry, rx).await;
        Worker { stop, task }
    }

    /// Starts the product's job worker after `customize` changed its registry (to swap a job's
    /// handler for a test one, e.g. `inbound.process` with test inbound handlers).
    pub async fn worker_with(&self, customize: impl FnOnce(&mut balcao_core::jobs::Registry)) -> Worker {
        let (stop, rx) = tokio::sync::watch::channel(false);
        let bus = balcao_gateway::worker::event_bus(&self.core);
        let mut registry = balcao_gateway::worker::registry(&self.core, &bus);
        customize(&mut registry);
        let task = balcao_gateway::worker::spawn(&self.core, registry, rx).await;
        Worker { stop, task }
    }

    /// Starts a worker in a runtime of its own, with its own pool and cache on the same
    /// database and Redis prefix; [`DoomedWorker::kill`] drops that runtime with every task
    /// in it mid-flight, as a crashed process would: nothing is handed back, no lease released.
    pub fn doomed_worker(&self) -> DoomedWorker {
        self.doomed_worker_with(|_, _| {})
    }

    /// [`Self::doomed_worker`] after `customize` changed its registry (to stall a job
    /// before its side effect, say, so the kill lands exactly there).
    pub fn doomed_worker_with(
        &self,
        customize: impl FnOnce(&Core, &mut balcao_core::jobs::Registry) + Send + 'static,
    ) -> DoomedWorker {
        let config = Config::from_map(&self.settings).expect("test configuration");
        let cache_prefix = self.cache_prefix.clone();
        let (kill, killed) = std::sync::mpsc::channel::<()>();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("worker runtime");
            runtime.spawn(async move {
                let options = runtime::CoreOptions { cache_prefix, prepare: false, query_counter: None };
                let core = runtime::core_with(config, options).await.expect("worker core");
                let bus = balcao_gateway::worker::event_bus(&core);
                let mut registry = balcao_gateway::worker::registry(&core, &bus);
                customize(&core, &mut registry);
                // Never told to stop: only the runtime's end stops it.
                let (stop, rx) = tokio::sync::watch::channel(false);
                let task = balcao_gateway::worker::spawn(&core, registry, rx).await;
                let _ = task.await;
                drop(stop);
            });
            let _ = killed.recv();
            runtime.shutdown_background();
        });
        DoomedWorker { kill, thread }
    }

    /// Queries the app's pool has run so far.
    pub fn queries(&self) -> u64 {
        self.queries.load(Ordering::SeqCst)
    }

    /// Runs `f` and returns how many queries it made the app run.
    pub async fn count_queries<F: std::future::Future>(&self, f: F) -> (u64, F::Output) {
        let before = self.queries();
        let out = f.await;
        (self.queries() - before, out)
    }

    /// A request to `path` with an optional bearer token.
    pub fn request(&self, method: Method, path: &str, token: Option<&str>) -> RequestBuilder {
        let builder = self.client.request(method, format!("{}{}", self.base, path));
        match token {
            Some(token) => builder.bearer_auth(token),
            None => builder,
        }
    }

    /// Sends a JSON request and returns the status and parsed body (null when empty).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut builder = self.request(method, path, token);
        if let Some(body) = body {
            builder = builder.json(&body);
        }
        parse(builder.send().await.expect("request")).await
    }

    /// GET with a token.
    pub async fn get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, Some(token), None).await
    }

    /// POST JSON with a token.
    pub async fn post(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }

    /// PATCH JSON with a token.
    pub async fn patch(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::PATCH, path, Some(token), Some(body)).await
    }

    /// DELETE with a token.
    pub async fn delete(&self, path: &str, token: &str) -> (StatusCode, Value) {
        self.call(Method::DELETE, path, Some(token), None).await
    }

    /// Signs up and logs in a new user with a unique email.
    pub async fn user(&self) -> TestUser {
        let email = format!("user-{}@example.com", uuid::Uuid::now_v7().simple());
        self.user_with_email(&email).await
    }

    /// Signs up and logs in a user with `email`.
    pub async fn user_with_email(&self, email: &str) -> TestUser {
        let password = "a long test password".to_owned();
        let body = self.signup_unverified(email, &password).await;
        self.mark_verified(email).await;
        let token = self.login(email, &password).await;
        TestUser { id: body["id"].as_str().unwrap().to_owned(), email: email.to_owned(), password, token }
    }

    /// Signs up a user with `email` without verifying the address; returns the signup answer.
    pub async fn signup_unverified(&self, email: &str, password: &str) -> Value {
        let (status, body) = self
            .call(
                Method::POST,
                "/v1/auth/signup",
                None,
                Some(json!({"email": email, "password": password, "name": "Test User"})),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "signup: {body}");
        body
    }

    /// Marks an account's address verified directly in the database, as following the emailed
    /// link does (suites about verification itself follow the link instead).
    pub async fn mark_verified(&self, email: &str) {
        use diesel_async::RunQueryDsl;
        let mut conn = self.core.pool.get().await.unwrap();
        diesel::sql_query("UPDATE users SET email_verified_at = now() WHERE lower(email) = lower($1)")
            .bind::<diesel::sql_types::Text, _>(email)
            .execute(&mut conn)
            .await
            .unwrap();
    }

    /// Logs in and returns the session token.
    pub async fn login(&self, email: &str, password: &str) -> String {
        let (status, body) =
            self.call(Method::POST, "/v1/auth/login", None, Some(json!({"email": email, "password": password}))).await;
        assert_eq!(status, StatusCode::OK, "login: {body}");
        body["token"].as_str().unwrap().to_owned()
    }

    /// Creates a store owned by the token's user; returns its id.
    pub async fn store(&self, token: &str) -> String {
        let slug = format!("loja-{}", &uuid::Uuid::now_v7().simple().to_string()[20..]);
        let (status, body) = self.post("/v1/stores", token, json!({"name": "Loja Teste", "slug": slug})).await;
        assert_eq!(status, StatusCode::CREATED, "create store: {body}");
        body["id"].as_str().unwrap().to_owned()
    }

    /// Mints an API key in a store with the given scopes (all of the caller's when `None`); returns the secret.
    pub async fn api_key(&self, token: &str, store_id: &str, scopes: Option<&[&str]>) -> String {
        let mut body = json!({"name": "test key"});
        if let Some(scopes) = scopes {
            body["scopes"] = json!(scopes);
        }
        let (status, created) = self.post(&format!("/v1/stores/{store_id}/api-keys"), token, body).await;
        assert_eq!(status, StatusCode::CREATED, "create key: {created}");
        created["secret"].as_str().unwrap().to_owned()
    }

    /// A store owned by a new user, plus a second new user holding `role` in it:
    /// `(owner, store_id, member)`.
    pub async fn store_with_member(&self, role: &str) -> (TestUser, String, TestUser) {
        let owner = self.user().await;
        let store = self.store(&owner.token).await;
        let member = self.user().await;
        self.add_member(&owner.token, &store, &member.email, role).await;
        (owner, store, member)
    }

    /// Adds an existing user to a store with `role`.
    pub async fn add_member(&self, token: &str, store_id: &str, email: &str, role: &str) {
        let (status, body) =
            self.post(&format!("/v1/stores/{store_id}/members"), token, json!({"email": email, "role": role})).await;
        assert_eq!(status, StatusCode::CREATED, "add member: {body}");
    }
}

/// Money in centavos of BRL, as the API takes it.
pub fn brl(amount: i64) -> Value {
    json!({"amount": amount, "currency": "BRL"})
}

/// An active product with one variant.
pub fn simple_product(title: &str, sku: &str, price: i64, on_hand: i32) -> Value {
    json!({"title": title, "status": "active", "variants": [{"sku": sku, "price": brl(price), "on_hand": on_hand}]})
}

impl TestApp {
    /// A new owner and their store: `(app, token, store_id)`.
    pub async fn shop() -> (TestApp, String, String) {
        let app = TestApp::spawn().await;
        let user = app.user().await;
        let store = app.store(&user.token).await;
        (app, user.token, store)
    }

    /// Creates a product (asserting 201) and returns it.
    pub async fn product(&self, token: &str, store: &str, body: Value) -> Value {
        let (status, product) = self.post(&format!("/v1/stores/{store}/products"), token, body).await;
        assert_eq!(status, StatusCode::CREATED, "{product}");
        product
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Sends the stop command at once; the database is dropped (forcibly) right after.
        drop(self.handle.stop(false));
        self.database.drop_now();
    }
}
