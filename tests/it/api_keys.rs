//! Store API keys: shown once, scoped, revocable, expiring.

// Helpers outside `#[test]` functions unwrap too: in a test, a panic is a failure report.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use balcao_tests::{TestApp, TestUser, assert_problem};
use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};

async fn send(app: &TestApp, method: Method, path: &str, token: &str, body: Option<Value>) -> Response {
    let mut builder = app.request(method, path, Some(token));
    if let Some(body) = body {
        builder = builder.json(&body);
    }
    builder.send().await.unwrap()
}

/// Asserts a 422 naming exactly `field`.
async fn assert_invalid(response: Response, field: &str) {
    let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let fields: Vec<&str> =
        problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, [field], "{problem}");
}

async fn assert_rejected(app: &TestApp, store: &str, key: &str) {
    let response = send(app, Method::GET, &format!("/v1/stores/{store}"), key, None).await;
    assert_problem(response, StatusCode::UNAUTHORIZED, "invalid_token").await;
}

/// A new owner and their store.
async fn owner_and_store(app: &TestApp) -> (TestUser, String) {
    let owner = app.user().await;
    let store = app.store(&owner.token).await;
    (owner, store)
}

/// Creates a key; returns the creation body.
async fn create(app: &TestApp, token: &str, store: &str, body: Value) -> Value {
    let (status, created) = app.post(&format!("/v1/stores/{store}/api-keys"), token, body).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    created
}

async fn list(app: &TestApp, token: &str, store: &str) -> Vec<Value> {
    let (status, page) = app.get(&format!("/v1/stores/{store}/api-keys"), token).await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["data"].as_array().unwrap().clone()
}

#[tokio::test]
async fn the_secret_is_shown_once() {
    let app = TestApp::spawn().await;
    let (owner, store) = owner_and_store(&app).await;
    let created =
        create(&app, &owner.token, &store, json!({"name": " Integração ERP ", "scopes": ["store:read"]})).await;
    let secret = created["secret"].as_str().unwrap();
    let prefix = created["prefix"].as_str().unwrap();
    assert!(secret.starts_with("bk_"), "{secret}");
    assert!(prefix.starts_with("bk_") && secret.starts_with(&format!("{prefix}_")), "{created}");
    assert!(secret.len() > prefix.len() + 20, "the secret part is long: {secret}");
    assert!(created["id"].is_string());
    assert_eq!(created["name"], "Integração ERP");
    assert_eq!(created["scopes"], json!(["store:read"]));
    assert!(created["last_used_at"].is_null());
    assert!(created["expires_at"].is_null());

    // Without scopes, the key gets all of the creator's permissions.
    let all = create(&app, &owner.token, &store, json!({"name": "tudo"})).await;
    assert_eq!(all["scopes"].as_array().unwrap().len(), balcao_core::tenancy::Permission::ALL.len(), "{all}");
    assert_ne!(all["secret"], created["secret"]);

    let (status, page) = app.get(&format!("/v1/stores/{store}/api-keys?limit=1"), &owner.token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["data"].as_array().unwrap().len(), 1);
    assert!(page["next_cursor"].is_string());
    let keys = list(&app, &owner.token, &store).await;
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0]["id"], created["id"]);
    assert_eq!(keys[0]["prefix"], prefix);
    let text = serde_json::to_string(&keys).unwrap();
    for key in &keys {
        for field in ["secret", "secret_hash", "hash"] {
            assert!(key.get(field).is_none(), "{field} in {key}");
        }
    }
    assert!(!text.contains(secret) && !text.contains(all["secret"].as_str().unwrap()));
}

