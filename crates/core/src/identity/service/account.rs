//! What every part of the identity service needs about an account: finding it, the hourly
//! allowance of emails nobody signed in asked for, the verification email, and counting failed
//! logins towards the progressive delay.

use chrono::{Duration as ChronoDuration, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::context::Core;
use crate::crypto::sha256_hex;
use crate::error::{Error, Result};
use crate::id::UserId;
use crate::identity::emails::{self, AccountEmail, Locale};
use crate::identity::model::UserRow;
use crate::identity::tokens::{self, Purpose};
use crate::schema::users;

/// Emails about one address that nobody signed in asks for (signup, resend, reset) are sent at
/// most this many times an hour; past it requests still answer the same and send nothing.
const ACCOUNT_EMAILS_PER_HOUR: i64 = 5;

/// One user's row; 404 when there is none.
pub(super) async fn load(conn: &mut AsyncPgConnection, id: UserId) -> Result<UserRow> {
    users::table
        .find(id.uuid())
        .select(UserRow::as_select())
        .first(conn)
        .await
        .optional()?
        .ok_or_else(|| Error::not_found("user"))
}

/// The account with a (normalised) address, if any.
pub(super) async fn find_by_email(conn: &mut AsyncPgConnection, email: &str) -> Result<Option<UserRow>> {
    Ok(users::table
        .filter(crate::db::lower(users::email).eq(email))
        .select(UserRow::as_select())
        .first(conn)
        .await
        .optional()?)
}

/// Whether another unrequested email may go to `email` this hour (counted per address).
pub(super) async fn may_email(core: &Core, email: &str) -> bool {
    let key = format!("mail:account:{}", sha256_hex(email.as_bytes()));
    core.cache.incr(&key, std::time::Duration::from_secs(3600)).await <= ACCOUNT_EMAILS_PER_HOUR
}

/// Queues a verification link for `user`.
pub(super) async fn send_verification(core: &Core, conn: &mut AsyncPgConnection, user: &UserRow) -> Result<()> {
    let token = tokens::issue(conn, user, Purpose::VerifyEmail).await?;
    let link = emails::link(core, "verify-email", &token);
    let email = AccountEmail::VerifyEmail { name: user.name.clone(), link };
    emails::queue(core, conn, &user.email, Locale::parse(&user.locale), &email).await
}

/// The wait after the `beyond`-th failure past the limit: 5 s, doubling, at most `cap`.
fn account_delay(beyond: i32, cap: std::time::Duration) -> std::time::Duration {
    let doublings = u32::try_from(beyond).unwrap_or(0).min(20);
    std::time::Duration::from_secs(5u64 << doublings).min(cap)
}

/// Counts a failure; from the `login_max_attempts`-th in a row the account waits before its
/// next attempt, 5 s doubling with each further failure up to `login_lockout`. The delay is
/// short at first so that nobody can hold someone else's account locked for long, and the
/// per-address limits ([`crate::identity::throttle`]) stop whoever keeps guessing.
pub(super) async fn record_failure(core: &Core, conn: &mut AsyncPgConnection, user: &UserRow) -> Result<()> {
    let max = core.config.login_max_attempts;
    // Count in the database, not from the row read before the password check: concurrent
    // failures must each count, or parallel guesses would never reach the delay.
    let failures: i32 = diesel::update(users::table.find(user.id))
        .set(users::failed_logins.eq(users::failed_logins + 1))
        .returning(users::failed_logins)
        .get_result(conn)
        .await?;
    if failures >= max {
        let delay = account_delay(failures - max, core.config.login_lockout);
        let until = Utc::now() + ChronoDuration::from_std(delay).unwrap_or(ChronoDuration::minutes(5));
        diesel::update(users::table.find(user.id)).set(users::locked_until.eq(Some(until))).execute(conn).await?;
    }
    Ok(())
}
