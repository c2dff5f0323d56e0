//! [`Error`] as an RFC 9457 problem response, and extractor configs that answer with problems.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, ResponseError, error, web};

use crate::error::{Error, Problem};
use crate::ratelimit::Policy;

/// The problem media type.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// A problem response with the given status and body.
pub fn problem_response(problem: &Problem) -> HttpResponse {
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    HttpResponse::build(status).insert_header((header::CONTENT_TYPE, PROBLEM_JSON)).json(problem)
}

impl ResponseError for Error {
    fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            Error::Internal(message) => tracing::error!(error = %message, "internal error"),
            Error::Unavailable(message) => tracing::warn!(error = %message, "dependency unavailable"),
            _ => {}
        }
        let mut response = problem_response(&self.problem());
        let headers = response.headers_mut();
        match self {
            Error::TooManyRequests { retry_after_secs, .. } => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
            }
            Error::QuotaExceeded { policies, retry_after_secs, .. } => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
                insert_ratelimit_headers(headers, policies);
            }
            Error::Unavailable(_) => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
            }
            Error::Unauthenticated { .. } => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            _ => {}
        }
        response
    }
}

fn path_error(_err: error::PathError, _req: &HttpRequest) -> actix_web::Error {
    // A malformed id in the path names nothing that exists.
    Error::not_found("resource").into()
}

/// Path config: a malformed path parameter answers 404.
pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(path_error)
}

/// Sets `RateLimit-Policy` and `RateLimit` to `policies` (nothing when empty).
pub fn insert_ratelimit_headers(headers: &mut header::HeaderMap, policies: &[Policy]) {
    use crate::ratelimit::{RATELIMIT, RATELIMIT_POLICY};
    if policies.is_empty() {
        return;
    }
    let policy = policies.iter().map(Policy::policy_item).collect::<Vec<_>>().join(", ");
    let limit = policies.iter().map(Policy::limit_item).collect::<Vec<_>>().join(", ");
    if let (Ok(policy), Ok(limit)) = (HeaderValue::from_str(&policy), HeaderValue::from_str(&limit)) {
        headers.insert(header::HeaderName::from_static(RATELIMIT_POLICY), policy);
        headers.insert(header::HeaderName::from_static(RATELIMIT), limit);
    }
}
