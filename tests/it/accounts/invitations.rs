//! Invitations by link: accepted through it (never by signup alone), resent with a new link,
//! revoked, lapsing, and accepted by verifying the invited address; owner roles need a verified
//! account.

use reqwest::{Method, StatusCode};
use serde_json::json;

use super::{INVITED, VERIFY, mailing_app, nth, token, unique_email};

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
