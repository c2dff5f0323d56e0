//! Users and sessions: rows and API types.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::id::UserId;
use crate::schema::users;

/// A user row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: uuid::Uuid,
    pub email: String,
    pub name: String,
    pub password_hash: String,
    pub totp_secret: Option<String>,
    pub totp_pending_secret: Option<String>,
    pub totp_last_step: Option<i64>,
    pub failed_logins: i32,
    pub locked_until: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A user as the API shows it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct User {
    /// The user's id.
    pub id: UserId,
    /// Email address, as given at signup.
    #[schema(example = "ana@example.com")]
    pub email: String,
    /// Display name.
    #[schema(example = "Ana Souza")]
    pub name: String,
    /// Whether TOTP two-factor authentication is on.
    pub totp_enabled: bool,
    /// When the account was created.
    pub created_at: DateTime<Utc>,
}

impl From<&UserRow> for User {
    fn from(row: &UserRow) -> Self {
        Self {
            id: UserId(row.id),
            email: row.email.clone(),
            name: row.name.clone(),
            totp_enabled: row.totp_secret.is_some(),
            created_at: row.created_at,
        }
    }
}

/// `POST /v1/auth/signup`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct SignupRequest {
    /// Email address; unique across balcao.
    #[schema(example = "ana@example.com")]
    pub email: String,
    /// 10 to 128 characters.
    #[schema(example = "a long passphrase")]
    pub password: String,
    /// Display name, 1 to 100 characters.
    #[schema(example = "Ana Souza")]
    pub name: String,
}

/// `POST /v1/auth/login`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct LoginRequest {
    /// Email address.
    pub email: String,
    /// Password.
    pub password: String,
    /// A current TOTP code or an unused recovery code, when two-factor authentication is on.
    pub totp_code: Option<String>,
    /// Instead of `totp_code`: the answer to a challenge from `POST /v1/auth/passkeys/login/start`
    /// (with this email) made by one of the account's passkeys.
    #[serde(default)]
    pub passkey: Option<super::passkeys::PasskeyProof>,
}

/// A new session.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LoginResponse {
    /// Bearer token; shown only now.
    pub token: String,
    /// When the token stops working.
    pub expires_at: DateTime<Utc>,
    /// The user logged in.
    pub user: User,
}

/// TOTP enrolment to show the user.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TotpEnrolment {
    /// The secret in base32, for typing into an authenticator app.
    pub secret: String,
    /// The `otpauth://` URI, for a QR code.
    pub otpauth_uri: String,
}

/// A TOTP code (or, where allowed, a recovery code).
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct TotpCode {
    /// Six digits from the authenticator app.
    #[schema(example = "123456")]
    pub code: String,
}

/// One-time recovery codes, shown once.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RecoveryCodes {
    /// Each works once in place of a TOTP code.
    pub recovery_codes: Vec<String>,
}

/// Who is calling.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Principal {
    /// A user with a login session.
    User {
        /// The user.
        user_id: UserId,
        /// The session the token belongs to.
        session_id: uuid::Uuid,
    },
    /// A store API key.
    ApiKey {
        /// The key.
        key_id: uuid::Uuid,
        /// The one store the key works in.
        store_id: crate::id::StoreId,
        /// The permissions the key carries.
        scopes: Vec<String>,
        /// The member who created it: the key never does more than they may do now.
        #[serde(default)]
        created_by: Option<UserId>,
    },
}
