//! Accounts people can recover: email verification, signup without enumeration, password reset
//! and change, sessions, invitations by link, and API key rolling; every email read off a real
//! SMTP listener on loopback and every link followed as a user would.

mod api_keys;
mod invitations;
mod passwords;

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
