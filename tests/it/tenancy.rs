//! Stores, members, invitations, roles and permissions, and isolation between stores.

// Helpers outside `#[test]` functions unwrap too: in a test, a panic is a failure report.
#![allow(clippy::unwrap_used)]

use balcao_tests::{TestApp, assert_problem};
use reqwest::{Method, Response, StatusCode};
use serde_json::{Value, json};

async fn send(app: &TestApp, method: Method, path: &str, token: &str, body: Option<Value>) -> Response {
    let mut builder = app.request(method, path, Some(token));
    if let Some(body) = body {
        builder = builder.json(&body);
    }
    builder.send().await.unwrap()
}

const NOT_FOUND: (StatusCode, &str) = (StatusCode::NOT_FOUND, "not_found");
const FORBIDDEN: (StatusCode, &str) = (StatusCode::FORBIDDEN, "forbidden");
const LAST_OWNER: (StatusCode, &str) = (StatusCode::CONFLICT, "last_owner");
const CONFLICT_SLUG: (StatusCode, &str) = (StatusCode::CONFLICT, "slug_taken");

/// Sends a request and asserts a problem answer with the expected status and code.
async fn fails(app: &TestApp, method: Method, path: &str, token: &str, body: Option<Value>, want: (StatusCode, &str)) {
    assert_problem(send(app, method, path, token, body).await, want.0, want.1).await;
}

/// Sends a request and asserts a 422 naming exactly `field`.
async fn invalid(app: &TestApp, method: Method, path: &str, token: &str, body: Value, field: &str) {
    assert_invalid(send(app, method, path, token, Some(body)).await, field).await;
}

