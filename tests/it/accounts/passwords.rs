//! Password reset and change, and the sessions they end (as turning on TOTP does); sessions
//! listed with their device and ended by their user.

use balcao_tests::TestApp;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{CHANGED, RESET, login_status, mailing_app, nth, token, unique_email};

#[tokio::test]
async fn a_password_reset_link_works_once_for_30_minutes_and_ends_every_session() {
    let (app, sink, _worker) = mailing_app().await;
    let user = app.user().await;
    let other_session = app.login(&user.email, &user.password).await;

    let (status, known) =
        app.call(Method::POST, "/v1/auth/password-reset", None, Some(json!({"email": user.email}))).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let (status, unknown) =
        app.call(Method::POST, "/v1/auth/password-reset", None, Some(json!({"email": unique_email()}))).await;
    assert_eq!((status, &unknown), (StatusCode::ACCEPTED, &known), "the same answer for unknown addresses");
    let (status, bad) = app.call(Method::POST, "/v1/auth/password-reset", None, Some(json!({"email": "nope"}))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad["errors"][0]["field"], "email");

    let mail = nth(&sink, &user.email, RESET, 1).await;
    assert_eq!(mail.to, [user.email.as_str()]);
    assert!(mail.text.contains("30 minutos"), "{}", mail.text);
    let link = token(&mail, "reset-password");

    // The token is stored hashed.
    use diesel_async::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct Hash {
        #[diesel(sql_type = diesel::sql_types::Text)]
        token_hash: String,
    }
    let mut conn = app.core.pool.get().await.unwrap();
    let stored: Vec<Hash> = diesel::sql_query("SELECT token_hash FROM account_tokens").load(&mut conn).await.unwrap();
    assert!(stored.iter().all(|h| h.token_hash != link && h.token_hash.len() == 64));

    let confirm = async |token: String, password: &str| {
        app.call(
            Method::POST,
            "/v1/auth/password-reset/confirm",
            None,
            Some(json!({"token": token, "password": password})),
        )
        .await
    };
    let (status, weak) = confirm(link.clone(), "short").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(weak["errors"][0]["field"], "password");
    let (status, body) = confirm(link.clone(), "a brand new password").await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");

    for token in [&user.token, &other_session] {
        let (status, _) = app.get("/v1/me", token).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "every session ended");
    }
    assert_eq!(login_status(&app, &user.email, &user.password).await, StatusCode::UNAUTHORIZED);
    assert_eq!(login_status(&app, &user.email, "a brand new password").await, StatusCode::OK);
    let (status, _) = confirm(link, "yet another password").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "single use");
    let changed = nth(&sink, &user.email, CHANGED, 1).await;
    assert_eq!(changed.subject, "Sua senha do balcao foi alterada");

    // A link past its 30 minutes is refused.
    app.call(Method::POST, "/v1/auth/password-reset", None, Some(json!({"email": user.email}))).await;
    let late = token(&nth(&sink, &user.email, RESET, 2).await, "reset-password");
    diesel::sql_query("UPDATE account_tokens SET expires_at = now() - interval '1 second' WHERE used_at IS NULL")
        .execute(&mut conn)
        .await
        .unwrap();
    let (status, _) = confirm(late, "a password too late").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn changing_the_password_needs_the_current_one_and_ends_the_other_sessions() {
    let (app, sink, _worker) = mailing_app().await;
    let user = app.user().await;
    let other = app.login(&user.email, &user.password).await;
    let change = async |current: &str, new: &str| {
        app.call(
            Method::PUT,
            "/v1/me/password",
            Some(user.token.as_str()),
            Some(json!({"current_password": current, "password": new})),
        )
        .await
    };
    let (status, wrong) = change("not my password", "a different long password").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(wrong["errors"][0]["field"], "current_password");
    let (status, _) = app.get("/v1/me", &other).await;
    assert_eq!(status, StatusCode::OK, "nothing ended on a wrong attempt");

    let (status, body) = change(&user.password, "a different long password").await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    assert_eq!(app.get("/v1/me", &user.token).await.0, StatusCode::OK, "this session stays");
    assert_eq!(app.get("/v1/me", &other).await.0, StatusCode::UNAUTHORIZED, "the other ended");
    assert_eq!(login_status(&app, &user.email, "a different long password").await, StatusCode::OK);
    assert_eq!(nth(&sink, &user.email, CHANGED, 1).await.to, [user.email.as_str()]);
}

