//! TOTP two-factor authentication: enrolment, confirmation with recovery codes, turning it off,
//! and checking a code (or a recovery code) at login.

use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use super::account::load;
use crate::context::Core;
use crate::crypto::sha256_hex;
use crate::error::{Error, Result};
use crate::id::UserId;
use crate::identity::model::{RecoveryCodes, TotpEnrolment, UserRow};
use crate::identity::{sessions, totp};
use crate::schema::{recovery_codes, users};

/// The keyring context a user's TOTP secret is sealed under.
fn totp_context(user_id: uuid::Uuid) -> String {
    format!("totp:{user_id}")
}

/// Accepts a TOTP code (never the same step twice) or an unused recovery code.
pub(super) async fn check_second_factor(
    core: &Core,
    conn: &mut AsyncPgConnection,
    user: &UserRow,
    code: &str,
) -> Result<bool> {
    let Some(sealed) = &user.totp_secret else { return Ok(true) };
    let secret = core.config.keyring.open(sealed, &totp_context(user.id))?;
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

/// See [`super::IdentityService::start_totp`].
pub(super) async fn start(core: &Core, id: UserId) -> Result<TotpEnrolment> {
    let mut conn = core.pool.get().await?;
    let user = load(&mut conn, id).await?;
    if user.totp_secret.is_some() {
        return Err(Error::Conflict {
            code: crate::problems::TOTP_ALREADY_ENABLED,
            detail: "Two-factor authentication is already on; disable it first.".into(),
            field: None,
        });
    }
    let secret = totp::new_secret();
    let sealed = core.config.keyring.seal(&secret, &totp_context(user.id))?;
    diesel::update(users::table.find(user.id))
        .set((users::totp_pending_secret.eq(sealed), users::updated_at.eq(Utc::now())))
        .execute(&mut conn)
        .await?;
    Ok(TotpEnrolment {
        secret: totp::encode_secret(&secret),
        otpauth_uri: totp::otpauth_uri(&secret, &core.config.totp_issuer, &user.email)?,
    })
}

/// See [`super::IdentityService::confirm_totp`].
pub(super) async fn confirm(core: &Core, id: UserId, session: uuid::Uuid, code: &str) -> Result<RecoveryCodes> {
    let mut conn = core.pool.get().await?;
    let user = load(&mut conn, id).await?;
    let Some(pending) = user.totp_pending_secret.as_deref() else {
        return Err(Error::Conflict {
            code: crate::problems::TOTP_NOT_STARTED,
            detail: "Start enrolment with POST /v1/me/totp first.".into(),
            field: None,
        });
    };
    let secret = core.config.keyring.open(pending, &totp_context(user.id))?;
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
        sessions::end_all(core, conn, id, Some(session)).await?;
        Ok(())
    })
    .await?;
    Ok(RecoveryCodes { recovery_codes: codes })
}

/// See [`super::IdentityService::disable_totp`].
pub(super) async fn disable(core: &Core, id: UserId, code: &str) -> Result<()> {
    let mut conn = core.pool.get().await?;
    let user = load(&mut conn, id).await?;
    if user.totp_secret.is_none() {
        return Err(Error::Conflict {
            code: crate::problems::TOTP_NOT_ENABLED,
            detail: "Two-factor authentication is not on.".into(),
            field: None,
        });
    }
    if !check_second_factor(core, &mut conn, &user, code).await? {
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
