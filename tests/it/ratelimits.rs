//! Rate limits from outside: the plan's rate per credential and route class, the IETF headers
//! parsed as RFC 8941 lists, one limit shared by two instances on one Redis, the local share when
//! Redis stops, monthly API-call quotas, and the anonymous limits from configuration.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use reqwest::{Method, StatusCode};

use balcao_tests::{TestApp, assert_problem};

/// A plan's rate in this test's database, forgotten by the app's cache at once.
async fn set_rate(app: &TestApp, plan: &str, per_second: i32, burst: i32) {
    sql(
        app,
        &format!("UPDATE plans SET requests_per_second = {per_second}, request_burst = {burst} WHERE name = '{plan}'"),
    )
    .await;
}

async fn sql(app: &TestApp, statement: &str) {
    use diesel_async::RunQueryDsl;
    let mut conn = app.core.pool.get().await.unwrap_or_else(|e| panic!("pool: {e}"));
    diesel::sql_query(statement).execute(&mut conn).await.unwrap_or_else(|e| panic!("{statement}: {e}"));
    app.core.plans.forget_all();
}

/// One RFC 8941 list member: its name and integer parameters.
#[derive(Debug, PartialEq)]
struct Member {
    name: String,
    params: Vec<(String, i64)>,
}

impl Member {
    fn param(&self, key: &str) -> Option<i64> {
        self.params.iter().find(|(k, _)| k == key).map(|(_, v)| *v)
    }
}

fn parse_list(value: &str) -> Vec<Member> {
    let list: sfv::List = sfv::Parser::new(value)
        .with_version(sfv::Version::Rfc8941)
        .parse()
        .unwrap_or_else(|e| panic!("`{value}` is not an RFC 8941 list: {e}"));
    list.into_iter()
        .map(|entry| {
            let sfv::ListEntry::Item(item) = entry else { panic!("an inner list in `{value}`") };
            let name = item.bare_item.as_string().map(|s| s.as_str().to_owned());
            let name = name.unwrap_or_else(|| panic!("a policy name is a string: `{value}`"));
            let params = item
                .params
                .iter()
                .map(|(k, v)| {
                    let v = v.as_integer().unwrap_or_else(|| panic!("`{k}` is an integer in `{value}`"));
                    (k.as_str().to_owned(), i64::from(v))
                })
                .collect();
            Member { name, params }
        })
        .collect()
}

fn header(response: &reqwest::Response, name: &str) -> String {
    let value = response.headers().get(name).and_then(|v| v.to_str().ok());
    value.unwrap_or_else(|| panic!("{name} on {}", response.status())).to_owned()
}

async fn get(base: &str, path: &str, token: &str) -> reqwest::Response {
    static CLIENT: std::sync::OnceLock<reqwest::Client> = std::sync::OnceLock::new();
    let client = CLIENT.get_or_init(reqwest::Client::new);
    client.get(format!("{base}{path}")).bearer_auth(token).send().await.unwrap_or_else(|e| panic!("GET {path}: {e}"))
}

