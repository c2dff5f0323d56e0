//! Configuration from the environment, validated at start.
//!
//! A missing or malformed value stops the start with a message naming the variable.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

mod env;
mod limits;
mod webauthn;

use self::env::Env;
use self::webauthn::webauthn_settings;
use crate::crypto::Keyring;

pub use self::env::ConfigError;
pub use self::limits::RateLimits;
pub use self::webauthn::WebauthnSettings;

/// Where the product runs; production refuses unsafe defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    /// A laptop or a test run: safe defaults stand in for missing secrets, with a warning.
    Development,
    /// A real deployment: every secret must be given.
    Production,
}

/// How logs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// One JSON object per line.
    Json,
    /// Human-readable lines.
    Text,
}

/// Everything balcao reads from its environment. Its `Debug` hides the credentials in URLs.
#[derive(Clone)]
pub struct Config {
    /// `BALCAO_ENV`: `development` (default) or `production`.
    pub environment: Environment,
    /// `DATABASE_URL`: PostgreSQL; created at start when missing.
    pub database_url: String,
    /// `REDIS_URL`: optional; without it caches and limits are in-process.
    pub redis_url: Option<String>,
    /// `BALCAO_SMTP_URL`: optional SMTP server (`smtp://`, `smtps://`, `?tls=required`); secret: never log it.
    /// Without it email is written as `.eml` files under `mail_dir`.
    pub smtp_url: Option<String>,
    /// `BALCAO_MAIL_FROM`: the default sender, e.g. `Loja <vendas@loja.com>`.
    pub mail_from: String,
    /// `BALCAO_MAIL_DIR`: where email goes as `.eml` files when there is no SMTP server.
    pub mail_dir: PathBuf,
    /// `BALCAO_BIND`: the HTTP listen address.
    pub bind: SocketAddr,
    /// `BALCAO_DB_POOL_SIZE`: connections in the pool.
    pub db_pool_size: usize,
    /// `BALCAO_DB_STATEMENT_TIMEOUT_MS`: server-side statement timeout.
    pub db_statement_timeout: Duration,
    /// `BALCAO_DB_CONNECT_TIMEOUT_MS`: how long to wait for a pooled connection.
    pub db_connect_timeout: Duration,
    /// `BALCAO_SECRET_KEYS`: `kid:base64(32 bytes)` pairs, comma-separated; the first encrypts.
    pub keyring: Keyring,
    /// `BALCAO_SESSION_TTL_HOURS`: lifetime of a login session.
    pub session_ttl: Duration,
    /// `BALCAO_LOGIN_MAX_ATTEMPTS`: failed logins in a row before an account must wait between
    /// attempts (5 s, doubling with each further failure).
    pub login_max_attempts: i32,
    /// `BALCAO_LOGIN_LOCKOUT_SECS`: the longest an account waits between attempts (default 300).
    pub login_lockout: Duration,
    /// `BALCAO_LOGIN_IP_FAILURES`: failed logins from one address per window before its logins are refused.
    pub login_ip_failures: i32,
    /// `BALCAO_LOGIN_NETWORK_FAILURES`: the same for a network (IPv4 /24, IPv6 /64).
    pub login_network_failures: i32,
    /// `BALCAO_LOGIN_FAILURE_WINDOW_SECS`: the window those count over (default 900).
    pub login_failure_window: Duration,
    /// `BALCAO_CARTS_PER_HOUR`: carts one client address may open per hour.
    pub carts_per_hour: u32,
    /// `BALCAO_CHECKOUTS_PER_HOUR`: checkouts one client address may attempt per hour.
    pub checkouts_per_hour: u32,
    /// `BALCAO_ACCOUNT_REQUESTS_PER_HOUR`: signups, password reset and verification requests one
    /// client address may make per hour (default 30).
    pub account_requests_per_hour: u32,
    /// `BALCAO_PASSKEY_LOGINS_PER_HOUR`: passkey login ceremonies one client address may start
    /// per hour (default 300).
    pub passkey_logins_per_hour: u32,
    /// `BALCAO_GUEST_UNITS_PER_VARIANT`: the most units of one variant a checkout without a
    /// customer token may hold.
    pub guest_units_per_variant: i32,
    /// `BALCAO_BEHIND_PROXY`: the client address is the last `X-Forwarded-For` entry (set by the
    /// proxy in front), not the connection's peer (default false).
    pub behind_proxy: bool,
    /// `BALCAO_AUTH_CACHE_TTL_SECS`: how long a resolved credential is cached.
    pub auth_cache_ttl: Duration,
    /// `BALCAO_TOTP_ISSUER`: the issuer shown in authenticator apps.
    pub totp_issuer: String,
    /// `BALCAO_BODY_LIMIT_BYTES`: the largest request body accepted.
    pub body_limit_bytes: usize,
    /// `BALCAO_CORS_ORIGINS`: allowed browser origins, comma-separated (`*` for any).
    pub cors_origins: Vec<String>,
    /// Rate limits on traffic without a store's credential, and how the limiter runs.
    pub rate_limits: RateLimits,
    /// `BALCAO_LOG_FORMAT`: `json` (default) or `text`.
    pub log_format: LogFormat,
    /// `BALCAO_HTTP_WORKERS`: HTTP worker threads (default: one per core).
    pub http_workers: usize,
    /// `BALCAO_WORKER_CONCURRENCY`: jobs one worker runs at once.
    pub worker_concurrency: usize,
    /// `BALCAO_JOB_LEASE_SECS`: how long a claimed job is held before another worker may take it.
    pub job_lease: Duration,
    /// `BALCAO_JOB_POLL_MS`: the longest a worker sleeps between queue checks.
    pub job_poll_interval: Duration,
    /// `BALCAO_SHUTDOWN_TIMEOUT_SECS`: how long shutdown waits for requests and jobs.
    pub shutdown_timeout: Duration,
    /// `BALCAO_ORDER_PAYMENT_TIMEOUT_SECS`: how long an unpaid order holds its stock before it
    /// expires (default 30 minutes), unless its store sets `unpaid_hold_minutes`.
    pub order_payment_timeout: Duration,
    /// `BALCAO_CART_TTL_HOURS`: how long an untouched cart lives.
    pub cart_ttl: Duration,
    /// `BALCAO_WEBHOOKS_ALLOW_HTTP`: accept plain `http://` webhook endpoint URLs (default false).
    pub webhooks_allow_http: bool,
    /// `BALCAO_OUTBOUND_ALLOW_PRIVATE` (alias `BALCAO_WEBHOOKS_ALLOW_PRIVATE`): let every outbound
    /// connection (webhooks, provider APIs, store SMTP) reach loopback, private and other internal
    /// addresses (default false; for development and tests). See [`crate::outbound`].
    pub outbound_allow_private: bool,
    /// `BALCAO_WEBHOOKS_RETRY_SCALE`: multiplies the webhook retry schedule (default 1.0; tests shrink it).
    pub webhooks_retry_scale: f64,
    /// `BALCAO_WEBHOOKS_DISABLE_AFTER_SECS`: an endpoint failing continuously this long is disabled (default 5 days).
    pub webhooks_disable_after: Duration,
    /// `BALCAO_PUBLIC_URL`: where the API is reached from outside, for links in messages
    /// (e.g. one-click unsubscribe); an http(s) URL without a trailing slash.
    pub public_url: String,
    /// `BALCAO_APP_URL`: where the dashboard people sign in to lives, for the links in account
    /// emails (`{app}/verify-email?token=...`, `/reset-password`, `/invitations/accept`); an
    /// http(s) URL without a trailing slash, default `BALCAO_PUBLIC_URL`.
    pub app_url: String,
    /// `BALCAO_METRICS_TOKEN`: the bearer token `/metrics` asks for (at least 16 characters);
    /// without it `/metrics` is off (404).
    pub metrics_token: Option<String>,
    /// `BALCAO_WEBAUTHN_RP_ID` and `BALCAO_WEBAUTHN_ORIGIN`: the passkey relying party (see
    /// [`WebauthnSettings`]); `None` when neither is set and `public_url`'s host is an IP address,
    /// which WebAuthn cannot use: passkeys are then off.
    pub webauthn: Option<WebauthnSettings>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("environment", &self.environment)
            .field("database_url", &redact_url(&self.database_url))
            .field("redis_url", &self.redis_url.as_deref().map(redact_url))
            .field("smtp_url", &self.smtp_url.as_deref().map(redact_url))
            .field("mail_from", &self.mail_from)
            .field("mail_dir", &self.mail_dir)
            .field("bind", &self.bind)
            .field("db_pool_size", &self.db_pool_size)
            .field("db_statement_timeout", &self.db_statement_timeout)
            .field("db_connect_timeout", &self.db_connect_timeout)
            .field("keyring", &self.keyring)
            .field("session_ttl", &self.session_ttl)
            .field("login_max_attempts", &self.login_max_attempts)
            .field("login_lockout", &self.login_lockout)
            .field("login_ip_failures", &self.login_ip_failures)
            .field("login_network_failures", &self.login_network_failures)
            .field("login_failure_window", &self.login_failure_window)
            .field("behind_proxy", &self.behind_proxy)
            .field("carts_per_hour", &self.carts_per_hour)
            .field("account_requests_per_hour", &self.account_requests_per_hour)
            .field("passkey_logins_per_hour", &self.passkey_logins_per_hour)
            .field("checkouts_per_hour", &self.checkouts_per_hour)
            .field("guest_units_per_variant", &self.guest_units_per_variant)
            .field("auth_cache_ttl", &self.auth_cache_ttl)
            .field("totp_issuer", &self.totp_issuer)
            .field("body_limit_bytes", &self.body_limit_bytes)
            .field("rate_limits", &self.rate_limits)
            .field("cors_origins", &self.cors_origins)
            .field("log_format", &self.log_format)
            .field("http_workers", &self.http_workers)
            .field("worker_concurrency", &self.worker_concurrency)
            .field("job_lease", &self.job_lease)
            .field("job_poll_interval", &self.job_poll_interval)
            .field("shutdown_timeout", &self.shutdown_timeout)
            .field("order_payment_timeout", &self.order_payment_timeout)
            .field("cart_ttl", &self.cart_ttl)
            .field("webhooks_allow_http", &self.webhooks_allow_http)
            .field("outbound_allow_private", &self.outbound_allow_private)
            .field("webhooks_retry_scale", &self.webhooks_retry_scale)
            .field("webhooks_disable_after", &self.webhooks_disable_after)
            .field("public_url", &self.public_url)
            .field("app_url", &self.app_url)
            .field("metrics_token", &self.metrics_token.as_ref().map(|_| "<redacted>"))
            .field("webauthn", &self.webauthn)
            .finish()
    }
}

