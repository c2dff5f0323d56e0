//! Privileges cannot outlive or exceed the member they come from: an API key does no more than
//! its creator may do now, removing a member revokes their keys, and nobody creates or assigns
//! a role holding a permission they lack. Each test replays an attack from the security review.

use balcao_tests::{TestApp, simple_product};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn assert_forbidden(what: &str, status: StatusCode, body: &Value, permission: &str) {
    assert_eq!(status, StatusCode::FORBIDDEN, "{what}: {body}");
    assert!(body["detail"].as_str().is_some_and(|d| d.contains(permission)), "{what} should name {permission}: {body}");
}

#[tokio::test]
async fn a_removed_members_keys_stop_at_once_even_keys_minted_by_keys() {
    let app = TestApp::spawn().await;
    let (owner, store, admin) = app.store_with_member("admin").await;
    let key = app.api_key(&admin.token, &store, None).await;
    // A key minted by the key belongs to the same member.
    let child = app.api_key(&key, &store, Some(&["orders:read"])).await;
    let orders = format!("/v1/stores/{store}/orders");
    assert_eq!(app.get(&orders, &key).await.0, StatusCode::OK);
    assert_eq!(app.get(&orders, &child).await.0, StatusCode::OK);

    let (status, body) = app.delete(&format!("/v1/stores/{store}/members/{}", admin.id), &owner.token).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    for (name, token) in [("the admin's key", &key), ("the key it minted", &child)] {
        let (status, body) = app.get(&orders, token).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{name} after removal: {body}");
        let (status, _) = app.post(&format!("/v1/stores/{store}/api-keys"), token, json!({"name": "again"})).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{name} cannot mint after removal");
    }
    // The keys show as revoked: they are gone from the list.
    let (_, keys) = app.get(&format!("/v1/stores/{store}/api-keys"), &owner.token).await;
    assert_eq!(keys["data"].as_array().map(Vec::len), Some(0), "{keys}");
}

