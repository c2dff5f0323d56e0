//! Logging in with a password (throttled per address, network and account) and a second
//! factor when the account has one, and logging out.

use chrono::Utc;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::account::{find_by_email, record_failure};
use super::two_factor::check_second_factor;
use crate::auth;
use crate::context::Core;
use crate::crypto::sha256_hex;
use crate::error::{Error, Result};
use crate::identity::model::{LoginRequest, LoginResponse};
use crate::identity::sessions::{self, ClientInfo};
use crate::identity::validate::normalize_email;
use crate::identity::{passkeys, password, throttle};
use crate::schema::sessions as sessions_table;

/// See [`super::IdentityService::login`].
pub(super) async fn login(core: &Core, req: LoginRequest, client: &ClientInfo) -> Result<LoginResponse> {
    let ip = client.ip;
    let invalid = || Error::unauthenticated(crate::problems::INVALID_CREDENTIALS, "The email or password is wrong.");
    throttle::check(core, ip).await?;
    let mut conn = core.pool.get().await?;
    let Some(user) = find_by_email(&mut conn, &normalize_email(&req.email)).await? else {
        // Spend the same time as a real check so response timing does not reveal accounts.
        let _ = password::verify(req.password, password::DUMMY_HASH.to_owned()).await;
        throttle::record_failure(core, ip).await;
        return Err(invalid());
    };
    if let Some(until) = user.locked_until.filter(|until| *until > Utc::now()) {
        let wait = (until - Utc::now()).num_seconds().max(1);
        return Err(Error::TooManyRequests {
            code: crate::problems::TOO_MANY_ATTEMPTS,
            detail: "Too many failed logins for this account; try again later.".into(),
            retry_after_secs: u64::try_from(wait).unwrap_or(1),
        });
    }
    if !password::verify(req.password, user.password_hash.clone()).await? {
        throttle::record_failure(core, ip).await;
        record_failure(core, &mut conn, &user).await?;
        return Err(invalid());
    }
    if let Some(proof) = &req.passkey {
        // A passkey stands in for the TOTP code (see `passkeys::second_factor`).
        if !passkeys::second_factor(core, &mut conn, &user, proof).await? {
            throttle::record_failure(core, ip).await;
            record_failure(core, &mut conn, &user).await?;
            return Err(Error::unauthenticated(crate::problems::INVALID_PASSKEY, "The passkey could not be verified."));
        }
    } else if user.totp_secret.is_some() {
        let Some(code) = req.totp_code.as_deref().filter(|c| !c.trim().is_empty()) else {
            return Err(Error::unauthenticated(
                crate::problems::TOTP_REQUIRED,
                "This account needs a TOTP code (`totp_code`).",
            ));
        };
        if !check_second_factor(core, &mut conn, &user, code).await? {
            throttle::record_failure(core, ip).await;
            record_failure(core, &mut conn, &user).await?;
            return Err(Error::unauthenticated(
                crate::problems::INVALID_TOTP_CODE,
                "The TOTP code is wrong or was already used.",
            ));
        }
    }
    sessions::open(core, &mut conn, &user, client).await
}

/// See [`super::IdentityService::logout`].
pub(super) async fn logout(core: &Core, token: &str) -> Result<()> {
    let hash = sha256_hex(token.as_bytes());
    let mut conn = core.pool.get().await?;
    diesel::update(
        sessions_table::table.filter(sessions_table::token_hash.eq(&hash)).filter(sessions_table::revoked_at.is_null()),
    )
    .set(sessions_table::revoked_at.eq(Utc::now()))
    .execute(&mut conn)
    .await?;
    auth::forget(core, &hash).await;
    Ok(())
}
