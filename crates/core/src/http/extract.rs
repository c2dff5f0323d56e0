//! Request extractors: the caller ([`Authenticated`]), the caller inside a store ([`StoreAccess`])
//! and a platform operator ([`Operator`]).
//!
//! `StoreAccess` is the only place that checks membership or API key scope:
//! another store's resources answer 404, a missing permission answers 403.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpMessage, HttpRequest, web};
use futures_util::future::LocalBoxFuture;

use crate::auth::{self, Access};
use crate::context::Core;
use crate::error::{Error, Result};
use crate::id::{StoreId, UserId};
use crate::identity::Principal;
use crate::tenancy::permissions::Permission;

/// The bearer token of a request, if any.
pub fn bearer_token(req: &HttpRequest) -> Option<String> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    (scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty()).then(|| token.trim().to_owned())
}

fn core(req: &HttpRequest) -> Result<Core> {
    req.app_data::<web::Data<Core>>()
        .map(|data| data.get_ref().clone())
        .ok_or_else(|| Error::internal("Core is not registered as app data"))
}

/// The caller a middleware already authenticated for this request (the rate limiter does),
/// reused by the extractors rather than resolved twice.
#[derive(Debug, Clone)]
pub struct Resolved(pub Principal);

async fn principal(req: &HttpRequest) -> Result<(Core, Principal, String)> {
    let core = core(req)?;
    let resolved = req.extensions().get::<Resolved>().map(|r| r.0.clone());
    let token = bearer_token(req).ok_or_else(|| {
        Error::unauthenticated(
            crate::problems::MISSING_TOKEN,
            "Send `Authorization: Bearer <token>` with a session token or API key.",
        )
    })?;
    let principal = match resolved {
        Some(principal) => principal,
        None => auth::authenticate(&core, &token).await?,
    };
    Ok((core, principal, token))
}

/// A user signed in with a session token (API keys are refused).
#[derive(Debug, Clone)]
pub struct Authenticated {
    /// The user.
    pub user_id: UserId,
    /// The session the token belongs to.
    pub session_id: uuid::Uuid,
    /// The bearer token, for logout.
    pub token: String,
}

impl FromRequest for Authenticated {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        req.extensions_mut().insert(NeedsCredentials);
        let req = req.clone();
        Box::pin(async move {
            match principal(&req).await? {
                (_, Principal::User { user_id, session_id }, token) => Ok(Self { user_id, session_id, token }),
                (_, Principal::ApiKey { .. }, _) => Err(Error::Forbidden { permission: "user session".into() }.into()),
            }
        })
    }
}

/// The caller's access to the store named by the `{store_id}` path segment.
#[derive(Debug, Clone)]
pub struct StoreAccess {
    /// The store.
    pub store_id: StoreId,
    /// Who is calling.
    pub principal: Principal,
    /// Role and permissions in this store.
    pub access: Access,
}

impl StoreAccess {
    /// Fails with 403 unless the caller holds `permission` here.
    pub fn require(&self, permission: Permission) -> Result<()> {
        if self.access.permissions.contains(&permission) {
            Ok(())
        } else {
            Err(Error::Forbidden { permission: permission.as_str().to_owned() })
        }
    }

    /// The user calling, when it is a user rather than an API key.
    pub fn user_id(&self) -> Option<UserId> {
        match self.principal {
            Principal::User { user_id, .. } => Some(user_id),
            Principal::ApiKey { .. } => None,
        }
    }

    /// The member whose permissions bound this call: the user, or the creator of the API key.
    pub fn on_behalf_of(&self) -> Option<UserId> {
        match self.principal {
            Principal::User { user_id, .. } => Some(user_id),
            Principal::ApiKey { created_by, .. } => created_by,
        }
    }
}

impl StoreAccess {
    /// Resolves the caller's access once per request (later calls reuse it).
    pub async fn resolve(req: &HttpRequest) -> Result<Self> {
        if let Some(resolved) = req.extensions().get::<StoreAccess>() {
            return Ok(resolved.clone());
        }
        let (core, principal, _) = principal(req).await?;
        let store_id: StoreId = req
            .match_info()
            .get("store_id")
            .and_then(|raw| raw.parse().ok())
            .ok_or_else(|| Error::not_found("store"))?;
        let access = auth::store_access(&core, &principal, store_id).await?;
        let resolved = Self { store_id, principal, access };
        req.extensions_mut().insert(resolved.clone());
        Ok(resolved)
    }
}

/// A platform operator: a user session (not an API key) whose user was granted operator from the
/// command line and has TOTP on. Anyone else, anonymous callers included, gets exactly the 404 an
/// unknown route gets, so the admin routes stay invisible.
#[derive(Debug, Clone)]
pub struct Operator {
    /// The operator.
    pub user_id: UserId,
}

/// Marks a request whose handler takes an [`Operator`]: its other errors wait for that check.
#[derive(Debug, Clone, Copy)]
struct NeedsOperator;

impl Operator {
    /// Resolves the operator once per request, or fails with the unknown route's 404.
    pub async fn resolve(req: &HttpRequest) -> Result<Self> {
        if let Some(resolved) = req.extensions().get::<Operator>() {
            return Ok(resolved.clone());
        }
        let hidden = || Error::Denied {
            code: crate::problems::ROUTE_NOT_FOUND,
            detail: format!("No route matches {}.", req.path()),
        };
        let core = core(req)?;
        let Some(token) = bearer_token(req) else { return Err(hidden()) };
        let user_id = match auth::authenticate(&core, &token).await {
            Ok(Principal::User { user_id, .. }) => user_id,
            Ok(Principal::ApiKey { .. }) | Err(Error::Unauthenticated { .. }) => return Err(hidden()),
            Err(other) => return Err(other),
        };
        if !crate::admin::is_operator(&core, user_id).await? {
            return Err(hidden());
        }
        let resolved = Self { user_id };
        req.extensions_mut().insert(resolved.clone());
        Ok(resolved)
    }
}

impl FromRequest for Operator {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        req.extensions_mut().insert(NeedsOperator);
        let req = req.clone();
        Box::pin(async move { Ok(Self::resolve(&req).await?) })
    }
}

/// Marks a request whose handler takes credentials ([`Authenticated`] or [`StoreAccess`]): set
/// when the extractors are built, before any of them runs.
#[derive(Debug, Clone, Copy)]
struct NeedsCredentials;

/// Which error a request reports when its body is bad too: on a route that takes credentials,
/// credentials and tenancy come first, so another store's route answers 404 (and a missing token
/// 401) whatever the body holds, and an admin route answers its 404 to anyone but an operator. A public route ignores any `Authorization` header it is sent.
pub async fn precedence(req: &HttpRequest) -> Result<()> {
    if req.extensions().get::<NeedsOperator>().is_some() {
        Operator::resolve(req).await.map(|_| ())
    } else if req.extensions().get::<NeedsCredentials>().is_none() {
        Ok(())
    } else if req.match_info().get("store_id").is_some() {
        StoreAccess::resolve(req).await.map(|_| ())
    } else if bearer_token(req).is_some() {
        principal(req).await.map(|_| ())
    } else {
        Ok(())
    }
}

impl FromRequest for StoreAccess {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        req.extensions_mut().insert(NeedsCredentials);
        let req = req.clone();
        Box::pin(async move { Ok(Self::resolve(&req).await?) })
    }
}
