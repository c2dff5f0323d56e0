//! Passkey answers that are refused: a replayed finish, another origin or relying party, a
//! signature counter that goes back; and login options that look the same for every email.

use balcao_tests::{TestApp, assert_problem};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{Browser, ORIGIN, allowed_ids, login_finish, login_start, login_with_email, register, send};

#[tokio::test]
async fn a_replayed_login_finish_is_refused() {
    let app = TestApp::spawn().await;
    let user = app.user().await;
    let mut browser = Browser::new();
    register(&app, &mut browser, &user, "key").await;
    let (challenge_id, options) = login_start(&app, Some(&user.email)).await;
    let answer = browser.get(ORIGIN, &options);
    assert_eq!(login_finish(&app, &challenge_id, &answer).await.status(), StatusCode::OK);
    assert_problem(login_finish(&app, &challenge_id, &answer).await, StatusCode::UNAUTHORIZED, "invalid_passkey").await;
    // An unknown challenge too.
    let unknown = json!(uuid::Uuid::now_v7());
    assert_problem(login_finish(&app, &unknown, &answer).await, StatusCode::UNAUTHORIZED, "invalid_passkey").await;
    // A failed answer burns its challenge: even the right answer then fails.
    let (challenge_id, options) = login_start(&app, Some(&user.email)).await;
    let answer = browser.get(ORIGIN, &options);
    let mut forged = answer.clone();
    forged["response"]["signature"] = json!(URL_SAFE_NO_PAD.encode([7u8; 70]));
    assert_problem(login_finish(&app, &challenge_id, &forged).await, StatusCode::UNAUTHORIZED, "invalid_passkey").await;
    assert_problem(login_finish(&app, &challenge_id, &answer).await, StatusCode::UNAUTHORIZED, "invalid_passkey").await;
}

#[tokio::test]
async fn a_passkey_from_another_origin_or_relying_party_is_refused() {
    let app = TestApp::spawn().await;
    let user = app.user().await;
    let mut browser = Browser::new();

    // Registration made on another origin (same RP id, other scheme and port).
    let (_, started) = app.post("/v1/me/passkeys/register/start", &user.token, json!({})).await;
    let credential = browser.create("https://localhost", &started["options"]);
    let response = send(
        &app,
        Method::POST,
        "/v1/me/passkeys/register/finish",
        Some(&user.token),
        json!({"challenge_id": started["challenge_id"], "name": "phished", "credential": credential}),
    )
    .await;
    let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "credential", "{problem}");
    let (_, list) = app.get("/v1/me/passkeys", &user.token).await;
    assert_eq!(list, json!({"data": []}));

    register(&app, &mut browser, &user, "key").await;
    // A login answered on another origin.
    let (challenge_id, options) = login_start(&app, Some(&user.email)).await;
    let answer = browser.get("https://localhost", &options);
    assert_problem(login_finish(&app, &challenge_id, &answer).await, StatusCode::UNAUTHORIZED, "invalid_passkey").await;
    // A login answered for another relying party (a phishing site relaying our challenge).
    let (challenge_id, mut options) = login_start(&app, Some(&user.email)).await;
    options["publicKey"]["rpId"] = json!("evil.example");
    let answer = browser.get("https://evil.example", &options);
    assert_problem(login_finish(&app, &challenge_id, &answer).await, StatusCode::UNAUTHORIZED, "invalid_passkey").await;

    // A credential registered with another relying party (another deployment) is unknown here.
    let elsewhere = TestApp::spawn_with(&[
        ("BALCAO_WEBAUTHN_RP_ID", "shop.example"),
        ("BALCAO_WEBAUTHN_ORIGIN", "https://shop.example"),
    ])
    .await;
    let stranger = elsewhere.user().await;
    let mut other_browser = Browser::new();
    let (_, started) = elsewhere.post("/v1/me/passkeys/register/start", &stranger.token, json!({})).await;
    assert_eq!(started["options"]["publicKey"]["rp"]["id"], "shop.example");
    let credential = other_browser.create("https://shop.example", &started["options"]);
    let credential_id = credential["id"].as_str().unwrap().to_owned();
    let (status, body) = elsewhere
        .post(
            "/v1/me/passkeys/register/finish",
            &stranger.token,
            json!({"challenge_id": started["challenge_id"], "name": "other shop", "credential": credential}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let (challenge_id, options) = login_start(&app, None).await;
    let answer = other_browser.get_discoverable(&options, &credential_id, Some(&stranger.id));
    assert_problem(login_finish(&app, &challenge_id, &answer).await, StatusCode::UNAUTHORIZED, "invalid_passkey").await;
}

/// The structure of a value: object keys and array lengths, with every scalar replaced.
fn shape(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), shape(v))).collect()),
        Value::Array(items) => Value::Array(items.iter().map(shape).collect()),
        Value::String(_) => json!("s"),
        Value::Number(_) => json!(0),
        other => other.clone(),
    }
}

#[tokio::test]
async fn login_options_do_not_reveal_whether_an_email_has_an_account() {
    let app = TestApp::spawn().await;
    let user = app.user().await;
    let without_passkeys = app.user().await;
    let mut browser = Browser::new();
    register(&app, &mut browser, &user, "key").await;
    let (_, real) = login_start(&app, Some(&user.email)).await;
    let (_, unknown) = login_start(&app, Some("nobody-here@example.com")).await;
    let (_, none) = login_start(&app, Some(&without_passkeys.email)).await;
    assert_eq!(shape(&real), shape(&unknown), "{real} vs {unknown}");
    assert_eq!(shape(&real), shape(&none), "{real} vs {none}");
    assert_eq!(allowed_ids(&unknown)[0].len(), allowed_ids(&real)[0].len());
    // The stand-in credential is the same each time, as a real one is.
    let (_, again) = login_start(&app, Some("Nobody-Here@example.com")).await;
    assert_eq!(allowed_ids(&again), allowed_ids(&unknown));
    assert_ne!(allowed_ids(&unknown), allowed_ids(&real));
    // Its challenge never logs in, whatever answers it.
    let (challenge_id, _) = login_start(&app, Some("nobody-here@example.com")).await;
    let (_, options) = login_start(&app, Some(&user.email)).await;
    let answer = browser.get(ORIGIN, &options);
    assert_problem(login_finish(&app, &challenge_id, &answer).await, StatusCode::UNAUTHORIZED, "invalid_passkey").await;
}

#[tokio::test]
async fn a_signature_counter_that_goes_back_is_refused() {
    use diesel_async::RunQueryDsl;
    let app = TestApp::spawn().await;
    let user = app.user().await;
    let mut browser = Browser::new();
    register(&app, &mut browser, &user, "key").await;
    login_with_email(&app, &mut browser, &user.email).await;
    // As if a copy of the key had already signed far ahead of this one.
    let mut conn = app.core.pool.get().await.unwrap();
    diesel::sql_query("UPDATE passkeys SET sign_count = 1000").execute(&mut conn).await.unwrap();
    let (challenge_id, options) = login_start(&app, Some(&user.email)).await;
    let answer = browser.get(ORIGIN, &options);
    assert_problem(login_finish(&app, &challenge_id, &answer).await, StatusCode::UNAUTHORIZED, "invalid_passkey").await;
}
