//! Passkeys: registration, listing, deletion, passkey login (with an email and discoverable),
//! single-use challenges, origin and relying-party checks, counter regression, and a passkey
//! in place of a TOTP code. The browser and authenticator are webauthn-authenticator-rs's
//! software passkey.

// Helpers outside `#[test]` functions unwrap too: in a test, a panic is a failure report.
#![allow(clippy::unwrap_used)]

mod refusals;
mod second_factor;

use balcao_tests::{TestApp, TestUser, assert_problem};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};
use webauthn_authenticator_rs::WebauthnAuthenticator;
use webauthn_authenticator_rs::prelude::{CreationChallengeResponse, RequestChallengeResponse, Url};
use webauthn_authenticator_rs::softpasskey::SoftPasskey;

/// The origin the test app's relying party expects (the default public URL's).
const ORIGIN: &str = "http://localhost:8080";

/// A browser with one software authenticator.
struct Browser {
    authenticator: WebauthnAuthenticator<SoftPasskey>,
}

impl Browser {
    fn new() -> Self {
        // `true`: report user verification, as a passkey with a PIN or biometric does.
        Self { authenticator: WebauthnAuthenticator::new(SoftPasskey::new(true)) }
    }

    /// Answers registration options from `origin`.
    fn create(&mut self, origin: &str, options: &Value) -> Value {
        let options: CreationChallengeResponse = serde_json::from_value(options.clone()).unwrap();
        let credential = self.authenticator.do_registration(Url::parse(origin).unwrap(), options).unwrap();
        serde_json::to_value(credential).unwrap()
    }

    /// Answers login options from `origin`.
    fn get(&mut self, origin: &str, options: &Value) -> Value {
        let options: RequestChallengeResponse = serde_json::from_value(options.clone()).unwrap();
        let credential = self.authenticator.do_authentication(Url::parse(origin).unwrap(), options).unwrap();
        serde_json::to_value(credential).unwrap()
    }

    /// Answers discoverable-login options as an authenticator holding `credential_id` for
    /// `user_id` would: the software passkey cannot discover its own credentials, so the
    /// credential is named for it, and the user handle it would return is added.
    fn get_discoverable(&mut self, options: &Value, credential_id: &str, user_id: Option<&str>) -> Value {
        let mut options = options.clone();
        options["publicKey"]["allowCredentials"] = json!([{"type": "public-key", "id": credential_id}]);
        let mut answer = self.get(ORIGIN, &options);
        if let Some(user_id) = user_id {
            let handle = uuid::Uuid::parse_str(user_id).unwrap();
            answer["response"]["userHandle"] = json!(URL_SAFE_NO_PAD.encode(handle.as_bytes()));
        }
        answer
    }
}

async fn send(app: &TestApp, method: Method, path: &str, token: Option<&str>, body: Value) -> Response {
    app.request(method, path, token).json(&body).send().await.unwrap()
}

