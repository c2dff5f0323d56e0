//! A JSON body extractor whose errors name the field at fault.
//!
//! `actix_web::web::Json` reports serde's message without the path; this one
//! uses `serde_path_to_error`, so `{"items": [{"quantity": "x"}]}` is reported
//! against `items[0].quantity`.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

use super::extract::precedence;
use super::problem::problem_response;
use crate::error::{Error, FieldError, Problem};

/// A JSON request body (`application/json` or any `+json` type).
#[derive(Debug)]
pub struct Json<T>(pub T);

impl<T> Json<T> {
    /// The parsed body.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Json<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

fn is_json(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase())
        .is_some_and(|v| v == "application/json" || (v.starts_with("application/") && v.ends_with("+json")))
}

fn rejection(problem: Problem) -> actix_web::Error {
    actix_web::error::InternalError::from_response(problem.detail.clone(), problem_response(&problem)).into()
}

/// Turns a deserialisation error into a 400 (not JSON) or a 422 naming the field.
pub fn body_error(err: serde_path_to_error::Error<serde_json::Error>) -> Problem {
    let inner = err.inner();
    if inner.is_syntax() || inner.is_eof() || inner.is_io() {
        return Problem::new(
            crate::problems::MALFORMED_JSON,
            format!("The body is not valid JSON: {inner}"),
            Vec::new(),
        );
    }
    let message = inner.to_string();
    let mut path = err.path().to_string();
    if path == "." {
        path.clear();
    }
    // "missing field `x`" is reported at the parent: name the field itself.
    if let Some(missing) = message.strip_prefix("missing field `").and_then(|m| m.split('`').next()) {
        path = if path.is_empty() { missing.to_owned() } else { format!("{path}.{missing}") };
        let error = FieldError::new(path, "required", "is required");
        return Error::Validation(vec![error]).problem();
    }
    if path.is_empty() {
        path = "body".to_owned();
    }
    let message = message.split(" at line ").next().unwrap_or(&message).to_owned();
    Error::Validation(vec![FieldError::new(path, "invalid", message)]).problem()
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let json = is_json(req);
        let bytes = web::Bytes::from_request(req, payload);
        let req = req.clone();
        Box::pin(async move {
            let parsed = parse::<T>(json, bytes).await;
            if parsed.is_err() {
                // Report a credential or tenancy problem before a body problem.
                precedence(&req).await?;
            }
            parsed
        })
    }
}

async fn parse<T: DeserializeOwned>(
    json: bool,
    bytes: impl std::future::Future<Output = Result<web::Bytes, actix_web::Error>>,
) -> Result<Json<T>, actix_web::Error> {
    if !json {
        return Err(rejection(Problem::new(
            crate::problems::UNSUPPORTED_MEDIA_TYPE,
            "Send the body as application/json.",
            Vec::new(),
        )));
    }
    let bytes = bytes.await.map_err(|e| {
        let too_large = e.as_response_error().status_code() == actix_web::http::StatusCode::PAYLOAD_TOO_LARGE;
        if too_large {
            rejection(Problem::new(
                crate::problems::PAYLOAD_TOO_LARGE,
                "The body is larger than this server accepts.",
                Vec::new(),
            ))
        } else {
            e
        }
    })?;
    let mut de = serde_json::Deserializer::from_slice(&bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| rejection(body_error(e)))?;
    de.end().map_err(|e| {
        rejection(Problem::new(crate::problems::MALFORMED_JSON, format!("The body is not valid JSON: {e}"), Vec::new()))
    })?;
    if let Some((field, code)) = crate::storable::json(&bytes) {
        return Err(rejection(crate::storable::refusal(field, code).problem()));
    }
    Ok(Json(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Item {
        quantity: i64,
    }

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Body {
        email: String,
        items: Vec<Item>,
    }

    fn problem(json: &str) -> Problem {
        let mut de = serde_json::Deserializer::from_str(json);
        body_error(serde_path_to_error::deserialize::<_, Body>(&mut de).unwrap_err())
    }

    #[test]
    fn names_nested_fields() {
        assert_eq!(problem(r#"{"email": 5, "items": []}"#).errors[0].field, "email");
        assert_eq!(problem(r#"{"email": "a", "items": [{"quantity": "x"}]}"#).errors[0].field, "items[0].quantity");
        let missing = problem(r#"{"items": []}"#);
        assert_eq!((missing.errors[0].field.as_str(), missing.errors[0].code.as_str()), ("email", "required"));
        assert_eq!(problem(r#"{"items": [{}], "email": "a"}"#).errors[0].field, "items[0].quantity");
        assert_eq!(problem("{bad").status, 400);
    }
}
