//! Signup, login, logout, /me, TOTP and login throttling.

// Helpers outside `#[test]` functions unwrap too: in a test, a panic is a failure report.
#![allow(clippy::unwrap_used)]

use balcao_core::identity::totp;
use balcao_tests::{TestApp, TestUser, assert_problem};
use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};

/// POSTs JSON without a token and returns the raw response (for `assert_problem`).
async fn send(app: &TestApp, method: Method, path: &str, token: Option<&str>, body: Value) -> Response {
    app.request(method, path, token).json(&body).send().await.unwrap()
}

async fn login(app: &TestApp, email: &str, password: &str, totp_code: Option<&str>) -> Response {
    let mut body = json!({"email": email, "password": password});
    if let Some(code) = totp_code {
        body["totp_code"] = json!(code);
    }
    send(app, Method::POST, "/v1/auth/login", None, body).await
}

/// The `field` of every entry in a problem's `errors`.
fn fields(problem: &Value) -> Vec<&str> {
    problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect()
}

fn now() -> u64 {
    u64::try_from(chrono::Utc::now().timestamp()).unwrap()
}

fn code_at(secret: &[u8], unix_time: u64) -> String {
    totp::code_at(secret, unix_time).unwrap()
}

/// A six-digit code that matches none of the steps the server could accept around now.
fn wrong_code(secret: &[u8]) -> String {
    let t = now();
    let valid: Vec<String> = (0..5).map(|i| code_at(secret, t + i * 30 - 60)).collect();
    (0..10).map(|d| d.to_string().repeat(6)).find(|c| !valid.contains(c)).unwrap()
}

