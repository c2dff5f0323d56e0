//! Handlers for signup, login, logout, `/me` and TOTP.

use actix_web::{HttpResponse, delete, get, post, web};

use super::extract::Authenticated;
use super::json::Json;
use crate::error::Result;
use crate::identity::{
    IdentityService, LoginRequest, LoginResponse, RecoveryCodes, SignupRequest, TotpCode, TotpEnrolment, User,
};

type Identity = web::Data<dyn IdentityService>;

/// Create an account.
#[utoipa::path(tag = "identity", request_body = SignupRequest, responses(
    (status = 201, description = "The new user", body = User),
    (status = 409, description = "The email is taken", body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/auth/signup")]
pub async fn signup(identity: Identity, body: Json<SignupRequest>) -> Result<HttpResponse> {
    let user = identity.signup(body.into_inner()).await?;
    Ok(HttpResponse::Created().json(user))
}

/// Log in with email and password (and `totp_code` when two-factor authentication is on).
#[utoipa::path(tag = "identity", request_body = LoginRequest, responses(
    (status = 200, description = "A session token", body = LoginResponse),
    (status = 401, description = "`invalid_credentials`, or a missing or wrong `totp_code`", body = crate::error::Problem,
     content_type = "application/problem+json"),
    (status = 429, description = "`too_many_attempts`: the account waits after repeated failures (5 s, doubling); or \
     `too_many_failed_logins`: too many failures from the caller's address or network. See Retry-After",
     body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/auth/login")]
pub async fn login(
    req: actix_web::HttpRequest,
    identity: Identity,
    core: web::Data<crate::context::Core>,
    body: Json<LoginRequest>,
) -> Result<web::Json<LoginResponse>> {
    let client = super::client_ip::client_ip(&req, core.config.behind_proxy);
    Ok(web::Json(identity.login(body.into_inner(), client).await?))
}

/// Revoke the session token used for this request.
#[utoipa::path(tag = "identity", security(("bearer" = [])), responses((status = 204, description = "Logged out")))]
#[post("/auth/logout")]
pub async fn logout(identity: Identity, caller: Authenticated) -> Result<HttpResponse> {
    identity.logout(&caller.token).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The signed-in user.
#[utoipa::path(tag = "identity", security(("bearer" = [])), responses((status = 200, description = "The user", body = User)))]
#[get("/me")]
pub async fn me(identity: Identity, caller: Authenticated) -> Result<web::Json<User>> {
    Ok(web::Json(identity.user(caller.user_id).await?))
}

/// Start TOTP enrolment: returns a secret and an `otpauth://` URI to confirm with a code.
#[utoipa::path(tag = "identity", security(("bearer" = [])), responses(
    (status = 200, description = "The secret to add to an authenticator app", body = TotpEnrolment),
    (status = 409, description = "Already enabled", body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/me/totp")]
pub async fn start_totp(identity: Identity, caller: Authenticated) -> Result<web::Json<TotpEnrolment>> {
    Ok(web::Json(identity.start_totp(caller.user_id).await?))
}

/// Confirm TOTP enrolment with a current code; returns one-time recovery codes.
#[utoipa::path(tag = "identity", security(("bearer" = [])), request_body = TotpCode, responses(
    (status = 200, description = "Two-factor authentication is on", body = RecoveryCodes),
    (status = 409, description = "Enrolment not started", body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/me/totp/confirm")]
pub async fn confirm_totp(
    identity: Identity,
    caller: Authenticated,
    body: Json<TotpCode>,
) -> Result<web::Json<RecoveryCodes>> {
    Ok(web::Json(identity.confirm_totp(caller.user_id, &body.code).await?))
}

/// Turn TOTP off; the body carries a current code or an unused recovery code.
#[utoipa::path(tag = "identity", security(("bearer" = [])), request_body = TotpCode, responses(
    (status = 204, description = "Two-factor authentication is off"),
    (status = 409, description = "Not enabled", body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[delete("/me/totp")]
pub async fn disable_totp(identity: Identity, caller: Authenticated, body: Json<TotpCode>) -> Result<HttpResponse> {
    identity.disable_totp(caller.user_id, &body.code).await?;
    Ok(HttpResponse::NoContent().finish())
}
