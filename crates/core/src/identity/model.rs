//! Users and sessions: rows and API types.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use webauthn_rs::prelude::PublicKeyCredential;

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
    pub email_verified_at: Option<DateTime<Utc>>,
    pub locale: String,
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
    /// Whether the email address was confirmed through the link sent to it. Until then the
    /// user cannot create a store or take an owner role.
    pub email_verified: bool,
    /// The language of the emails balcao sends the user: `pt-BR` (default) or `en`.
    #[schema(example = "pt-BR")]
    pub locale: String,
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
            email_verified: row.email_verified_at.is_some(),
            locale: row.locale.clone(),
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
    /// The language of the emails balcao sends: `pt-BR` (default) or `en`.
    #[serde(default)]
    #[schema(example = "pt-BR")]
    pub locale: Option<String>,
}

/// An email address, for the verification and password reset requests.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct EmailRequest {
    /// The account's email address.
    #[schema(example = "ana@example.com")]
    pub email: String,
}

/// A single-use token from an emailed link.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct TokenRequest {
    /// The `token` parameter of the link.
    pub token: String,
}

/// `POST /v1/auth/password-reset/confirm`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct PasswordResetConfirm {
    /// The `token` parameter of the emailed link.
    pub token: String,
    /// The new password, 10 to 128 characters.
    pub password: String,
}

/// `PUT /v1/me/password`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct PasswordChange {
    /// The password in use now.
    pub current_password: String,
    /// The new password, 10 to 128 characters.
    pub password: String,
}

/// An accepted request whose outcome arrives by email.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Accepted {
    /// Always `accepted`: the answer is the same whether or not the address has an account.
    #[schema(example = "accepted")]
    pub status: String,
}

impl Accepted {
    /// The one answer.
    pub fn new() -> Self {
        Self { status: "accepted".to_owned() }
    }
}

impl Default for Accepted {
    fn default() -> Self {
        Self::new()
    }
}

/// A login session, as its user sees it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Session {
    /// The session's id.
    pub id: crate::id::SessionId,
    /// Whether this is the session making the request.
    pub current: bool,
    /// When the login happened.
    pub created_at: DateTime<Utc>,
    /// When the session ends by itself.
    pub expires_at: DateTime<Utc>,
    /// When the session was last used (to the minute).
    pub last_used_at: Option<DateTime<Utc>>,
    /// The address the login came from.
    #[schema(example = "203.0.113.7")]
    pub ip: Option<String>,
    /// The `User-Agent` of the login.
    #[schema(example = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X)")]
    pub user_agent: Option<String>,
}

/// A user's live sessions.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SessionList {
    /// Newest first.
    pub data: Vec<Session>,
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
    pub passkey: Option<PasskeyProof>,
}

/// An answer to a login challenge: `POST /v1/auth/passkeys/login/finish`, or `passkey` in
/// `POST /v1/auth/login` in place of a TOTP code.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct PasskeyProof {
    /// The `challenge_id` from `POST /v1/auth/passkeys/login/start`.
    pub challenge_id: uuid::Uuid,
    /// The `PublicKeyCredential` from `navigator.credentials.get()`, as JSON (binary fields
    /// base64url, as in webauthn-rs's `PublicKeyCredential`).
    #[schema(value_type = Object)]
    pub credential: PublicKeyCredential,
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
