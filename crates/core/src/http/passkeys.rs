//! Handlers for passkeys: registration and management under `/me/passkeys`, login under
//! `/auth/passkeys`.

use actix_web::{HttpResponse, delete, get, post, web};

use super::extract::Authenticated;
use super::json::Json;
use crate::error::Result;
use crate::identity::LoginResponse;
use crate::identity::passkeys::{
    Passkey, PasskeyChallenge, PasskeyList, PasskeyLoginStart, PasskeyProof, PasskeyRegistrationFinish, PasskeyService,
};

type Passkeys = web::Data<dyn PasskeyService>;

/// Start registering a passkey: pass `options` to `navigator.credentials.create()`.
#[utoipa::path(tag = "identity", security(("bearer" = [])), responses(
    (status = 200, description = "The challenge, valid once for 5 minutes", body = PasskeyChallenge),
    (status = 422, description = "`passkeys_not_configured`, or `too_many_passkeys` (20 per account)",
     body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/me/passkeys/register/start")]
pub async fn start_passkey_registration(
    passkeys: Passkeys,
    caller: Authenticated,
) -> Result<web::Json<PasskeyChallenge>> {
    Ok(web::Json(passkeys.start_registration(caller.user_id).await?))
}

/// Finish registering a passkey with the browser's answer.
#[utoipa::path(tag = "identity", security(("bearer" = [])), request_body = PasskeyRegistrationFinish, responses(
    (status = 201, description = "The passkey", body = Passkey),
    (status = 409, description = "`passkey_exists`: this credential is already registered", body = crate::error::Problem,
     content_type = "application/problem+json"),
))]
#[post("/me/passkeys/register/finish")]
pub async fn finish_passkey_registration(
    passkeys: Passkeys,
    caller: Authenticated,
    body: Json<PasskeyRegistrationFinish>,
) -> Result<HttpResponse> {
    let passkey = passkeys.finish_registration(caller.user_id, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(passkey))
}

/// The signed-in user's passkeys (names and dates only).
#[utoipa::path(tag = "identity", security(("bearer" = [])), responses(
    (status = 200, description = "The passkeys, oldest first", body = PasskeyList),
))]
#[get("/me/passkeys")]
pub async fn list_passkeys(passkeys: Passkeys, caller: Authenticated) -> Result<web::Json<PasskeyList>> {
    Ok(web::Json(passkeys.list(caller.user_id).await?))
}

/// Remove one of the signed-in user's passkeys; it no longer logs in.
#[utoipa::path(tag = "identity", security(("bearer" = [])), params(("passkey_id" = uuid::Uuid, Path, description = "The passkey")),
    responses((status = 204, description = "Removed")))]
#[delete("/me/passkeys/{passkey_id}")]
pub async fn delete_passkey(
    passkeys: Passkeys,
    caller: Authenticated,
    id: web::Path<uuid::Uuid>,
) -> Result<HttpResponse> {
    passkeys.delete(caller.user_id, id.into_inner()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Start a passkey login: pass `options` to `navigator.credentials.get()`. With `email`, the
/// options list that account's passkeys (an unknown email gets options of the same shape);
/// without it, any passkey the browser holds for this site may answer (conditional UI).
#[utoipa::path(tag = "identity", request_body = PasskeyLoginStart, responses(
    (status = 200, description = "The challenge, valid once for 5 minutes", body = PasskeyChallenge),
    (status = 429, description = "`too_many_passkey_logins`: this address started BALCAO_PASSKEY_LOGINS_PER_HOUR \
     passkey logins this hour. See Retry-After", body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/auth/passkeys/login/start")]
pub async fn start_passkey_login(
    req: actix_web::HttpRequest,
    core: web::Data<crate::context::Core>,
    passkeys: Passkeys,
    body: Json<PasskeyLoginStart>,
) -> Result<web::Json<PasskeyChallenge>> {
    let ip = super::client_ip::client_ip(&req, core.config.behind_proxy);
    crate::limits::hit(&core, crate::limits::passkey_logins(&core), ip).await?;
    Ok(web::Json(passkeys.start_login(body.into_inner()).await?))
}

/// Finish a passkey login: opens a session as a password login does. A passkey verifies its
/// user, so no TOTP code is asked for.
#[utoipa::path(tag = "identity", request_body = PasskeyProof, responses(
    (status = 200, description = "A session token", body = LoginResponse),
    (status = 401, description = "`invalid_passkey`: unknown, expired or used challenge, or a credential that does not verify",
     body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/auth/passkeys/login/finish")]
pub async fn finish_passkey_login(
    req: actix_web::HttpRequest,
    passkeys: Passkeys,
    core: web::Data<crate::context::Core>,
    body: Json<PasskeyProof>,
) -> Result<web::Json<LoginResponse>> {
    Ok(web::Json(passkeys.finish_login(body.into_inner(), &super::identity::client_info(&req, &core)).await?))
}
