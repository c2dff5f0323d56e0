//! A timestamp outside the years 0001 to 9999 (in UTC) answers 422 naming the field, in every
//! body and query that takes one: chrono reads such values and PostgreSQL stores them, but every
//! later answer would carry a timestamp that is not RFC 3339.

use std::collections::BTreeSet;

use balcao_tests::commerce::Commerce;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// Collects the `date-time` fields reachable from `schema` as `prefix.name`.
fn date_times(spec: &Value, schema: &Value, prefix: &str, seen: &mut Vec<String>, out: &mut BTreeSet<String>) {
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.rsplit('/').next().unwrap_or_default().to_owned();
        if !seen.contains(&name) {
            seen.push(name.clone());
            date_times(spec, &spec["components"]["schemas"][&name], prefix, seen, out);
            seen.pop();
        }
        return;
    }
    if schema["format"] == "date-time" {
        out.insert(prefix.to_owned());
    }
    for key in ["oneOf", "anyOf", "allOf"] {
        for inner in schema[key].as_array().into_iter().flatten() {
            date_times(spec, inner, prefix, seen, out);
        }
    }
    for (name, inner) in schema["properties"].as_object().into_iter().flatten() {
        date_times(spec, inner, &format!("{prefix}.{name}"), seen, out);
    }
}

/// Every timestamp a request takes, as `METHOD path body.field` or `METHOD path query.name`.
fn timestamp_inputs() -> BTreeSet<String> {
    let spec = serde_json::to_value(balcao_gateway::openapi()).unwrap();
    let mut out = BTreeSet::new();
    for (path, operations) in spec["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            let op = format!("{} {path}", method.to_uppercase());
            for (_, content) in operation["requestBody"]["content"].as_object().into_iter().flatten() {
                date_times(&spec, &content["schema"], &format!("{op} body"), &mut Vec::new(), &mut out);
            }
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                let prefix = format!(
                    "{op} {}.{}",
                    parameter["in"].as_str().unwrap_or("?"),
                    parameter["name"].as_str().unwrap_or("?")
                );
                let mut found = BTreeSet::new();
                date_times(&spec, &parameter["schema"], "", &mut Vec::new(), &mut found);
                if !found.is_empty() {
                    out.insert(prefix);
                }
            }
        }
    }
    out
}

/// What RFC 3339 cannot write once in UTC: year −1 (`0000-…+01:00`), a five-digit year, and
/// year 10000 reached through a negative offset.
const OUT_OF_RANGE: [&str; 3] = ["0000-01-01T00:00:00+01:00", "+10000-01-01T00:00:00Z", "9999-12-31T23:00:00-03:00"];

fn assert_refused(what: &str, status: StatusCode, body: &Value, field: &str) {
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{what}: {body}");
    let named = body["errors"].as_array().into_iter().flatten().any(|e| e["field"] == field);
    assert!(named, "{what}: the problem should name {field}: {body}");
    assert!(body.to_string().contains("0001-01-01T00:00:00Z"), "{what}: the problem should give the range: {body}");
}

