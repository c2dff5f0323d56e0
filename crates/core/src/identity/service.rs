//! Signup, login with throttling and TOTP, sessions, and two-factor enrolment.

use async_trait::async_trait;
use chrono::{Duration as ChronoDuration, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use super::model::{LoginRequest, LoginResponse, RecoveryCodes, SignupRequest, TotpEnrolment, User, UserRow};
use super::{password, throttle, totp};
use crate::auth;
use crate::context::Core;
use crate::crypto::{random_token, sha256_hex};
use crate::error::{Error, Result, Validator, is_unique_violation};
use crate::id::{SessionId, UserId};
use crate::schema::{recovery_codes, sessions, users};
use crate::tenancy::members as invitations;

/// Accounts, sessions and two-factor authentication.
#[async_trait]
pub trait IdentityService: Send + Sync {
    /// Creates an account; pending invitations to its email are accepted.
    async fn signup(&self, req: SignupRequest) -> Result<User>;
    /// Checks credentials (and TOTP when on) and opens a session.
    /// `client` is the caller's address, for throttling failures by address and network.
    async fn login(&self, req: LoginRequest, client: Option<std::net::IpAddr>) -> Result<LoginResponse>;
    /// Revokes the session a token belongs to.
    async fn logout(&self, token: &str) -> Result<()>;
    /// One user.
    async fn user(&self, id: UserId) -> Result<User>;
    /// Starts TOTP enrolment with a new secret (replacing an unconfirmed one).
    async fn start_totp(&self, id: UserId) -> Result<TotpEnrolment>;
    /// Confirms enrolment with a first code; returns recovery codes.
    async fn confirm_totp(&self, id: UserId, code: &str) -> Result<RecoveryCodes>;
    /// Turns TOTP off after checking a current code or a recovery code.
    async fn disable_totp(&self, id: UserId, code: &str) -> Result<()>;
}

/// [`IdentityService`] on PostgreSQL.
pub struct PgIdentityService {
    core: Core,
}

/// The wait after the `beyond`-th failure past the limit: 5 s, doubling, at most `cap`.
fn account_delay(beyond: i32, cap: std::time::Duration) -> std::time::Duration {
    let doublings = u32::try_from(beyond).unwrap_or(0).min(20);
    std::time::Duration::from_secs(5u64 << doublings).min(cap)
}

impl PgIdentityService {
    /// A service on the shared handles.
    pub fn new(core: Core) -> Self {
        Self { core }
    }

    async fn load(&self, conn: &mut AsyncPgConnection, id: UserId) -> Result<UserRow> {
        users::table
            .find(id.uuid())
            .select(UserRow::as_select())
            .first(conn)
            .await
            .optional()?
            .ok_or_else(|| Error::not_found("user"))
    }

    /// Counts a failure; from the `login_max_attempts`-th in a row the account waits before its
    /// next attempt, 5 s doubling with each further failure up to `login_lockout`. The delay is
    /// short at first so that nobody can hold someone else's account locked for long, and the
    /// per-address limits ([`throttle`]) stop whoever keeps guessing.
    async fn record_failure(&self, conn: &mut AsyncPgConnection, user: &UserRow) -> Result<()> {
        let max = self.core.config.login_max_attempts;
        // Count in the database, not from the row read before the password check: concurrent
        // failures must each count, or parallel guesses would never reach the delay.
        let failures: i32 = diesel::update(users::table.find(user.id))
            .set(users::failed_logins.eq(users::failed_logins + 1))
            .returning(users::failed_logins)
            .get_result(conn)
            .await?;
        if failures >= max {
            let delay = account_delay(failures - max, self.core.config.login_lockout);
            let until = Utc::now() + ChronoDuration::from_std(delay).unwrap_or(ChronoDuration::minutes(5));
            diesel::update(users::table.find(user.id)).set(users::locked_until.eq(Some(until))).execute(conn).await?;
        }
        Ok(())
    }

    /// Accepts a TOTP code (never the same step twice) or an unused recovery code.
    async fn check_second_factor(&self, conn: &mut AsyncPgConnection, user: &UserRow, code: &str) -> Result<bool> {
        let Some(sealed) = &user.totp_secret else { return Ok(true) };
        let secret = self.core.config.keyring.open(sealed, &totp_context(user.id))?;
        let now = u64::try_from(Utc::now().timestamp()).unwrap_or(0);
        if let Some(step) = totp::matching_step(&secret, code, now)? {
            // Only a step later than the last one used is accepted: a code cannot be replayed.
            let claimed = diesel::update(
                users::table.find(user.id).filter(users::totp_last_step.is_null().or(users::totp_last_step.lt(step))),
            )
            .set(users::totp_last_step.eq(step))
            .execute(conn)
            .await?;
            return Ok(claimed == 1);
        }
        let used = diesel::update(
            recovery_codes::table
                .filter(recovery_codes::user_id.eq(user.id))
                .filter(recovery_codes::code_hash.eq(sha256_hex(totp::normalize_recovery_code(code).as_bytes())))
                .filter(recovery_codes::used_at.is_null()),
        )
        .set(recovery_codes::used_at.eq(Utc::now()))
        .execute(conn)
        .await?;
        Ok(used == 1)
    }
}

fn totp_context(user_id: uuid::Uuid) -> String {
    format!("totp:{user_id}")
}

/// Lowercases and checks an email address.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Whether a (normalised) address has one `@`, a dotted domain, no spaces and at most 254 bytes.
pub fn email_is_valid(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else { return false };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && !domain.contains('@')
        && email.len() <= 254
        && !email.chars().any(char::is_whitespace)
}

fn validate_signup(req: &SignupRequest) -> Result<()> {
    let email = normalize_email(&req.email);
    let mut v = Validator::new();
    if email.is_empty() {
        v.check(false, "email", "required", "is required");
    } else {
        v.check(email_is_valid(&email), "email", "invalid_format", "must be an email address");
    }
    let len = req.password.chars().count();
    v.check(len >= 10, "password", "too_short", "must be at least 10 characters");
    v.check(len <= 128, "password", "too_long", "must be at most 128 characters");
    v.check(normalize_email(&req.password) != email, "password", "same_as_email", "must not be the email address");
    v.length(&req.name, "name", 1, 100);
    v.finish()
}

#[async_trait]
impl IdentityService for PgIdentityService {
    async fn signup(&self, req: SignupRequest) -> Result<User> {
        validate_signup(&req)?;
        let hash = password::hash(req.password.clone()).await?;
        let email = normalize_email(&req.email);
        let now = Utc::now();
        let id = UserId::new();
        let mut conn = self.core.pool.get().await?;
        let row = conn
            .transaction::<_, Error, _>(async |conn| {
                let row: UserRow = diesel::insert_into(users::table)
                    .values((
                        users::id.eq(id.uuid()),
                        users::email.eq(&email),
                        users::name.eq(req.name.trim()),
                        users::password_hash.eq(&hash),
                        users::created_at.eq(now),
                        users::updated_at.eq(now),
                    ))
                    .returning(UserRow::as_returning())
                    .get_result(conn)
                    .await
                    .map_err(|e| {
                        if is_unique_violation(&e, "users_email_key") {
                            Error::conflict("email_taken", "email", "An account with this email already exists.")
                        } else {
                            e.into()
                        }
                    })?;
                invitations::accept_for(conn, id, &email).await?;
                Ok(row)
            })
            .await?;
        Ok(User::from(&row))
    }

    async fn login(&self, req: LoginRequest, client: Option<std::net::IpAddr>) -> Result<LoginResponse> {
        let invalid = || Error::unauthenticated("invalid_credentials", "The email or password is wrong.");
        throttle::check(&self.core, client).await?;
        let mut conn = self.core.pool.get().await?;
        let found: Option<UserRow> = users::table
            .filter(crate::db::lower(users::email).eq(normalize_email(&req.email)))
            .select(UserRow::as_select())
            .first(&mut conn)
            .await
            .optional()?;
        let Some(user) = found else {
            // Spend the same time as a real check so response timing does not reveal accounts.
            let _ = password::verify(req.password, password::DUMMY_HASH.to_owned()).await;
            throttle::record_failure(&self.core, client).await;
            return Err(invalid());
        };
        if let Some(until) = user.locked_until.filter(|until| *until > Utc::now()) {
            let wait = (until - Utc::now()).num_seconds().max(1);
            return Err(Error::TooManyRequests {
                code: "too_many_attempts",
                detail: "Too many failed logins for this account; try again later.".into(),
                retry_after_secs: u64::try_from(wait).unwrap_or(1),
            });
        }
        if !password::verify(req.password, user.password_hash.clone()).await? {
            throttle::record_failure(&self.core, client).await;
            self.record_failure(&mut conn, &user).await?;
            return Err(invalid());
        }
        if let Some(proof) = &req.passkey {
            // A passkey stands in for the TOTP code (see `passkeys::second_factor`).
            if !super::passkeys::second_factor(&self.core, &mut conn, &user, proof).await? {
                throttle::record_failure(&self.core, client).await;
                self.record_failure(&mut conn, &user).await?;
                return Err(Error::unauthenticated("invalid_passkey", "The passkey could not be verified."));
            }
        } else if user.totp_secret.is_some() {
            let Some(code) = req.totp_code.as_deref().filter(|c| !c.trim().is_empty()) else {
                return Err(Error::unauthenticated("totp_required", "This account needs a TOTP code (`totp_code`)."));
            };
            if !self.check_second_factor(&mut conn, &user, code).await? {
                throttle::record_failure(&self.core, client).await;
                self.record_failure(&mut conn, &user).await?;
                return Err(Error::unauthenticated("invalid_totp_code", "The TOTP code is wrong or was already used."));
            }
        }
        let token = format!("{}{}", auth::SESSION_PREFIX, random_token(32));
        let ttl = ChronoDuration::from_std(self.core.config.session_ttl).unwrap_or(ChronoDuration::days(30));
        let expires_at = Utc::now() + ttl;
        conn.transaction::<_, Error, _>(async |conn| {
            diesel::update(users::table.find(user.id))
                .set((users::failed_logins.eq(0), users::locked_until.eq(None::<chrono::DateTime<Utc>>)))
                .execute(conn)
                .await?;
            diesel::insert_into(sessions::table)
                .values((
                    sessions::id.eq(SessionId::new().uuid()),
                    sessions::user_id.eq(user.id),
                    sessions::token_hash.eq(sha256_hex(token.as_bytes())),
                    sessions::expires_at.eq(expires_at),
                ))
                .execute(conn)
                .await?;
            Ok(())
        })
        .await?;
        Ok(LoginResponse { token, expires_at, user: User::from(&user) })
    }

    async fn logout(&self, token: &str) -> Result<()> {
        let hash = sha256_hex(token.as_bytes());
        let mut conn = self.core.pool.get().await?;
        diesel::update(sessions::table.filter(sessions::token_hash.eq(&hash)).filter(sessions::revoked_at.is_null()))
            .set(sessions::revoked_at.eq(Utc::now()))
            .execute(&mut conn)
            .await?;
        auth::forget(&self.core, &hash).await;
        Ok(())
    }

    async fn user(&self, id: UserId) -> Result<User> {
        let mut conn = self.core.pool.get().await?;
        Ok(User::from(&self.load(&mut conn, id).await?))
    }

    async fn start_totp(&self, id: UserId) -> Result<TotpEnrolment> {
        let mut conn = self.core.pool.get().await?;
        let user = self.load(&mut conn, id).await?;
        if user.totp_secret.is_some() {
            return Err(Error::Conflict {
                code: "totp_already_enabled",
                detail: "Two-factor authentication is already on; disable it first.".into(),
                field: None,
            });
        }
        let secret = totp::new_secret();
        let sealed = self.core.config.keyring.seal(&secret, &totp_context(user.id))?;
        diesel::update(users::table.find(user.id))
            .set((users::totp_pending_secret.eq(sealed), users::updated_at.eq(Utc::now())))
            .execute(&mut conn)
            .await?;
        Ok(TotpEnrolment {
            secret: totp::encode_secret(&secret),
            otpauth_uri: totp::otpauth_uri(&secret, &self.core.config.totp_issuer, &user.email)?,
        })
    }

    async fn confirm_totp(&self, id: UserId, code: &str) -> Result<RecoveryCodes> {
        let mut conn = self.core.pool.get().await?;
        let user = self.load(&mut conn, id).await?;
        let Some(pending) = user.totp_pending_secret.as_deref() else {
            return Err(Error::Conflict {
                code: "totp_not_started",
                detail: "Start enrolment with POST /v1/me/totp first.".into(),
                field: None,
            });
        };
        let secret = self.core.config.keyring.open(pending, &totp_context(user.id))?;
        let now = u64::try_from(Utc::now().timestamp()).unwrap_or(0);
        let Some(step) = totp::matching_step(&secret, code, now)? else {
            return Err(Error::field("code", "invalid", "is not the current code"));
        };
        let codes = totp::new_recovery_codes();
        conn.transaction::<_, Error, _>(async |conn| {
            diesel::update(users::table.find(user.id))
                .set((
                    users::totp_secret.eq(Some(pending)),
                    users::totp_pending_secret.eq(None::<String>),
                    users::totp_last_step.eq(Some(step)),
                    users::updated_at.eq(Utc::now()),
                ))
                .execute(conn)
                .await?;
            diesel::delete(recovery_codes::table.filter(recovery_codes::user_id.eq(user.id))).execute(conn).await?;
            let rows: Vec<_> = codes
                .iter()
                .map(|c| {
                    (
                        recovery_codes::id.eq(uuid::Uuid::now_v7()),
                        recovery_codes::user_id.eq(user.id),
                        recovery_codes::code_hash.eq(sha256_hex(c.as_bytes())),
                    )
                })
                .collect();
            diesel::insert_into(recovery_codes::table).values(rows).execute(conn).await?;
            Ok(())
        })
        .await?;
        Ok(RecoveryCodes { recovery_codes: codes })
    }

    async fn disable_totp(&self, id: UserId, code: &str) -> Result<()> {
        let mut conn = self.core.pool.get().await?;
        let user = self.load(&mut conn, id).await?;
        if user.totp_secret.is_none() {
            return Err(Error::Conflict {
                code: "totp_not_enabled",
                detail: "Two-factor authentication is not on.".into(),
                field: None,
            });
        }
        if !self.check_second_factor(&mut conn, &user, code).await? {
            return Err(Error::field("code", "invalid", "is not a current TOTP code or an unused recovery code"));
        }
        conn.transaction::<_, Error, _>(async |conn| {
            diesel::update(users::table.find(user.id))
                .set((
                    users::totp_secret.eq(None::<String>),
                    users::totp_last_step.eq(None::<i64>),
                    users::updated_at.eq(Utc::now()),
                ))
                .execute(conn)
                .await?;
            diesel::delete(recovery_codes::table.filter(recovery_codes::user_id.eq(user.id))).execute(conn).await?;
            Ok(())
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_signup_fields() {
        let req = SignupRequest { email: "nope".into(), password: "short".into(), name: " ".into() };
        let Err(Error::Validation(errors)) = validate_signup(&req) else { panic!("expected errors") };
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["email", "password", "name"]);
        let ok =
            SignupRequest { email: "Ana@Example.com".into(), password: "long enough pass".into(), name: "Ana".into() };
        assert!(validate_signup(&ok).is_ok());
    }
}
