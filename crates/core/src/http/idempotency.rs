//! The `Idempotency-Key` middleware: a POST with a key runs once; repeats get the first response.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::{Method, StatusCode, header};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, web};

use super::problem::problem_response;
use crate::context::Core;
use crate::crypto::sha256_hex;
use crate::error::{Error, Problem};
use crate::idempotency::{self, Claim, StoredResponse};

/// The request header.
pub const IDEMPOTENCY_KEY: &str = "Idempotency-Key";
/// Set on a replayed response.
pub const REPLAYED: &str = "Idempotent-Replayed";

/// Middleware for `actix_web::middleware::from_fn`.
pub async fn idempotency(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let key = req.headers().get(IDEMPOTENCY_KEY).map(|v| v.to_str().map(str::to_owned));
    let (Method::POST, Some(key)) = (req.method().clone(), key) else {
        return next.call(req).await.map(ServiceResponse::map_into_boxed_body);
    };
    let key = match key {
        Ok(k) if (1..=255).contains(&k.len()) && k.chars().all(|c| c.is_ascii_graphic()) => k,
        _ => {
            let err = Error::field(IDEMPOTENCY_KEY, "invalid", "must be 1-255 visible ASCII characters");
            return Ok(req.error_response(err));
        }
    };
    let Some(core) = req.app_data::<web::Data<Core>>().map(|d| d.get_ref().clone()) else {
        return next.call(req).await.map(ServiceResponse::map_into_boxed_body);
    };
    let body = req.extract::<web::Bytes>().await?;
    let credential = req.headers().get(header::AUTHORIZATION).map(|v| v.as_bytes().to_vec()).unwrap_or_default();
    let scope = format!("{}:{}", sha256_hex(&credential), req.path());
    let mut fingerprint = format!("{} {}?{}\n", req.method(), req.path(), req.query_string()).into_bytes();
    fingerprint.extend_from_slice(&body);
    let request_hash = sha256_hex(&fingerprint);
    req.set_payload(Payload::from(body));

    match idempotency::claim(&core.pool, &scope, &key, &request_hash).await {
        Err(err) => Ok(req.error_response(err)),
        Ok(Claim::Mismatch) => Ok(req.into_response(problem_response(&Problem::new(
            crate::problems::IDEMPOTENCY_KEY_REUSED,
            "This Idempotency-Key was used with a different request.",
            Vec::new(),
        )))),
        Ok(Claim::InProgress) => {
            let mut response = problem_response(&Problem::new(
                crate::problems::IDEMPOTENCY_KEY_IN_USE,
                "A request with this Idempotency-Key is still being processed; retry shortly.",
                Vec::new(),
            ));
            response.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
            Ok(req.into_response(response))
        }
        Ok(Claim::Replay(stored)) => {
            let mut builder = HttpResponse::build(StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK));
            for (name, value) in &stored.headers {
                builder.insert_header((name.as_str(), value.as_str()));
            }
            builder.insert_header((REPLAYED, "true"));
            Ok(req.into_response(builder.body(stored.body)))
        }
        Ok(Claim::Proceed) => {
            let response = next.call(req).await?;
            let status = response.status();
            let (req, response) = response.into_parts();
            let (head, body) = response.into_parts();
            let bytes = actix_web::body::to_bytes(body).await.map_err(|e| Error::internal(e.into()))?;
            if status.is_server_error() {
                // Our failure: free the key so the client's retry can run.
                let _ = idempotency::release(&core.pool, &scope, &key).await;
            } else {
                let headers = [header::CONTENT_TYPE, header::LOCATION]
                    .iter()
                    .filter_map(|name| {
                        head.headers().get(name).and_then(|v| v.to_str().ok()).map(|v| (name.to_string(), v.to_owned()))
                    })
                    .collect();
                let stored = StoredResponse { status: status.as_u16(), headers, body: bytes.to_vec() };
                if let Err(error) = idempotency::complete(&core.pool, &scope, &key, &stored).await {
                    tracing::warn!(%error, "could not store the idempotent response");
                    let _ = idempotency::release(&core.pool, &scope, &key).await;
                }
            }
            Ok(ServiceResponse::new(req, head.set_body(bytes).map_into_boxed_body()))
        }
    }
}
