//! The rules for the email addresses and passwords people give, shared by signup, login,
//! password changes, passkey logins and invitations (other crates reach the email rules
//! through [`crate::identity::service`]).

use crate::error::{Error, Result, Validator};

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
pub(super) fn check_password(v: &mut Validator, field: &str, password: &str, email: &str) {
    let len = password.chars().count();
    v.check(len >= 10, field, "too_short", "must be at least 10 characters");
    v.check(len <= 128, field, "too_long", "must be at most 128 characters");
    v.check(normalize_email(password) != email, field, "same_as_email", "must not be the email address");
}

/// The normalised address, or 422 naming `email` when it is not one.
pub(super) fn validate_email(email: &str) -> Result<String> {
    let email = normalize_email(email);
    if email_is_valid(&email) {
        Ok(email)
    } else {
        Err(Error::field("email", "invalid_format", "must be an email address"))
    }
}
