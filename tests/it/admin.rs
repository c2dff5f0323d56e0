//! Platform operators: granted from the command line only, the `/v1/admin` routes answering them
//! (with TOTP on) and the very 404 of an unknown route to everyone else.

use balcao_gateway::admin::{AdminCommand, AdminLine, run};
use balcao_tests::{TestApp, TestUser};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// A `balcao admin ...` line as the binary parses it.
fn parse_line(args: &[&str]) -> Option<AdminCommand> {
    AdminLine::parse_args(args).ok()
}

/// A user granted operator through the command's own function, with TOTP on.
async fn operator(app: &TestApp) -> TestUser {
    let user = app.user().await;
    app.make_operator(&user.token).await;
    user
}

/// Every admin route with a body it accepts from an operator.
fn routes(store: &str) -> Vec<(Method, String, Option<Value>)> {
    vec![
        (Method::GET, "/v1/admin/plans".to_owned(), None),
        (Method::PATCH, "/v1/admin/plans/pro".to_owned(), Some(json!({"products": 20000}))),
        (Method::PATCH, format!("/v1/admin/stores/{store}"), Some(json!({"plan": "pro"}))),
        // A bad body and a malformed id must not tell anyone the route exists either.
        (Method::PATCH, "/v1/admin/plans/pro".to_owned(), Some(json!({"products": "many"}))),
        (Method::PATCH, "/v1/admin/stores/not-a-uuid".to_owned(), Some(json!({"plan": "pro"}))),
        (Method::DELETE, "/v1/admin/plans".to_owned(), None),
        (Method::GET, "/v1/admin/usage?metric=api_calls".to_owned(), None),
        (Method::GET, "/v1/admin/usage?metric=nothing".to_owned(), None),
    ]
}

