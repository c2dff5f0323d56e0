//! Users, passwords, sessions, TOTP two-factor authentication and passkeys.

pub mod model;
pub mod passkeys;
pub mod password;
pub mod service;
pub mod throttle;
pub mod totp;

pub use model::{LoginRequest, LoginResponse, Principal, RecoveryCodes, SignupRequest, TotpCode, TotpEnrolment, User};
pub use passkeys::{PasskeyService, PgPasskeyService};
pub use service::{IdentityService, PgIdentityService};
