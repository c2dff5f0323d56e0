//! Rolling an API key: the old secret lasts until its moment, and only someone holding the
//! key's scopes may roll it.

use std::time::Duration;

use balcao_tests::TestApp;
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test]
async fn a_rolled_key_keeps_its_old_secret_until_its_moment_and_then_401() {
    let (app, owner, store) = TestApp::shop().await;
    let (status, created) = app
        .post(&format!("/v1/stores/{store}/api-keys"), &owner, json!({"name": "erp", "scopes": ["catalog:read"]}))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let old = created["secret"].as_str().unwrap().to_owned();
    let id = created["id"].as_str().unwrap();
    let products = format!("/v1/stores/{store}/products");
    assert_eq!(app.get(&products, &old).await.0, StatusCode::OK);

    let roll = async |body: Value| app.post(&format!("/v1/stores/{store}/api-keys/{id}/roll"), &owner, body).await;
    for bad in [json!({"expires_old_in": 604_801}), json!({"expires_old_in": -1})] {
        let (status, problem) = roll(bad).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(problem["errors"][0]["field"], "expires_old_in");
    }
    let (status, rolled) = roll(json!({"expires_old_in": 2})).await;
    assert_eq!(status, StatusCode::CREATED, "{rolled}");
    let new = rolled["secret"].as_str().unwrap().to_owned();
    assert_ne!(new, old);
    assert_eq!(rolled["name"], "erp");
    assert_eq!(rolled["scopes"], json!(["catalog:read"]));
    assert_eq!(app.get(&products, &new).await.0, StatusCode::OK);
    assert_eq!(app.get(&products, &old).await.0, StatusCode::OK, "the old secret still works for now");

    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(app.get(&products, &old).await.0, StatusCode::UNAUTHORIZED, "and stops at its moment");
    assert_eq!(app.get(&products, &new).await.0, StatusCode::OK);

    // A roll with no overlap stops the old secret at once; a revoked key cannot be rolled.
    let new_id = rolled["id"].as_str().unwrap();
    let (status, again) =
        app.post(&format!("/v1/stores/{store}/api-keys/{new_id}/roll"), &owner, json!({"expires_old_in": 0})).await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(app.get(&products, &new).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(app.get(&products, again["secret"].as_str().unwrap()).await.0, StatusCode::OK);
    let (status, _) =
        app.post(&format!("/v1/stores/{store}/api-keys/{new_id}/roll"), &owner, json!({"expires_old_in": 0})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_key_is_rolled_only_by_someone_holding_its_scopes() {
    let app = TestApp::spawn().await;
    let (owner, store, admin) = app.store_with_member("admin").await;
    let (_, key) = app
        .post(
            &format!("/v1/stores/{store}/api-keys"),
            &owner.token,
            json!({"name": "tudo", "scopes": ["store:delete"]}),
        )
        .await;
    let id = key["id"].as_str().unwrap();
    let (status, problem) =
        app.post(&format!("/v1/stores/{store}/api-keys/{id}/roll"), &admin.token, json!({"expires_old_in": 60})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "an admin lacks store:delete: {problem}");
}