#[tokio::test]
async fn keys_work_within_their_scopes() {
    let app = TestApp::spawn().await;
    let (owner, store) = owner_and_store(&app).await;
    let read = app.api_key(&owner.token, &store, Some(&["store:read"])).await;
    let write = app.api_key(&owner.token, &store, Some(&["store:write"])).await;
    let path = format!("/v1/stores/{store}");

    let (status, got) = app.get(&path, &read).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(got["id"], store.as_str());
    let response = send(&app, Method::PATCH, &path, &read, Some(json!({"name": "Pelo read"}))).await;
    assert_problem(response, StatusCode::FORBIDDEN, "forbidden").await;
    for forbidden in [format!("{path}/members"), format!("{path}/api-keys")] {
        assert_problem(send(&app, Method::GET, &forbidden, &read, None).await, StatusCode::FORBIDDEN, "forbidden")
            .await;
    }
    let (status, patched) = app.patch(&path, &write, json!({"name": "Pelo write"})).await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    assert_eq!(patched["name"], "Pelo write");
    assert_problem(send(&app, Method::GET, &path, &write, None).await, StatusCode::FORBIDDEN, "forbidden").await;
    // Keys are not users: no store list, no new stores.
    assert_problem(send(&app, Method::GET, "/v1/stores", &read, None).await, StatusCode::FORBIDDEN, "forbidden").await;
    let body = json!({"name": "X", "slug": "criada-por-chave"});
    assert_problem(
        send(&app, Method::POST, "/v1/stores", &write, Some(body)).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;
}

#[tokio::test]
async fn scopes_stay_within_the_creators_permissions() {
    let app = TestApp::spawn().await;
    let (owner, store) = owner_and_store(&app).await;
    let keys_path = format!("/v1/stores/{store}/api-keys");
    let admin = app.user().await;
    app.add_member(&owner.token, &store, &admin.email, "admin").await;
    let staff = app.user().await;
    app.add_member(&owner.token, &store, &staff.email, "staff").await;

    // Admins hold everything but store:delete.
    let body = json!({"name": "k", "scopes": ["store:read", "store:delete"]});
    assert_invalid(send(&app, Method::POST, &keys_path, &admin.token, Some(body)).await, "scopes[1]").await;
    let created =
        create(&app, &admin.token, &store, json!({"name": "k", "scopes": ["store:read", "catalog:write"]})).await;
    assert_eq!(created["scopes"], json!(["store:read", "catalog:write"]));
    let defaults = create(&app, &admin.token, &store, json!({"name": "k"})).await;
    assert!(!defaults["scopes"].as_array().unwrap().contains(&json!("store:delete")), "{defaults}");
    assert_eq!(
        defaults["scopes"].as_array().unwrap().len(),
        balcao_core::tenancy::Permission::ALL.len() - 1,
        "all but store:delete"
    );
    // Staff may not manage keys at all.
    let body = json!({"name": "k", "scopes": ["store:read"]});
    assert_problem(
        send(&app, Method::POST, &keys_path, &staff.token, Some(body)).await,
        StatusCode::FORBIDDEN,
        "forbidden",
    )
    .await;

    // A key that manages keys cannot mint a stronger one.
    let manager = app.api_key(&owner.token, &store, Some(&["api_keys:manage", "store:read"])).await;
    let body = json!({"name": "k", "scopes": ["store:read", "store:write"]});
    assert_invalid(send(&app, Method::POST, &keys_path, &manager, Some(body)).await, "scopes[1]").await;
    let minted = create(&app, &manager, &store, json!({"name": "k", "scopes": ["store:read"]})).await;
    assert_eq!(app.get(&format!("/v1/stores/{store}"), minted["secret"].as_str().unwrap()).await.0, StatusCode::OK);

    let body = json!({"name": "k", "scopes": ["fly"]});
    assert_invalid(send(&app, Method::POST, &keys_path, &owner.token, Some(body)).await, "scopes[0]").await;
    let body = json!({"name": "k", "expires_at": (chrono::Utc::now() - chrono::Duration::minutes(1)).to_rfc3339()});
    assert_invalid(send(&app, Method::POST, &keys_path, &owner.token, Some(body)).await, "expires_at").await;
    let body = json!({"name": " ", "scopes": ["store:read"]});
    assert_invalid(send(&app, Method::POST, &keys_path, &owner.token, Some(body)).await, "name").await;
}

#[tokio::test]
async fn a_revoked_key_stops_at_once() {
    let app = TestApp::spawn().await;
    let (owner, store) = owner_and_store(&app).await;
    let created = create(&app, &owner.token, &store, json!({"name": "k", "scopes": ["store:read"]})).await;
    let kept = app.api_key(&owner.token, &store, Some(&["store:read"])).await;
    let secret = created["secret"].as_str().unwrap();
    // Use it first so the credential is cached.
    assert_eq!(app.get(&format!("/v1/stores/{store}"), secret).await.0, StatusCode::OK);
    assert_eq!(app.get(&format!("/v1/stores/{store}"), secret).await.0, StatusCode::OK);

    let key_path = format!("/v1/stores/{store}/api-keys/{}", created["id"].as_str().unwrap());
    assert_eq!(send(&app, Method::DELETE, &key_path, &owner.token, None).await.status(), StatusCode::NO_CONTENT);
    assert_rejected(&app, &store, secret).await;
    assert_problem(send(&app, Method::DELETE, &key_path, &owner.token, None).await, StatusCode::NOT_FOUND, "not_found")
        .await;
    let keys = list(&app, &owner.token, &store).await;
    assert!(keys.iter().all(|k| k["id"] != created["id"]), "revoked keys are not listed");
    assert_eq!(keys.len(), 1);
    assert_eq!(app.get(&format!("/v1/stores/{store}"), &kept).await.0, StatusCode::OK, "other keys still work");

    // A key id of another store cannot be revoked through mine.
    let (other, other_store) = owner_and_store(&app).await;
    let foreign = create(&app, &other.token, &other_store, json!({"name": "k", "scopes": ["store:read"]})).await;
    let path = format!("/v1/stores/{store}/api-keys/{}", foreign["id"].as_str().unwrap());
    assert_problem(send(&app, Method::DELETE, &path, &owner.token, None).await, StatusCode::NOT_FOUND, "not_found")
        .await;
    assert_eq!(
        app.get(&format!("/v1/stores/{other_store}"), foreign["secret"].as_str().unwrap()).await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn an_expired_key_stops() {
    let app = TestApp::spawn().await;
    let (owner, store) = owner_and_store(&app).await;
    let expires_at = chrono::Utc::now() + chrono::Duration::seconds(2);
    let created =
        create(&app, &owner.token, &store, json!({"name": "k", "scopes": ["store:read"], "expires_at": expires_at}))
            .await;
    assert!(created["expires_at"].is_string());
    let secret = created["secret"].as_str().unwrap();
    assert_eq!(app.get(&format!("/v1/stores/{store}"), secret).await.0, StatusCode::OK);
    let left = (expires_at - chrono::Utc::now()).to_std().unwrap_or_default();
    tokio::time::sleep(left + Duration::from_millis(300)).await;
    assert_rejected(&app, &store, secret).await;
}

#[tokio::test]
async fn last_used_at_is_recorded() {
    let app = TestApp::spawn().await;
    let (owner, store) = owner_and_store(&app).await;
    let created = create(&app, &owner.token, &store, json!({"name": "k", "scopes": ["store:read"]})).await;
    let before = chrono::Utc::now();
    assert!(list(&app, &owner.token, &store).await[0]["last_used_at"].is_null());
    assert_eq!(app.get(&format!("/v1/stores/{store}"), created["secret"].as_str().unwrap()).await.0, StatusCode::OK);
    let keys = list(&app, &owner.token, &store).await;
    let used: chrono::DateTime<chrono::Utc> = keys[0]["last_used_at"].as_str().unwrap().parse().unwrap();
    assert!(used >= before - chrono::Duration::seconds(1) && used <= chrono::Utc::now(), "{used}");
}

#[tokio::test]
async fn deleting_the_store_kills_its_keys() {
    let app = TestApp::spawn().await;
    let (owner, store) = owner_and_store(&app).await;
    let key = app.api_key(&owner.token, &store, Some(&["store:read"])).await;
    assert_eq!(app.get(&format!("/v1/stores/{store}"), &key).await.0, StatusCode::OK);
    let response = send(&app, Method::DELETE, &format!("/v1/stores/{store}"), &owner.token, None).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_rejected(&app, &store, &key).await;
}

#[tokio::test]
async fn a_key_cannot_reach_another_store() {
    let app = TestApp::spawn().await;
    let (owner, store) = owner_and_store(&app).await;
    let (_, other_store) = owner_and_store(&app).await;
    let key = app.api_key(&owner.token, &store, None).await;
    for path in [format!("/v1/stores/{other_store}"), format!("/v1/stores/{other_store}/api-keys")] {
        assert_problem(send(&app, Method::GET, &path, &key, None).await, StatusCode::NOT_FOUND, "not_found").await;
    }
    // A tampered secret with a real prefix is refused.
    let tampered = format!("{}x", &key[..key.len() - 1]);
    let tampered = if tampered == key { format!("{}y", &key[..key.len() - 1]) } else { tampered };
    assert_rejected(&app, &store, &tampered).await;
}
