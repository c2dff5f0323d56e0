//! Platform operators: users who may use the `/v1/admin` routes. A user becomes one only from the
//! command line (`balcao admin grant EMAIL`), never through the API; the routes also want the
//! operator's account to have TOTP on.

use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use crate::context::Core;
use crate::db::lower;
use crate::error::{Error, Result};
use crate::id::UserId;
use crate::identity::validate::normalize_email;
use crate::schema::{platform_operators, users};

/// The outcome of [`grant`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Granted {
    /// The user now an operator.
    pub user_id: UserId,
    /// Whether the user was not an operator before (a repeated grant changes nothing).
    pub newly: bool,
}

async fn user_by_email(core: &Core, email: &str) -> Result<UserId> {
    let email = normalize_email(email);
    let mut conn = core.pool.get().await?;
    let found: Option<uuid::Uuid> =
        users::table.filter(lower(users::email).eq(&email)).select(users::id).first(&mut conn).await.optional()?;
    found.map(UserId).ok_or_else(|| Error::not_found("user"))
}

/// Makes the account with `email` a platform operator (idempotent). An unknown email is 404
/// `not_found` (resource `user`).
pub async fn grant(core: &Core, email: &str) -> Result<Granted> {
    let user = user_by_email(core, email).await?;
    let mut conn = core.pool.get().await?;
    let inserted = diesel::insert_into(platform_operators::table)
        .values(platform_operators::user_id.eq(user.uuid()))
        .on_conflict_do_nothing()
        .execute(&mut conn)
        .await?;
    Ok(Granted { user_id: user, newly: inserted > 0 })
}

/// Makes the account with `email` an ordinary user again; `false` when it was not an operator.
/// An unknown email is 404 `not_found` (resource `user`).
pub async fn revoke(core: &Core, email: &str) -> Result<bool> {
    let user = user_by_email(core, email).await?;
    let mut conn = core.pool.get().await?;
    let deleted = diesel::delete(platform_operators::table.find(user.uuid())).execute(&mut conn).await?;
    Ok(deleted > 0)
}

/// Whether `user` is an operator who may use the admin routes now: granted, and with TOTP on.
pub async fn is_operator(core: &Core, user: UserId) -> Result<bool> {
    let mut conn = core.pool.get().await?;
    let found: Option<uuid::Uuid> = platform_operators::table
        .inner_join(users::table)
        .filter(platform_operators::user_id.eq(user.uuid()))
        .filter(users::totp_secret.is_not_null())
        .select(platform_operators::user_id)
        .first(&mut conn)
        .await
        .optional()?;
    Ok(found.is_some())
}
