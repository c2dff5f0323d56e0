//! Signing up, and verifying the address an account was opened with.

use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};

use super::account::{find_by_email, may_email, send_verification};
use crate::auth;
use crate::context::Core;
use crate::error::{Error, Result, Validator};
use crate::id::UserId;
use crate::identity::emails::{self, AccountEmail, Locale};
use crate::identity::model::{SignupRequest, User, UserRow};
use crate::identity::password;
use crate::identity::tokens::{self, Purpose};
use crate::identity::validate::{check_password, email_is_valid, normalize_email, validate_email};
use crate::schema::users;
use crate::tenancy::invitations;

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

/// See [`super::IdentityService::signup`].
pub(super) async fn signup(core: &Core, req: SignupRequest) -> Result<User> {
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
    let mut conn = core.pool.get().await?;
    let existing = find_by_email(&mut conn, &email).await?;
    // Only an email to an existing account counts against the address's hourly allowance.
    let may_send = existing.is_none() || may_email(core, &email).await;
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
            send_verification(core, conn, &row).await?;
            return Ok(User::from(&row));
        }
        // The address has an account: its owner learns of the attempt, with a way back in
        // (a reset link, which also proves the address if it was never verified). The
        // account's password stays as it is.
        if may_send && let Some(owner) = find_by_email(conn, &email).await? {
            let token = tokens::issue(conn, &owner, Purpose::PasswordReset).await?;
            let message = AccountEmail::ExistingAccount {
                name: owner.name.clone(),
                reset_link: emails::link(core, "reset-password", &token),
            };
            emails::queue(core, conn, &owner.email, Locale::parse(&owner.locale), &message).await?;
        }
        Ok(unsaved)
    })
    .await
}

/// See [`super::IdentityService::verify_email`].
pub(super) async fn verify_email(core: &Core, token: &str) -> Result<User> {
    let mut conn = core.pool.get().await?;
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
        auth::forget_access(core, store, UserId(user.id)).await;
    }
    Ok(User::from(&user))
}

/// See [`super::IdentityService::resend_verification`].
pub(super) async fn resend_verification(core: &Core, email: &str) -> Result<()> {
    let email = validate_email(email)?;
    let mut conn = core.pool.get().await?;
    let Some(user) = find_by_email(&mut conn, &email).await? else { return Ok(()) };
    if user.email_verified_at.is_some() || !may_email(core, &email).await {
        return Ok(());
    }
    conn.transaction::<_, Error, _>(async |conn| send_verification(core, conn, &user).await).await
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
