//! Request id, problem bodies for every error, access logs and metrics.

use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody, to_bytes};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpResponse, web};
use tracing::Instrument;

use balcao_core::error::{ErrorCode, Problem};
use balcao_core::http::{PROBLEM_JSON, problem_response};
use balcao_core::problems;

use crate::metrics::Metrics;

/// The request id header.
pub static REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The request id, in request extensions.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

fn request_id(req: &ServiceRequest) -> String {
    req.headers()
        .get(&REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| (1..=128).contains(&v.len()) && v.chars().all(|c| c.is_ascii_graphic()))
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string())
}

/// Headers every answer carries: no content sniffing and no referrer; and an answer to a request
/// that carried credentials is never stored by a browser or a proxy.
fn secure(headers: &mut actix_web::http::header::HeaderMap, credentialed: bool) {
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if !headers.contains_key(header::REFERRER_POLICY) {
        headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    }
    if credentialed {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
}

/// Gives each request an id (accepted or generated), echoes it, logs the request, and makes sure
/// every error response is a problem document carrying that id.
pub async fn request_context(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let id = request_id(&req);
    req.extensions_mut().insert(RequestId(id.clone()));
    let (method, path) = (req.method().to_string(), req.path().to_owned());
    let credentialed = req.headers().contains_key(header::AUTHORIZATION);
    let started = Instant::now();
    let span = tracing::info_span!("request", request_id = %id, %method, %path);
    let response = match next.call(req).instrument(span.clone()).await {
        Ok(response) => response.map_into_boxed_body(),
        Err(error) => {
            // A middleware failed before any handler answered: still answer with a problem and the id.
            let mut rebuilt = finish_problem(error.error_response(), &id).await;
            if let Ok(value) = HeaderValue::from_str(&id) {
                rebuilt.headers_mut().insert(REQUEST_ID.clone(), value);
            }
            span.in_scope(|| tracing::warn!(status = rebuilt.status().as_u16(), %error, "request rejected"));
            return Err(actix_web::error::InternalError::from_response(error.to_string(), rebuilt).into());
        }
    };
    let mut response = if response.status().as_u16() >= 400 {
        let (req, res) = response.into_parts();
        ServiceResponse::new(req, finish_problem(res, &id).await)
    } else {
        response
    };
    if let Ok(value) = HeaderValue::from_str(&id) {
        response.headers_mut().insert(REQUEST_ID.clone(), value);
    }
    secure(response.headers_mut(), credentialed);
    let status = response.status().as_u16();
    let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    span.in_scope(|| {
        if status >= 500 {
            tracing::error!(status, elapsed_ms, "request failed");
        } else {
            tracing::info!(status, elapsed_ms, "request");
        }
    });
    Ok(response)
}

/// Puts the request id into a problem body, or replaces a non-problem error body with one.
async fn finish_problem(res: HttpResponse<BoxBody>, id: &str) -> HttpResponse<BoxBody> {
    let status = res.status();
    let content_type = res.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let is_problem = content_type.starts_with(PROBLEM_JSON);
    if content_type.starts_with("application/json") {
        // A JSON body a handler chose (a health report): keep it.
        return res;
    }
    let mut headers = res.headers().clone();
    let body = to_bytes(res.into_body()).await.unwrap_or_default();
    let mut problem =
        is_problem.then(|| serde_json::from_slice::<Problem>(&body).ok()).flatten().unwrap_or_else(|| {
            let (code, detail) = generic(status.as_u16());
            let mut problem = Problem::new(code, detail, Vec::new());
            // A status without a code of its own keeps its status under the generic code.
            problem.status = status.as_u16();
            problem.title = balcao_core::error::status_title(status.as_u16()).to_owned();
            problem
        });
    problem.request_id = Some(id.to_owned());
    let mut rebuilt: HttpResponse = problem_response(&problem);
    headers.remove(header::CONTENT_LENGTH);
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    *rebuilt.headers_mut() = headers;
    rebuilt.map_into_boxed_body()
}

fn generic(status: u16) -> (ErrorCode, &'static str) {
    match status {
        400 => (problems::BAD_REQUEST, "The request is malformed."),
        401 => (problems::UNAUTHENTICATED, "Credentials are missing or invalid."),
        403 => (problems::FORBIDDEN, "This action is not allowed."),
        404 => (problems::NOT_FOUND, "Nothing here."),
        405 => (problems::METHOD_NOT_ALLOWED, "This method is not supported here."),
        413 => (problems::PAYLOAD_TOO_LARGE, "The body is larger than this server accepts."),
        415 => (problems::UNSUPPORTED_MEDIA_TYPE, "Send the body as application/json."),
        429 => (problems::TOO_MANY_REQUESTS, "Too many requests; retry later."),
        503 => (problems::SERVICE_UNAVAILABLE, "A dependency is unavailable; retry shortly."),
        s if s >= 500 => (problems::INTERNAL_ERROR, "An unexpected error occurred."),
        _ => (problems::ERROR, "The request failed."),
    }
}

/// Counts requests and observes latency by route pattern (never by raw path, to bound cardinality).
pub async fn record_metrics(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let metrics = req.app_data::<web::Data<Metrics>>().cloned();
    let method = req.method().to_string();
    let started = Instant::now();
    let response = next.call(req).await?;
    if let Some(metrics) = metrics {
        let route = response.request().match_pattern().unwrap_or_else(|| "unmatched".to_owned());
        let status = response.status().as_u16().to_string();
        metrics.requests.with_label_values(&[method.as_str(), route.as_str(), status.as_str()]).inc();
        metrics.latency.with_label_values(&[method.as_str(), route.as_str()]).observe(started.elapsed().as_secs_f64());
    }
    Ok(response)
}
