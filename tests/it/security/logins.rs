//! Password guessing from one place is cut off where it comes from, and no one can hold
//! someone else's account locked for long: the review's 160 failures from one address over 40
//! accounts, replayed at a smaller scale.

use balcao_tests::TestApp;
use reqwest::{Method, Response, StatusCode};
use serde_json::json;

async fn login(app: &TestApp, email: &str, password: &str, forwarded_for: Option<&str>) -> Response {
    let mut request =
        app.request(Method::POST, "/v1/auth/login", None).json(&json!({"email": email, "password": password}));
    if let Some(ip) = forwarded_for {
        request = request.header("X-Forwarded-For", ip);
    }
    request.send().await.unwrap()
}

fn retry_after(response: &Response) -> u64 {
    response.headers().get("retry-after").and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok()).unwrap_or(0)
}

async fn assert_throttled(response: Response, code: &str) {
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(retry_after(&response) >= 1, "Retry-After is given");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["code"], code, "{body}");
}

#[tokio::test]
async fn failures_from_one_address_over_many_accounts_are_cut_off() {
    let app = TestApp::spawn_with(&[("BALCAO_LOGIN_IP_FAILURES", "6")]).await;
    let mut accounts = Vec::new();
    for _ in 0..4 {
        accounts.push(app.user().await);
    }
    // One wrong password per account, plus emails nobody has: none reaches an account's own limit.
    for (i, user) in accounts.iter().enumerate() {
        assert_eq!(login(&app, &user.email, "wrong password!!", None).await.status(), StatusCode::UNAUTHORIZED);
        let unknown = format!("ninguem-{i}@example.com");
        assert_eq!(login(&app, &unknown, "wrong password!!", None).await.status(), StatusCode::UNAUTHORIZED);
        if i == 2 {
            break;
        }
    }
    // Six failures from this address: every login from it now waits, even with the right password.
    let victim = &accounts[3];
    assert_throttled(login(&app, &victim.email, &victim.password, None).await, "too_many_failed_logins").await;
    // A client-chosen X-Forwarded-For changes nothing unless the operator declared a proxy.
    let spoofed = login(&app, &victim.email, &victim.password, Some("198.51.100.7")).await;
    assert_throttled(spoofed, "too_many_failed_logins").await;
}

#[tokio::test]
async fn failures_spread_over_one_network_are_cut_off_and_other_networks_are_not() {
    let app = TestApp::spawn_with(&[
        ("BALCAO_BEHIND_PROXY", "true"),
        ("BALCAO_LOGIN_IP_FAILURES", "100"),
        ("BALCAO_LOGIN_NETWORK_FAILURES", "5"),
    ])
    .await;
    let user = app.user().await;
    for host in 1..=5 {
        let response =
            login(&app, &format!("alvo-{host}@example.com"), "wrong password!!", Some(&format!("203.0.113.{host}")))
                .await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    }
    // A new address in the same /24 is refused; another network still logs in.
    assert_throttled(login(&app, &user.email, &user.password, Some("203.0.113.77")).await, "too_many_failed_logins")
        .await;
    assert_eq!(login(&app, &user.email, &user.password, Some("198.51.100.7")).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn an_accounts_wait_grows_with_its_failures_and_starts_short() {
    let app = TestApp::spawn_with(&[("BALCAO_LOGIN_MAX_ATTEMPTS", "3")]).await;
    let user = app.user().await;
    for _ in 0..3 {
        assert_eq!(login(&app, &user.email, "wrong password!!", None).await.status(), StatusCode::UNAUTHORIZED);
    }
    // The third failure makes the account wait seconds, not a fifteen-minute lock someone could hold.
    let response = login(&app, &user.email, &user.password, None).await;
    let first = retry_after(&response);
    assert!((1..=5).contains(&first), "a short first wait: {first}");
    assert_throttled(response, "too_many_attempts").await;
    // Each further failure doubles the wait (the count is moved on and the wait let pass here).
    let mut conn = app.core.pool.get().await.unwrap();
    diesel_async::RunQueryDsl::execute(
        diesel::sql_query("UPDATE users SET locked_until = now() - interval '1 second', failed_logins = 5"),
        &mut conn,
    )
    .await
    .unwrap();
    assert_eq!(login(&app, &user.email, "wrong password!!", None).await.status(), StatusCode::UNAUTHORIZED);
    let response = login(&app, &user.email, &user.password, None).await;
    let later = retry_after(&response);
    assert!(
        (30..=40).contains(&later),
        "the sixth failure in a row, three past the limit, waits 5 s doubled three times: {later}"
    );
    assert_throttled(response, "too_many_attempts").await;
}
