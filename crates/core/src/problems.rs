//! The problem codes balcao-core answers: the HTTP layer's own (bodies, methods, idempotency),
//! identity's and tenancy's, each with its status and meaning. The codes of [`crate::Error`]'s
//! own variants (`validation_failed`, `not_found`, ...) are [`crate::error::BUILT_IN`], also
//! named here.

pub use crate::error::{FORBIDDEN, INTERNAL_ERROR, NOT_FOUND, SERVICE_UNAVAILABLE, VALIDATION_FAILED};

error_codes! {
    /// The request is malformed.
    BAD_REQUEST = ("bad_request", 400);
    /// The body is not valid JSON.
    MALFORMED_JSON = ("malformed_json", 400);
    /// The body is not sent as `application/json`.
    UNSUPPORTED_MEDIA_TYPE = ("unsupported_media_type", 415);
    /// The body is larger than this server accepts.
    PAYLOAD_TOO_LARGE = ("payload_too_large", 413);
    /// The method is not supported on this path; `Allow` lists the ones that are.
    METHOD_NOT_ALLOWED = ("method_not_allowed", 405);
    /// No route matches the path.
    ROUTE_NOT_FOUND = ("route_not_found", 404);
    /// Credentials are missing or invalid.
    UNAUTHENTICATED = ("unauthenticated", 401);
    /// No bearer token was sent.
    MISSING_TOKEN = ("missing_token", 401);
    /// The bearer token is unknown, expired or revoked.
    INVALID_TOKEN = ("invalid_token", 401);
    /// Too many requests; retry after `Retry-After` seconds.
    TOO_MANY_REQUESTS = ("too_many_requests", 429);
    /// A rate limit or a monthly quota of the store's plan is used up; the `policy` member and the
    /// `RateLimit-Policy` header name it, `Retry-After` says when a request would pass.
    QUOTA_EXCEEDED = ("quota_exceeded", 429);
    /// The store's plan allows no more of this resource (endpoints, seats, products); the detail
    /// names the limit.
    PLAN_LIMIT_REACHED = ("plan_limit_reached", 403);
    /// The request failed with a status that has no code of its own; `status` tells which.
    ERROR = ("error", 400);
    /// A mutating request without the `Idempotency-Key` the route requires.
    IDEMPOTENCY_KEY_REQUIRED = ("idempotency_key_required", 400);
    /// The `Idempotency-Key` was used before with a different request.
    IDEMPOTENCY_KEY_REUSED = ("idempotency_key_reused", 422);
    /// A request with this `Idempotency-Key` is still being processed; retry shortly.
    IDEMPOTENCY_KEY_IN_USE = ("idempotency_key_in_use", 409);
    /// The email and password do not match an account.
    INVALID_CREDENTIALS = ("invalid_credentials", 401);
    /// The passkey's answer does not verify, or the passkey is unknown.
    INVALID_PASSKEY = ("invalid_passkey", 401);
    /// The account has two-factor authentication: send a TOTP code, a recovery code or a passkey.
    TOTP_REQUIRED = ("totp_required", 401);
    /// The TOTP or recovery code is wrong or already used.
    INVALID_TOTP_CODE = ("invalid_totp_code", 401);
    /// Too many wrong attempts on this account for now; wait `Retry-After` seconds.
    TOO_MANY_ATTEMPTS = ("too_many_attempts", 429);
    /// Too many failed logins from this address or its network for now.
    TOO_MANY_FAILED_LOGINS = ("too_many_failed_logins", 429);
    /// Too many signups, password resets or verification requests from this address for now.
    TOO_MANY_ACCOUNT_REQUESTS = ("too_many_account_requests", 429);
    /// Too many passkey logins started from this address for now.
    TOO_MANY_PASSKEY_LOGINS = ("too_many_passkey_logins", 429);
    /// Two-factor authentication is already on for this account.
    TOTP_ALREADY_ENABLED = ("totp_already_enabled", 409);
    /// No TOTP enrolment was started in this session.
    TOTP_NOT_STARTED = ("totp_not_started", 409);
    /// Two-factor authentication is not on for this account.
    TOTP_NOT_ENABLED = ("totp_not_enabled", 409);
    /// Passkeys are not configured on this server (`BALCAO_WEBAUTHN_*`).
    PASSKEYS_NOT_CONFIGURED = ("passkeys_not_configured", 422);
    /// The account holds as many passkeys as it may.
    TOO_MANY_PASSKEYS = ("too_many_passkeys", 422);
    /// This passkey is already registered.
    PASSKEY_EXISTS = ("passkey_exists", 409);
    /// The account must verify its email address first.
    EMAIL_UNVERIFIED = ("email_unverified", 403);
    /// The slug is taken (by another store, or another product or category of the store).
    SLUG_TAKEN = ("slug_taken", 409);
    /// The user is already a member of the store.
    ALREADY_MEMBER = ("already_member", 409);
    /// The change would leave the store without an owner.
    LAST_OWNER = ("last_owner", 409);
    /// A role with this name exists in the store.
    ROLE_EXISTS = ("role_exists", 409);
    /// Members hold this role; give them another role first.
    ROLE_IN_USE = ("role_in_use", 409);
    /// The invitation was accepted, revoked or has lapsed.
    INVITATION_CLOSED = ("invitation_closed", 409);
    /// The resource's current state does not allow this change (an order or payment transition).
    INVALID_TRANSITION = ("invalid_transition", 409);
    /// The destination URL is not a valid address for an outbound connection.
    DESTINATION_INVALID = ("destination_invalid", 422);
    /// The destination's host does not resolve.
    DESTINATION_UNRESOLVABLE = ("destination_unresolvable", 422);
    /// The destination is an internal address, which outbound connections never reach.
    DESTINATION_FORBIDDEN = ("destination_forbidden", 422);
}