#[tokio::test]
async fn a_demoted_creators_key_loses_what_they_lost_at_once() {
    let app = TestApp::spawn().await;
    let (owner, store, member) = app.store_with_member("admin").await;
    let key = app.api_key(&member.token, &store, None).await;
    let products = format!("/v1/stores/{store}/products");
    let (status, body) = app.post(&products, &key, simple_product("Bolo", "BOLO-1", 1990, 5)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    // Read once more so the principal and the creator's access are cached.
    assert_eq!(app.get(&products, &key).await.0, StatusCode::OK);

    let (status, body) =
        app.patch(&format!("/v1/stores/{store}/members/{}", member.id), &owner.token, json!({"role": "viewer"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app.post(&products, &key, simple_product("Torta", "TORTA-1", 2990, 5)).await;
    assert_forbidden("a write with the demoted admin's key", status, &body, "catalog:write");
    assert_eq!(app.get(&products, &key).await.0, StatusCode::OK, "a viewer still reads");
    // Nor can the key mint a key with the scopes it no longer has.
    let (status, body) = app
        .post(&format!("/v1/stores/{store}/api-keys"), &key, json!({"name": "x", "scopes": ["catalog:write"]}))
        .await;
    assert_ne!(status, StatusCode::CREATED, "{body}");

    // Promoted again, the same key writes again: scopes were never widened, only bounded.
    let (status, _) =
        app.patch(&format!("/v1/stores/{store}/members/{}", member.id), &owner.token, json!({"role": "admin"})).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = app.post(&products, &key, simple_product("Torta", "TORTA-1", 2990, 5)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

#[tokio::test]
async fn nobody_creates_or_assigns_a_role_with_a_permission_they_lack() {
    let app = TestApp::spawn().await;
    let (owner, store, admin) = app.store_with_member("admin").await;
    app.set_plan(&store, "pro").await; // more seats than free's 3
    let accomplice = app.user().await;
    let roles = format!("/v1/stores/{store}/roles");
    let members = format!("/v1/stores/{store}/members");

    // The review's attack: an admin makes a role with store:delete for an account they control.
    let body = json!({"name": "demolidor", "permissions": ["store:read", "store:delete"]});
    let (status, answer) = app.post(&roles, &admin.token, body).await;
    assert_forbidden("an admin creating a role with store:delete", status, &answer, "store:delete");

    // A role the owner made with store:delete cannot be handed out by the admin either.
    let body = json!({"name": "gerente", "permissions": ["store:read", "store:delete"]});
    let (status, answer) = app.post(&roles, &owner.token, body).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    let (status, answer) =
        app.post(&members, &admin.token, json!({"email": accomplice.email, "role": "gerente"})).await;
    assert_forbidden("an admin assigning a role with store:delete", status, &answer, "store:delete");
    let (status, answer) =
        app.post(&members, &admin.token, json!({"email": "ainda-sem-conta@example.com", "role": "gerente"})).await;
    assert_forbidden("an admin inviting into a role with store:delete", status, &answer, "store:delete");
    app.add_member(&admin.token, &store, &accomplice.email, "staff").await;
    let (status, answer) =
        app.patch(&format!("{members}/{}", accomplice.id), &admin.token, json!({"role": "gerente"})).await;
    assert_forbidden("an admin promoting into a role with store:delete", status, &answer, "store:delete");

    // Nor can the admin act on a member who holds more than they do.
    let holder = app.user().await;
    app.add_member(&owner.token, &store, &holder.email, "gerente").await;
    let (status, answer) =
        app.patch(&format!("{members}/{}", holder.id), &admin.token, json!({"role": "viewer"})).await;
    assert_forbidden("an admin demoting a member who holds store:delete", status, &answer, "store:delete");
    let (status, answer) = app.delete(&format!("{members}/{}", holder.id), &admin.token).await;
    assert_forbidden("an admin removing a member who holds store:delete", status, &answer, "store:delete");

    // The accomplice never got store:delete: the store survives.
    let (status, _) = app.delete(&format!("/v1/stores/{store}"), &accomplice.token).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Within what the admin holds, roles are theirs to make and assign.
    let body = json!({"name": "catalogo", "permissions": ["store:read", "catalog:read", "catalog:write"]});
    let (status, answer) = app.post(&roles, &admin.token, body).await;
    assert_eq!(status, StatusCode::CREATED, "{answer}");
    let (status, answer) =
        app.patch(&format!("{members}/{}", accomplice.id), &admin.token, json!({"role": "catalogo"})).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
}

#[tokio::test]
async fn custom_roles_are_edited_within_the_editors_permissions_and_deleted_only_when_unused() {
    let app = TestApp::spawn().await;
    let (owner, store, admin) = app.store_with_member("admin").await;
    let roles = format!("/v1/stores/{store}/roles");
    let body = json!({"name": "vitrine", "permissions": ["store:read", "catalog:read"]});
    let (status, role) = app.post(&roles, &owner.token, body).await;
    assert_eq!(status, StatusCode::CREATED, "{role}");
    let role_path = format!("{roles}/{}", role["id"].as_str().unwrap());
    let holder = app.user().await;
    app.add_member(&owner.token, &store, &holder.email, "vitrine").await;
    let products = format!("/v1/stores/{store}/products");
    let (status, _) = app.post(&products, &holder.token, simple_product("Pão", "PAO-1", 800, 5)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "catalog:read only");

    // An edit reaches the holder at once (their cached access is forgotten).
    let (status, edited) = app
        .patch(&role_path, &admin.token, json!({"permissions": ["store:read", "catalog:read", "catalog:write"]}))
        .await;
    assert_eq!(status, StatusCode::OK, "{edited}");
    assert_eq!(edited["permissions"], json!(["store:read", "catalog:read", "catalog:write"]));
    let (status, body) = app.post(&products, &holder.token, simple_product("Pão", "PAO-1", 800, 5)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    // Not beyond the editor's own permissions.
    let (status, answer) = app.patch(&role_path, &admin.token, json!({"permissions": ["store:delete"]})).await;
    assert_forbidden("an admin editing a role into store:delete", status, &answer, "store:delete");

    // In use: refused with how many hold it; unused: gone.
    let (status, answer) = app.delete(&role_path, &owner.token).await;
    assert_eq!(status, StatusCode::CONFLICT, "{answer}");
    assert_eq!(answer["code"], "role_in_use");
    assert!(answer["detail"].as_str().is_some_and(|d| d.contains("1 member")), "{answer}");
    let (status, _) =
        app.patch(&format!("/v1/stores/{store}/members/{}", holder.id), &owner.token, json!({"role": "viewer"})).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = app.delete(&role_path, &owner.token).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, listed) = app.get(&roles, &owner.token).await;
    assert!(!listed.to_string().contains("vitrine"), "{listed}");
    let (status, _) = app.delete(&role_path, &owner.token).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
