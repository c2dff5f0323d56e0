//! The one error type of balcao, with a stable machine-readable `code` per case.
//!
//! Every crate returns [`Error`]; the `http` module maps it once to an RFC 9457
//! `application/problem+json` response.

use serde::Serialize;
use utoipa::ToSchema;

#[macro_use]
mod code;

pub use code::{ALL as BUILT_IN, ErrorCode, ErrorCodeEntry};
pub use code::{FORBIDDEN, INTERNAL_ERROR, NOT_FOUND, SERVICE_UNAVAILABLE, VALIDATION_FAILED};

/// A problem with one input field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// The field, as a JSON path such as `email` or `items[2].quantity`.
    pub field: String,
    /// A stable machine-readable code, such as `required` or `invalid_format`.
    pub code: String,
    /// A human-readable explanation.
    pub message: String,
}

impl FieldError {
    /// A field error from its parts.
    pub fn new(field: impl Into<String>, code: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), code: code.into(), message: message.into() }
    }
}

/// Every failure balcao reports to a caller.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Input failed validation (422).
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    /// The request itself is malformed (400).
    #[error("{detail}")]
    BadRequest { code: ErrorCode, detail: String },
    /// No valid credentials (401).
    #[error("{detail}")]
    Unauthenticated { code: ErrorCode, detail: String },
    /// Authenticated, but missing a permission in this store (403).
    #[error("missing permission {permission}")]
    Forbidden { permission: String },
    /// Authenticated, but the account may not do this yet (403 with its own code), e.g.
    /// `email_unverified`.
    #[error("{detail}")]
    Denied { code: ErrorCode, detail: String },
    /// The resource does not exist or belongs to another tenant (404).
    #[error("{resource} not found")]
    NotFound { resource: &'static str },
    /// The request conflicts with current state (409).
    #[error("{detail}")]
    Conflict { code: ErrorCode, detail: String, field: Option<String> },
    /// A business rule rejects the request (422 with its own code).
    #[error("{detail}")]
    Rule { code: ErrorCode, detail: String, field: Option<String> },
    /// Too many requests (429).
    #[error("{detail}")]
    TooManyRequests { code: ErrorCode, detail: String, retry_after_secs: u64 },
    /// A rate limit or monthly quota of the store's plan is used up (429 `quota_exceeded`): the
    /// violated policy first, answered in the `RateLimit-Policy` and `RateLimit` headers.
    #[error("{detail}")]
    QuotaExceeded { detail: String, policies: Vec<crate::ratelimit::Policy>, retry_after_secs: u64 },
    /// A dependency (the database) is unavailable right now (503).
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// A bug or an unexpected failure (500). The message is logged, never returned.
    #[error("internal error: {0}")]
    Internal(String),
}

/// Result with balcao's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A 422 naming one field.
    pub fn field(field: impl Into<String>, code: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Validation(vec![FieldError::new(field, code, message)])
    }

    /// A 404 for the named resource.
    pub fn not_found(resource: &'static str) -> Self {
        Self::NotFound { resource }
    }

    /// A 409 conflict naming the field that collides.
    pub fn conflict(code: ErrorCode, field: &str, detail: impl Into<String>) -> Self {
        Self::Conflict { code, detail: detail.into(), field: Some(field.to_owned()) }
    }

    /// A 401 with a code.
    pub fn unauthenticated(code: ErrorCode, detail: impl Into<String>) -> Self {
        Self::Unauthenticated { code, detail: detail.into() }
    }

    /// A 500 carrying a message for the logs.
    pub fn internal(message: impl std::fmt::Display) -> Self {
        Self::Internal(message.to_string())
    }

    /// The HTTP status this error maps to: the declared status of its code.
    pub fn status(&self) -> u16 {
        self.error_code().status()
    }

    /// The declared code of this error.
    pub fn error_code(&self) -> ErrorCode {
        match self {
            Self::Validation(_) => VALIDATION_FAILED,
            Self::BadRequest { code, .. }
            | Self::Unauthenticated { code, .. }
            | Self::Conflict { code, .. }
            | Self::Rule { code, .. }
            | Self::Denied { code, .. }
            | Self::TooManyRequests { code, .. } => *code,
            Self::QuotaExceeded { .. } => crate::problems::QUOTA_EXCEEDED,
            Self::Forbidden { .. } => FORBIDDEN,
            Self::NotFound { .. } => NOT_FOUND,
            Self::Unavailable(_) => SERVICE_UNAVAILABLE,
            Self::Internal(_) => INTERNAL_ERROR,
        }
    }

    /// The stable machine-readable code.
    pub fn code(&self) -> &'static str {
        self.error_code().code()
    }

    /// The problem document for this error (without `request_id`, which the gateway adds).
    pub fn problem(&self) -> Problem {
        let (detail, errors) = match self {
            Self::Validation(errors) => ("One or more fields are invalid.".to_owned(), errors.clone()),
            Self::Conflict { field: Some(field), detail, code } | Self::Rule { field: Some(field), detail, code } => {
                (detail.clone(), vec![FieldError::new(field.clone(), code.code(), detail.clone())])
            }
            Self::Forbidden { permission } => (format!("This action needs the `{permission}` permission."), Vec::new()),
            Self::Unavailable(_) => ("A dependency is unavailable; retry shortly.".to_owned(), Vec::new()),
            Self::Internal(_) => ("An unexpected error occurred.".to_owned(), Vec::new()),
            other => (other.to_string(), Vec::new()),
        };
        let mut problem = Problem::new(self.error_code(), detail, errors);
        if let Self::QuotaExceeded { policies, .. } = self {
            problem.policy = policies.first().map(|p| p.name.clone());
        }
        problem
    }
}

