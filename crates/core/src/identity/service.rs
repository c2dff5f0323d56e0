//! Signup, login with throttling and TOTP, sessions, and two-factor enrolment.

use async_trait::async_trait;
use chrono::{Duration as ChronoDuration, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use super::emails::{self, AccountEmail, Locale};
use super::model::{
    LoginRequest, LoginResponse, PasswordChange, PasswordResetConfirm, RecoveryCodes, SessionList, SignupRequest,
    TotpEnrolment, User, UserRow,
};
use super::sessions::{self, ClientInfo};
use super::tokens::{self, Purpose};
use super::{password, throttle, totp};
use crate::auth;
use crate::context::Core;
use crate::crypto::sha256_hex;
use crate::error::{Error, Result, Validator};
use crate::id::{SessionId, UserId};
use crate::schema::{recovery_codes, sessions as sessions_table, users};
use crate::tenancy::invitations;

/// Emails about one address that nobody signed in asks for (signup, resend, reset) are sent at
/// most this many times an hour; past it requests still answer the same and send nothing.
const ACCOUNT_EMAILS_PER_HOUR: i64 = 5;

/// Accounts, sessions and two-factor authentication.
#[async_trait]
pub trait IdentityService: Send + Sync {
    /// Creates an account and emails a verification link. An address that already has an
    /// account gets the same answer (a user that was not created) and its owner an email.
    async fn signup(&self, req: SignupRequest) -> Result<User>;
    /// Checks credentials (and TOTP when on) and opens a session; `client` is where the login
    /// comes from (throttling by address and network, and the session's device details).
    async fn login(&self, req: LoginRequest, client: &ClientInfo) -> Result<LoginResponse>;
    /// Revokes the session a token belongs to.
    async fn logout(&self, token: &str) -> Result<()>;
    /// One user.
    async fn user(&self, id: UserId) -> Result<User>;
    /// Confirms an email address with the token of its link; pending invitations to the
    /// address become memberships.
    async fn verify_email(&self, token: &str) -> Result<User>;
    /// Emails a new verification link to an unverified account (nothing for any other address).
    async fn resend_verification(&self, email: &str) -> Result<()>;
    /// Emails a password reset link to an account (nothing for an unknown address).
    async fn request_password_reset(&self, email: &str) -> Result<()>;
    /// Sets a password with the token of a reset link; every session of the account ends.
    async fn confirm_password_reset(&self, req: PasswordResetConfirm) -> Result<()>;
    /// Changes the password after checking the current one; the user's other sessions end.
    async fn change_password(&self, id: UserId, session: uuid::Uuid, req: PasswordChange) -> Result<()>;
    /// The user's live sessions, `current` marked.
    async fn sessions(&self, id: UserId, current: uuid::Uuid) -> Result<SessionList>;
    /// Ends one of the user's sessions.
    async fn end_session(&self, id: UserId, session: SessionId) -> Result<()>;
    /// Ends every session of the user but `keep` (all of them when `None`); returns how many.
    async fn end_sessions(&self, id: UserId, keep: Option<uuid::Uuid>) -> Result<usize>;
    /// Starts TOTP enrolment with a new secret (replacing an unconfirmed one).
    async fn start_totp(&self, id: UserId) -> Result<TotpEnrolment>;
    /// Confirms enrolment with a first code; returns recovery codes. The user's sessions other
    /// than `session` end: they were opened without the second factor.
    async fn confirm_totp(&self, id: UserId, session: uuid::Uuid, code: &str) -> Result<RecoveryCodes>;
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

/// The rules every new password follows (at signup, reset and change).
fn check_password(v: &mut Validator, field: &str, password: &str, email: &str) {
    let len = password.chars().count();
    v.check(len >= 10, field, "too_short", "must be at least 10 characters");
    v.check(len <= 128, field, "too_long", "must be at most 128 characters");
    v.check(normalize_email(password) != email, field, "same_as_email", "must not be the email address");
}

fn validate_signup(req: &SignupRequest) -> Result<()> {
    let email = normalize_email(&req.email);
    let mut v = Validator::new();
    if email.is_empty() {
        v.check(false, "email", "required", "is required");
    } else {
        v.check(email_is_valid(&email), "email", "invalid_format", "must be an email address");
    }
    check_password(&mut v, "password", &req.password, &email);
    v.length(&req.name, "name", 1, 100);
    if let Some(locale) = &req.locale {
        v.check(["pt-BR", "en"].contains(&locale.as_str()), "locale", "unsupported", "must be pt-BR or en");
    }
    v.finish()
}

fn validate_email(email: &str) -> Result<String> {
    let email = normalize_email(email);
    if email_is_valid(&email) {
        Ok(email)
    } else {
        Err(Error::field("email", "invalid_format", "must be an email address"))
    }
}

impl PgIdentityService {
    async fn find_by_email(&self, conn: &mut AsyncPgConnection, email: &str) -> Result<Option<UserRow>> {
        Ok(users::table
            .filter(crate::db::lower(users::email).eq(email))
            .select(UserRow::as_select())
            .first(conn)
            .await
            .optional()?)
    }

    /// Whether another unrequested email may go to `email` this hour (counted per address).
    async fn may_email(&self, email: &str) -> bool {
        let key = format!("mail:account:{}", sha256_hex(email.as_bytes()));
        self.core.cache.incr(&key, std::time::Duration::from_secs(3600)).await <= ACCOUNT_EMAILS_PER_HOUR
    }

    /// Queues a verification link for `user`.
    async fn send_verification(&self, conn: &mut AsyncPgConnection, user: &UserRow) -> Result<()> {
        let token = tokens::issue(conn, user, Purpose::VerifyEmail).await?;
        let link = emails::link(&self.core, "verify-email", &token);
        let email = AccountEmail::VerifyEmail { name: user.name.clone(), link };
        emails::queue(&self.core, conn, &user.email, Locale::parse(&user.locale), &email).await
    }
}

/// Marks an address verified without its link, for operator tools only (the demo seed, whose
/// address receives no mail); never reachable through the API. Returns whether an account
/// has that address.
pub async fn mark_verified(core: &Core, email: &str) -> Result<bool> {
    let mut conn = core.pool.get().await?;
    let updated = diesel::update(users::table.filter(crate::db::lower(users::email).eq(normalize_email(email))))
        .set(users::email_verified_at.eq(Some(Utc::now())))
        .execute(&mut conn)
        .await?;
    Ok(updated > 0)
}

#[async_trait]
impl IdentityService for PgIdentityService {
    async fn signup(&self, req: SignupRequest) -> Result<User> {
        validate_signup(&req)?;
        let hash = password::hash(req.password.clone()).await?;
        let email = normalize_email(&req.email);
        let locale = Locale::parse(req.locale.as_deref().unwrap_or("pt-BR"));
        let now = Utc::now();
        let id = UserId::new();
        // What the caller sees when the address is taken: a user shaped like a new one, so the
        // answer does not tell whether an account exists.
        let unsaved = User {
            id,
            email: email.clone(),
            name: req.name.trim().to_owned(),
            totp_enabled: false,
            email_verified: false,
            locale: locale.as_str().to_owned(),
            created_at: now,
        };
        let mut conn = self.core.pool.get().await?;
        let existing = self.find_by_email(&mut conn, &email).await?;
        // Only an email to an existing account counts against the address's hourly allowance.
        let may_email = existing.is_none() || self.may_email(&email).await;
        conn.transaction::<_, Error, _>(async |conn| {
            let inserted = match existing {
                Some(_) => None,
                None => diesel::insert_into(users::table)
                    .values((
                        users::id.eq(id.uuid()),
                        users::email.eq(&email),
                        users::name.eq(req.name.trim()),
                        users::password_hash.eq(&hash),
                        users::locale.eq(locale.as_str()),
                        users::created_at.eq(now),
                        users::updated_at.eq(now),
                    ))
                    .on_conflict_do_nothing()
                    .returning(UserRow::as_returning())
                    .get_result(conn)
                    .await
                    .optional()?,
            };
            if let Some(row) = inserted {
                self.send_verification(conn, &row).await?;
                return Ok(User::from(&row));
            }
            // The address has an account: its owner learns of the attempt, with a way back in
            // (a reset link, which also proves the address if it was never verified). The
            // account's password stays as it is.
            if may_email && let Some(owner) = self.find_by_email(conn, &email).await? {
                let token = tokens::issue(conn, &owner, Purpose::PasswordReset).await?;
                let message = AccountEmail::ExistingAccount {
                    name: owner.name.clone(),
                    reset_link: emails::link(&self.core, "reset-password", &token),
                };
                emails::queue(&self.core, conn, &owner.email, Locale::parse(&owner.locale), &message).await?;
            }
            Ok(unsaved)
        })
        .await
    }

    async fn login(&self, req: LoginRequest, client: &ClientInfo) -> Result<LoginResponse> {
        let ip = client.ip;
        let invalid = || Error::unauthenticated("invalid_credentials", "The email or password is wrong.");
        throttle::check(&self.core, ip).await?;
        let mut conn = self.core.pool.get().await?;
        let Some(user) = self.find_by_email(&mut conn, &normalize_email(&req.email)).await? else {
            // Spend the same time as a real check so response timing does not reveal accounts.
            let _ = password::verify(req.password, password::DUMMY_HASH.to_owned()).await;
            throttle::record_failure(&self.core, ip).await;
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
            throttle::record_failure(&self.core, ip).await;
            self.record_failure(&mut conn, &user).await?;
            return Err(invalid());
        }
        if let Some(proof) = &req.passkey {
            // A passkey stands in for the TOTP code (see `passkeys::second_factor`).
            if !super::passkeys::second_factor(&self.core, &mut conn, &user, proof).await? {
                throttle::record_failure(&self.core, ip).await;
                self.record_failure(&mut conn, &user).await?;
                return Err(Error::unauthenticated("invalid_passkey", "The passkey could not be verified."));
            }
        } else if user.totp_secret.is_some() {
            let Some(code) = req.totp_code.as_deref().filter(|c| !c.trim().is_empty()) else {
                return Err(Error::unauthenticated("totp_required", "This account needs a TOTP code (`totp_code`)."));
            };
            if !self.check_second_factor(&mut conn, &user, code).await? {
                throttle::record_failure(&self.core, ip).await;
                self.record_failure(&mut conn, &user).await?;
                return Err(Error::unauthenticated("invalid_totp_code", "The TOTP code is wrong or was already used."));
            }
        }
        sessions::open(&self.core, &mut conn, &user, client).await
    }

    async fn logout(&self, token: &str) -> Result<()> {
        let hash = sha256_hex(token.as_bytes());
        let mut conn = self.core.pool.get().await?;
        diesel::update(
            sessions_table::table
                .filter(sessions_table::token_hash.eq(&hash))
                .filter(sessions_table::revoked_at.is_null()),
        )
        .set(sessions_table::revoked_at.eq(Utc::now()))
        .execute(&mut conn)
        .await?;
        auth::forget(&self.core, &hash).await;
        Ok(())
    }

    async fn user(&self, id: UserId) -> Result<User> {
        let mut conn = self.core.pool.get().await?;
        Ok(User::from(&self.load(&mut conn, id).await?))
    }

    async fn verify_email(&self, token: &str) -> Result<User> {
        let mut conn = self.core.pool.get().await?;
        let (user, stores) = conn
            .transaction::<_, Error, _>(async |conn| {
                let user = tokens::consume(conn, token, Purpose::VerifyEmail).await?;
                let user: UserRow = diesel::update(users::table.find(user.id))
                    .set((
                        users::email_verified_at.eq(user.email_verified_at.unwrap_or_else(Utc::now)),
                        users::updated_at.eq(Utc::now()),
                    ))
                    .returning(UserRow::as_returning())
                    .get_result(conn)
                    .await?;
                let stores = invitations::accept_for(conn, UserId(user.id), &user.email).await?;
                Ok((user, stores))
            })
            .await?;
        for store in stores {
            auth::forget_access(&self.core, store, UserId(user.id)).await;
        }
        Ok(User::from(&user))
    }

    async fn resend_verification(&self, email: &str) -> Result<()> {
        let email = validate_email(email)?;
        let mut conn = self.core.pool.get().await?;
        let Some(user) = self.find_by_email(&mut conn, &email).await? else { return Ok(()) };
        if user.email_verified_at.is_some() || !self.may_email(&email).await {
            return Ok(());
        }
        conn.transaction::<_, Error, _>(async |conn| self.send_verification(conn, &user).await).await
    }

    async fn request_password_reset(&self, email: &str) -> Result<()> {
        let email = validate_email(email)?;
        let mut conn = self.core.pool.get().await?;
        let Some(user) = self.find_by_email(&mut conn, &email).await? else { return Ok(()) };
        if !self.may_email(&email).await {
            return Ok(());
        }
        conn.transaction::<_, Error, _>(async |conn| {
            let token = tokens::issue(conn, &user, Purpose::PasswordReset).await?;
            let message = AccountEmail::PasswordReset {
                name: user.name.clone(),
                link: emails::link(&self.core, "reset-password", &token),
            };
            emails::queue(&self.core, conn, &user.email, Locale::parse(&user.locale), &message).await
        })
        .await
    }

    async fn confirm_password_reset(&self, req: PasswordResetConfirm) -> Result<()> {
        let mut v = Validator::new();
        check_password(&mut v, "password", &req.password, "");
        v.finish()?;
        let hash = password::hash(req.password.clone()).await?;
        let mut conn = self.core.pool.get().await?;
        conn.transaction::<_, Error, _>(async |conn| {
            let user = tokens::consume(conn, &req.token, Purpose::PasswordReset).await?;
            let mut v = Validator::new();
            check_password(&mut v, "password", &req.password, &user.email);
            v.finish()?;
            // The link proves the address as well.
            diesel::update(users::table.find(user.id))
                .set((
                    users::password_hash.eq(&hash),
                    users::email_verified_at.eq(user.email_verified_at.unwrap_or_else(Utc::now)),
                    users::failed_logins.eq(0),
                    users::locked_until.eq(None::<chrono::DateTime<Utc>>),
                    users::updated_at.eq(Utc::now()),
                ))
                .execute(conn)
                .await?;
            sessions::end_all(&self.core, conn, UserId(user.id), None).await?;
            let message = AccountEmail::PasswordChanged { name: user.name.clone() };
            emails::queue(&self.core, conn, &user.email, Locale::parse(&user.locale), &message).await
        })
        .await
    }

    async fn change_password(&self, id: UserId, session: uuid::Uuid, req: PasswordChange) -> Result<()> {
        let mut conn = self.core.pool.get().await?;
        let user = self.load(&mut conn, id).await?;
        let mut v = Validator::new();
        v.check(!req.current_password.is_empty(), "current_password", "required", "is required");
        check_password(&mut v, "password", &req.password, &user.email);
        v.finish()?;
        if !password::verify(req.current_password, user.password_hash.clone()).await? {
            self.record_failure(&mut conn, &user).await?;
            return Err(Error::field("current_password", "wrong", "is not the current password"));
        }
        let hash = password::hash(req.password).await?;
        conn.transaction::<_, Error, _>(async |conn| {
            diesel::update(users::table.find(user.id))
                .set((users::password_hash.eq(&hash), users::updated_at.eq(Utc::now())))
                .execute(conn)
                .await?;
            sessions::end_all(&self.core, conn, id, Some(session)).await?;
            let message = AccountEmail::PasswordChanged { name: user.name.clone() };
            emails::queue(&self.core, conn, &user.email, Locale::parse(&user.locale), &message).await
        })
        .await
    }

    async fn sessions(&self, id: UserId, current: uuid::Uuid) -> Result<SessionList> {
        let mut conn = self.core.pool.get().await?;
        Ok(SessionList { data: sessions::list(&mut conn, id, Some(current)).await? })
    }

    async fn end_session(&self, id: UserId, session: SessionId) -> Result<()> {
        let mut conn = self.core.pool.get().await?;
        sessions::end(&self.core, &mut conn, id, session).await
    }

    async fn end_sessions(&self, id: UserId, keep: Option<uuid::Uuid>) -> Result<usize> {
        let mut conn = self.core.pool.get().await?;
        sessions::end_all(&self.core, &mut conn, id, keep).await
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

    async fn confirm_totp(&self, id: UserId, session: uuid::Uuid, code: &str) -> Result<RecoveryCodes> {
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
            sessions::end_all(&self.core, conn, id, Some(session)).await?;
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
        let req = SignupRequest {
            email: "nope".into(),
            password: "short".into(),
            name: " ".into(),
            locale: Some("fr".into()),
        };
        let Err(Error::Validation(errors)) = validate_signup(&req) else { panic!("expected errors") };
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["email", "password", "name", "locale"]);
        let ok = SignupRequest {
            email: "Ana@Example.com".into(),
            password: "long enough pass".into(),
            name: "Ana".into(),
            locale: None,
        };
        assert!(validate_signup(&ok).is_ok());
    }
}