#[tokio::test]
async fn a_burst_over_the_plan_answers_429_with_retry_after_and_both_headers_as_structured_fields() {
    let app = TestApp::spawn_with(&[("BALCAO_METRICS_TOKEN", "metrics-token-for-tests")]).await;
    let token = app.user().await.token;
    let store = app.store(&token).await;
    set_rate(&app, "free", 1, 3).await;
    let path = format!("/v1/stores/{store}/products");
    // Twenty at once against a burst of 3 refilled at one a second.
    let started = std::time::Instant::now();
    let calls = (0..20).map(|_| get(&app.base, &path, &token));
    let mut responses = futures_util::future::join_all(calls).await;
    let refills = started.elapsed().as_secs() as usize + 1;
    let allowed: Vec<&reqwest::Response> = responses.iter().filter(|r| r.status() == StatusCode::OK).collect();
    assert!((3..=3 + refills).contains(&allowed.len()), "{} allowed in {refills} s", allowed.len());
    for response in allowed {
        let policy = parse_list(&header(response, "ratelimit-policy"));
        assert_eq!(policy[0], Member { name: "read".into(), params: vec![("q".into(), 3), ("w".into(), 3)] });
        assert_eq!(policy[1].name, "api_calls", "the month's quota follows: {policy:?}");
        assert_eq!(policy[1].param("q"), Some(100_000));
        let limit = parse_list(&header(response, "ratelimit"));
        assert_eq!(limit[0].name, "read");
        assert!(limit[0].param("r").is_some_and(|r| (0..=2).contains(&r)), "{limit:?}");
        assert!(limit[0].param("t").is_some_and(|t| (1..=3).contains(&t)), "{limit:?}");
    }
    let at = responses.iter().position(|r| r.status() == StatusCode::TOO_MANY_REQUESTS);
    let refused = responses.swap_remove(at.unwrap_or_else(|| panic!("some of twenty are refused")));
    let retry: u64 = header(&refused, "retry-after").parse().unwrap_or_else(|e| panic!("Retry-After: {e}"));
    assert_eq!(retry, 1, "one request a second: the next passes within a second");
    assert_eq!(parse_list(&header(&refused, "ratelimit"))[0].param("r"), Some(0));
    assert_eq!(parse_list(&header(&refused, "ratelimit-policy"))[0].name, "read");
    let body = assert_problem(refused, StatusCode::TOO_MANY_REQUESTS, "quota_exceeded").await;
    assert_eq!(body["policy"], "read", "{body}");
    assert_eq!(body["type"], "urn:balcao:problem:quota_exceeded");

    // Writes have their own limiter; and once Retry-After has passed, a read passes again.
    let (status, body) = app.post(&path, &token, balcao_tests::simple_product("Caneca", "CAN-1", 1500, 3)).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    tokio::time::sleep(Duration::from_secs(retry)).await;
    assert_eq!(get(&app.base, &path, &token).await.status(), StatusCode::OK);

    let metrics = "metrics-token-for-tests";
    let text = app
        .client
        .get(format!("{}/metrics", app.base))
        .bearer_auth(metrics)
        .send()
        .await
        .unwrap_or_else(|e| panic!("metrics: {e}"))
        .text()
        .await
        .unwrap_or_default();
    assert!(
        text.contains(r#"balcao_rate_limit_decisions_total{decision="limited",policy="read"} 1"#),
        "the decision is counted: {}",
        text.lines().filter(|l| l.contains("rate_limit")).collect::<Vec<_>>().join("\n")
    );
}

#[tokio::test]
async fn a_session_and_an_api_key_each_have_their_own_limit_and_another_store_is_not_charged() {
    let (app, token, store) = TestApp::shop().await;
    set_rate(&app, "free", 1, 2).await;
    let key = app.api_key(&token, &store, None).await;
    let path = format!("/v1/stores/{store}/products");
    let burst = futures_util::future::join_all((0..10).map(|_| get(&app.base, &path, &token))).await;
    let statuses: Vec<StatusCode> = burst.iter().map(|r| r.status()).collect();
    assert!(statuses.contains(&StatusCode::TOO_MANY_REQUESTS), "the session is limited: {statuses:?}");

    // A stranger's calls on this store's paths answer 404 and are not charged to the store.
    let month_left = |response: &reqwest::Response| {
        let limit = parse_list(&header(response, "ratelimit"));
        limit.iter().find(|m| m.name == "api_calls").and_then(|m| m.param("r"))
    };
    let first = get(&app.base, &path, &key).await;
    assert_eq!(first.status(), StatusCode::OK, "the key's own bucket");
    let before = month_left(&first);
    let stranger = app.user().await.token;
    for _ in 0..2 {
        let response = get(&app.base, &path, &stranger).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
    }
    let after = month_left(&get(&app.base, &path, &key).await);
    assert_eq!(after, before.map(|r| r - 1), "only the key's own call counted");
}

#[tokio::test]
async fn two_instances_on_one_redis_enforce_one_limit_together() {
    let (app, token, store) = TestApp::shop().await;
    set_rate(&app, "free", 1, 20).await;
    let second = app.another_instance(&[]).await;
    let path = format!("/v1/stores/{store}/products");
    let started = std::time::Instant::now();
    let calls = (0..40).map(|i| {
        let base = if i % 2 == 0 { app.base.clone() } else { second.base.clone() };
        let (path, token) = (path.clone(), token.clone());
        async move { get(&base, &path, &token).await.status() }
    });
    let statuses = futures_util::future::join_all(calls).await;
    let refills = started.elapsed().as_secs() as usize + 1;
    assert!(statuses.iter().all(|s| *s == StatusCode::OK || *s == StatusCode::TOO_MANY_REQUESTS), "{statuses:?}");
    let allowed = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    // One burst of 20 for both (each alone would allow 20, together 40), plus what refilled at
    // one a second while the calls ran.
    assert!((20..=20 + refills).contains(&allowed), "one limit for both: {allowed} allowed in {refills} s");
}

/// A Redis server of this test's own, on a free port, so stopping it touches no other test.
struct OwnRedis {
    child: Child,
    url: String,
}

impl OwnRedis {
    async fn start() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .unwrap_or_else(|e| panic!("port: {e}"));
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("redis-server: {e}"));
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Self { child, url: format!("redis://127.0.0.1:{port}") }
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for OwnRedis {
    fn drop(&mut self) {
        self.stop();
    }
}

#[tokio::test]
async fn with_redis_stopped_under_load_nothing_fails_and_each_instance_applies_its_share() {
    let mut redis = OwnRedis::start().await;
    let app = TestApp::spawn_with(&[("REDIS_URL", &redis.url), ("BALCAO_INSTANCES", "2")]).await;
    let token = app.user().await.token;
    let store = app.store(&token).await;
    sql(&app, "UPDATE plans SET requests_per_second = 1, request_burst = 10 WHERE name = 'free'").await;
    let path = format!("/v1/stores/{store}/products");
    let load = |n: usize| {
        let (base, path, token) = (app.base.clone(), path.clone(), token.clone());
        async move {
            let calls = (0..n).map(|_| {
                let (base, path, token) = (base.clone(), path.clone(), token.clone());
                async move { get(&base, &path, &token).await.status() }
            });
            futures_util::future::join_all(calls).await
        }
    };
    let before = load(4).await;
    assert!(before.iter().all(|s| *s == StatusCode::OK), "{before:?}");
    redis.stop();
    let started = std::time::Instant::now();
    let during = load(40).await;
    let refills = started.elapsed().as_secs() as usize + 1;
    assert!(during.iter().all(|s| s.as_u16() < 500), "no 5xx while Redis is down: {during:?}");
    let allowed = during.iter().filter(|s| **s == StatusCode::OK).count();
    // One a second with a burst of 10 shared by two instances: alone, this one takes a burst of 5
    // (at one a second, the least a share may be), whatever the shared bucket held.
    assert!((5..=5 + refills).contains(&allowed), "the local share applies: {allowed} of 40 in {refills} s");
    assert!(app.core.limiter.fallbacks() >= 40, "decisions counted as fallbacks");
}

#[tokio::test]
async fn a_store_past_its_monthly_api_calls_is_refused_while_a_pro_store_is_not() {
    let app = TestApp::spawn().await;
    let free_owner = app.user().await.token;
    let free = app.store(&free_owner).await;
    let pro_owner = app.user().await.token;
    let pro = app.store(&pro_owner).await;
    sql(&app, &format!("UPDATE stores SET plan = 'pro' WHERE id = '{pro}'")).await;
    sql(&app, "UPDATE plans SET monthly_api_calls = 3 WHERE name IN ('free', 'pro')").await;
    for _ in 0..3 {
        assert_eq!(get(&app.base, &format!("/v1/stores/{free}/products"), &free_owner).await.status(), StatusCode::OK);
    }
    let refused = get(&app.base, &format!("/v1/stores/{free}/products"), &free_owner).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let policy = parse_list(&header(&refused, "ratelimit-policy"));
    assert_eq!(policy[0].name, "api_calls", "the violated policy first: {policy:?}");
    assert_eq!(policy[0].param("q"), Some(3));
    let retry: i64 = header(&refused, "retry-after").parse().unwrap_or(0);
    let to_month_end = (balcao_core::usage::period_end(chrono::Utc::now()) - chrono::Utc::now()).num_seconds();
    assert!((to_month_end - 5..=to_month_end + 1).contains(&retry), "{retry} vs {to_month_end}");
    let body = assert_problem(refused, StatusCode::TOO_MANY_REQUESTS, "quota_exceeded").await;
    assert_eq!(body["policy"], "api_calls");

    // Pro's API calls are a soft quota: allowed past it, reported as overage.
    for _ in 0..5 {
        let response = get(&app.base, &format!("/v1/stores/{pro}/products"), &pro_owner).await;
        assert_eq!(response.status(), StatusCode::OK);
    }
}

#[tokio::test]
async fn anonymous_traffic_is_limited_per_address_and_store_from_configuration() {
    let app = TestApp::spawn_with(&[("BALCAO_STOREFRONT_RATE", "1/2")]).await;
    let token = app.user().await.token;
    let mut slugs = Vec::new();
    for _ in 0..2 {
        let store = app.store(&token).await;
        let (_, body) = app.get(&format!("/v1/stores/{store}"), &token).await;
        slugs.push(body["slug"].as_str().unwrap_or_default().to_owned());
    }
    let (one, two) = (slugs[0].clone(), slugs[1].clone());
    let storefront = |slug: String| {
        let app = &app;
        async move {
            let response = app.request(Method::GET, &format!("/v1/storefront/{slug}/products"), None).send().await;
            response.unwrap_or_else(|e| panic!("storefront: {e}"))
        }
    };
    let burst = futures_util::future::join_all((0..10).map(|_| storefront(one.clone()))).await;
    let at = burst.iter().position(|r| r.status() == StatusCode::TOO_MANY_REQUESTS);
    let refused = &burst[at.unwrap_or_else(|| panic!("ten at once over a burst of 2"))];
    assert_eq!(parse_list(&header(refused, "ratelimit-policy"))[0].name, "storefront");
    assert_eq!(storefront(two.clone()).await.status(), StatusCode::OK, "another store's storefront has its own");

    // Signup and login per address, on a server of its own (signing up a user would count too).
    let app = TestApp::spawn_with(&[("BALCAO_AUTH_RATE", "1/2")]).await;
    let login = serde_json::json!({"email": "nobody@example.com", "password": "wrong password here"});
    let logins = (0..10).map(|_| {
        let request = app.request(Method::POST, "/v1/auth/login", None).json(&login);
        async move { request.send().await.unwrap_or_else(|e| panic!("login: {e}")) }
    });
    let burst = futures_util::future::join_all(logins).await;
    let refused = burst.iter().find(|r| r.status() == StatusCode::TOO_MANY_REQUESTS);
    let refused = refused.unwrap_or_else(|| panic!("ten logins at once over a burst of 2"));
    assert_eq!(parse_list(&header(refused, "ratelimit-policy"))[0].name, "auth");
}
