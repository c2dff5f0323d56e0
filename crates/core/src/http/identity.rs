//! Handlers for signup, login, logout, email verification, password reset and change, sessions,
//! `/me` and TOTP.

use actix_web::{HttpResponse, delete, get, post, put, web};

use super::extract::Authenticated;
use super::json::Json;
use crate::error::Result;
use crate::id::SessionId;
use crate::identity::{
    Accepted, ClientInfo, EmailRequest, IdentityService, LoginRequest, LoginResponse, PasswordChange,
    PasswordResetConfirm, RecoveryCodes, SessionList, SignupRequest, TokenRequest, TotpCode, TotpEnrolment, User,
};
use crate::tenancy::{AcceptInvitation, JoinedStore, MemberService};

type Identity = web::Data<dyn IdentityService>;

/// Create an account; a verification link is emailed to the address.
///
/// The answer is the same whether or not the address already has an account (the account is
/// then left as it is and its owner gets an email instead), so signup does not reveal who
/// has an account. Until the address is verified the user can sign in but cannot create a
/// store or take an owner role.
#[utoipa::path(tag = "identity", request_body = SignupRequest, responses(
    (status = 201, description = "The new user (unverified)", body = User),
    (status = 429, description = "`too_many_account_requests`: this address made BALCAO_ACCOUNT_REQUESTS_PER_HOUR \
     signup, reset and verification requests this hour. See Retry-After", body = crate::error::Problem,
     content_type = "application/problem+json"),
))]
#[post("/auth/signup")]
pub async fn signup(
    req: actix_web::HttpRequest,
    identity: Identity,
    core: web::Data<crate::context::Core>,
    body: Json<SignupRequest>,
) -> Result<HttpResponse> {
    account_request(&req, &core).await?;
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
    Ok(web::Json(identity.login(body.into_inner(), &client_info(&req, &core)).await?))
}

/// Counts an unauthenticated account request from the caller's address against its hourly limit.
async fn account_request(req: &actix_web::HttpRequest, core: &crate::context::Core) -> Result<()> {
    let ip = super::client_ip::client_ip(req, core.config.behind_proxy);
    crate::limits::hit(core, crate::limits::account_requests(core), ip).await
}

/// Where a request comes from: its address (see [`super::client_ip`]) and `User-Agent`.
pub(crate) fn client_info(req: &actix_web::HttpRequest, core: &crate::context::Core) -> ClientInfo {
    let ip = super::client_ip::client_ip(req, core.config.behind_proxy);
    let agent = req.headers().get(actix_web::http::header::USER_AGENT).and_then(|v| v.to_str().ok());
    ClientInfo::new(ip, agent)
}

/// Confirm an email address with the token of the link sent to it.
///
/// Pending invitations to the address become memberships.
#[utoipa::path(tag = "identity", request_body = TokenRequest, responses(
    (status = 200, description = "The user, now verified", body = User),
    (status = 422, description = "`token` is unknown, expired or used", body = crate::error::Problem,
     content_type = "application/problem+json"),
))]
#[post("/auth/verify-email")]
pub async fn verify_email(identity: Identity, body: Json<TokenRequest>) -> Result<web::Json<User>> {
    Ok(web::Json(identity.verify_email(&body.token).await?))
}

/// Email a new verification link; the answer is the same for every address.
#[utoipa::path(tag = "identity", request_body = EmailRequest, responses(
    (status = 202, description = "A link is on its way if the address has an unverified account", body = Accepted),
    (status = 429, description = "`too_many_account_requests`: this address made BALCAO_ACCOUNT_REQUESTS_PER_HOUR \
     signup, reset and verification requests this hour. See Retry-After", body = crate::error::Problem,
     content_type = "application/problem+json"),
))]
#[post("/auth/verify-email/resend")]
pub async fn resend_verification(
    req: actix_web::HttpRequest,
    identity: Identity,
    core: web::Data<crate::context::Core>,
    body: Json<EmailRequest>,
) -> Result<HttpResponse> {
    account_request(&req, &core).await?;
    identity.resend_verification(&body.email).await?;
    Ok(HttpResponse::Accepted().json(Accepted::new()))
}

/// Email a password reset link (valid 30 minutes, single use); the answer is the same for every address.
#[utoipa::path(tag = "identity", request_body = EmailRequest, responses(
    (status = 202, description = "A link is on its way if the address has an account", body = Accepted),
    (status = 429, description = "`too_many_account_requests`: this address made BALCAO_ACCOUNT_REQUESTS_PER_HOUR \
     signup, reset and verification requests this hour. See Retry-After", body = crate::error::Problem,
     content_type = "application/problem+json"),
))]
#[post("/auth/password-reset")]
pub async fn request_password_reset(
    req: actix_web::HttpRequest,
    identity: Identity,
    core: web::Data<crate::context::Core>,
    body: Json<EmailRequest>,
) -> Result<HttpResponse> {
    account_request(&req, &core).await?;
    identity.request_password_reset(&body.email).await?;
    Ok(HttpResponse::Accepted().json(Accepted::new()))
}

