//! Accounts people can recover: email verification, signup without enumeration, password reset
//! and change, sessions, invitations by link, and API key rolling; every email read off a real
//! SMTP listener on loopback and every link followed as a user would.

use std::time::Duration;

use balcao_tests::smtp::{Received, SmtpSink};
use balcao_tests::{TestApp, Worker};
use mailparse::MailHeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const WAIT: Duration = Duration::from_secs(15);
const APP_URL: &str = "https://app.balcao.test";

/// An app that mails through a listener on loopback, with a worker sending its queued emails.
async fn mailing_app() -> (TestApp, SmtpSink, Worker) {
    let sink = SmtpSink::start().await;
    let app = TestApp::spawn_with(&[("BALCAO_SMTP_URL", &sink.url()), ("BALCAO_APP_URL", APP_URL)]).await;
    let worker = app.worker().await;
    (app, sink, worker)
}

/// One received message: subject, text part, HTML part.
struct Mail {
    to: Vec<String>,
    subject: String,
    text: String,
    html: String,
}

fn parse(received: &Received) -> Mail {
    let mail = mailparse::parse_mail(received.data.as_bytes()).unwrap();
    assert_eq!(mail.ctype.mimetype, "multipart/alternative", "text and HTML parts");
    let text = mail.subparts.iter().find(|p| p.ctype.mimetype == "text/plain").unwrap().get_body().unwrap();
    let html = mail.subparts.iter().find(|p| p.ctype.mimetype == "text/html").unwrap().get_body().unwrap();
    Mail { to: received.to.clone(), subject: mail.headers.get_first_value("Subject").unwrap(), text, html }
}

