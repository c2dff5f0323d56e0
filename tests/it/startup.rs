//! Start-up: the database is created and migrated; a database outage answers 503.

use balcao_core::config::Config;
use balcao_core::db::{database_url_for, quote_ident};
use balcao_tests::{TestApp, assert_problem, server_url};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn start_creates_and_migrates_a_missing_database() {
    let name = format!("balcao_start_{}", uuid::Uuid::now_v7().simple());
    let url = database_url_for(&server_url(), &name).unwrap();
    let vars = [("DATABASE_URL".to_owned(), url.clone()), ("REDIS_URL".to_owned(), String::new())];
    let config = Config::from_map(&vars.into_iter().collect()).unwrap();
    let core = balcao_gateway::runtime::core(config.clone()).await.unwrap();
    let mut conn = core.pool.get().await.unwrap();
    let users = diesel::sql_query("SELECT 1 FROM users").execute(&mut conn).await.unwrap();
    assert_eq!(users, 0, "the schema exists and is empty");
    drop(conn);
    drop(core);
    // Starting again on the migrated database is a no-op.
    let again = balcao_gateway::runtime::core(config).await;
    assert!(again.is_ok());
    drop(again);

    let mut admin = AsyncPgConnection::establish(&server_url()).await.unwrap();
    diesel::sql_query(format!("DROP DATABASE {} WITH (FORCE)", quote_ident(&name))).execute(&mut admin).await.unwrap();
}

#[tokio::test]
async fn database_outage_answers_503_with_retry_after() {
    let app = TestApp::spawn_with(&[
        ("DATABASE_URL", "postgres://postgres@127.0.0.1:1/nowhere"),
        ("BALCAO_DB_CONNECT_TIMEOUT_MS", "300"),
    ])
    .await;
    let response = app
        .request(Method::POST, "/v1/auth/login", None)
        .json(&json!({"email": "ana@example.com", "password": "whatever it is"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers().get("retry-after").and_then(|v| v.to_str().ok()), Some("5"));
    assert_problem(response, StatusCode::SERVICE_UNAVAILABLE, "service_unavailable").await;
    let (status, ready) = app.call(Method::GET, "/health/ready", None, None).await;
    assert_eq!((status, ready["database"].as_str()), (StatusCode::SERVICE_UNAVAILABLE, Some("unavailable")));
}
