//! Users, passwords, sessions, email verification, password reset, TOTP two-factor
//! authentication and passkeys.

pub mod activity;
pub mod emails;
pub mod model;
pub mod passkeys;
pub mod password;
pub mod service;
pub mod sessions;
pub mod throttle;
pub mod tokens;
pub mod totp;
pub mod validate;

pub use model::{
    Accepted, EmailRequest, LoginRequest, LoginResponse, PasswordChange, PasswordResetConfirm, Principal,
    RecoveryCodes, Session, SessionList, SignupRequest, TokenRequest, TotpCode, TotpEnrolment, User,
};
pub use passkeys::{PasskeyService, PgPasskeyService};
pub use service::{IdentityService, PgIdentityService};
pub use sessions::ClientInfo;
