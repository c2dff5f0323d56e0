//! Signup, login with throttling and TOTP, sessions, and two-factor enrolment.
//!
//! [`IdentityService`] is the seam the HTTP layer calls; [`PgIdentityService`] answers it with
//! one file per topic: `signup` (accounts and address verification), `login` (credentials,
//! throttling, logout), `passwords` (reset and change), `two_factor` (TOTP enrolment and codes),
//! over the account helpers of `account`.

mod account;
mod login;
mod passwords;
mod signup;
mod two_factor;

use async_trait::async_trait;

use crate::context::Core;
use crate::error::Result;
use crate::id::{SessionId, UserId};
use crate::identity::model::{
    LoginRequest, LoginResponse, PasswordChange, PasswordResetConfirm, RecoveryCodes, SessionList, SignupRequest,
    TotpEnrolment, User,
};
use crate::identity::sessions::{self, ClientInfo};

pub use self::signup::mark_verified;
pub use crate::identity::validate::{email_is_valid, normalize_email};

/// Accounts, sessions and two-factor authentication.
#[async_trait]
pub trait IdentityService: Send + Sync {
    /// Creates an account and emails a verification link. An address that already has an
    /// account gets the same answer (a user that was not created) and its owner an email.
    async fn signup(&self, req: SignupRequest) -> Result<User>;
    /// Checks credentials (and TOTP when on) and opens a session; `client` is where the login
    /// comes from (throttling by address and network, and the session's device details).
    async fn login(&self, req: LoginRequest, client: &ClientInfo) -> Result<LoginResponse>;
    /// Revokes the session a token belongs to.
    async fn logout(&self, token: &str) -> Result<()>;
    /// One user.
    async fn user(&self, id: UserId) -> Result<User>;
    /// Confirms an email address with the token of its link; pending invitations to the
    /// address become memberships.
    async fn verify_email(&self, token: &str) -> Result<User>;
    /// Emails a new verification link to an unverified account (nothing for any other address).
    async fn resend_verification(&self, email: &str) -> Result<()>;
    /// Emails a password reset link to an account (nothing for an unknown address).
    async fn request_password_reset(&self, email: &str) -> Result<()>;
    /// Sets a password with the token of a reset link; every session of the account ends.
    async fn confirm_password_reset(&self, req: PasswordResetConfirm) -> Result<()>;
    /// Changes the password after checking the current one; the user's other sessions end.
    async fn change_password(&self, id: UserId, session: uuid::Uuid, req: PasswordChange) -> Result<()>;
    /// The user's live sessions, `current` marked.
    async fn sessions(&self, id: UserId, current: uuid::Uuid) -> Result<SessionList>;
    /// Ends one of the user's sessions.
    async fn end_session(&self, id: UserId, session: SessionId) -> Result<()>;
    /// Ends every session of the user but `keep` (all of them when `None`); returns how many.
    async fn end_sessions(&self, id: UserId, keep: Option<uuid::Uuid>) -> Result<usize>;
    /// Starts TOTP enrolment with a new secret (replacing an unconfirmed one).
    async fn start_totp(&self, id: UserId) -> Result<TotpEnrolment>;
    /// Confirms enrolment with a first code; returns recovery codes. The user's sessions other
    /// than `session` end: they were opened without the second factor.
    async fn confirm_totp(&self, id: UserId, session: uuid::Uuid, code: &str) -> Result<RecoveryCodes>;
    /// Turns TOTP off after checking a current code or a recovery code.
    async fn disable_totp(&self, id: UserId, code: &str) -> Result<()>;
}

/// [`IdentityService`] on PostgreSQL.
pub struct PgIdentityService {
    core: Core,
}

impl PgIdentityService {
    /// A service on the shared handles.
    pub fn new(core: Core) -> Self {
        Self { core }
    }
}

#[async_trait]
impl IdentityService for PgIdentityService {
    async fn signup(&self, req: SignupRequest) -> Result<User> {
        signup::signup(&self.core, req).await
    }

    async fn login(&self, req: LoginRequest, client: &ClientInfo) -> Result<LoginResponse> {
        login::login(&self.core, req, client).await
    }

    async fn logout(&self, token: &str) -> Result<()> {
        login::logout(&self.core, token).await
    }

    async fn user(&self, id: UserId) -> Result<User> {
        let mut conn = self.core.pool.get().await?;
        Ok(User::from(&account::load(&mut conn, id).await?))
    }

    async fn verify_email(&self, token: &str) -> Result<User> {
        signup::verify_email(&self.core, token).await
    }

    async fn resend_verification(&self, email: &str) -> Result<()> {
        signup::resend_verification(&self.core, email).await
    }

    async fn request_password_reset(&self, email: &str) -> Result<()> {
        passwords::request_reset(&self.core, email).await
    }

    async fn confirm_password_reset(&self, req: PasswordResetConfirm) -> Result<()> {
        passwords::confirm_reset(&self.core, req).await
    }

    async fn change_password(&self, id: UserId, session: uuid::Uuid, req: PasswordChange) -> Result<()> {
        passwords::change(&self.core, id, session, req).await
    }

    async fn sessions(&self, id: UserId, current: uuid::Uuid) -> Result<SessionList> {
        let mut conn = self.core.pool.get().await?;
        Ok(SessionList { data: sessions::list(&mut conn, id, Some(current)).await? })
    }

    async fn end_session(&self, id: UserId, session: SessionId) -> Result<()> {
        let mut conn = self.core.pool.get().await?;
        sessions::end(&self.core, &mut conn, id, session).await
    }

    async fn end_sessions(&self, id: UserId, keep: Option<uuid::Uuid>) -> Result<usize> {
        let mut conn = self.core.pool.get().await?;
        sessions::end_all(&self.core, &mut conn, id, keep).await
    }

    async fn start_totp(&self, id: UserId) -> Result<TotpEnrolment> {
        two_factor::start(&self.core, id).await
    }

    async fn confirm_totp(&self, id: UserId, session: uuid::Uuid, code: &str) -> Result<RecoveryCodes> {
        two_factor::confirm(&self.core, id, session, code).await
    }

    async fn disable_totp(&self, id: UserId, code: &str) -> Result<()> {
        two_factor::disable(&self.core, id, code).await
    }
}
