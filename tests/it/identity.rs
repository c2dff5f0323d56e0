//! Signup, login, logout, /me, TOTP and login throttling.

use balcao_tests::{TestApp, assert_problem};
use reqwest::{Method, StatusCode};

#[tokio::test]
async fn signup_login_me_logout() {
    let app = TestApp::spawn().await;
    let user = app.user().await;
    let (status, me) = app.get("/v1/me", &user.token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["email"], user.email);
    assert_eq!(me["totp_enabled"], false);
    assert!(me.get("password_hash").is_none());

    let response = app.request(Method::POST, "/v1/auth/logout", Some(&user.token)).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let response = app.request(Method::GET, "/v1/me", Some(&user.token)).send().await.unwrap();
    assert_problem(response, StatusCode::UNAUTHORIZED, "invalid_token").await;
}