/// Set a new password with the token of a reset link; every session of the account ends.
#[utoipa::path(tag = "identity", request_body = PasswordResetConfirm, responses(
    (status = 204, description = "The password is set; sign in again"),
    (status = 422, description = "`token` is unknown, expired or used, or `password` breaks a rule",
     body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/auth/password-reset/confirm")]
pub async fn confirm_password_reset(identity: Identity, body: Json<PasswordResetConfirm>) -> Result<HttpResponse> {
    identity.confirm_password_reset(body.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Change the password (the current one is asked for); the user's other sessions end.
#[utoipa::path(tag = "identity", security(("bearer" = [])), request_body = PasswordChange, responses(
    (status = 204, description = "Changed"),
    (status = 422, description = "`current_password` is wrong, or `password` breaks a rule", body = crate::error::Problem,
     content_type = "application/problem+json"),
))]
#[put("/me/password")]
pub async fn change_password(
    identity: Identity,
    caller: Authenticated,
    body: Json<PasswordChange>,
) -> Result<HttpResponse> {
    identity.change_password(caller.user_id, caller.session_id, body.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The signed-in user's live sessions, newest first (`current` marks this one).
#[utoipa::path(tag = "identity", security(("bearer" = [])), responses(
    (status = 200, description = "Sessions", body = SessionList),
))]
#[get("/me/sessions")]
pub async fn list_sessions(identity: Identity, caller: Authenticated) -> Result<web::Json<SessionList>> {
    Ok(web::Json(identity.sessions(caller.user_id, caller.session_id).await?))
}

/// End one of the signed-in user's sessions (this one included).
#[utoipa::path(tag = "identity", security(("bearer" = [])),
    params(("session_id" = uuid::Uuid, Path, description = "The session")), responses(
    (status = 204, description = "Ended"),
    (status = 404, description = "No such live session of this user", body = crate::error::Problem,
     content_type = "application/problem+json"),
))]
#[delete("/me/sessions/{session_id}")]
pub async fn end_session(
    identity: Identity,
    caller: Authenticated,
    path: web::Path<SessionId>,
) -> Result<HttpResponse> {
    identity.end_session(caller.user_id, path.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `DELETE /v1/me/sessions` query.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EndSessionsQuery {
    /// End this session too (log out everywhere); default false: every other session.
    #[serde(default)]
    pub include_current: bool,
}

/// End every other session of the signed-in user (with `include_current=true`, this one too).
#[utoipa::path(tag = "identity", security(("bearer" = [])), params(EndSessionsQuery), responses(
    (status = 204, description = "Ended"),
))]
#[delete("/me/sessions")]
pub async fn end_sessions(
    identity: Identity,
    caller: Authenticated,
    query: super::query::Query<EndSessionsQuery>,
) -> Result<HttpResponse> {
    let keep = (!query.include_current).then_some(caller.session_id);
    identity.end_sessions(caller.user_id, keep).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Accept a store invitation with the token of its emailed link, as the signed-in user.
///
/// When the invited address is the user's own, it counts as verified. An owner role needs a
/// verified account.
#[utoipa::path(tag = "members", security(("bearer" = [])), request_body = AcceptInvitation, responses(
    (status = 200, description = "The store joined", body = JoinedStore),
    (status = 403, description = "`email_unverified`: an owner role needs a verified account; `plan_limit_reached`: the \
     store's plan has no staff seat left", body = crate::error::Problem,
     content_type = "application/problem+json"),
    (status = 422, description = "`token` is unknown, expired, revoked or used", body = crate::error::Problem,
     content_type = "application/problem+json"),
))]
#[post("/me/invitations/accept")]
pub async fn accept_invitation(
    members: web::Data<dyn MemberService>,
    caller: Authenticated,
    body: Json<AcceptInvitation>,
) -> Result<web::Json<JoinedStore>> {
    Ok(web::Json(members.accept_invitation(caller.user_id, &body.token).await?))
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

/// Confirm TOTP enrolment with a current code; returns one-time recovery codes. Every other
/// session of the user ends (they were opened without the second factor).
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
    Ok(web::Json(identity.confirm_totp(caller.user_id, caller.session_id, &body.code).await?))
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