#[tokio::test]
async fn sessions_are_listed_with_their_device_and_ended_from_another_session() {
    let app = TestApp::spawn().await;
    let user = app.user().await;
    let login_as = |agent: &'static str| {
        let app = &app;
        let user = &user;
        async move {
            let response = app
                .client
                .post(format!("{}/v1/auth/login", app.base))
                .header("User-Agent", agent)
                .json(&json!({"email": user.email, "password": user.password}))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), StatusCode::OK);
            response.json::<Value>().await.unwrap()["token"].as_str().unwrap().to_owned()
        }
    };
    let phone = login_as("Mozilla/5.0 (iPhone)").await;
    let laptop = login_as("Mozilla/5.0 (Macintosh)").await;

    let (status, list) = app.get("/v1/me/sessions", &laptop).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let sessions = list["data"].as_array().unwrap();
    assert_eq!(sessions.len(), 3, "the helper's login, the phone and the laptop: {list}");
    let current: Vec<_> = sessions.iter().filter(|s| s["current"] == true).collect();
    assert_eq!(current.len(), 1);
    assert_eq!(current[0]["user_agent"], "Mozilla/5.0 (Macintosh)");
    assert_eq!(current[0]["ip"], "127.0.0.1");
    assert!(current[0]["last_used_at"].is_string());
    let phone_id = sessions.iter().find(|s| s["user_agent"] == "Mozilla/5.0 (iPhone)").unwrap()["id"].clone();

    // Another user cannot end it.
    let stranger = app.user().await;
    let (status, _) = app.delete(&format!("/v1/me/sessions/{}", phone_id.as_str().unwrap()), &stranger.token).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/v1/me", &phone).await.0, StatusCode::OK);

    let (status, _) = app.delete(&format!("/v1/me/sessions/{}", phone_id.as_str().unwrap()), &laptop).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(app.get("/v1/me", &phone).await.0, StatusCode::UNAUTHORIZED, "ended at once, past the auth cache");
    let (_, list) = app.get("/v1/me/sessions", &laptop).await;
    assert_eq!(list["data"].as_array().unwrap().len(), 2);

    // Everything but this one, then everything.
    let (status, _) = app.delete("/v1/me/sessions", &laptop).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(app.get("/v1/me", &user.token).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(app.get("/v1/me", &laptop).await.0, StatusCode::OK);
    let (status, _) = app.delete("/v1/me/sessions?include_current=true", &laptop).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(app.get("/v1/me", &laptop).await.0, StatusCode::UNAUTHORIZED, "logged out everywhere");
}

#[tokio::test]
async fn turning_on_totp_ends_the_sessions_opened_without_it() {
    let app = TestApp::spawn().await;
    let user = app.user().await;
    let other = app.login(&user.email, &user.password).await;
    let (status, enrolment) = app.post("/v1/me/totp", &user.token, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{enrolment}");
    let secret = enrolment["secret"].as_str().unwrap();
    let totp = totp_rs::TOTP::new(
        totp_rs::Algorithm::SHA1,
        6,
        1,
        30,
        totp_rs::Secret::Encoded(secret.to_owned()).to_bytes().unwrap(),
        None,
        "test".to_owned(),
    )
    .unwrap();
    let (status, body) =
        app.post("/v1/me/totp/confirm", &user.token, json!({"code": totp.generate_current().unwrap()})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(app.get("/v1/me", &user.token).await.0, StatusCode::OK);
    assert_eq!(app.get("/v1/me", &other).await.0, StatusCode::UNAUTHORIZED);
}