/// Turns TOTP on for `user`; returns the raw secret, the recovery codes and the time the confirming code was made for.
async fn enable_totp(app: &TestApp, user: &TestUser) -> (Vec<u8>, Vec<String>, u64) {
    let (status, enrolment) = app.post("/v1/me/totp", &user.token, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{enrolment}");
    let encoded = enrolment["secret"].as_str().unwrap();
    assert!(enrolment["otpauth_uri"].as_str().unwrap().starts_with("otpauth://totp/"), "{enrolment}");
    assert!(enrolment["otpauth_uri"].as_str().unwrap().contains(&format!("secret={encoded}")), "{enrolment}");
    let secret = totp_rs::Secret::Encoded(encoded.to_owned()).to_bytes().unwrap();
    assert_eq!(secret.len(), 20);

    let response =
        send(app, Method::POST, "/v1/me/totp/confirm", Some(&user.token), json!({"code": wrong_code(&secret)})).await;
    let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(fields(&problem), ["code"]);
    let (_, me) = app.get("/v1/me", &user.token).await;
    assert_eq!(me["totp_enabled"], false, "a wrong code must not turn TOTP on");

    let t0 = now();
    let (status, confirmed) = app.post("/v1/me/totp/confirm", &user.token, json!({"code": code_at(&secret, t0)})).await;
    assert_eq!(status, StatusCode::OK, "{confirmed}");
    let codes: Vec<String> =
        confirmed["recovery_codes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_owned()).collect();
    assert_eq!(codes.len(), 10);
    let mut unique = codes.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 10, "recovery codes must differ: {codes:?}");
    (secret, codes, t0)
}

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

#[tokio::test]
async fn signup_validation_names_each_field() {
    let app = TestApp::spawn().await;
    let response = send(
        &app,
        Method::POST,
        "/v1/auth/signup",
        None,
        json!({"email": "not-an-email", "password": "short", "name": " "}),
    )
    .await;
    let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(fields(&problem), ["email", "password", "name"]);

    // Each field alone.
    let ok = json!({"email": "ana@example.com", "password": "a long enough password", "name": "Ana"});
    for (field, bad) in
        [("email", json!("ana@")), ("password", json!("x".repeat(129))), ("name", json!("x".repeat(101)))]
    {
        let mut body = ok.clone();
        body[field] = bad;
        let response = send(&app, Method::POST, "/v1/auth/signup", None, body).await;
        let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert_eq!(fields(&problem), [field]);
    }
    // Nothing was created: the valid body still signs up.
    let (status, user) = app.call(Method::POST, "/v1/auth/signup", None, Some(ok)).await;
    assert_eq!(status, StatusCode::CREATED, "{user}");
    assert_eq!(user["email"], "ana@example.com");
}

#[tokio::test]
async fn a_taken_email_signs_up_to_nothing_whatever_its_case() {
    let app = TestApp::spawn().await;
    let user = app.user_with_email("Maria.Silva@Example.com").await;
    assert_eq!(user.email, "Maria.Silva@Example.com");
    for email in ["Maria.Silva@Example.com", "maria.silva@example.com", "  MARIA.SILVA@EXAMPLE.COM "] {
        let body = json!({"email": email, "password": "another long password", "name": "Other"});
        let response = send(&app, Method::POST, "/v1/auth/signup", None, body).await;
        assert_eq!(response.status(), StatusCode::CREATED, "the same answer as a new address");
        let answer: Value = response.json().await.unwrap();
        assert_ne!(answer["id"].as_str(), Some(user.id.as_str()));
        let response = login(&app, email.trim(), "another long password", None).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "no second account, no new password");
    }
    // Login works whatever the case.
    let response = login(&app, "MARIA.silva@example.COM", &user.password, None).await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn wrong_password_and_unknown_email_look_the_same() {
    let app = TestApp::spawn().await;
    let user = app.user().await;
    let response = login(&app, &user.email, "not the right password", None).await;
    let wrong = assert_problem(response, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    let response = login(&app, "nobody-here@example.com", "not the right password", None).await;
    let unknown = assert_problem(response, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    assert_eq!(wrong["detail"], unknown["detail"]);
    assert!(wrong.get("token").is_none());
}

#[tokio::test]
async fn login_is_throttled_per_account() {
    let app = TestApp::spawn_with(&[("BALCAO_LOGIN_MAX_ATTEMPTS", "3")]).await;
    let user = app.user().await;
    let other = app.user().await;
    for _ in 0..3 {
        let response = login(&app, &user.email, "wrong password!!", None).await;
        assert_problem(response, StatusCode::UNAUTHORIZED, "invalid_credentials").await;
    }
    // Locked: even the right password is refused, with Retry-After.
    let response = login(&app, &user.email, &user.password, None).await;
    let retry_after: u64 = response.headers().get("retry-after").unwrap().to_str().unwrap().parse().unwrap();
    assert!((1..=5).contains(&retry_after), "the first wait is short: {retry_after}");
    assert_problem(response, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts").await;
    // Per account: another user is not affected.
    let response = login(&app, &other.email, &other.password, None).await;
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn concurrent_failures_all_count() {
    let app = TestApp::spawn_with(&[("BALCAO_LOGIN_MAX_ATTEMPTS", "3")]).await;
    let user = app.user().await;
    let attempts = (0..8).map(|_| login(&app, &user.email, "wrong password!!", None));
    let statuses: Vec<StatusCode> =
        futures_util::future::join_all(attempts).await.iter().map(Response::status).collect();
    assert!(
        statuses.iter().all(|s| *s == StatusCode::UNAUTHORIZED || *s == StatusCode::TOO_MANY_REQUESTS),
        "{statuses:?}"
    );
    // Eight guesses at once are more than three: the account is locked.
    let response = login(&app, &user.email, &user.password, None).await;
    assert_problem(response, StatusCode::TOO_MANY_REQUESTS, "too_many_attempts").await;
}

#[tokio::test]
async fn a_success_resets_the_failure_count() {
    let app = TestApp::spawn_with(&[("BALCAO_LOGIN_MAX_ATTEMPTS", "3")]).await;
    let user = app.user().await;
    for _ in 0..2 {
        let response = login(&app, &user.email, "wrong password!!", None).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    assert_eq!(login(&app, &user.email, &user.password, None).await.status(), StatusCode::OK);
    for _ in 0..2 {
        let response = login(&app, &user.email, "wrong password!!", None).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    assert_eq!(login(&app, &user.email, &user.password, None).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn totp_enrolment_login_replay_and_recovery_codes() {
    let app = TestApp::spawn().await;
    let user = app.user().await;
    let (secret, recovery, t0) = enable_totp(&app, &user).await;
    let (_, me) = app.get("/v1/me", &user.token).await;
    assert_eq!(me["totp_enabled"], true);
    // Enrolment cannot start again while on.
    let response = send(&app, Method::POST, "/v1/me/totp", Some(&user.token), json!({})).await;
    assert_problem(response, StatusCode::CONFLICT, "totp_already_enabled").await;

    let response = login(&app, &user.email, &user.password, None).await;
    assert_problem(response, StatusCode::UNAUTHORIZED, "totp_required").await;
    let response = login(&app, &user.email, &user.password, Some(&wrong_code(&secret))).await;
    assert_problem(response, StatusCode::UNAUTHORIZED, "invalid_totp_code").await;
    // The code that confirmed enrolment was used already.
    let response = login(&app, &user.email, &user.password, Some(&code_at(&secret, t0))).await;
    assert_problem(response, StatusCode::UNAUTHORIZED, "invalid_totp_code").await;

    // The next step's code works once; its replay is refused.
    let next = code_at(&secret, t0 + 30);
    let (status, session) = app
        .call(
            Method::POST,
            "/v1/auth/login",
            None,
            Some(json!({"email": user.email, "password": user.password, "totp_code": next})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{session}");
    assert_eq!(session["user"]["totp_enabled"], true);
    let (status, _) = app.get("/v1/me", session["token"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    let response = login(&app, &user.email, &user.password, Some(&next)).await;
    assert_problem(response, StatusCode::UNAUTHORIZED, "invalid_totp_code").await;

    // A recovery code works once and only once (any case).
    let response = login(&app, &user.email, &user.password, Some(&recovery[0].to_uppercase())).await;
    assert_eq!(response.status(), StatusCode::OK);
    let response = login(&app, &user.email, &user.password, Some(&recovery[0])).await;
    assert_problem(response, StatusCode::UNAUTHORIZED, "invalid_totp_code").await;
    // A TOTP second factor never replaces the password.
    let response = login(&app, &user.email, "not the right password", Some(&recovery[1])).await;
    assert_problem(response, StatusCode::UNAUTHORIZED, "invalid_credentials").await;

    // Turning it off needs a valid code; a used one is refused.
    let response = send(&app, Method::DELETE, "/v1/me/totp", Some(&user.token), json!({"code": recovery[0]})).await;
    let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(fields(&problem), ["code"]);
    let response = send(&app, Method::DELETE, "/v1/me/totp", Some(&user.token), json!({"code": recovery[1]})).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (_, me) = app.get("/v1/me", &user.token).await;
    assert_eq!(me["totp_enabled"], false);
    assert_eq!(login(&app, &user.email, &user.password, None).await.status(), StatusCode::OK);
    let response = send(&app, Method::DELETE, "/v1/me/totp", Some(&user.token), json!({"code": recovery[2]})).await;
    assert_problem(response, StatusCode::CONFLICT, "totp_not_enabled").await;
}

#[tokio::test]
async fn totp_can_be_turned_off_with_a_current_code() {
    let app = TestApp::spawn().await;
    let user = app.user().await;
    let (secret, _, t0) = enable_totp(&app, &user).await;
    let response =
        send(&app, Method::DELETE, "/v1/me/totp", Some(&user.token), json!({"code": code_at(&secret, t0 + 30)})).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let (_, me) = app.get("/v1/me", &user.token).await;
    assert_eq!(me["totp_enabled"], false);
}

#[tokio::test]
async fn me_needs_a_user_session() {
    let app = TestApp::spawn().await;
    let user = app.user().await;
    let store = app.store(&user.token).await;
    let key = app.api_key(&user.token, &store, None).await;

    let response = app.request(Method::GET, "/v1/me", Some(&key)).send().await.unwrap();
    assert_problem(response, StatusCode::FORBIDDEN, "forbidden").await;
    let response = app.request(Method::GET, "/v1/me", None).send().await.unwrap();
    assert_problem(response, StatusCode::UNAUTHORIZED, "missing_token").await;
    for garbage in ["garbage", "bs_not-a-real-session", "bk_nope_nothing"] {
        let response = app.request(Method::GET, "/v1/me", Some(garbage)).send().await.unwrap();
        assert_problem(response, StatusCode::UNAUTHORIZED, "invalid_token").await;
    }
    // The key works where keys belong.
    let (status, _) = app.get(&format!("/v1/stores/{store}"), &key).await;
    assert_eq!(status, StatusCode::OK);
}
