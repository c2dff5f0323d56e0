//! Resetting a forgotten password through an emailed link, and changing a known one.

use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};

use super::account::{find_by_email, load, may_email, record_failure};
use crate::context::Core;
use crate::error::{Error, Result, Validator};
use crate::id::UserId;
use crate::identity::emails::{self, AccountEmail, Locale};
use crate::identity::model::{PasswordChange, PasswordResetConfirm};
use crate::identity::password;
use crate::identity::sessions;
use crate::identity::tokens::{self, Purpose};
use crate::identity::validate::{check_password, validate_email};
use crate::schema::users;

/// See [`super::IdentityService::request_password_reset`].
pub(super) async fn request_reset(core: &Core, email: &str) -> Result<()> {
    let email = validate_email(email)?;
    let mut conn = core.pool.get().await?;
    let Some(user) = find_by_email(&mut conn, &email).await? else { return Ok(()) };
    if !may_email(core, &email).await {
        return Ok(());
    }
    conn.transaction::<_, Error, _>(async |conn| {
        let token = tokens::issue(conn, &user, Purpose::PasswordReset).await?;
        let message =
            AccountEmail::PasswordReset { name: user.name.clone(), link: emails::link(core, "reset-password", &token) };
        emails::queue(core, conn, &user.email, Locale::parse(&user.locale), &message).await
    })
    .await
}

/// See [`super::IdentityService::confirm_password_reset`].
pub(super) async fn confirm_reset(core: &Core, req: PasswordResetConfirm) -> Result<()> {
    let mut v = Validator::new();
    check_password(&mut v, "password", &req.password, "");
    v.finish()?;
    let hash = password::hash(req.password.clone()).await?;
    let mut conn = core.pool.get().await?;
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
        sessions::end_all(core, conn, UserId(user.id), None).await?;
        let message = AccountEmail::PasswordChanged { name: user.name.clone() };
        emails::queue(core, conn, &user.email, Locale::parse(&user.locale), &message).await
    })
    .await
}

/// See [`super::IdentityService::change_password`].
pub(super) async fn change(core: &Core, id: UserId, session: uuid::Uuid, req: PasswordChange) -> Result<()> {
    let mut conn = core.pool.get().await?;
    let user = load(&mut conn, id).await?;
    let mut v = Validator::new();
    v.check(!req.current_password.is_empty(), "current_password", "required", "is required");
    check_password(&mut v, "password", &req.password, &user.email);
    v.finish()?;
    if !password::verify(req.current_password, user.password_hash.clone()).await? {
        record_failure(core, &mut conn, &user).await?;
        return Err(Error::field("current_password", "wrong", "is not the current password"));
    }
    let hash = password::hash(req.password).await?;
    conn.transaction::<_, Error, _>(async |conn| {
        diesel::update(users::table.find(user.id))
            .set((users::password_hash.eq(&hash), users::updated_at.eq(Utc::now())))
            .execute(conn)
            .await?;
        sessions::end_all(core, conn, id, Some(session)).await?;
        let message = AccountEmail::PasswordChanged { name: user.name.clone() };
        emails::queue(core, conn, &user.email, Locale::parse(&user.locale), &message).await
    })
    .await
}
