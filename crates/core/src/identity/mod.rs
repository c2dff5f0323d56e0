//! Users, passwords, sessions and TOTP two-factor authentication.

pub mod model;
pub mod password;
pub mod service;
pub mod throttle;
pub mod totp;

pub use model::{LoginRequest, LoginResponse, Principal, RecoveryCodes, SignupRequest, TotpCode, TotpEnrolment, User};
pub use service::{IdentityService, PgIdentityService};