/// Asserts a 422 naming exactly `field`.
async fn assert_invalid(response: Response, field: &str) {
    let problem = assert_problem(response, StatusCode::UNPROCESSABLE_ENTITY, "validation_failed").await;
    let fields: Vec<&str> =
        problem["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, [field], "{problem}");
}

fn unique_slug() -> String {
    format!("loja-{}", &uuid::Uuid::now_v7().simple().to_string()[20..])
}

#[tokio::test]
async fn stores_crud() {
    let app = TestApp::spawn().await;
    let user = app.user().await;
    let slug = unique_slug();
    let (status, store) = app.post("/v1/stores", &user.token, json!({"name": " Doceria da Ana ", "slug": slug})).await;
    assert_eq!(status, StatusCode::CREATED, "{store}");
    assert_eq!(store["name"], "Doceria da Ana");
    assert_eq!(store["slug"], slug.as_str());
    assert_eq!(store["timezone"], "America/Sao_Paulo");
    assert_eq!(store["currency"], "BRL");
    let id = store["id"].as_str().unwrap().to_owned();
    let path = format!("/v1/stores/{id}");

    let (status, got) = app.get(&path, &user.token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(got, store);

    let (status, patched) =
        app.patch(&path, &user.token, json!({"name": "Doceria Nova", "timezone": "America/Manaus"})).await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    assert_eq!(patched["name"], "Doceria Nova");
    assert_eq!(patched["timezone"], "America/Manaus");
    assert_eq!(patched["slug"], slug.as_str(), "fields not sent stay");
    let (_, got) = app.get(&path, &user.token).await;
    assert_eq!(got["name"], "Doceria Nova");

    for bad in ["ab", "Loja", "-loja", "lo--ja", "loja_1", "loja-"] {
        invalid(&app, Method::POST, "/v1/stores", &user.token, json!({"name": "X", "slug": bad}), "slug").await;
        invalid(&app, Method::PATCH, &path, &user.token, json!({"slug": bad}), "slug").await;
    }
    let body = json!({"name": "X", "slug": unique_slug(), "timezone": "Mars/Olympus"});
    invalid(&app, Method::POST, "/v1/stores", &user.token, body, "timezone").await;
    invalid(&app, Method::PATCH, &path, &user.token, json!({"timezone": "nowhere"}), "timezone").await;

    // Slugs are unique across balcao, also for another user.
    let other = app.user().await;
    let other_store = app.store(&other.token).await;
    let response = send(&app, Method::POST, "/v1/stores", &other.token, Some(json!({"name": "X", "slug": slug}))).await;
    let problem = assert_problem(response, StatusCode::CONFLICT, "slug_taken").await;
    assert_eq!(problem["errors"][0]["field"], "slug");
    let body = Some(json!({"slug": slug}));
    fails(&app, Method::PATCH, &format!("/v1/stores/{other_store}"), &other.token, body, CONFLICT_SLUG).await;

    let response = send(&app, Method::DELETE, &path, &user.token, None).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    fails(&app, Method::GET, &path, &user.token, None, NOT_FOUND).await;
    fails(&app, Method::DELETE, &path, &user.token, None, NOT_FOUND).await;
    let (_, list) = app.get("/v1/stores", &user.token).await;
    assert_eq!(list["data"], json!([]));
}

#[tokio::test]
async fn my_stores_are_paginated() {
    let app = TestApp::spawn().await;
    let user = app.user().await;
    let first = app.store(&user.token).await;
    let second = app.store(&user.token).await;
    let other = app.user().await;
    app.store(&other.token).await;

    let (status, all) = app.get("/v1/stores", &user.token).await;
    assert_eq!(status, StatusCode::OK);
    let ids: Vec<&str> = all["data"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(ids, [first.as_str(), second.as_str()], "only mine, oldest first");
    assert!(all["next_cursor"].is_null());

    let (status, page) = app.get("/v1/stores?limit=1", &user.token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["data"].as_array().unwrap().len(), 1);
    assert_eq!(page["data"][0]["id"], first.as_str());
    let cursor = page["next_cursor"].as_str().unwrap();
    let (status, page) = app.get(&format!("/v1/stores?limit=1&cursor={cursor}"), &user.token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["data"][0]["id"], second.as_str());
    assert!(page["next_cursor"].is_null(), "{page}");

    for query in ["limit=0", "limit=101", "limit=-1", "cursor=!!"] {
        let response = send(&app, Method::GET, &format!("/v1/stores?{query}"), &user.token, None).await;
        assert_invalid(response, query.split('=').next().unwrap()).await;
    }
}

#[tokio::test]
async fn members_and_invitations() {
    let app = TestApp::spawn().await;
    let (owner, store, staff) = app.store_with_member("staff").await;
    let members_path = format!("/v1/stores/{store}/members");

    let (status, members) = app.get(&members_path, &owner.token).await;
    assert_eq!(status, StatusCode::OK);
    let roles: std::collections::BTreeMap<&str, &str> = members["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["user_id"].as_str().unwrap(), m["role"].as_str().unwrap()))
        .collect();
    assert_eq!(roles, [(owner.id.as_str(), "owner"), (staff.id.as_str(), "staff")].into());
    let (status, _) = app.get(&format!("/v1/stores/{store}"), &staff.token).await;
    assert_eq!(status, StatusCode::OK);

    let body = Some(json!({"email": staff.email.to_uppercase(), "role": "viewer"}));
    fails(&app, Method::POST, &members_path, &owner.token, body, (StatusCode::CONFLICT, "already_member")).await;
    let body = json!({"email": "someone@example.com", "role": "manager"});
    invalid(&app, Method::POST, &members_path, &owner.token, body, "role").await;
    invalid(&app, Method::POST, &members_path, &owner.token, json!({"email": "nope", "role": "staff"}), "email").await;

    // An unknown email gets an emailed invitation; signing up with the address alone accepts
    // nothing (the link or a verified address does: see `accounts`).
    let email = format!("convidada-{}@example.com", uuid::Uuid::now_v7().simple());
    let (status, invitation) = app.post(&members_path, &owner.token, json!({"email": email, "role": "viewer"})).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{invitation}");
    assert_eq!(invitation["email"], email.as_str());
    assert_eq!(invitation["role"], "viewer");
    assert_eq!(invitation["status"], "pending");
    assert!(invitation["expires_at"].is_string());
    let (_, members) = app.get(&members_path, &owner.token).await;
    assert_eq!(members["data"].as_array().unwrap().len(), 2, "not a member before signup");

    app.signup_unverified(&email.to_uppercase(), "a long test password").await;
    let invited = app.login(&email, "a long test password").await;
    let (status, _) = app.get(&format!("/v1/stores/{store}"), &invited).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "signup alone is no proof of the address");
    let (_, members) = app.get(&members_path, &owner.token).await;
    assert_eq!(members["data"].as_array().unwrap().len(), 2);

    // Adding the same address as an unverified account invites it again (the old link dies).
    let (status, again) = app.post(&members_path, &owner.token, json!({"email": email, "role": "viewer"})).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{again}");
    let (_, invitations) = app.get(&format!("/v1/stores/{store}/invitations"), &owner.token).await;
    let statuses: Vec<_> = invitations["data"].as_array().unwrap().iter().map(|i| i["status"].clone()).collect();
    assert_eq!(statuses, [json!("pending"), json!("revoked")]);

    // Someone who is not a member here is not found through this store.
    let outsider = app.user().await;
    app.store(&outsider.token).await;
    let path = format!("{members_path}/{}", outsider.id);
    fails(&app, Method::PATCH, &path, &owner.token, Some(json!({"role": "viewer"})), NOT_FOUND).await;
    fails(&app, Method::DELETE, &path, &owner.token, None, NOT_FOUND).await;

    // Removing a member ends their access.
    let response = send(&app, Method::DELETE, &format!("{members_path}/{}", staff.id), &owner.token, None).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    fails(&app, Method::GET, &format!("/v1/stores/{store}"), &staff.token, None, NOT_FOUND).await;
}

#[tokio::test]
async fn custom_roles_grant_exactly_their_permissions() {
    let app = TestApp::spawn().await;
    let owner = app.user().await;
    let store = app.store(&owner.token).await;
    let roles_path = format!("/v1/stores/{store}/roles");

    let (status, roles) = app.get(&roles_path, &owner.token).await;
    assert_eq!(status, StatusCode::OK);
    let names: Vec<&str> = roles.as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["owner", "admin", "staff", "viewer"]);
    assert!(roles.as_array().unwrap().iter().all(|r| r["builtin"] == true));
    assert!(
        !roles[1]["permissions"].as_array().unwrap().contains(&json!("store:delete")),
        "admin cannot delete the store"
    );

    let body = json!({"name": "catalogo", "permissions": ["catalog:read", "fly"]});
    invalid(&app, Method::POST, &roles_path, &owner.token, body, "permissions[1]").await;
    let body = json!({"name": "viewer", "permissions": ["catalog:read"]});
    invalid(&app, Method::POST, &roles_path, &owner.token, body, "name").await;

    let (status, role) =
        app.post(&roles_path, &owner.token, json!({"name": "catalogo", "permissions": ["catalog:read"]})).await;
    assert_eq!(status, StatusCode::CREATED, "{role}");
    assert_eq!(role["permissions"], json!(["catalog:read"]));
    assert_eq!(role["builtin"], false);
    assert!(role["id"].is_string());
    let body = Some(json!({"name": "catalogo", "permissions": ["store:read"]}));
    fails(&app, Method::POST, &roles_path, &owner.token, body, (StatusCode::CONFLICT, "role_exists")).await;
    let (status, role) = app
        .post(&roles_path, &owner.token, json!({"name": "leitor", "permissions": ["store:read", "members:read"]}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{role}");
    let (_, roles) = app.get(&roles_path, &owner.token).await;
    assert_eq!(roles.as_array().unwrap().len(), 6);

    // Only catalog:read: the store itself, its members and roles are off limits (403, not 404: it is a member).
    let catalog = app.user().await;
    app.add_member(&owner.token, &store, &catalog.email, "catalogo").await;
    for path in [format!("/v1/stores/{store}"), format!("/v1/stores/{store}/members"), roles_path.clone()] {
        fails(&app, Method::GET, &path, &catalog.token, None, FORBIDDEN).await;
    }
    // store:read and members:read: reads, but no writes.
    let reader = app.user().await;
    app.add_member(&owner.token, &store, &reader.email, "leitor").await;
    for path in [format!("/v1/stores/{store}"), format!("/v1/stores/{store}/members"), roles_path.clone()] {
        assert_eq!(app.get(&path, &reader.token).await.0, StatusCode::OK, "{path}");
    }
    fails(&app, Method::PATCH, &format!("/v1/stores/{store}"), &reader.token, Some(json!({"name": "X"})), FORBIDDEN)
        .await;
    fails(&app, Method::GET, &format!("/v1/stores/{store}/api-keys"), &reader.token, None, FORBIDDEN).await;
}

#[tokio::test]
async fn viewer_cannot_write() {
    let app = TestApp::spawn().await;
    let (_owner, store, viewer) = app.store_with_member("viewer").await;
    let other = app.user().await;
    let (status, before) = app.get(&format!("/v1/stores/{store}"), &viewer.token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(app.get(&format!("/v1/stores/{store}/members"), &viewer.token).await.0, StatusCode::OK);

    let writes = [
        (Method::PATCH, format!("/v1/stores/{store}"), Some(json!({"name": "Hacked"}))),
        (Method::POST, format!("/v1/stores/{store}/members"), Some(json!({"email": other.email, "role": "viewer"}))),
        (
            Method::POST,
            format!("/v1/stores/{store}/roles"),
            Some(json!({"name": "mine", "permissions": ["store:read"]})),
        ),
        (Method::POST, format!("/v1/stores/{store}/api-keys"), Some(json!({"name": "k", "scopes": ["store:read"]}))),
        (Method::PATCH, format!("/v1/stores/{store}/members/{}", viewer.id), Some(json!({"role": "admin"}))),
        (Method::DELETE, format!("/v1/stores/{store}"), None),
    ];
    for (method, path, body) in writes {
        let response = send(&app, method.clone(), &path, &viewer.token, body).await;
        let problem = assert_problem(response, StatusCode::FORBIDDEN, "forbidden").await;
        assert!(problem["detail"].as_str().unwrap().contains(':'), "names the permission: {problem}");
    }
    let (status, after) = app.get(&format!("/v1/stores/{store}"), &viewer.token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(after, before, "nothing changed");
    assert_eq!(app.get("/v1/stores", &other.token).await.1["data"], json!([]));
}

#[tokio::test]
async fn the_last_owner_stays() {
    let app = TestApp::spawn().await;
    let (owner, store, second) = app.store_with_member("admin").await;
    let me = format!("/v1/stores/{store}/members/{}", owner.id);
    fails(&app, Method::DELETE, &me, &owner.token, None, LAST_OWNER).await;
    fails(&app, Method::PATCH, &me, &owner.token, Some(json!({"role": "admin"})), LAST_OWNER).await;
    // Owner to owner is not a demotion.
    assert_eq!(app.patch(&me, &owner.token, json!({"role": "owner"})).await.0, StatusCode::OK);

    let (status, promoted) =
        app.patch(&format!("/v1/stores/{store}/members/{}", second.id), &owner.token, json!({"role": "owner"})).await;
    assert_eq!(status, StatusCode::OK, "{promoted}");
    assert_eq!(promoted["role"], "owner");
    let response = send(&app, Method::DELETE, &me, &second.token, None).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    fails(&app, Method::GET, &format!("/v1/stores/{store}"), &owner.token, None, NOT_FOUND).await;
    let second_me = format!("/v1/stores/{store}/members/{}", second.id);
    fails(&app, Method::DELETE, &second_me, &second.token, None, LAST_OWNER).await;
}

#[tokio::test]
async fn admins_cannot_touch_ownership() {
    let app = TestApp::spawn().await;
    let (owner, store, admin) = app.store_with_member("admin").await;
    let target = app.user().await;
    let members = format!("/v1/stores/{store}/members");
    let body = Some(json!({"email": target.email, "role": "owner"}));
    fails(&app, Method::POST, &members, &admin.token, body, FORBIDDEN).await;
    app.add_member(&admin.token, &store, &target.email, "staff").await;
    let path = format!("{members}/{}", target.id);
    let owner_path = format!("{members}/{}", owner.id);
    let to_owner = || Some(json!({"role": "owner"}));
    fails(&app, Method::PATCH, &path, &admin.token, to_owner(), FORBIDDEN).await;
    fails(&app, Method::PATCH, &format!("{members}/{}", admin.id), &admin.token, to_owner(), FORBIDDEN).await;
    fails(&app, Method::DELETE, &owner_path, &admin.token, None, FORBIDDEN).await;
    fails(&app, Method::PATCH, &owner_path, &admin.token, Some(json!({"role": "viewer"})), FORBIDDEN).await;
    fails(&app, Method::DELETE, &format!("/v1/stores/{store}"), &admin.token, None, FORBIDDEN).await;
    // What admins may do: manage non-owners.
    assert_eq!(app.patch(&path, &admin.token, json!({"role": "viewer"})).await.0, StatusCode::OK);
}

#[tokio::test]
async fn other_stores_are_404_on_every_route() {
    let app = TestApp::spawn().await;
    let a = app.user().await;
    let store_a = app.store(&a.token).await;
    let b = app.user().await;
    let store_b = app.store(&b.token).await;
    let key_a = app.api_key(&a.token, &store_a, None).await;
    let (status, before) = app.get(&format!("/v1/stores/{store_b}"), &b.token).await;
    assert_eq!(status, StatusCode::OK);

    let doc = balcao_gateway::openapi();
    let mut checked = 0;
    let mut wrong = Vec::new();
    for (template, item) in &doc.paths.paths {
        // The operators' routes name any store; to everyone else they are unknown routes
        // (tests/it/admin.rs).
        if !template.contains("{store_id}") || template.starts_with("/v1/admin/") {
            continue;
        }
        let path = template
            .split('/')
            .map(|segment| match segment {
                "{store_id}" => store_b.clone(),
                s if s.starts_with('{') => uuid::Uuid::now_v7().to_string(),
                s => s.to_owned(),
            })
            .collect::<Vec<_>>()
            .join("/");
        let operations = [
            (Method::GET, item.get.is_some()),
            (Method::POST, item.post.is_some()),
            (Method::PUT, item.put.is_some()),
            (Method::PATCH, item.patch.is_some()),
            (Method::DELETE, item.delete.is_some()),
        ];
        for (method, _) in operations.into_iter().filter(|(_, present)| *present) {
            let body = matches!(method, Method::POST | Method::PUT | Method::PATCH).then(|| json!({}));
            for (who, token) in [("session", &a.token), ("api key", &key_a)] {
                let response = send(&app, method.clone(), &path, token, body.clone()).await;
                if response.status() == StatusCode::NOT_FOUND {
                    assert_problem(response, NOT_FOUND.0, NOT_FOUND.1).await;
                } else {
                    let status = response.status();
                    let text = response.text().await.unwrap();
                    wrong.push(format!("{method} {template} ({who}): {status} {text}"));
                }
            }
            checked += 1;
        }
    }
    assert!(wrong.is_empty(), "not 404:\n{}", wrong.join("\n"));
    // The core alone has 12 (store, members, roles, api keys); other crates add more.
    assert!(checked >= 12, "only {checked} store operations found");
    let (_, after) = app.get(&format!("/v1/stores/{store_b}"), &b.token).await;
    assert_eq!(after, before, "store B is untouched");
    assert_eq!(
        app.get(&format!("/v1/stores/{store_b}/members"), &b.token).await.1["data"].as_array().unwrap().len(),
        1
    );
}

#[tokio::test]
async fn role_changes_apply_on_the_next_request() {
    let app = TestApp::spawn().await;
    let (owner, store, admin) = app.store_with_member("admin").await;
    let store_path = format!("/v1/stores/{store}");
    let member_path = format!("/v1/stores/{store}/members/{}", admin.id);
    // Warm the access cache.
    assert_eq!(app.patch(&store_path, &admin.token, json!({"name": "Um"})).await.0, StatusCode::OK);
    assert_eq!(app.patch(&member_path, &owner.token, json!({"role": "viewer"})).await.0, StatusCode::OK);
    fails(&app, Method::PATCH, &store_path, &admin.token, Some(json!({"name": "Dois"})), FORBIDDEN).await;
    assert_eq!(app.patch(&member_path, &owner.token, json!({"role": "admin"})).await.0, StatusCode::OK);
    assert_eq!(app.patch(&store_path, &admin.token, json!({"name": "Tres"})).await.0, StatusCode::OK);
    let response = send(&app, Method::DELETE, &member_path, &owner.token, None).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    fails(&app, Method::GET, &store_path, &admin.token, None, NOT_FOUND).await;
}
