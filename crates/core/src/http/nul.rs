//! Refuses the NUL character (`\u0000`) in input: PostgreSQL cannot store it in text or jsonb.
//!
//! The JSON body and query extractors check what they parse; [`refuse_nul_in_path`] checks path
//! segments for every route. Each answers 422 `nul_character` naming the field or parameter.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use serde_json::Value;

use super::problem::problem_response;
use crate::error::{Error, FieldError};

/// The field error code for a NUL character.
pub const NUL_CHARACTER: &str = "nul_character";

fn nul_error(field: impl Into<String>) -> FieldError {
    FieldError::new(field, NUL_CHARACTER, "must not contain the NUL character (\\u0000)")
}

/// A 422 naming `field`, which holds a NUL character.
pub fn nul_field(field: impl Into<String>) -> Error {
    Error::Validation(vec![nul_error(field)])
}

/// The first string (value or key) in a JSON body holding a NUL character, as a path such as
/// `items[0].name`; `None` when there is none. Cheap unless the body spells `\u0000`.
pub fn json_body(bytes: &[u8]) -> Option<Error> {
    if !bytes.windows(6).any(|w| w == b"\\u0000") {
        return None;
    }
    let value: Value = serde_json::from_slice(bytes).ok()?;
    find_in_value(&value, String::new()).map(nul_field)
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() { key.to_owned() } else { format!("{path}.{key}") }
}

fn find_in_value(value: &Value, path: String) -> Option<String> {
    match value {
        Value::String(s) if s.contains('\0') => Some(if path.is_empty() { "body".to_owned() } else { path }),
        Value::Array(items) => {
            items.iter().enumerate().find_map(|(i, item)| find_in_value(item, format!("{path}[{i}]")))
        }
        Value::Object(map) => map.iter().find_map(|(key, item)| {
            let field = join(&path, &key.replace('\0', "\\u0000"));
            if key.contains('\0') { Some(field) } else { find_in_value(item, field) }
        }),
        _ => None,
    }
}

/// The first query parameter whose name or value holds a NUL character.
pub fn query(query: &str) -> Option<Error> {
    if !query.contains("%00") {
        return None;
    }
    form_urlencoded::parse(query.as_bytes()).find(|(key, value)| key.contains('\0') || value.contains('\0')).map(
        |(key, _)| nul_field(if key.contains('\0') || key.is_empty() { "query".to_owned() } else { key.into_owned() }),
    )
}

/// The path parameter (named by the matching route pattern) holding an encoded NUL character.
fn path_parameter(path: &str, pattern: Option<&str>) -> Option<String> {
    let segment = path.split('/').position(|s| s.contains("%00"))?;
    let name = pattern
        .and_then(|p| p.split('/').nth(segment))
        .and_then(|s| s.strip_prefix('{'))
        .and_then(|s| s.split(['}', ':']).next())
        .filter(|s| !s.is_empty());
    Some(name.unwrap_or("path").to_owned())
}

/// Middleware: a path segment holding `%00` answers 422 naming its parameter, before routing.
pub async fn refuse_nul_in_path<B: MessageBody + 'static>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, actix_web::Error> {
    let field =
        if req.path().contains("%00") { path_parameter(req.path(), req.match_pattern().as_deref()) } else { None };
    if let Some(field) = field {
        let response = problem_response(&nul_field(field).problem());
        return Ok(req.into_response(response).map_into_right_body());
    }
    next.call(req).await.map(ServiceResponse::map_into_left_body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(err: Option<Error>) -> Option<String> {
        err.map(|e| e.problem().errors[0].field.clone())
    }

    #[test]
    fn names_the_json_field() {
        assert_eq!(field(json_body(br#"{"name": "a\u0000b"}"#)).as_deref(), Some("name"));
        assert_eq!(field(json_body(br#"{"items": [{"x": 1}, {"note": "\u0000"}]}"#)).as_deref(), Some("items[1].note"));
        assert_eq!(field(json_body(br#"{"meta": {"k\u0000": "v"}}"#)).as_deref(), Some("meta.k\\u0000"));
        assert_eq!(field(json_body(br#""\u0000""#)).as_deref(), Some("body"));
        // An escaped backslash before `u0000` is text, not NUL.
        assert!(json_body(br#"{"name": "\\u0000"}"#).is_none());
        assert!(json_body(br#"{"name": "fine"}"#).is_none());
    }

    #[test]
    fn names_the_query_parameter() {
        assert_eq!(field(query("limit=5&tag=a%00b")).as_deref(), Some("tag"));
        assert_eq!(field(query("a%00=1")).as_deref(), Some("query"));
        assert!(query("tag=%2500").is_none());
        assert!(query("tag=ok").is_none());
    }

    #[test]
    fn names_the_path_parameter() {
        let pattern = Some("/v1/storefront/{slug}/carts/{cart_id}");
        assert_eq!(path_parameter("/v1/storefront/a%00/carts/x", pattern).as_deref(), Some("slug"));
        assert_eq!(path_parameter("/v1/x%00", None).as_deref(), Some("path"));
        assert_eq!(path_parameter("/v1/ok", pattern), None);
    }
}