/// `url` with any `user:password@` replaced by `***@`, for logs.
pub fn redact_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else { return url.to_owned() };
    let rest = &url[scheme_end..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{}***@{}", &url[..scheme_end], &rest[at + 1..]),
        None => url.to_owned(),
    }
}

/// The database URL used when `DATABASE_URL` is unset.
pub const DEFAULT_DATABASE_URL: &str = "postgres://localhost/balcao";

/// The public URL used when `BALCAO_PUBLIC_URL` is unset.
pub const DEFAULT_PUBLIC_URL: &str = "http://localhost:8080";

/// Checks a public base URL: `http(s)://host[:port][/path]`, no trailing slash, query or fragment.
fn check_public_url(url: &str) -> Result<(), String> {
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
    let Some(rest) = rest else { return Err(format!("`{url}` must start with http:// or https://")) };
    let host = rest.split('/').next().unwrap_or_default();
    if host.is_empty() || host.contains('@') {
        return Err(format!("`{url}` has no host (or carries credentials)"));
    }
    if url.ends_with('/') {
        return Err(format!("`{url}` must not end with a slash"));
    }
    if url.contains(['?', '#']) || url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!("`{url}` must not have a query, a fragment or spaces"));
    }
    Ok(())
}

/// The sender used when `BALCAO_MAIL_FROM` is unset.
pub const DEFAULT_MAIL_FROM: &str = "balcao <no-reply@balcao.local>";

