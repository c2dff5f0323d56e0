//! A passkey in place of a TOTP code, beside the password.

use balcao_core::identity::totp;
use balcao_tests::{TestApp, TestUser, assert_problem};
use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{Browser, ORIGIN, login_start, login_with_email, register, send};

/// Turns TOTP on for `user`; returns the secret.
async fn enable_totp(app: &TestApp, user: &TestUser) -> Vec<u8> {
    let (status, enrolment) = app.post("/v1/me/totp", &user.token, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{enrolment}");
    let secret = totp_rs::Secret::Encoded(enrolment["secret"].as_str().unwrap().to_owned()).to_bytes().unwrap();
    let now = u64::try_from(chrono::Utc::now().timestamp()).unwrap();
    let code = totp::code_at(&secret, now).unwrap();
    let (status, confirmed) = app.post("/v1/me/totp/confirm", &user.token, json!({"code": code})).await;
    assert_eq!(status, StatusCode::OK, "{confirmed}");
    secret
}

#[tokio::test]
async fn a_totp_user_logs_in_with_password_and_passkey() {
    let app = TestApp::spawn().await;
    let user = app.user().await;
    let other = app.user().await;
    let mut browser = Browser::new();
    let mut other_browser = Browser::new();
    register(&app, &mut browser, &user, "key").await;
    register(&app, &mut other_browser, &other, "theirs").await;
    enable_totp(&app, &user).await;

    let password_only = json!({"email": user.email, "password": user.password});
    let response = send(&app, Method::POST, "/v1/auth/login", None, password_only).await;
    assert_problem(response, StatusCode::UNAUTHORIZED, "totp_required").await;

    // Password plus a passkey answer in place of the code.
    let (challenge_id, options) = login_start(&app, Some(&user.email)).await;
    let answer = browser.get(ORIGIN, &options);
    let passkey = json!({"challenge_id": challenge_id, "credential": answer});
    let body = json!({"email": user.email, "password": user.password, "passkey": passkey});
    let (status, session) = app.call(Method::POST, "/v1/auth/login", None, Some(body.clone())).await;
    assert_eq!(status, StatusCode::OK, "{session}");
    let (status, me) = app.get("/v1/me", session["token"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["totp_enabled"], true);
    // The same answer again: the challenge is spent.
    let response = send(&app, Method::POST, "/v1/auth/login", None, body).await;
    assert_problem(response, StatusCode::UNAUTHORIZED, "invalid_passkey").await;

    // A wrong password with a good passkey answer fails on the password.
    let (challenge_id, options) = login_start(&app, Some(&user.email)).await;
    let answer = browser.get(ORIGIN, &options);
    let body = json!({"email": user.email, "password": "not the password",
        "passkey": {"challenge_id": challenge_id, "credential": answer}});
    let response = send(&app, Method::POST, "/v1/auth/login", None, body).await;
    assert_problem(response, StatusCode::UNAUTHORIZED, "invalid_credentials").await;

    // Someone else's passkey does not stand in for this user's second factor.
    let (challenge_id, options) = login_start(&app, Some(&other.email)).await;
    let answer = other_browser.get(ORIGIN, &options);
    let body = json!({"email": user.email, "password": user.password,
        "passkey": {"challenge_id": challenge_id, "credential": answer}});
    let response = send(&app, Method::POST, "/v1/auth/login", None, body).await;
    assert_problem(response, StatusCode::UNAUTHORIZED, "invalid_passkey").await;

    // A passkey alone counts as both factors.
    let token = login_with_email(&app, &mut browser, &user.email).await;
    let (status, _) = app.get("/v1/me", &token).await;
    assert_eq!(status, StatusCode::OK);
}
