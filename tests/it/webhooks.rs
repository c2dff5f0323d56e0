//! Webhooks: endpoint CRUD and validation, secrets shown once, rotation, tenancy, the event catalog.

use balcao_tests::{TestApp, assert_problem};
use diesel::sql_types::{Text, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn endpoint_body() -> Value {
    json!({
        "url": "https://example.com/hooks/balcao",
        "event_types": ["order.paid", "order.cancelled"],
        "description": "ERP",
        "headers": {"X-Api-Key": "abc123"},
    })
}

/// The endpoint's secrets as stored: decrypted with the keyring, `[{secret, expires_at}]`.
async fn stored_secrets(app: &TestApp, store: &str, id: &str) -> Vec<Value> {
    #[derive(diesel::QueryableByName)]
    struct Sealed {
        #[diesel(sql_type = Text)]
        secrets: String,
    }
    let mut conn = app.core.pool.get().await.unwrap();
    let row: Sealed = diesel::sql_query("SELECT secrets FROM webhook_endpoints WHERE store_id = $1 AND id = $2")
        .bind::<SqlUuid, _>(store.parse::<uuid::Uuid>().unwrap())
        .bind::<SqlUuid, _>(id.parse::<uuid::Uuid>().unwrap())
        .get_result(&mut conn)
        .await
        .unwrap();
    assert!(!row.secrets.contains("whsec_"), "secrets are sealed at rest");
    let plain = app.core.config.keyring.open(&row.secrets, &format!("webhook-secret:{id}")).unwrap();
    serde_json::from_slice(&plain).unwrap()
}

#[tokio::test]
async fn endpoint_crud_shows_the_secret_only_on_create() {
    let (app, token, store) = TestApp::shop().await;
    let base = format!("/v1/stores/{store}/webhook-endpoints");
    let (status, created) = app.post(&base, &token, endpoint_body()).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let secret = created["secret"].as_str().unwrap();
    assert!(secret.starts_with("whsec_"), "{secret}");
    assert_eq!(created["url"], "https://example.com/hooks/balcao");
    assert_eq!(created["event_types"], json!(["order.paid", "order.cancelled"]));
    assert_eq!((created["active"].clone(), created["rate_limit_per_second"].clone()), (json!(true), json!(10)));
    assert_eq!(created["configured_headers"], json!(["X-Api-Key"]));
    assert!(!created.to_string().contains("abc123"), "a header value is never returned: {created}");
    let id = created["id"].as_str().unwrap();
    let path = format!("{base}/{id}");

    let (status, fetched) = app.get(&path, &token).await;
    assert_eq!(status, StatusCode::OK);
    assert!(fetched.get("secret").is_none(), "{fetched}");
    assert_eq!(fetched["description"], "ERP");
    let (status, page) = app.get(&base, &token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["data"].as_array().map(Vec::len), Some(1));
    assert!(page["data"][0].get("secret").is_none());
    assert!(!page.to_string().contains("whsec_"));
    assert!(!fetched.to_string().contains("abc123") && !page.to_string().contains("abc123"), "{fetched} {page}");
    // At rest the value is sealed too: the row holds the name only.
    let mut conn = app.core.pool.get().await.unwrap();
    let stored: Vec<String> = diesel_async::RunQueryDsl::load(
        diesel::sql_query("SELECT headers::text || coalesce(sealed_headers, '') AS text FROM webhook_endpoints")
            .into_boxed::<diesel::pg::Pg>(),
        &mut conn,
    )
    .await
    .map(|rows: Vec<StoredText>| rows.into_iter().map(|r| r.text).collect())
    .unwrap();
    assert!(stored.iter().all(|t| t.contains("X-Api-Key") && !t.contains("abc123")), "{stored:?}");

    let patch = json!({"event_types": ["*"], "active": false, "rate_limit_per_second": 50, "headers": {}});
    let (status, updated) = app.patch(&path, &token, patch).await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["event_types"], json!(["*"]));
    assert_eq!((updated["active"].clone(), updated["rate_limit_per_second"].clone()), (json!(false), json!(50)));
    assert_eq!(updated["configured_headers"], json!([]));
    assert_eq!(updated["url"], "https://example.com/hooks/balcao", "unchanged");
    assert!(updated.get("secret").is_none());

    let (status, _) = app.delete(&path, &token).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let response = app.request(Method::GET, &path, Some(&token)).send().await.unwrap();
    assert_problem(response, StatusCode::NOT_FOUND, "not_found").await;
    let (status, _) = app.delete(&path, &token).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn field_error(app: &TestApp, method: Method, path: &str, token: &str, body: Value) -> (String, String) {
    let response = app.request(method, path, Some(token)).json(&body).send().await.unwrap();
    let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let error = &problem["errors"][0];
    (error["field"].as_str().unwrap().to_owned(), error["code"].as_str().unwrap().to_owned())
}

#[tokio::test]
async fn endpoint_forms_are_validated() {
    let (app, token, store) = TestApp::shop().await;
    let base = format!("/v1/stores/{store}/webhook-endpoints");
    let with = |key: &str, value: Value| {
        let mut body = endpoint_body();
        body[key] = value;
        body
    };
    let cases = [
        (with("url", json!("http://example.com/hook")), ("url", "https_required")),
        (with("url", json!("https://127.0.0.1/hook")), ("url", "destination_forbidden")),
        (with("url", json!("nope")), ("url", "invalid_url")),
        (with("event_types", json!(["order.paid", "order.teleported"])), ("event_types[1]", "unknown_event_type")),
        (with("event_types", json!([])), ("event_types", "required")),
        (with("event_types", json!(["*", "order.paid"])), ("event_types[0]", "wildcard_alone")),
        (with("headers", json!({"Webhook-Id": "x"})), ("headers.Webhook-Id", "reserved_header")),
        (with("headers", json!({"content-type": "text/plain"})), ("headers.content-type", "reserved_header")),
        (with("headers", json!({"bad name": "x"})), ("headers.bad name", "invalid_header_name")),
        (with("rate_limit_per_second", json!(0)), ("rate_limit_per_second", "out_of_range")),
        (with("rate_limit_per_second", json!(1001)), ("rate_limit_per_second", "out_of_range")),
    ];
    for (body, (field, code)) in cases {
        let got = field_error(&app, Method::POST, &base, &token, body.clone()).await;
        assert_eq!(got, (field.to_owned(), code.to_owned()), "{body}");
    }
    let (status, created) = app.post(&base, &token, endpoint_body()).await;
    assert_eq!(status, StatusCode::CREATED);
    let path = format!("{base}/{}", created["id"].as_str().unwrap());
    let got = field_error(&app, Method::PATCH, &path, &token, json!({"url": "http://example.com"})).await;
    assert_eq!(got, ("url".to_owned(), "https_required".to_owned()));
    let got = field_error(&app, Method::PATCH, &path, &token, json!({"event_types": ["x.y"]})).await;
    assert_eq!(got, ("event_types[0]".to_owned(), "unknown_event_type".to_owned()));
    let rotate = format!("{path}/rotate-secret");
    let got = field_error(&app, Method::POST, &rotate, &token, json!({"grace_period_hours": 169})).await;
    assert_eq!(got, ("grace_period_hours".to_owned(), "out_of_range".to_owned()));
}

#[tokio::test]
async fn operator_may_allow_http_and_private_destinations() {
    let app =
        TestApp::spawn_with(&[("BALCAO_WEBHOOKS_ALLOW_HTTP", "true"), ("BALCAO_WEBHOOKS_ALLOW_PRIVATE", "true")]).await;
    let user = app.user().await;
    let store = app.store(&user.token).await;
    let body = json!({"url": "http://127.0.0.1:9000/hook", "event_types": ["*"]});
    let (status, created) = app.post(&format!("/v1/stores/{store}/webhook-endpoints"), &user.token, body).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
}

#[tokio::test]
async fn rotation_keeps_the_previous_secret_for_the_grace_period() {
    let (app, token, store) = TestApp::shop().await;
    let base = format!("/v1/stores/{store}/webhook-endpoints");
    let (_, created) = app.post(&base, &token, endpoint_body()).await;
    let id = created["id"].as_str().unwrap();
    let first = created["secret"].as_str().unwrap().to_owned();
    let stored = stored_secrets(&app, &store, id).await;
    assert_eq!(stored, vec![json!({"secret": first, "expires_at": null})]);

    let rotate = format!("{base}/{id}/rotate-secret");
    let (status, rotated) = app.post(&rotate, &token, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{rotated}");
    let second = rotated["secret"].as_str().unwrap().to_owned();
    assert!(second.starts_with("whsec_") && second != first);
    let expires: chrono::DateTime<chrono::Utc> =
        rotated["previous_secret_expires_at"].as_str().unwrap().parse().unwrap();
    let hours = (expires - chrono::Utc::now()).num_minutes();
    assert!((23 * 60..=24 * 60).contains(&hours), "default grace is 24 h: {hours} min");
    let stored = stored_secrets(&app, &store, id).await;
    assert_eq!(stored.len(), 2, "both secrets sign during the grace period");
    assert_eq!((stored[0]["secret"].as_str(), &stored[0]["expires_at"]), (Some(second.as_str()), &Value::Null));
    assert_eq!(stored[1]["secret"].as_str(), Some(first.as_str()));
    assert!(stored[1]["expires_at"].is_string());
    let (_, fetched) = app.get(&format!("{base}/{id}"), &token).await;
    assert!(fetched["previous_secret_expires_at"].is_string(), "{fetched}");
    assert!(!fetched.to_string().contains("whsec_"));

    let (status, third) = app.post(&rotate, &token, json!({"grace_period_hours": 0})).await;
    assert_eq!(status, StatusCode::OK, "{third}");
    assert!(third["previous_secret_expires_at"].is_null());
    let stored = stored_secrets(&app, &store, id).await;
    assert_eq!(stored, vec![json!({"secret": third["secret"], "expires_at": null})], "only the new secret signs");
    let (_, fetched) = app.get(&format!("{base}/{id}"), &token).await;
    assert!(fetched["previous_secret_expires_at"].is_null());
}

#[tokio::test]
async fn endpoints_stay_in_their_store_and_need_the_permission() {
    let (app, token, store) = TestApp::shop().await;
    let base = format!("/v1/stores/{store}/webhook-endpoints");
    let (_, created) = app.post(&base, &token, endpoint_body()).await;
    let id = created["id"].as_str().unwrap();

    // Another store's owner sees nothing of it, even through their own store's path.
    let stranger = app.user().await;
    let own_store = app.store(&stranger.token).await;
    let foreign = format!("/v1/stores/{own_store}/webhook-endpoints/{id}");
    for (method, body) in [(Method::GET, None), (Method::PATCH, Some(json!({"active": false}))), (Method::DELETE, None)]
    {
        let (status, problem) = app.call(method.clone(), &foreign, Some(&stranger.token), body).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{method}: {problem}");
    }
    let (status, _) = app.post(&format!("{foreign}/rotate-secret"), &stranger.token, json!({})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app.get(&format!("{base}/{id}"), &stranger.token).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A viewer manages no webhooks.
    app.add_member(&token, &store, &stranger.email, "viewer").await;
    let writes = [
        (Method::POST, base.clone(), Some(endpoint_body())),
        (Method::PATCH, format!("{base}/{id}"), Some(json!({"active": false}))),
        (Method::DELETE, format!("{base}/{id}"), None),
        (Method::POST, format!("{base}/{id}/rotate-secret"), Some(json!({}))),
    ];
    for (method, path, body) in writes {
        let mut request = app.request(method, &path, Some(&stranger.token));
        if let Some(body) = body {
            request = request.json(&body);
        }
        assert_problem(request.send().await.unwrap(), StatusCode::FORBIDDEN, "forbidden").await;
    }
    let (status, still) = app.get(&format!("{base}/{id}"), &token).await;
    assert_eq!((status, still["active"].clone()), (StatusCode::OK, json!(true)));
}

#[tokio::test]
async fn event_catalog_is_public_with_schemas_and_examples() {
    let app = TestApp::spawn().await;
    let (status, types) = app.call(Method::GET, "/v1/webhook-event-types", None, None).await;
    assert_eq!(status, StatusCode::OK, "{types}");
    assert_eq!(types["next_cursor"], Value::Null);
    let types = types["data"].as_array().unwrap();
    let names: Vec<&str> = types.iter().filter_map(|t| t["type"].as_str()).collect();
    for expected in [
        "order.created",
        "order.paid",
        "order.shipped",
        "order.delivered",
        "order.cancelled",
        "product.low_stock",
        "customer.created",
        "store.created",
        "endpoint.disabled",
    ] {
        assert!(names.contains(&expected), "{expected} missing from {names:?}");
    }
    for t in types {
        assert!(t["schema"].is_object() && t["schema"]["type"] == "object", "{t}");
        assert!(t["example"].is_object(), "{t}");
        assert!(t["description"].as_str().is_some_and(|d| !d.is_empty()), "{t}");
    }
    let paid = types.iter().find(|t| t["type"] == "order.paid").unwrap();
    assert!(paid["schema"]["properties"]["total"].is_object(), "{paid}");
    assert_eq!(paid["example"]["status"], "paid");
}

#[derive(diesel::QueryableByName)]
struct StoredText {
    #[diesel(sql_type = diesel::sql_types::Text)]
    text: String,
}