/// Registers a passkey named `name` for `user`: `(passkey, credential id)`.
async fn register(app: &TestApp, browser: &mut Browser, user: &TestUser, name: &str) -> (Value, String) {
    let (status, started) = app.post("/v1/me/passkeys/register/start", &user.token, json!({})).await;
    assert_eq!(status, StatusCode::OK, "{started}");
    assert_eq!(started["options"]["publicKey"]["rp"]["id"], "localhost", "{started}");
    let credential = browser.create(ORIGIN, &started["options"]);
    let credential_id = credential["id"].as_str().unwrap().to_owned();
    let (status, passkey) = app
        .post(
            "/v1/me/passkeys/register/finish",
            &user.token,
            json!({"challenge_id": started["challenge_id"], "name": name, "credential": credential}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{passkey}");
    (passkey, credential_id)
}

/// Starts a passkey login: `(challenge_id, options)`.
async fn login_start(app: &TestApp, email: Option<&str>) -> (Value, Value) {
    let body = email.map_or_else(|| json!({}), |email| json!({"email": email}));
    let (status, started) = app.call(Method::POST, "/v1/auth/passkeys/login/start", None, Some(body)).await;
    assert_eq!(status, StatusCode::OK, "{started}");
    (started["challenge_id"].clone(), started["options"].clone())
}

async fn login_finish(app: &TestApp, challenge_id: &Value, credential: &Value) -> Response {
    let body = json!({"challenge_id": challenge_id, "credential": credential});
    send(app, Method::POST, "/v1/auth/passkeys/login/finish", None, body).await
}

/// Logs in with the browser's passkey through the email flow; returns the session token.
async fn login_with_email(app: &TestApp, browser: &mut Browser, email: &str) -> String {
    let (challenge_id, options) = login_start(app, Some(email)).await;
    let answer = browser.get(ORIGIN, &options);
    let response = login_finish(app, &challenge_id, &answer).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["user"]["email"], email, "{body}");
    assert!(body["expires_at"].is_string(), "{body}");
    body["token"].as_str().unwrap().to_owned()
}

fn allowed_ids(options: &Value) -> Vec<String> {
    options["publicKey"]["allowCredentials"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_user_registers_lists_and_logs_in_with_a_passkey() {
    let app = TestApp::spawn().await;
    let user = app.user().await;
    let mut browser = Browser::new();
    let (passkey, credential_id) = register(&app, &mut browser, &user, "Ana's laptop").await;
    assert_eq!(passkey["name"], "Ana's laptop");
    assert!(passkey["id"].is_string() && passkey["created_at"].is_string(), "{passkey}");
    assert_eq!(passkey["last_used_at"], Value::Null);

    let (status, list) = app.get("/v1/me/passkeys", &user.token).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let items = list["data"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{list}");
    assert_eq!(items[0]["id"], passkey["id"]);
    let mut keys: Vec<&String> = items[0].as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(keys, ["created_at", "id", "last_used_at", "name"], "nothing secret is listed");

    // With the email: the options list the user's passkey, and the token works.
    let (_, options) = login_start(&app, Some(&user.email.to_uppercase())).await;
    assert_eq!(allowed_ids(&options), vec![credential_id.clone()]);
    assert_eq!(options["publicKey"]["userVerification"], "required", "{options}");
    let token = login_with_email(&app, &mut browser, &user.email).await;
    let (status, me) = app.get("/v1/me", &token).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["id"], user.id.as_str());

    // Without an email: a discoverable (conditional UI) login.
    let (challenge_id, options) = login_start(&app, None).await;
    assert_eq!(options["mediation"], "conditional", "{options}");
    assert_eq!(allowed_ids(&options), Vec::<String>::new());
    let answer = browser.get_discoverable(&options, &credential_id, Some(&user.id));
    let response = login_finish(&app, &challenge_id, &answer).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    let (status, me) = app.get("/v1/me", body["token"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["email"], user.email.as_str());

    // A discoverable answer must name its user, and name the passkey's owner.
    let other = app.user().await;
    for handle in [None, Some(other.id.as_str())] {
        let (challenge_id, options) = login_start(&app, None).await;
        let answer = browser.get_discoverable(&options, &credential_id, handle);
        assert_problem(login_finish(&app, &challenge_id, &answer).await, StatusCode::UNAUTHORIZED, "invalid_passkey")
            .await;
    }

    let (_, list) = app.get("/v1/me/passkeys", &user.token).await;
    assert!(list["data"][0]["last_used_at"].is_string(), "{list}");
}

#[tokio::test]
async fn a_deleted_passkey_no_longer_logs_in_and_another_users_is_not_found() {
    let app = TestApp::spawn().await;
    let user = app.user().await;
    let intruder = app.user().await;
    let mut browser = Browser::new();
    let (passkey, credential_id) = register(&app, &mut browser, &user, "old phone").await;
    let path = format!("/v1/me/passkeys/{}", passkey["id"].as_str().unwrap());

    // Someone else's passkey id is not found, and stays.
    let response = app.request(Method::DELETE, &path, Some(&intruder.token)).send().await.unwrap();
    assert_problem(response, StatusCode::NOT_FOUND, "not_found").await;
    let (_, list) = app.get("/v1/me/passkeys", &user.token).await;
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
    let (_, list) = app.get("/v1/me/passkeys", &intruder.token).await;
    assert_eq!(list, json!({"data": []}));

    // A started login, then the passkey is deleted: the answer no longer logs in.
    let (challenge_id, options) = login_start(&app, Some(&user.email)).await;
    let answer = browser.get(ORIGIN, &options);
    let (status, _) = app.delete(&path, &user.token).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_problem(login_finish(&app, &challenge_id, &answer).await, StatusCode::UNAUTHORIZED, "invalid_passkey").await;
    let (status, _) = app.delete(&path, &user.token).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, list) = app.get("/v1/me/passkeys", &user.token).await;
    assert_eq!(list, json!({"data": []}));
    // New logins do not offer it, and a discoverable answer with it fails.
    let (_, options) = login_start(&app, Some(&user.email)).await;
    assert!(!allowed_ids(&options).contains(&credential_id), "{options}");
    let (challenge_id, options) = login_start(&app, None).await;
    let answer = browser.get_discoverable(&options, &credential_id, Some(&user.id));
    assert_problem(login_finish(&app, &challenge_id, &answer).await, StatusCode::UNAUTHORIZED, "invalid_passkey").await;
}

#[tokio::test]
async fn a_registration_challenge_is_the_callers_and_works_once() {
    let app = TestApp::spawn().await;
    let user = app.user().await;
    let intruder = app.user().await;
    let mut browser = Browser::new();
    let (_, started) = app.post("/v1/me/passkeys/register/start", &user.token, json!({})).await;
    let credential = browser.create(ORIGIN, &started["options"]);
    let body = json!({"challenge_id": started["challenge_id"], "name": "key", "credential": credential});
    // Bad input names the field.
    for (field, value) in [("name", json!(" ")), ("name", json!("x".repeat(101))), ("credential", json!({"id": 1}))] {
        let mut bad = body.clone();
        bad[field] = value;
        let response = send(&app, Method::POST, "/v1/me/passkeys/register/finish", Some(&user.token), bad).await;
        let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
        assert!(problem["errors"][0]["field"].as_str().unwrap().starts_with(field), "{problem}");
    }
    // Another user cannot use it (and so burns it).
    let response =
        send(&app, Method::POST, "/v1/me/passkeys/register/finish", Some(&intruder.token), body.clone()).await;
    let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "challenge_id", "{problem}");
    let response = send(&app, Method::POST, "/v1/me/passkeys/register/finish", Some(&user.token), body).await;
    let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "challenge_id", "{problem}");
    // A session is needed.
    let response = send(&app, Method::POST, "/v1/me/passkeys/register/start", None, json!({})).await;
    assert_problem(response, StatusCode::UNAUTHORIZED, "missing_token").await;
    // A malformed login answer names the field too.
    let (challenge_id, _) = login_start(&app, None).await;
    let response = login_finish(&app, &challenge_id, &json!({"id": "x"})).await;
    let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert!(problem["errors"][0]["field"].as_str().unwrap().starts_with("credential"), "{problem}");
    let response =
        send(&app, Method::POST, "/v1/auth/passkeys/login/start", None, json!({"email": "not an email"})).await;
    let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "email", "{problem}");
}