/// The token of the `{APP_URL}/{path}?token=...` link in a mail's text (and the same link in its HTML).
fn token(mail: &Mail, path: &str) -> String {
    let prefix = format!("{APP_URL}/{path}?token=");
    let start = mail.text.find(&prefix).unwrap_or_else(|| panic!("no {prefix} link in {}", mail.text)) + prefix.len();
    let token: String =
        mail.text[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_').collect();
    assert!(token.len() >= 40, "{token}");
    assert!(mail.html.contains(&format!("{prefix}{token}")), "the HTML part carries the same link: {}", mail.html);
    token
}

/// Waits for the `n`-th message (1-based) to `to` whose subject starts with `subject`, and parses
/// it (test users' own verification emails and the like are passed over).
async fn nth(sink: &SmtpSink, to: &str, subject: &str, n: usize) -> Mail {
    let mut seen = 1;
    loop {
        let matching: Vec<Mail> = sink
            .wait_for_to(to, seen, WAIT)
            .await
            .iter()
            .map(parse)
            .filter(|m| m.subject.starts_with(subject))
            .collect();
        if let Some(mail) = matching.into_iter().nth(n - 1) {
            return mail;
        }
        seen += 1;
    }
}

const VERIFY: &str = "Confirme seu email";
const RESET: &str = "Redefinição de senha";
const CHANGED: &str = "Sua senha do balcao foi alterada";
const INVITED: &str = "Convite para a equipe";

async fn login_status(app: &TestApp, email: &str, password: &str) -> StatusCode {
    app.call(Method::POST, "/v1/auth/login", None, Some(json!({"email": email, "password": password}))).await.0
}

fn unique_email() -> String {
    format!("conta-{}@example.com", uuid::Uuid::now_v7().simple())
}

#[tokio::test]
async fn signup_emails_a_single_use_verification_link_and_only_a_verified_user_opens_a_store() {
    let (app, sink, _worker) = mailing_app().await;
    let email = unique_email();
    let password = "uma senha bem longa";
    let user = app.signup_unverified(&email, password).await;
    assert_eq!(user["email_verified"], false);

    // Signed in but unverified: no store.
    let session = app.login(&email, password).await;
    let (status, problem) =
        app.post("/v1/stores", &session, json!({"name": "Loja", "slug": "loja-nao-verificada"})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
    assert_eq!(problem["code"], "email_unverified");

    let mail = nth(&sink, &email, VERIFY, 1).await;
    assert_eq!(mail.to, [email.as_str()]);
    assert_eq!(mail.subject, "Confirme seu email no balcao", "Portuguese by default");
    let link = token(&mail, "verify-email");

    let (status, verified) =
        app.call(Method::POST, "/v1/auth/verify-email", None, Some(json!({"token": link.clone()}))).await;
    assert_eq!(status, StatusCode::OK, "{verified}");
    assert_eq!(verified["email_verified"], true);
    assert_eq!(verified["id"], user["id"]);

    let (status, again) = app.call(Method::POST, "/v1/auth/verify-email", None, Some(json!({"token": link}))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "a link works once: {again}");
    assert_eq!(again["errors"][0]["field"], "token");

    let (status, store) = app.post("/v1/stores", &session, json!({"name": "Loja", "slug": "loja-verificada"})).await;
    assert_eq!(status, StatusCode::CREATED, "{store}");
}

#[tokio::test]
async fn english_users_get_english_mail_and_a_resent_link_voids_the_first() {
    let (app, sink, _worker) = mailing_app().await;
    let email = unique_email();
    let (status, _) = app
        .call(
            Method::POST,
            "/v1/auth/signup",
            None,
            Some(json!({"email": email, "password": "a long passphrase", "name": "Ann", "locale": "en"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let first = token(&nth(&sink, &email, "Confirm your email", 1).await, "verify-email");

    let (status, body) =
        app.call(Method::POST, "/v1/auth/verify-email/resend", None, Some(json!({"email": email}))).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
    let (status, unknown) = app
        .call(Method::POST, "/v1/auth/verify-email/resend", None, Some(json!({"email": "nobody@example.com"})))
        .await;
    assert_eq!((status, &unknown), (StatusCode::ACCEPTED, &body), "the same answer for any address");

    let second = nth(&sink, &email, "Confirm your email", 2).await;
    assert_eq!(second.subject, "Confirm your email for balcao");
    assert!(second.text.starts_with("Hi Ann,"), "{}", second.text);
    let second = token(&second, "verify-email");
    let (status, _) = app.call(Method::POST, "/v1/auth/verify-email", None, Some(json!({"token": first}))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "the older link stopped working");
    let (status, _) = app.call(Method::POST, "/v1/auth/verify-email", None, Some(json!({"token": second}))).await;
    assert_eq!(status, StatusCode::OK);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(sink.messages_to("nobody@example.com").await.is_empty(), "nothing was sent for the unknown address");
}

#[tokio::test]
async fn signup_with_a_taken_address_answers_the_same_and_tells_the_owner_instead() {
    let (app, sink, _worker) = mailing_app().await;
    let owner = app.user().await;
    let (status, answer) = app
        .call(
            Method::POST,
            "/v1/auth/signup",
            None,
            Some(json!({"email": owner.email, "password": "the attacker's password", "name": "Mallory"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "no 409 email_taken: {answer}");
    let fresh = app.signup_unverified(&unique_email(), "another long password").await;
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&answer), keys(&fresh), "shaped like a new account");
    assert_ne!(answer["id"].as_str(), Some(owner.id.as_str()), "the real account's id is not revealed");
    assert_eq!(answer["email_verified"], false);

    // The account is untouched: its password works, the attacker's does not.
    assert_eq!(login_status(&app, &owner.email, &owner.password).await, StatusCode::OK);
    assert_eq!(login_status(&app, &owner.email, "the attacker's password").await, StatusCode::UNAUTHORIZED);

    // The owner hears about it, with a working way back in.
    let notice = nth(&sink, &owner.email, "Tentativa de cadastro com seu email", 1).await;
    let reset = token(&notice, "reset-password");
    let (status, _) = app
        .call(
            Method::POST,
            "/v1/auth/password-reset/confirm",
            None,
            Some(json!({"token": reset, "password": "the owner's new password"})),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
}

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

#[tokio::test]
async fn invitations_are_accepted_through_their_link_never_by_signup_alone() {
    let (app, sink, _worker) = mailing_app().await;
    let owner = app.user().await;
    let store = app.store(&owner.token).await;
    let invited = unique_email();
    let (status, invitation) = app
        .post(&format!("/v1/stores/{store}/members"), &owner.token, json!({"email": invited, "role": "staff"}))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{invitation}");
    assert_eq!(invitation["status"], "pending");
    let mail = nth(&sink, &invited, INVITED, 1).await;
    assert_eq!(mail.to, [invited.as_str()]);
    assert!(mail.subject.starts_with("Convite para a equipe da"), "{}", mail.subject);
    let link = token(&mail, "invitations/accept");

    // Signing up with the address does not make a member.
    app.signup_unverified(&invited, "a password of mine").await;
    let session = app.login(&invited, "a password of mine").await;
    assert_eq!(app.get(&format!("/v1/stores/{store}"), &session).await.0, StatusCode::NOT_FOUND);

    let accept = async |token: &str, session: &str| {
        app.call(Method::POST, "/v1/me/invitations/accept", Some(session), Some(json!({"token": token}))).await
    };
    let (status, joined) = accept(&link, &session).await;
    assert_eq!(status, StatusCode::OK, "{joined}");
    assert_eq!(joined["store_id"].as_str(), Some(store.as_str()));
    assert_eq!(joined["role"], "staff");
    assert_eq!(app.get(&format!("/v1/stores/{store}"), &session).await.0, StatusCode::OK);
    let (_, me) = app.get("/v1/me", &session).await;
    assert_eq!(me["email_verified"], true, "the link proved the address");
    let (status, _) = accept(&link, &session).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "single use");

    let (status, list) = app.get(&format!("/v1/stores/{store}/invitations"), &owner.token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["data"][0]["status"], "accepted");
    let (status, _) = app
        .call(
            Method::POST,
            &format!("/v1/stores/{store}/invitations/{}/resend", invitation["id"].as_str().unwrap()),
            Some(owner.token.as_str()),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "an accepted invitation is closed");
}

#[tokio::test]
async fn invitations_are_resent_with_a_new_link_revoked_and_accepted_by_verifying_the_address() {
    let (app, sink, _worker) = mailing_app().await;
    let owner = app.user().await;
    let store = app.store(&owner.token).await;
    let invite = async |email: &str| {
        app.post(&format!("/v1/stores/{store}/members"), &owner.token, json!({"email": email, "role": "viewer"})).await
    };
    let first_email = unique_email();
    let (_, invitation) = invite(&first_email).await;
    let id = invitation["id"].as_str().unwrap();
    let first_link = token(&nth(&sink, &first_email, INVITED, 1).await, "invitations/accept");
    let (status, resent) = app
        .call(Method::POST, &format!("/v1/stores/{store}/invitations/{id}/resend"), Some(owner.token.as_str()), None)
        .await;
    assert_eq!(status, StatusCode::OK, "{resent}");
    let second_link = token(&nth(&sink, &first_email, INVITED, 2).await, "invitations/accept");
    assert_ne!(first_link, second_link);

    let someone = app.user().await;
    let accept = async |token: &str| {
        app.call(Method::POST, "/v1/me/invitations/accept", Some(someone.token.as_str()), Some(json!({"token": token})))
            .await
    };
    assert_eq!(accept(&first_link).await.0, StatusCode::UNPROCESSABLE_ENTITY, "the resent link replaced the first");
    let (status, _) = app.delete(&format!("/v1/stores/{store}/invitations/{id}"), &owner.token).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(accept(&second_link).await.0, StatusCode::UNPROCESSABLE_ENTITY, "revoked");
    let (_, list) = app.get(&format!("/v1/stores/{store}/invitations"), &owner.token).await;
    assert_eq!(list["data"][0]["status"], "revoked");

    // A verified account with the invited address joins when it verifies.
    let second_email = unique_email();
    invite(&second_email).await;
    nth(&sink, &second_email, INVITED, 1).await;
    app.signup_unverified(&second_email, "my own password").await;
    let verify = nth(&sink, &second_email, VERIFY, 1).await;
    let (status, _) = app
        .call(Method::POST, "/v1/auth/verify-email", None, Some(json!({"token": token(&verify, "verify-email")})))
        .await;
    assert_eq!(status, StatusCode::OK);
    let session = app.login(&second_email, "my own password").await;
    assert_eq!(app.get(&format!("/v1/stores/{store}"), &session).await.0, StatusCode::OK);

    // Another store's invitation is 404 here.
    let (other_owner, other_store, _) = app.store_with_member("staff").await;
    let (status, _) = app.delete(&format!("/v1/stores/{other_store}/invitations/{id}"), &other_owner.token).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_owner_role_needs_a_verified_account() {
    let (app, sink, _worker) = mailing_app().await;
    let owner = app.user().await;
    let store = app.store(&owner.token).await;
    let invited = unique_email();
    let (status, _) = app
        .post(&format!("/v1/stores/{store}/members"), &owner.token, json!({"email": invited, "role": "owner"}))
        .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let link = token(&nth(&sink, &invited, INVITED, 1).await, "invitations/accept");
    // Someone else, signed in with another, unverified address, holds the link.
    let other = unique_email();
    app.signup_unverified(&other, "a password of theirs").await;
    let session = app.login(&other, "a password of theirs").await;
    let (status, problem) =
        app.call(Method::POST, "/v1/me/invitations/accept", Some(session.as_str()), Some(json!({"token": link}))).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
    assert_eq!(problem["code"], "email_unverified");

    // A staff invitation they may take; being promoted to owner waits for their verification.
    let staff_invite = unique_email();
    app.post(&format!("/v1/stores/{store}/members"), &owner.token, json!({"email": staff_invite, "role": "staff"}))
        .await;
    let link = token(&nth(&sink, &staff_invite, INVITED, 1).await, "invitations/accept");
    let (status, joined) =
        app.call(Method::POST, "/v1/me/invitations/accept", Some(session.as_str()), Some(json!({"token": link}))).await;
    assert_eq!(status, StatusCode::OK, "{joined}");
    let (_, me) = app.get("/v1/me", &session).await;
    assert_eq!(me["email_verified"], false, "another address's link verifies nothing");
    let member = format!("/v1/stores/{store}/members/{}", me["id"].as_str().unwrap());
    let (status, problem) = app.patch(&member, &owner.token, json!({"role": "owner"})).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
    assert_eq!(problem["code"], "email_unverified");
    app.mark_verified(&other).await;
    let (status, promoted) = app.patch(&member, &owner.token, json!({"role": "owner"})).await;
    assert_eq!((status, &promoted["role"]), (StatusCode::OK, &json!("owner")), "{promoted}");
}

#[tokio::test]
async fn an_invitation_lapses_after_its_time_and_a_resend_gives_it_a_new_one() {
    let (app, sink, _worker) = mailing_app().await;
    let owner = app.user().await;
    let store = app.store(&owner.token).await;
    let invited = unique_email();
    let (_, invitation) = app
        .post(&format!("/v1/stores/{store}/members"), &owner.token, json!({"email": invited, "role": "staff"}))
        .await;
    let id = invitation["id"].as_str().unwrap();
    let expires = chrono::DateTime::parse_from_rfc3339(invitation["expires_at"].as_str().unwrap()).unwrap();
    assert!((expires.to_utc() - (chrono::Utc::now() + chrono::Duration::days(14))).num_seconds().abs() < 60);
    let link = token(&nth(&sink, &invited, INVITED, 1).await, "invitations/accept");

    // Fourteen days later (moved back in the database rather than waited for).
    use diesel_async::RunQueryDsl;
    let mut conn = app.core.pool.get().await.unwrap();
    diesel::sql_query("UPDATE invitations SET expires_at = now() - interval '1 second'")
        .execute(&mut conn)
        .await
        .unwrap();
    let (_, list) = app.get(&format!("/v1/stores/{store}/invitations"), &owner.token).await;
    assert_eq!(list["data"][0]["status"], "expired");
    let someone = app.user().await;
    let accept = async |token: &str| {
        app.call(Method::POST, "/v1/me/invitations/accept", Some(someone.token.as_str()), Some(json!({"token": token})))
            .await
    };
    assert_eq!(accept(&link).await.0, StatusCode::UNPROCESSABLE_ENTITY, "a lapsed link");

    let (status, resent) = app
        .call(Method::POST, &format!("/v1/stores/{store}/invitations/{id}/resend"), Some(owner.token.as_str()), None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(resent["status"], "pending");
    let fresh = token(&nth(&sink, &invited, INVITED, 2).await, "invitations/accept");
    let (status, joined) = accept(&fresh).await;
    assert_eq!(status, StatusCode::OK, "{joined}");
}

#[tokio::test]
async fn one_address_makes_a_bounded_number_of_account_requests_an_hour() {
    let app = TestApp::spawn_with(&[("BALCAO_ACCOUNT_REQUESTS_PER_HOUR", "3")]).await;
    let requests = [
        ("/v1/auth/signup", json!({"email": unique_email(), "password": "a long passphrase", "name": "Ana"})),
        ("/v1/auth/password-reset", json!({"email": unique_email()})),
        ("/v1/auth/verify-email/resend", json!({"email": unique_email()})),
    ];
    for (path, body) in &requests {
        let (status, answer) = app.call(Method::POST, path, None, Some(body.clone())).await;
        assert!(status.is_success(), "{path}: {answer}");
    }
    for (path, body) in &requests {
        let (status, problem) = app.call(Method::POST, path, None, Some(body.clone())).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{path}: {problem}");
        assert_eq!(problem["code"], "too_many_account_requests");
    }
    // Signing in counts against its own failure limits, not this one.
    assert_eq!(login_status(&app, "nobody@example.com", "a long passphrase").await, StatusCode::UNAUTHORIZED);
}
