//! The OpenAPI document is one a client generator can read: every reference resolves, no two
//! operations or component types share a name, every operation states its security, and only
//! statuses the server can answer are documented.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

fn doc() -> Value {
    serde_json::from_str(&balcao_gateway::openapi().to_json().unwrap()).unwrap()
}

fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            out.push((method.clone(), path.clone(), op.clone()));
        }
    }
    out
}

fn refs(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                out.insert(r.clone());
            }
            map.iter().filter(|(k, _)| k.as_str() != "example").for_each(|(_, v)| refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

#[test]
fn every_reference_resolves() {
    let doc = doc();
    let mut found = BTreeSet::new();
    refs(&doc["paths"], &mut found);
    refs(&doc["components"], &mut found);
    let dangling: Vec<_> = found
        .iter()
        .filter(|r| {
            let local = r.starts_with("#/components/schemas/") || r.starts_with("#/components/headers/");
            !local || doc.pointer(r.trim_start_matches('#')).is_none()
        })
        .collect();
    assert!(dangling.is_empty(), "unresolved references: {dangling:?}");
}

#[test]
fn operation_ids_are_unique() {
    let mut seen: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (method, path, op) in operations(&doc()) {
        let id = op["operationId"].as_str().unwrap_or_default().to_owned();
        assert!(!id.is_empty(), "{method} {path} has no operationId");
        seen.entry(id).or_default().push(format!("{method} {path}"));
    }
    let repeated: Vec<_> = seen.iter().filter(|(_, ops)| ops.len() > 1).collect();
    assert!(repeated.is_empty(), "operationIds used twice: {repeated:?}");
}

#[test]
fn every_operation_states_its_security_and_the_document_names_a_server() {
    let doc = doc();
    assert!(doc["servers"].as_array().is_some_and(|s| !s.is_empty()), "servers");
    for (method, path, op) in operations(&doc) {
        assert!(op["security"].is_array(), "{method} {path} states no security");
        let public =
            op["security"].as_array().is_some_and(|s| s.iter().all(|r| r.as_object().is_some_and(|r| r.is_empty())));
        let expected_public = path.starts_with("/health")
            || path.starts_with("/docs")
            || path == "/openapi.json"
            || path.starts_with("/v1/storefront/") && !path.contains("/wishlist")
            || path.starts_with("/v1/inbound/")
            || path.starts_with("/v1/unsubscribe/")
            || path == "/v1/webhook-event-types"
            || path == "/v1/auth/signup"
            || path == "/v1/auth/login"
            || path.starts_with("/v1/auth/verify-email")
            || path.starts_with("/v1/auth/password-reset")
            || path.starts_with("/v1/auth/passkeys/login");
        if expected_public {
            // `[]` (public) or `[{}, {"customer_token": []}]` (optional credentials).
            assert!(
                op["security"]
                    .as_array()
                    .is_some_and(|s| s.is_empty() || s.iter().any(|r| r.as_object().is_some_and(|r| r.is_empty()))),
                "{method} {path} is public and says so"
            );
        } else {
            assert!(!public, "{method} {path} needs credentials and says which");
        }
    }
}

#[test]
fn too_many_requests_and_the_rate_limit_headers_are_documented_on_exactly_the_limited_routes() {
    // Every API route is limited (per credential, address, or provider and store); health,
    // metrics, docs and the operators' routes are not.
    let doc = doc();
    let mut limited = 0;
    for (method, path, op) in operations(&doc) {
        let expected = path.starts_with("/v1/") && !path.starts_with("/v1/admin");
        let responses = op["responses"].as_object().cloned().unwrap_or_default();
        assert_eq!(responses.contains_key("429"), expected, "{method} {path}: 429 documented iff limited");
        for (status, response) in &responses {
            let headers = response["headers"].as_object().cloned().unwrap_or_default();
            let carries = headers.contains_key("RateLimit-Policy") && headers.contains_key("RateLimit");
            if status.starts_with('2') || status == "429" {
                assert_eq!(carries, expected, "{method} {path} {status}: the RateLimit headers iff limited");
            }
            if status == "429" {
                assert!(headers.contains_key("Retry-After"), "{method} {path}: 429 says when to retry");
            }
        }
        limited += usize::from(expected);
    }
    assert!(limited > 100, "{limited} limited operations");
    for name in ["RateLimit-Policy", "RateLimit", "Retry-After"] {
        assert!(doc["components"]["headers"][name]["description"].is_string(), "{name} is described once");
    }
}

/// The component name of every `ToSchema` type in the workspace's sources.
fn component_names(dir: &Path, out: &mut BTreeMap<String, Vec<String>>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            component_names(&path, out);
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let line = line.trim();
            if !(line.starts_with("#[derive(") && line.contains("ToSchema")) {
                continue;
            }
            let mut alias = None;
            for next in lines.iter().skip(i + 1).take(12).map(|l| l.trim()) {
                if let Some(rest) = next.strip_prefix("#[schema(as = ") {
                    alias = rest.split([')', ',']).next().map(|a| a.rsplit("::").next().unwrap_or(a).trim().to_owned());
                }
                let item = next.trim_start_matches("pub(crate) ").trim_start_matches("pub ");
                if let Some(rest) = item.strip_prefix("struct ").or_else(|| item.strip_prefix("enum ")) {
                    let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                    let name = alias.take().unwrap_or(name);
                    out.entry(name).or_default().push(path.display().to_string());
                    break;
                }
            }
        }
    }
}

#[test]
fn no_two_schema_types_share_a_component_name() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut names = BTreeMap::new();
    component_names(&root.join("crates"), &mut names);
    component_names(&root.join("apps"), &mut names);
    assert!(names.len() > 100, "the scan found {} types", names.len());
    assert!(names.contains_key("SimulateMessageStatus") && names.contains_key("Problem"), "{names:?}");
    let shared: Vec<_> = names.iter().filter(|(_, files)| files.len() > 1).collect();
    assert!(shared.is_empty(), "component names used by two types (use `#[schema(as = ...)]`): {shared:?}");
}

#[test]
fn the_problem_schema_lists_every_declared_code_with_its_status_and_meaning() {
    let doc = doc();
    let problem = &doc["components"]["schemas"]["Problem"];
    let listed: Vec<&str> = problem["properties"]["code"]["enum"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let catalog = balcao_gateway::problems::catalog();
    let declared: Vec<&str> = catalog.iter().map(|c| c.code()).collect();
    assert_eq!(listed, declared);
    let entries = problem["x-error-codes"].as_array().cloned().unwrap_or_default();
    assert_eq!(entries.len(), declared.len());
    for (entry, code) in entries.iter().zip(&catalog) {
        assert_eq!(entry["code"], code.code());
        assert_eq!(entry["status"], code.status());
        assert_eq!(entry["meaning"], code.meaning());
    }
    let cart_empty = entries.iter().find(|e| e["code"] == "cart_empty");
    assert_eq!(cart_empty.map(|e| e["status"].clone()), Some(Value::from(422)), "{entries:?}");
}

#[test]
fn no_operation_lists_a_parameter_twice() {
    let doc = doc();
    for (method, path, op) in operations(&doc) {
        let mut seen = BTreeSet::new();
        for param in op["parameters"].as_array().into_iter().flatten() {
            let key = (param["in"].to_string(), param["name"].to_string());
            assert!(seen.insert(key.clone()), "{method} {path} lists {key:?} twice");
        }
    }
}