/// An RFC 9457 problem document as balcao serialises it.
#[derive(Debug, Clone, Serialize, serde::Deserialize, ToSchema)]
pub struct Problem {
    /// A URI naming the problem type: `urn:balcao:problem:<code>`.
    #[serde(rename = "type")]
    pub kind: String,
    /// A short summary of the problem type.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// An explanation of this occurrence.
    pub detail: String,
    /// A stable machine-readable code.
    pub code: String,
    /// Per-field problems, empty when the problem is not about input fields.
    #[serde(default)]
    pub errors: Vec<ProblemFieldError>,
    /// The request id, as echoed in `X-Request-Id`.
    #[serde(default)]
    pub request_id: Option<String>,
    /// On `quota_exceeded`: the policy used up, as `RateLimit-Policy` names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = "read")]
    pub policy: Option<String>,
}

/// A field error inside a [`Problem`].
#[derive(Debug, Clone, Serialize, serde::Deserialize, ToSchema)]
pub struct ProblemFieldError {
    /// The field, as a JSON path.
    pub field: String,
    /// A stable machine-readable code.
    pub code: String,
    /// A human-readable explanation.
    pub message: String,
}

impl Problem {
    /// A problem document with a declared code, answered with the code's status.
    pub fn new(code: ErrorCode, detail: impl Into<String>, errors: Vec<FieldError>) -> Self {
        let status = code.status();
        Self {
            kind: format!("urn:balcao:problem:{code}"),
            title: status_title(status).to_owned(),
            status,
            detail: detail.into(),
            code: code.code().to_owned(),
            errors: errors
                .into_iter()
                .map(|e| ProblemFieldError { field: e.field, code: e.code, message: e.message })
                .collect(),
            request_id: None,
            policy: None,
        }
    }
}

/// The reason phrase used as a problem title.
pub fn status_title(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        409 => "Conflict",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Content",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Error",
    }
}

impl From<diesel::result::Error> for Error {
    fn from(err: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error as D};
        match err {
            D::NotFound => Self::NotFound { resource: "resource" },
            D::DatabaseError(DatabaseErrorKind::ClosedConnection, info) => Self::Unavailable(info.message().to_owned()),
            D::DatabaseError(_, ref info) if info.message().contains("statement timeout") => {
                Self::Unavailable("statement timeout".to_owned())
            }
            other => Self::Internal(other.to_string()),
        }
    }
}

impl From<diesel_async::pooled_connection::deadpool::PoolError> for Error {
    fn from(err: diesel_async::pooled_connection::deadpool::PoolError) -> Self {
        Self::Unavailable(err.to_string())
    }
}

impl From<tokio::task::JoinError> for Error {
    fn from(err: tokio::task::JoinError) -> Self {
        Self::Internal(err.to_string())
    }
}

/// Whether a diesel error is a unique violation on the named constraint.
pub fn is_unique_violation(err: &diesel::result::Error, constraint: &str) -> bool {
    matches!(
        err,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, info)
            if info.constraint_name() == Some(constraint)
    )
}

/// Collects field errors and turns them into one [`Error::Validation`].
#[derive(Debug, Default)]
pub struct Validator(Vec<FieldError>);

impl Validator {
    /// An empty validator.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a field error when `ok` is false.
    pub fn check(&mut self, ok: bool, field: &str, code: &str, message: &str) -> &mut Self {
        if !ok {
            self.0.push(FieldError::new(field, code, message));
        }
        self
    }

    /// Records a field error.
    pub fn push(&mut self, error: FieldError) -> &mut Self {
        self.0.push(error);
        self
    }

    /// Checks a string's length in characters after trimming.
    pub fn length(&mut self, value: &str, field: &str, min: usize, max: usize) -> &mut Self {
        let len = value.trim().chars().count();
        if len < min {
            let code = if len == 0 { "required" } else { "too_short" };
            self.0.push(FieldError::new(field, code, format!("must be at least {min} characters")));
        } else if len > max {
            self.0.push(FieldError::new(field, "too_long", format!("must be at most {max} characters")));
        }
        self
    }

    /// `Ok` when nothing failed, otherwise the collected [`Error::Validation`].
    pub fn finish(&mut self) -> Result<()> {
        if self.0.is_empty() { Ok(()) } else { Err(Error::Validation(std::mem::take(&mut self.0))) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_problem_names_fields() {
        let p = Error::field("email", "invalid_format", "must be an email").problem();
        assert_eq!(p.status, 422);
        assert_eq!(p.code, "validation_failed");
        assert_eq!(p.errors[0].field, "email");
        assert_eq!(p.kind, "urn:balcao:problem:validation_failed");
    }

    #[test]
    fn internal_errors_do_not_leak() {
        let p = Error::internal("password=hunter2 in query").problem();
        assert!(!p.detail.contains("hunter2"));
        assert_eq!(p.status, 500);
    }

    #[test]
    fn validator_collects() {
        let mut v = Validator::new();
        v.length("", "name", 1, 10).length("abc", "slug", 5, 10);
        let Err(Error::Validation(errs)) = v.finish() else { panic!("expected validation error") };
        assert_eq!(errs.len(), 2);
        assert_eq!(errs[0].code, "required");
        assert_eq!(errs[1].code, "too_short");
    }
}