#[tokio::test]
async fn timestamps_outside_rfc_3339_years_are_refused_wherever_a_request_takes_one() {
    let shop = Commerce::open().await;
    let (status, coupon) = shop
        .staff(Method::POST, "/coupons", Some(json!({"code": "ANOS", "kind": "percentage", "percent_bps": 1000})))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{coupon}");
    let coupon = coupon["id"].as_str().unwrap().to_owned();
    let endpoint = json!({"url": "https://hooks.example.com/balcao", "event_types": ["order.created"]});
    let (status, endpoint) = shop.staff(Method::POST, "/webhook-endpoints", Some(endpoint)).await;
    assert_eq!(status, StatusCode::CREATED, "{endpoint}");
    let endpoint = endpoint["id"].as_str().unwrap().to_owned();
    let (status, key) = shop.staff(Method::POST, "/api-keys", Some(json!({"name": "to roll"}))).await;
    assert_eq!(status, StatusCode::CREATED, "{key}");
    let key = key["id"].as_str().unwrap().to_owned();

    let coupon_body = |field: &str, at: &str| {
        let mut body = json!({"code": "ANOS2", "kind": "percentage", "percent_bps": 1000});
        body[field] = json!(at);
        body
    };
    let mut covered = BTreeSet::new();
    for at in OUT_OF_RANGE {
        let query = |name: &str| format!("{name}={}", at.replace('+', "%2B"));
        let cases: Vec<(&str, &str, Method, String, Option<Value>)> = vec![
            (
                "POST /v1/stores/{store_id}/coupons body.starts_at",
                "starts_at",
                Method::POST,
                "/coupons".into(),
                Some(coupon_body("starts_at", at)),
            ),
            (
                "POST /v1/stores/{store_id}/coupons body.ends_at",
                "ends_at",
                Method::POST,
                "/coupons".into(),
                Some(coupon_body("ends_at", at)),
            ),
            (
                "PATCH /v1/stores/{store_id}/coupons/{coupon_id} body.starts_at",
                "starts_at",
                Method::PATCH,
                format!("/coupons/{coupon}"),
                Some(json!({"starts_at": at})),
            ),
            (
                "PATCH /v1/stores/{store_id}/coupons/{coupon_id} body.ends_at",
                "ends_at",
                Method::PATCH,
                format!("/coupons/{coupon}"),
                Some(json!({"ends_at": at})),
            ),
            (
                "POST /v1/stores/{store_id}/api-keys body.expires_at",
                "expires_at",
                Method::POST,
                "/api-keys".into(),
                Some(json!({"name": "k", "expires_at": at})),
            ),
            (
                "POST /v1/stores/{store_id}/api-keys/{key_id}/roll body.expires_at",
                "expires_at",
                Method::POST,
                format!("/api-keys/{key}/roll"),
                Some(json!({"expires_old_in": 60, "expires_at": at})),
            ),
            (
                "POST /v1/stores/{store_id}/webhook-endpoints/{endpoint_id}/recover body.since",
                "since",
                Method::POST,
                format!("/webhook-endpoints/{endpoint}/recover"),
                Some(json!({"since": at})),
            ),
            (
                "POST /v1/stores/{store_id}/webhook-endpoints/{endpoint_id}/recover body.until",
                "until",
                Method::POST,
                format!("/webhook-endpoints/{endpoint}/recover"),
                Some(json!({"since": "2026-01-01T00:00:00Z", "until": at})),
            ),
            (
                "GET /v1/stores/{store_id}/orders query.from",
                "from",
                Method::GET,
                format!("/orders?{}", query("from")),
                None,
            ),
            ("GET /v1/stores/{store_id}/orders query.to", "to", Method::GET, format!("/orders?{}", query("to")), None),
            (
                "GET /v1/stores/{store_id}/analytics query.from",
                "from",
                Method::GET,
                format!("/analytics?{}&to=2026-01-01T00:00:00Z", query("from")),
                None,
            ),
            (
                "GET /v1/stores/{store_id}/analytics query.to",
                "to",
                Method::GET,
                format!("/analytics?from=2026-01-01T00:00:00Z&{}", query("to")),
                None,
            ),
        ];
        for (name, field, method, path, body) in cases {
            let (status, answer) = shop.staff(method, &path, body).await;
            assert_refused(&format!("{name} = {at}"), status, &answer, field);
            covered.insert(name.to_owned());
        }
    }
    // The table covers every timestamp the spec says a request takes: a new one must join it.
    assert_eq!(covered, timestamp_inputs(), "every timestamp input of the spec is exercised here");

    // The edges themselves are taken and answered as written.
    let body = json!({"code": "EDGES", "kind": "percentage", "percent_bps": 1000,
        "starts_at": "0001-01-01T00:00:00Z", "ends_at": "9999-12-31T23:59:59Z"});
    let (status, created) = shop.staff(Method::POST, "/coupons", Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    assert_eq!(created["starts_at"], "0001-01-01T00:00:00Z");
    assert_eq!(created["ends_at"], "9999-12-31T23:59:59Z");
}