impl Config {
    /// Where outbound connections may go.
    pub fn outbound(&self) -> crate::outbound::Policy {
        crate::outbound::Policy { allow_private: self.outbound_allow_private }
    }

    /// What a destination URL a store gives may be (`BALCAO_WEBHOOKS_ALLOW_HTTP`,
    /// `BALCAO_OUTBOUND_ALLOW_PRIVATE`).
    pub fn url_policy(&self) -> crate::outbound::form::UrlPolicy {
        crate::outbound::form::UrlPolicy {
            allow_http: self.webhooks_allow_http,
            allow_private: self.outbound_allow_private,
        }
    }

    /// Reads the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_map(&std::env::vars().collect())
    }

    /// Reads configuration from a map of variables (the environment, or a test's).
    pub fn from_map(vars: &HashMap<String, String>) -> Result<Self, ConfigError> {
        let env = Env(vars);
        let environment = match env.get("BALCAO_ENV").as_deref() {
            None | Some("development") => Environment::Development,
            Some("production") => Environment::Production,
            Some(other) => return Err(env.error("BALCAO_ENV", format!("`{other}` is not development or production"))),
        };
        let keyring = match env.get("BALCAO_SECRET_KEYS") {
            Some(spec) => Keyring::parse(&spec).map_err(|m| env.error("BALCAO_SECRET_KEYS", m))?,
            None if environment == Environment::Production => {
                return Err(env.error("BALCAO_SECRET_KEYS", "is required when BALCAO_ENV=production".into()));
            }
            None => Keyring::development(),
        };
        let log_format = match env.get("BALCAO_LOG_FORMAT").as_deref() {
            None | Some("json") => LogFormat::Json,
            Some("text") => LogFormat::Text,
            Some(other) => return Err(env.error("BALCAO_LOG_FORMAT", format!("`{other}` is not json or text"))),
        };
        let smtp_url = env.get("BALCAO_SMTP_URL");
        if let Some(url) = &smtp_url {
            // The value is never echoed: it may carry a password.
            lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::from_url(url)
                .map_err(|e| env.error("BALCAO_SMTP_URL", format!("is not a usable SMTP URL: {e}")))?;
        }
        let mail_from = env.get("BALCAO_MAIL_FROM").unwrap_or_else(|| DEFAULT_MAIL_FROM.to_owned());
        if let Err(e) = mail_from.parse::<lettre::message::Mailbox>() {
            return Err(env.error(
                "BALCAO_MAIL_FROM",
                format!("`{mail_from}` is not a mailbox like `Loja <vendas@loja.com>`: {e}"),
            ));
        }
        let public_url = match env.get("BALCAO_PUBLIC_URL") {
            Some(url) => url,
            // Links in email (unsubscribe) must reach the product, not a developer's laptop.
            None if environment == Environment::Production => {
                return Err(env.error("BALCAO_PUBLIC_URL", "is required when BALCAO_ENV=production".into()));
            }
            None => DEFAULT_PUBLIC_URL.to_owned(),
        };
        check_public_url(&public_url).map_err(|m| env.error("BALCAO_PUBLIC_URL", m))?;
        let app_url = env.get("BALCAO_APP_URL").unwrap_or_else(|| public_url.clone());
        check_public_url(&app_url).map_err(|m| env.error("BALCAO_APP_URL", m))?;
        let metrics_token = env.get("BALCAO_METRICS_TOKEN").map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
        if metrics_token.as_ref().is_some_and(|t| t.len() < 16 || !t.bytes().all(|b| b.is_ascii_graphic())) {
            return Err(env.error("BALCAO_METRICS_TOKEN", "must be at least 16 visible ASCII characters".into()));
        }
        let totp_issuer = env.get("BALCAO_TOTP_ISSUER").unwrap_or_else(|| "balcao".to_owned());
        let webauthn = webauthn_settings(&env, &public_url, &totp_issuer)?;
        let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2);
        Ok(Self {
            environment,
            database_url: env.get("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned()),
            redis_url: env.get("REDIS_URL"),
            smtp_url,
            mail_from,
            mail_dir: env.get("BALCAO_MAIL_DIR").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("var/mail")),
            bind: env.parse(
                "BALCAO_BIND",
                "127.0.0.1:8080".parse().map_err(|_| env.error("BALCAO_BIND", "bad default".into()))?,
            )?,
            db_pool_size: env.ranged("BALCAO_DB_POOL_SIZE", 10, 1, 1000)?,
            db_statement_timeout: Duration::from_millis(env.ranged(
                "BALCAO_DB_STATEMENT_TIMEOUT_MS",
                5_000,
                1,
                3_600_000,
            )?),
            db_connect_timeout: Duration::from_millis(env.ranged("BALCAO_DB_CONNECT_TIMEOUT_MS", 5_000, 1, 600_000)?),
            keyring,
            session_ttl: Duration::from_secs(3600 * env.ranged("BALCAO_SESSION_TTL_HOURS", 720, 1, 24 * 365)?),
            login_max_attempts: env.ranged("BALCAO_LOGIN_MAX_ATTEMPTS", 5, 1, 1000)?,
            login_lockout: Duration::from_secs(env.ranged("BALCAO_LOGIN_LOCKOUT_SECS", 300, 1, 86_400)?),
            login_ip_failures: env.ranged("BALCAO_LOGIN_IP_FAILURES", 20, 1, 100_000)?,
            login_network_failures: env.ranged("BALCAO_LOGIN_NETWORK_FAILURES", 100, 1, 1_000_000)?,
            login_failure_window: Duration::from_secs(env.ranged(
                "BALCAO_LOGIN_FAILURE_WINDOW_SECS",
                900,
                1,
                86_400,
            )?),
            behind_proxy: env.flag("BALCAO_BEHIND_PROXY")?,
            carts_per_hour: env.ranged("BALCAO_CARTS_PER_HOUR", 60, 1, 1_000_000)?,
            checkouts_per_hour: env.ranged("BALCAO_CHECKOUTS_PER_HOUR", 30, 1, 1_000_000)?,
            account_requests_per_hour: env.ranged("BALCAO_ACCOUNT_REQUESTS_PER_HOUR", 30, 1, 1_000_000)?,
            passkey_logins_per_hour: env.ranged("BALCAO_PASSKEY_LOGINS_PER_HOUR", 300, 1, 1_000_000)?,
            guest_units_per_variant: env.ranged("BALCAO_GUEST_UNITS_PER_VARIANT", 10, 1, 1_000_000)?,
            auth_cache_ttl: Duration::from_secs(env.ranged("BALCAO_AUTH_CACHE_TTL_SECS", 30, 0, 3600)?),
            totp_issuer,
            body_limit_bytes: env.ranged("BALCAO_BODY_LIMIT_BYTES", 1024 * 1024, 1024, 64 * 1024 * 1024)?,
            cors_origins: env
                .get("BALCAO_CORS_ORIGINS")
                .map(|v| v.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect())
                .unwrap_or_default(),
            rate_limits: RateLimits::from_env(&env)?,
            log_format,
            http_workers: env.ranged("BALCAO_HTTP_WORKERS", cores, 1, 256)?,
            worker_concurrency: env.ranged("BALCAO_WORKER_CONCURRENCY", 4, 1, 256)?,
            job_lease: Duration::from_secs(env.ranged("BALCAO_JOB_LEASE_SECS", 300, 1, 86_400)?),
            job_poll_interval: Duration::from_millis(env.ranged("BALCAO_JOB_POLL_MS", 5_000, 10, 600_000)?),
            shutdown_timeout: Duration::from_secs(env.ranged("BALCAO_SHUTDOWN_TIMEOUT_SECS", 30, 0, 3600)?),
            order_payment_timeout: Duration::from_secs(env.ranged(
                "BALCAO_ORDER_PAYMENT_TIMEOUT_SECS",
                1800,
                1,
                30 * 86_400,
            )?),
            cart_ttl: Duration::from_secs(3600 * env.ranged("BALCAO_CART_TTL_HOURS", 168, 1, 24 * 90)?),
            webhooks_allow_http: env.flag("BALCAO_WEBHOOKS_ALLOW_HTTP")?,
            outbound_allow_private: env.flag("BALCAO_OUTBOUND_ALLOW_PRIVATE")?
                || env.flag("BALCAO_WEBHOOKS_ALLOW_PRIVATE")?,
            webhooks_retry_scale: env.ranged("BALCAO_WEBHOOKS_RETRY_SCALE", 1.0, 0.0, 100.0)?,
            webhooks_disable_after: Duration::from_secs(env.ranged(
                "BALCAO_WEBHOOKS_DISABLE_AFTER_SECS",
                5 * 86_400,
                1,
                90 * 86_400,
            )?),
            public_url,
            app_url,
            metrics_token,
            webauthn,
        })
    }
}

#[cfg(test)]
mod tests;