/// Asserts `token` gets, on every admin route, exactly what an unknown route answers.
async fn hidden_from(app: &TestApp, token: Option<&str>, store: &str, who: &str) {
    let (status, unknown) = app.call(Method::GET, "/v1/nothing/here", token, None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    for (method, path, body) in routes(store) {
        let mut request = app.request(method.clone(), &path, token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{who}: {method} {path}");
        assert!(response.headers().get("www-authenticate").is_none(), "{who}: {method} {path}");
        assert!(response.headers().get("allow").is_none(), "{who}: {method} {path}");
        let content_type = response.headers().get("content-type").and_then(|v| v.to_str().ok()).map(str::to_owned);
        assert_eq!(content_type.as_deref(), Some("application/problem+json"), "{who}: {method} {path}");
        let (_, body) = balcao_tests::parse(response).await;
        assert_eq!(body["code"], "route_not_found", "{who}: {method} {path}: {body}");
        assert_eq!(body["title"], unknown["title"], "{who}: {body}");
        assert_eq!(body["type"], unknown["type"], "{who}: {body}");
        let path_only = path.split('?').next().unwrap_or_default();
        assert_eq!(body["detail"], format!("No route matches {path_only}."), "{who}: {body}");
    }
}

#[tokio::test]
async fn an_operator_with_totp_lists_plans_edits_one_and_moves_a_store_to_another() {
    // The seeded rates, which order the plans (the suite raises them by default).
    let app = TestApp::spawn_with(&[(balcao_tests::SEEDED_PLAN_RATES, "1")]).await;
    let owner = app.user().await.token;
    let store = app.store(&owner).await;
    let admin = operator(&app).await;

    let (status, plans) = app.get("/v1/admin/plans", &admin.token).await;
    assert_eq!(status, StatusCode::OK, "{plans}");
    let names: Vec<&str> = plans.as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["free", "pro", "enterprise"]);
    let free_before = plans[0].clone();
    assert_eq!(free_before["webhook_endpoints"], 2);

    // Every allowance, null making one unlimited; absent fields stay as they were.
    let edit = json!({
        "display_name": "Grátis", "requests_per_second": 12, "request_burst": 30,
        "monthly_api_calls": null, "monthly_whatsapp_messages": 1500, "monthly_instagram_messages": 1200,
        "monthly_email_messages": 2500, "monthly_sms_messages": 0, "monthly_webhook_deliveries": null,
        "webhook_endpoints": 3, "staff_seats": null, "products": 150, "soft_quotas": ["email_messages", "api_calls"],
    });
    let (status, free) = app.patch("/v1/admin/plans/free", &admin.token, edit).await;
    assert_eq!(status, StatusCode::OK, "{free}");
    let (_, plans) = app.get("/v1/admin/plans", &admin.token).await;
    let read_back = &plans[0];
    assert_eq!(read_back, &free);
    for (field, value) in [
        ("display_name", json!("Grátis")),
        ("requests_per_second", json!(12)),
        ("request_burst", json!(30)),
        ("monthly_api_calls", Value::Null),
        ("monthly_whatsapp_messages", json!(1500)),
        ("monthly_sms_messages", json!(0)),
        ("monthly_webhook_deliveries", Value::Null),
        ("webhook_endpoints", json!(3)),
        ("staff_seats", Value::Null),
        ("products", json!(150)),
        ("soft_quotas", json!(["api_calls", "email_messages"])),
    ] {
        assert_eq!(read_back[field], value, "{field}: {read_back}");
    }
    assert!(read_back["updated_at"].as_str() > free_before["updated_at"].as_str(), "{read_back}");
    let (_, unchanged) = app.patch("/v1/admin/plans/free", &admin.token, json!({})).await;
    assert_eq!(unchanged, free, "an empty patch changes nothing");

    // The new limit applies on the store's next request: a third endpoint now fits.
    let endpoints = format!("/v1/stores/{store}/webhook-endpoints");
    for n in 0..3 {
        let body = json!({"url": format!("https://example.com/hooks/{n}"), "event_types": ["*"]});
        let (status, created) = app.post(&endpoints, &owner, body).await;
        assert_eq!(status, StatusCode::CREATED, "endpoint {n}: {created}");
    }

    let bad = json!({
        "requests_per_second": 0, "request_burst": null, "display_name": "", "monthly_api_calls": -1,
        "staff_seats": -2, "soft_quotas": ["api_calls", "parrots"],
    });
    let (status, problem) = app.patch("/v1/admin/plans/free", &admin.token, bad).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    let mut fields: Vec<&str> =
        problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    fields.sort_unstable();
    assert_eq!(
        fields,
        ["display_name", "monthly_api_calls", "request_burst", "requests_per_second", "soft_quotas[1]", "staff_seats"]
    );
    let (status, problem) = app.patch("/v1/admin/plans/free", &admin.token, json!({"products": "lots"})).await;
    assert_eq!((status, problem["errors"][0]["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("products")));
    let (status, problem) = app.patch("/v1/admin/plans/gold", &admin.token, json!({"products": 1})).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")), "{problem}");

    let (status, moved) = app.patch(&format!("/v1/admin/stores/{store}"), &admin.token, json!({"plan": "pro"})).await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    assert_eq!((moved["id"].as_str(), moved["plan"].as_str()), (Some(store.as_str()), Some("pro")));
    let (_, read) = app.get(&format!("/v1/stores/{store}"), &owner).await;
    assert_eq!(read["plan"], "pro", "{read}");
    let (status, problem) =
        app.patch(&format!("/v1/admin/stores/{store}"), &admin.token, json!({"plan": "gold"})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "plan", "{problem}");
    let nobody = uuid::Uuid::now_v7();
    let (status, problem) =
        app.patch(&format!("/v1/admin/stores/{nobody}"), &admin.token, json!({"plan": "pro"})).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::NOT_FOUND, Some("not_found")), "{problem}");
    let (status, _) = app.patch("/v1/admin/stores/not-a-uuid", &admin.token, json!({"plan": "pro"})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn everyone_but_an_operator_with_totp_gets_the_unknown_routes_404() {
    let (app, owner, store) = TestApp::shop().await;
    hidden_from(&app, None, &store, "anonymous").await;
    hidden_from(&app, Some("bs_not-a-real-token"), &store, "a made-up token").await;
    hidden_from(&app, Some(&owner), &store, "a store owner").await;

    // Granted, but without TOTP.
    let no_totp = app.user().await;
    run(&app.core, &AdminCommand::Grant { email: no_totp.email.clone() }).await.unwrap();
    hidden_from(&app, Some(&no_totp.token), &store, "an operator without TOTP").await;

    // A store API key, even one an operator made.
    let admin = operator(&app).await;
    let admins_store = app.store(&admin.token).await;
    let key = app.api_key(&admin.token, &admins_store, None).await;
    hidden_from(&app, Some(&key), &store, "an API key").await;

    // The operator is answered; once revoked, no longer.
    assert_eq!(app.get("/v1/admin/plans", &admin.token).await.0, StatusCode::OK);
    let revoked = run(&app.core, &AdminCommand::Revoke { email: admin.email.clone() }).await;
    assert!(revoked.as_deref().is_ok_and(|line| line.contains("no longer")), "{revoked:?}");
    hidden_from(&app, Some(&admin.token), &store, "a revoked operator").await;
}

#[tokio::test]
async fn the_admin_command_parses_grants_once_revokes_and_refuses_an_unknown_email() {
    assert_eq!(
        parse_line(&["balcao", "admin", "grant", "ana@example.com"]),
        Some(AdminCommand::Grant { email: "ana@example.com".into() })
    );
    assert_eq!(
        parse_line(&["balcao", "admin", "revoke", "ana@example.com"]),
        Some(AdminCommand::Revoke { email: "ana@example.com".into() })
    );
    assert_eq!(parse_line(&["balcao", "admin", "grant"]), None, "an email is required");
    assert_eq!(parse_line(&["balcao", "admin", "promote", "ana@example.com"]), None);

    let app = TestApp::spawn().await;
    let user = app.user().await;
    let grant = AdminCommand::Grant { email: user.email.to_uppercase() };
    let first = run(&app.core, &grant).await.unwrap();
    assert!(first.contains("is now a platform operator"), "{first}");
    let again = run(&app.core, &grant).await.unwrap();
    assert!(again.contains("was already a platform operator"), "{again}");
    let unknown = run(&app.core, &AdminCommand::Grant { email: "nobody@example.com".into() }).await;
    assert_eq!(unknown, Err("no account has the email \"nobody@example.com\"".to_owned()));
    let unknown = run(&app.core, &AdminCommand::Revoke { email: "nobody@example.com".into() }).await;
    assert!(unknown.is_err());
    let revoke = AdminCommand::Revoke { email: user.email.clone() };
    assert!(run(&app.core, &revoke).await.unwrap().contains("is no longer"));
    assert!(run(&app.core, &revoke).await.unwrap().contains("was not a platform operator"));
}

#[tokio::test]
async fn an_operators_plan_change_applies_on_the_next_request_and_operators_rank_every_stores_usage() {
    let (app, owner, store) = TestApp::shop().await;
    let admin = operator(&app).await;
    let path = format!("/v1/stores/{store}/products");
    // Free at one request at a time: of a few at once, some are refused.
    let (status, body) =
        app.patch("/v1/admin/plans/free", &admin.token, json!({"requests_per_second": 1, "request_burst": 1})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let calls = (0..4).map(|_| app.request(Method::GET, &path, Some(&owner)).send());
    let statuses: Vec<u16> =
        futures_util::future::join_all(calls).await.into_iter().map(|r| r.map_or(0, |r| r.status().as_u16())).collect();
    assert!(statuses.contains(&429) && statuses.contains(&200), "{statuses:?}");
    // Moved to pro (unlimited here), the very next request passes with pro's policy.
    let (status, body) = app.patch(&format!("/v1/admin/stores/{store}"), &admin.token, json!({"plan": "pro"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let next = app.request(Method::GET, &path, Some(&owner)).send().await.unwrap_or_else(|e| panic!("get: {e}"));
    assert_eq!(next.status(), StatusCode::OK);
    let policy = next.headers().get("ratelimit-policy").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    assert!(policy.starts_with("\"read\";q=100000;"), "pro's burst: {policy}");

    // The ranking reads the flushed counts: this store's calls, the most first.
    balcao_core::usage::flush::run(&app.core).await.unwrap_or_else(|e| panic!("flush: {e}"));
    let (status, ranking) = app.get("/v1/admin/usage?metric=api_calls&order=desc&limit=5", &admin.token).await;
    assert_eq!(status, StatusCode::OK, "{ranking}");
    assert_eq!(ranking["metric"], "api_calls");
    let first = &ranking["data"][0];
    assert_eq!(first["store_id"], store.as_str(), "{ranking}");
    assert_eq!(first["plan"], "pro");
    let allowed = statuses.iter().filter(|s| **s == 200).count() as i64;
    assert_eq!(first["usage"]["used"], allowed + 1, "the allowed calls, not the refused: {ranking}");
    let (status, problem) = app.get("/v1/admin/usage?metric=nothing", &admin.token).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "metric", "{problem}");
}
