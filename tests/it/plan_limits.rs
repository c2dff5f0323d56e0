//! Countable resources bounded by the store's plan (webhook endpoints, staff seats, products):
//! refused at creation past it with 403 `plan_limit_reached` naming the limit, allowed again on a
//! bigger plan, and never passed by concurrent creations.

use balcao_core::admin::{UpdatePlan, update_plan};
use balcao_tests::{TestApp, simple_product};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn endpoint(n: usize) -> Value {
    json!({"url": format!("https://example.com/hooks/{n}"), "event_types": ["*"]})
}

/// Asserts a 403 `plan_limit_reached` whose detail starts with `detail`.
fn refused(status: StatusCode, body: &Value, detail: &str) {
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["code"], "plan_limit_reached", "{body}");
    let text = body["detail"].as_str().unwrap_or_default();
    assert!(text.starts_with(detail), "{text:?} should start with {detail:?}");
}

/// Changes the `free` plan as an operator would.
async fn edit_free(app: &TestApp, req: UpdatePlan) {
    update_plan(&app.core, "free", req).await.unwrap();
}

#[tokio::test]
async fn webhook_endpoints_stop_at_the_plan_and_resume_on_a_bigger_one() {
    let (app, token, store) = TestApp::shop().await;
    let path = format!("/v1/stores/{store}/webhook-endpoints");
    for n in 0..2 {
        let (status, body) = app.post(&path, &token, endpoint(n)).await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let (status, body) = app.post(&path, &token, endpoint(2)).await;
    refused(status, &body, "The Free plan allows 2 webhook endpoints; ");
    let (_, list) = app.get(&path, &token).await;
    assert_eq!(list["data"].as_array().map(Vec::len), Some(2));

    // Deleting one makes room; so does a bigger plan.
    let first = list["data"][0]["id"].as_str().unwrap().to_owned();
    assert_eq!(app.delete(&format!("{path}/{first}"), &token).await.0, StatusCode::NO_CONTENT);
    assert_eq!(app.post(&path, &token, endpoint(3)).await.0, StatusCode::CREATED);
    let (status, body) = app.post(&path, &token, endpoint(4)).await;
    refused(status, &body, "The Free plan allows 2 webhook endpoints; ");
    app.set_plan(&store, "pro").await;
    let (status, body) = app.post(&path, &token, endpoint(5)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

#[tokio::test]
async fn products_stop_at_the_plan_archived_ones_do_not_count_and_a_bigger_plan_allows_more() {
    let (app, token, store) = TestApp::shop().await;
    edit_free(&app, UpdatePlan { products: Some(Some(2)), ..Default::default() }).await;
    let path = format!("/v1/stores/{store}/products");
    let first = app.product(&token, &store, simple_product("Bolo", "BOLO-1", 1990, 5)).await;
    app.product(&token, &store, simple_product("Torta", "TORTA-1", 2990, 5)).await;
    let (status, body) = app.post(&path, &token, simple_product("Pudim", "PUDIM-1", 990, 5)).await;
    refused(status, &body, "The Free plan allows 2 products; ");

    let first = first["id"].as_str().unwrap().to_owned();
    assert_eq!(app.delete(&format!("{path}/{first}"), &token).await.0, StatusCode::OK, "archived");
    app.product(&token, &store, simple_product("Pudim", "PUDIM-1", 990, 5)).await;
    // Taking the archived one back out would pass the plan.
    let (status, body) = app.patch(&format!("{path}/{first}"), &token, json!({"status": "active"})).await;
    refused(status, &body, "The Free plan allows 2 products; ");

    app.set_plan(&store, "pro").await;
    let (status, body) = app.patch(&format!("{path}/{first}"), &token, json!({"status": "active"})).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    app.product(&token, &store, simple_product("Quindim", "QUINDIM-1", 490, 5)).await;
}

#[tokio::test]
async fn staff_seats_count_members_and_open_invitations_and_accepting_needs_a_seat_too() {
    let (app, token, store) = TestApp::shop().await;
    let members = format!("/v1/stores/{store}/members");
    // The owner holds one of free's 3 seats; a member and an invitation take the other two.
    let staff = app.user().await;
    app.add_member(&token, &store, &staff.email, "staff").await;
    let (status, invitation) =
        app.post(&members, &token, json!({"email": "convidada@example.com", "role": "viewer"})).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{invitation}");

    let another = app.user().await;
    let (status, body) = app.post(&members, &token, json!({"email": another.email, "role": "staff"})).await;
    refused(status, &body, "The Free plan allows 3 staff seats; ");
    let (status, body) = app.post(&members, &token, json!({"email": "outra@example.com", "role": "staff"})).await;
    refused(status, &body, "The Free plan allows 3 staff seats; ");
    // Inviting the same address again replaces its invitation: no new seat.
    let (status, body) = app.post(&members, &token, json!({"email": "convidada@example.com", "role": "viewer"})).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");

    // Revoking the invitation frees its seat.
    let id = body["id"].as_str().unwrap();
    assert_eq!(app.delete(&format!("/v1/stores/{store}/invitations/{id}"), &token).await.0, StatusCode::NO_CONTENT);
    app.add_member(&token, &store, &another.email, "staff").await;

    app.set_plan(&store, "pro").await;
    let (status, body) = app.post(&members, &token, json!({"email": "outra@example.com", "role": "staff"})).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{body}");
}

/// Gives an invitation a link token the test knows (the real one is only emailed).
async fn known_token(app: &TestApp, invitation: &str) -> String {
    use diesel_async::RunQueryDsl;
    let token = format!("test-invitation-token-{invitation}");
    let hash = balcao_core::crypto::sha256_hex(token.as_bytes());
    let mut conn = app.core.pool.get().await.unwrap();
    diesel::sql_query("UPDATE invitations SET token_hash = $1 WHERE id = $2")
        .bind::<diesel::sql_types::Text, _>(hash)
        .bind::<diesel::sql_types::Uuid, _>(invitation.parse::<uuid::Uuid>().unwrap())
        .execute(&mut conn)
        .await
        .unwrap();
    token
}

#[tokio::test]
async fn accepting_an_invitation_is_refused_when_the_plan_shrank_below_the_members() {
    let (app, token, store) = TestApp::shop().await;
    let members = format!("/v1/stores/{store}/members");
    let (first, second) = (app.user().await, app.user().await);
    let mut links = Vec::new();
    for invited in ["primeira@example.com", "segunda@example.com"] {
        let (status, invitation) = app.post(&members, &token, json!({"email": invited, "role": "staff"})).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{invitation}");
        links.push(known_token(&app, invitation["id"].as_str().unwrap()).await);
    }
    // The owner and the two invitations fill 3 seats; the plan now has 2.
    edit_free(&app, UpdatePlan { staff_seats: Some(Some(2)), ..Default::default() }).await;
    let accept = async |link: &str, session: &str| {
        app.call(Method::POST, "/v1/me/invitations/accept", Some(session), Some(json!({"token": link}))).await
    };
    let (status, joined) = accept(&links[0], &first.token).await;
    assert_eq!(status, StatusCode::OK, "{joined}");
    let (status, body) = accept(&links[1], &second.token).await;
    refused(status, &body, "The Free plan allows 2 staff seats; ");
    assert_eq!(app.get(&format!("/v1/stores/{store}"), &second.token).await.0, StatusCode::NOT_FOUND);

    app.set_plan(&store, "pro").await;
    let (status, joined) = accept(&links[1], &second.token).await;
    assert_eq!(status, StatusCode::OK, "{joined}");
}

/// Fires `n` creations at once; how many were created and whether every other was refused for the plan.
async fn at_once(app: &TestApp, token: &str, path: &str, bodies: Vec<Value>) -> usize {
    let calls = bodies.into_iter().map(|body| app.call(Method::POST, path, Some(token), Some(body)));
    let answers = futures_util::future::join_all(calls).await;
    for (status, body) in &answers {
        let ok = status.is_success() || (*status == StatusCode::FORBIDDEN && body["code"] == "plan_limit_reached");
        assert!(ok, "{status}: {body}");
    }
    answers.iter().filter(|(status, _)| status.is_success()).count()
}

#[tokio::test]
async fn concurrent_creations_never_pass_the_plan() {
    let (app, token, store) = TestApp::shop().await;
    edit_free(&app, UpdatePlan { products: Some(Some(3)), ..Default::default() }).await;

    let endpoints = format!("/v1/stores/{store}/webhook-endpoints");
    assert_eq!(at_once(&app, &token, &endpoints, (0..8).map(endpoint).collect()).await, 2);
    let (_, list) = app.get(&endpoints, &token).await;
    assert_eq!(list["data"].as_array().map(Vec::len), Some(2));

    let products = format!("/v1/stores/{store}/products");
    let bodies = (0..8).map(|n| simple_product(&format!("Bolo {n}"), &format!("BOLO-{n}"), 1990, 1)).collect();
    assert_eq!(at_once(&app, &token, &products, bodies).await, 3);
    let (_, list) = app.get(&products, &token).await;
    assert_eq!(list["data"].as_array().map(Vec::len), Some(3));

    // Owner plus two: the verified users join at once, the unknown addresses are invited.
    let mut bodies = Vec::new();
    for n in 0..3 {
        bodies.push(json!({"email": app.user().await.email, "role": "staff"}));
        bodies.push(json!({"email": format!("pessoa{n}@example.com"), "role": "viewer"}));
    }
    assert_eq!(at_once(&app, &token, &format!("/v1/stores/{store}/members"), bodies).await, 2);
    let (_, list) = app.get(&format!("/v1/stores/{store}/members"), &token).await;
    let (_, invitations) = app.get(&format!("/v1/stores/{store}/invitations"), &token).await;
    let open = invitations["data"].as_array().map_or(0, |all| all.iter().filter(|i| i["status"] == "pending").count());
    assert_eq!(list["data"].as_array().map(Vec::len).unwrap_or(0) + open, 3, "{list} {invitations}");
}
