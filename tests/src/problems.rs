//! Reading answers: the status and JSON body, and problem documents checked against the catalog
//! of declared codes.

use reqwest::{Response, StatusCode};
use serde_json::Value;

/// Status and JSON body (null when empty or not JSON). A problem body's code must be declared in
/// the catalog with this status, so every code the suite sees answered is one the spec lists.
pub async fn parse(response: Response) -> (StatusCode, Value) {
    let status = response.status();
    let bytes = response.bytes().await.expect("body");
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    assert_declared(status, &body);
    (status, body)
}

/// Panics when `body` is a balcao problem whose code is not declared, or declared with another
/// status (the generic `error` code goes with any status that has no code of its own).
pub fn assert_declared(status: StatusCode, body: &Value) {
    static CATALOG: std::sync::OnceLock<std::collections::HashMap<&'static str, u16>> = std::sync::OnceLock::new();
    let is_problem = body["type"].as_str().is_some_and(|t| t.starts_with("urn:balcao:problem:"));
    let Some(code) = body["code"].as_str().filter(|_| is_problem) else { return };
    let catalog =
        CATALOG.get_or_init(|| balcao_gateway::problems::catalog().iter().map(|c| (c.code(), c.status())).collect());
    match catalog.get(code) {
        None => panic!("`{code}` is answered but not declared in any crate's problems: {body}"),
        Some(_) if code == balcao_core::problems::ERROR.code() => {}
        Some(declared) => assert_eq!(*declared, status.as_u16(), "`{code}` is declared with another status: {body}"),
    }
}

/// Asserts a problem+json body with the given status and code.
pub async fn assert_problem(response: Response, status: StatusCode, code: &str) -> Value {
    assert_eq!(response.status(), status);
    let content_type = response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    assert!(content_type.starts_with("application/problem+json"), "content type {content_type}");
    let (_, body) = parse(response).await;
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["status"], status.as_u16(), "{body}");
    assert!(body["request_id"].is_string(), "{body}");
    body
}
