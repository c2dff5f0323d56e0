//! Idempotency-Key: one effect per key, replays, mismatches, concurrency.

use balcao_tests::{TestApp, assert_problem, parse};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

async fn store_count(app: &TestApp, token: &str) -> usize {
    let (_, page) = app.get("/v1/stores?limit=100", token).await;
    page["data"].as_array().unwrap().len()
}

fn create_store(app: &TestApp, token: &str, key: &str, body: &Value) -> reqwest::RequestBuilder {
    app.request(Method::POST, "/v1/stores", Some(token)).header("Idempotency-Key", key).json(body)
}

#[tokio::test]
async fn a_replay_returns_the_first_response() {
    let app = TestApp::spawn().await;
    let user = app.user().await;
    let body = json!({"name": "Loja", "slug": "loja-idem"});
    let first = create_store(&app, &user.token, "key-1", &body).send().await.unwrap();
    assert!(first.headers().get("idempotent-replayed").is_none());
    let (status, created) = parse(first).await;
    assert_eq!(status, StatusCode::CREATED);

    let again = create_store(&app, &user.token, "key-1", &body).send().await.unwrap();
    assert_eq!(again.headers().get("idempotent-replayed").and_then(|v| v.to_str().ok()), Some("true"));
    let (status, replayed) = parse(again).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(replayed, created);
    assert_eq!(store_count(&app, &user.token).await, 1);

    // Without a key, the same body is a new request (and here a conflict).
    let (status, _) = app.post("/v1/stores", &user.token, body.clone()).await;
    assert_eq!(status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn same_key_with_another_body_is_refused() {
    let app = TestApp::spawn().await;
    let user = app.user().await;
    let first =
        create_store(&app, &user.token, "key-2", &json!({"name": "A", "slug": "loja-aaa"})).send().await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let other =
        create_store(&app, &user.token, "key-2", &json!({"name": "B", "slug": "loja-bbb"})).send().await.unwrap();
    assert_problem(other, StatusCode::UNPROCESSABLE_ENTITY, "idempotency_key_reused").await;
    assert_eq!(store_count(&app, &user.token).await, 1);
}

#[tokio::test]
async fn keys_are_scoped_to_the_caller() {
    let app = TestApp::spawn().await;
    let (ana, bia) = (app.user().await, app.user().await);
    let a = create_store(&app, &ana.token, "shared", &json!({"name": "A", "slug": "loja-ana"})).send().await.unwrap();
    let b = create_store(&app, &bia.token, "shared", &json!({"name": "B", "slug": "loja-bia"})).send().await.unwrap();
    assert_eq!((a.status(), b.status()), (StatusCode::CREATED, StatusCode::CREATED));
    assert!(b.headers().get("idempotent-replayed").is_none());
}

#[tokio::test]
async fn concurrent_requests_with_one_key_create_one_thing() {
    let app = TestApp::spawn().await;
    let user = app.user().await;
    let body = json!({"name": "Corrida", "slug": "loja-corrida"});
    let sends = (0..8).map(|_| create_store(&app, &user.token, "race", &body).send());
    let responses = futures_util::future::join_all(sends).await;
    let mut created = 0;
    for response in responses {
        let response = response.unwrap();
        let replayed = response.headers().get("idempotent-replayed").is_some();
        match response.status() {
            StatusCode::CREATED if !replayed => created += 1,
            StatusCode::CREATED => {}
            StatusCode::CONFLICT => {
                assert_problem(response, StatusCode::CONFLICT, "idempotency_key_in_use").await;
            }
            other => panic!("unexpected {other}"),
        }
    }
    assert_eq!(created, 1, "exactly one request ran");
    assert_eq!(store_count(&app, &user.token).await, 1);
}

#[tokio::test]
async fn invalid_key_names_the_header() {
    let app = TestApp::spawn().await;
    let user = app.user().await;
    let long = "k".repeat(300);
    let response =
        create_store(&app, &user.token, &long, &json!({"name": "A", "slug": "loja-x"})).send().await.unwrap();
    let body = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(body["errors"][0]["field"], "Idempotency-Key");
}
