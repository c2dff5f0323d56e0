//! Single-use tokens sent by email: verifying an address and resetting a password.
//!
//! Only a SHA-256 of a token is stored. A token works once, until it expires, and only while the
//! account's password is the one it was issued under: setting a password voids every older link.
//! Issuing a new token of a purpose voids the unused ones of that purpose.

use chrono::{Duration as ChronoDuration, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::model::UserRow;
use crate::crypto::{random_token, sha256_hex};
use crate::error::{Error, Result};
use crate::schema::{account_tokens, users};

/// What a token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// Confirms the account's email address (valid 24 hours).
    VerifyEmail,
    /// Sets a new password (valid 30 minutes).
    PasswordReset,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Self::VerifyEmail => "verify_email",
            Self::PasswordReset => "password_reset",
        }
    }

    /// How long a link of this purpose works.
    pub fn ttl(self) -> ChronoDuration {
        match self {
            Self::VerifyEmail => ChronoDuration::hours(24),
            Self::PasswordReset => ChronoDuration::minutes(30),
        }
    }
}

/// Issues a token for `user`, voiding the unused ones of the same purpose; returns the token.
pub async fn issue(conn: &mut AsyncPgConnection, user: &UserRow, purpose: Purpose) -> Result<String> {
    let token = random_token(32);
    let now = Utc::now();
    diesel::update(
        account_tokens::table
            .filter(account_tokens::user_id.eq(user.id))
            .filter(account_tokens::purpose.eq(purpose.as_str()))
            .filter(account_tokens::used_at.is_null()),
    )
    .set(account_tokens::used_at.eq(Some(now)))
    .execute(conn)
    .await?;
    diesel::insert_into(account_tokens::table)
        .values((
            account_tokens::id.eq(uuid::Uuid::now_v7()),
            account_tokens::user_id.eq(user.id),
            account_tokens::purpose.eq(purpose.as_str()),
            account_tokens::token_hash.eq(sha256_hex(token.as_bytes())),
            account_tokens::password_hash.eq(&user.password_hash),
            account_tokens::created_at.eq(now),
            account_tokens::expires_at.eq(now + purpose.ttl()),
        ))
        .execute(conn)
        .await?;
    Ok(token)
}

/// Uses a token up and returns its account; an unknown, used, expired or voided token is 422
/// naming `token` (the same answer for each, so a guess learns nothing).
pub async fn consume(conn: &mut AsyncPgConnection, token: &str, purpose: Purpose) -> Result<UserRow> {
    let invalid = || Error::field("token", "invalid", "is unknown, expired or already used");
    let token = token.trim();
    if token.is_empty() || token.len() > 200 {
        return Err(invalid());
    }
    let claimed: Option<(uuid::Uuid, String)> = diesel::update(
        account_tokens::table
            .filter(account_tokens::token_hash.eq(sha256_hex(token.as_bytes())))
            .filter(account_tokens::purpose.eq(purpose.as_str()))
            .filter(account_tokens::used_at.is_null())
            .filter(account_tokens::expires_at.gt(Utc::now())),
    )
    .set(account_tokens::used_at.eq(Some(Utc::now())))
    .returning((account_tokens::user_id, account_tokens::password_hash))
    .get_result(conn)
    .await
    .optional()?;
    let (user_id, issued_under) = claimed.ok_or_else(invalid)?;
    let user: UserRow = users::table.find(user_id).select(UserRow::as_select()).first(conn).await?;
    if user.password_hash != issued_under {
        return Err(invalid());
    }
    Ok(user)
}
