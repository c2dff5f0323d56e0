//! Platform behaviour: problem bodies for every error, request ids, health, metrics, OpenAPI.

use balcao_tests::{TestApp, assert_problem, parse};
use reqwest::{Method, StatusCode};

const SPEC_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/openapi.json");

#[tokio::test]
async fn malformed_requests_answer_problem_json() {
    let app = TestApp::spawn().await;
    let signup = |body: &'static str, content_type: &'static str| {
        app.request(Method::POST, "/v1/auth/signup", None).header("content-type", content_type).body(body).send()
    };
    assert_problem(signup("{bad", "application/json").await.unwrap(), StatusCode::BAD_REQUEST, "malformed_json").await;
    assert_problem(
        signup("{}", "text/plain").await.unwrap(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
    )
    .await;
    let body = assert_problem(
        signup(r#"{"email": 5}"#, "application/json").await.unwrap(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "validation_failed",
    )
    .await;
    assert_eq!(body["errors"][0]["field"], "email", "{body}");

    let unknown = app.request(Method::GET, "/v1/nothing-here", None).send().await.unwrap();
    assert_problem(unknown, StatusCode::NOT_FOUND, "route_not_found").await;

    let wrong_method = app.request(Method::PUT, "/v1/me", None).send().await.unwrap();
    assert_eq!(wrong_method.headers().get("allow").and_then(|v| v.to_str().ok()), Some("GET"));
    assert_problem(wrong_method, StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed").await;

    let user = app.user().await;
    let bad_id = app.request(Method::GET, "/v1/stores/not-a-uuid", Some(&user.token)).send().await.unwrap();
    assert_problem(bad_id, StatusCode::NOT_FOUND, "not_found").await;
}

#[tokio::test]
async fn oversized_body_answers_413_problem() {
    let app = TestApp::spawn_with(&[("BALCAO_BODY_LIMIT_BYTES", "2048")]).await;
    let big = format!(r#"{{"email": "a@b.co", "password": "{}", "name": "x"}}"#, "p".repeat(4096));
    let response = app
        .request(Method::POST, "/v1/auth/signup", None)
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_problem(response, StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large").await;
}

#[tokio::test]
async fn request_id_is_echoed_or_generated() {
    let app = TestApp::spawn().await;
    let given = app.request(Method::GET, "/health/live", None).header("x-request-id", "abc-123").send().await.unwrap();
    assert_eq!(given.headers().get("x-request-id").and_then(|v| v.to_str().ok()), Some("abc-123"));
    let generated = app.request(Method::GET, "/v1/me", None).send().await.unwrap();
    let id = generated.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap().to_owned();
    assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");
    let body = assert_problem(generated, StatusCode::UNAUTHORIZED, "missing_token").await;
    assert_eq!(body["request_id"], id.as_str(), "the problem names the same request id");
}

#[tokio::test]
async fn health_and_metrics() {
    const TOKEN: &str = "metrics-token-for-the-test";
    let app = TestApp::spawn_with(&[("BALCAO_METRICS_TOKEN", TOKEN)]).await;
    let (status, live) = app.call(Method::GET, "/health/live", None, None).await;
    assert_eq!((status, live["status"].as_str()), (StatusCode::OK, Some("ok")));
    let (status, ready) = app.call(Method::GET, "/health/ready", None, None).await;
    assert_eq!(status, StatusCode::OK, "{ready}");
    assert_eq!(ready["database"], "ok");
    assert_eq!(ready["cache"], "ok");

    app.call(Method::GET, "/v1/me", None, None).await;
    // The metrics token, and only it, opens /metrics.
    let (status, problem) = app.call(Method::GET, "/metrics", None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{problem}");
    let (status, _) = app.call(Method::GET, "/metrics", Some("metrics-token-for-the-tesX"), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = app.call(Method::GET, "/metrics", Some(&app.user().await.token), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "a user's session is not the metrics token");
    let text = app.request(Method::GET, "/metrics", Some(TOKEN)).send().await.unwrap().text().await.unwrap();
    assert!(
        text.contains(r#"balcao_http_requests_total{method="GET",route="/v1/me",status="401"} 1"#),
        "requests are counted by route pattern and status:\n{text}"
    );
    assert!(text.contains("balcao_http_request_duration_seconds_bucket"), "{text}");
    assert!(text.contains(r#"balcao_db_pool_connections{state="max"} 8"#), "{text}");
    assert!(text.contains(r#"balcao_jobs{status="dead"}"#), "{text}");

    // Without a token configured, metrics are off.
    let plain = TestApp::spawn().await;
    let (status, problem) = plain.call(Method::GET, "/metrics", None, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{problem}");
}

#[tokio::test]
async fn answers_are_never_sniffed_and_credentialed_ones_never_stored() {
    let app = TestApp::spawn().await;
    let user = app.user().await;
    for (path, token) in [("/health/live", None), ("/v1/me", Some(user.token.as_str())), ("/v1/nowhere", None)] {
        let response = app.request(Method::GET, path, token).send().await.unwrap();
        let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
        assert_eq!(header("x-content-type-options").as_deref(), Some("nosniff"), "{path}");
        assert_eq!(header("referrer-policy").as_deref(), Some("no-referrer"), "{path}");
        let stored = header("cache-control");
        if token.is_some() {
            assert_eq!(stored.as_deref(), Some("no-store"), "{path}: an authenticated answer is never stored");
        } else {
            assert_ne!(stored.as_deref(), Some("no-store"), "{path}: public answers keep their own caching");
        }
    }
}

#[tokio::test]
async fn readiness_reports_redis_down_and_requests_still_succeed() {
    let app = TestApp::spawn_with(&[("REDIS_URL", "redis://127.0.0.1:1")]).await;
    let (status, ready) = app.call(Method::GET, "/health/ready", None, None).await;
    // Requests still succeed without Redis, so the instance stays in the load balancer.
    assert_eq!(status, StatusCode::OK, "{ready}");
    assert_eq!((ready["status"].as_str(), ready["database"].as_str()), (Some("degraded"), Some("ok")));
    assert_eq!(ready["cache"], "unavailable");
    // The cache is bypassed: authentication and writes still work.
    let user = app.user().await;
    let store = app.store(&user.token).await;
    let (status, _) = app.get(&format!("/v1/stores/{store}"), &user.token).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn works_without_redis() {
    let app = TestApp::spawn_with(&[("REDIS_URL", "")]).await;
    let (_, ready) = app.call(Method::GET, "/health/ready", None, None).await;
    assert_eq!(ready["cache"], "not_configured");
    let user = app.user().await;
    let (status, _) = app.get("/v1/me", &user.token).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn committed_openapi_matches_the_code_and_the_server() {
    let generated = balcao_gateway::openapi().to_pretty_json().unwrap() + "\n";
    if std::env::var("UPDATE_OPENAPI").is_ok() {
        std::fs::write(SPEC_PATH, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(SPEC_PATH).unwrap_or_default();
    assert!(
        committed == generated,
        "openapi/openapi.json is stale: run `just openapi` (or UPDATE_OPENAPI=1 cargo test -p balcao-tests openapi)"
    );

    let app = TestApp::spawn().await;
    let served = app.request(Method::GET, "/openapi.json", None).send().await.unwrap().text().await.unwrap();
    assert_eq!(served.trim_end(), committed.trim_end(), "GET /openapi.json serves the committed document");
    let docs = app.request(Method::GET, "/docs", None).send().await.unwrap();
    assert_eq!(docs.status(), StatusCode::OK);
    assert!(docs.text().await.unwrap().contains("balcao API"));
}

#[tokio::test]
async fn every_documented_route_is_answered_and_documents_its_errors() {
    let doc: serde_json::Value = serde_json::from_str(&balcao_gateway::openapi().to_json().unwrap()).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    assert_eq!(doc["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
    let app = TestApp::spawn().await;
    let random = uuid::Uuid::now_v7().to_string();
    let mut checked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            let responses = operation["responses"].as_object().unwrap();
            assert!(responses.contains_key("500"), "{method} {path} documents 500");
            let needs = operation["security"]
                .as_array()
                .is_some_and(|s| s.iter().any(|r| r.as_object().is_some_and(|r| !r.is_empty())));
            // The operators' routes answer anyone else as an unknown route (tests/it/admin.rs
            // checks an operator is answered).
            let admin = path.starts_with("/v1/admin/");
            if needs && !admin {
                assert!(responses.contains_key("401"), "{method} {path} documents 401");
            }
            if admin {
                assert!(
                    !responses.contains_key("401") && !responses.contains_key("403"),
                    "{method} {path} hides itself"
                );
            }
            let concrete = regex_free_fill(path, &random);
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let (status, body) = parse(app.request(method.clone(), &concrete, None).send().await.unwrap()).await;
            if admin {
                assert_eq!((status, body["code"].as_str()), (StatusCode::NOT_FOUND, Some("route_not_found")), "{path}");
                checked += 1;
                continue;
            }
            assert_ne!(body["code"], "route_not_found", "{method} {path} is routed");
            assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path} is routed");
            checked += 1;
        }
    }
    assert!(checked >= 25, "checked {checked} operations");
}

/// Replaces every `{param}` in a path template with `value`.
fn regex_free_fill(template: &str, value: &str) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let end = rest[start..].find('}').map(|e| start + e + 1).unwrap_or(rest.len());
        out.push_str(value);
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[tokio::test]
async fn cors_allows_configured_origins_only() {
    let app = TestApp::spawn_with(&[("BALCAO_CORS_ORIGINS", "https://loja.example")]).await;
    let preflight = |origin: &'static str| {
        app.request(Method::OPTIONS, "/v1/auth/login", None)
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .send()
    };
    let allowed = preflight("https://loja.example").await.unwrap();
    assert!(allowed.status().is_success(), "{}", allowed.status());
    assert_eq!(
        allowed.headers().get("access-control-allow-origin").and_then(|v| v.to_str().ok()),
        Some("https://loja.example")
    );
    let refused = preflight("https://evil.example").await.unwrap();
    assert!(refused.headers().get("access-control-allow-origin").is_none());
    assert!(refused.status().is_client_error(), "{}", refused.status());
    let simple =
        app.request(Method::GET, "/health/live", None).header("origin", "https://loja.example").send().await.unwrap();
    assert_eq!(
        simple.headers().get("access-control-allow-origin").and_then(|v| v.to_str().ok()),
        Some("https://loja.example")
    );
    assert!(
        simple
            .headers()
            .get("access-control-expose-headers")
            .is_some_and(|v| v.to_str().unwrap_or("").contains("x-request-id"))
    );
}

#[tokio::test]
async fn public_routes_ignore_a_stray_bearer_and_private_ones_check_it_first() {
    let shop = balcao_tests::commerce::Commerce::open().await;
    let app = &shop.app;
    // A public route reports its own input error whatever Authorization it is sent.
    let signup = app
        .request(Method::POST, "/v1/auth/signup", Some("nope"))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    let body = assert_problem(signup, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(body["errors"][0]["field"], "email", "{body}");
    // A route that takes credentials reports them before the body.
    let store = app
        .request(Method::PATCH, &format!("/v1/stores/{}", shop.store), Some("nope"))
        .header("content-type", "application/json")
        .body(r#"{"name": 5}"#)
        .send()
        .await
        .unwrap();
    assert_problem(store, StatusCode::UNAUTHORIZED, "invalid_token").await;

    // The storefront takes an optional customer token: none is a guest, a bad one is refused
    // (never a silent guest cart), as the document says.
    let carts = format!("/v1/storefront/{}/carts", shop.slug);
    let (status, cart) = app.call(Method::POST, &carts, None, Some(serde_json::json!({}))).await;
    assert_eq!(status, StatusCode::CREATED, "{cart}");
    let (status, problem) = app.call(Method::POST, &carts, Some("bct_forged"), Some(serde_json::json!({}))).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::UNAUTHORIZED, Some("invalid_customer_token")));
    let doc = balcao_gateway::openapi();
    let op = doc.paths.paths[&"/v1/storefront/{slug}/carts".to_owned()].post.as_ref().unwrap();
    assert!(op.responses.responses.contains_key("401"), "the 401 is documented");
}
