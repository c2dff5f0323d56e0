//! Server-side request forgery through provider clients and store SMTP servers, replayed from
//! the security review against a listener on loopback: with the default policy (no
//! `BALCAO_OUTBOUND_ALLOW_PRIVATE`), nothing the store configures reaches it, in any notation of
//! the address or through a name that resolves to it, and the refusal never shows the address.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use balcao_tests::TestApp;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::net::TcpListener;

/// A loopback listener that counts the connections it accepts (and closes them).
async fn listener() -> (u16, Arc<AtomicUsize>) {
    let socket = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = socket.local_addr().unwrap().port();
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = hits.clone();
    tokio::spawn(async move {
        while let Ok((stream, _)) = socket.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            drop(stream);
        }
    });
    (port, hits)
}

/// A name other than `localhost` that this machine resolves to loopback (from `/etc/hosts`),
/// as the review's `vm` was: form checks cannot see through it, only the connect-time check can.
fn loopback_alias() -> Option<String> {
    let hosts = std::fs::read_to_string("/etc/hosts").unwrap_or_default();
    hosts.lines().filter(|l| !l.trim_start().starts_with('#')).find_map(|line| {
        let mut fields = line.split_whitespace();
        let address = fields.next()?;
        if !address.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback()) {
            return None;
        }
        fields.find(|name| !name.eq_ignore_ascii_case("localhost") && !name.contains("localhost")).map(str::to_owned)
    })
}

/// Creates a channel; answers the status and body.
async fn channel(app: &TestApp, token: &str, store: &str, body: Value) -> (StatusCode, Value) {
    app.post(&format!("/v1/stores/{store}/channels"), token, body).await
}

/// Queues a message on `channel` and waits until it settles.
async fn settle(app: &TestApp, token: &str, store: &str, channel: &str, to: &str, content: Value) -> Value {
    let body = json!({"channel": channel, "to": to, "content": content});
    let (status, message) = app.post(&format!("/v1/stores/{store}/messages"), token, body).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{message}");
    let id = message["id"].as_str().unwrap().to_owned();
    crate::messaging::support::settled(app, token, store, &id).await
}

#[tokio::test]
async fn provider_base_urls_and_store_smtp_servers_never_reach_an_internal_address() {
    let app = TestApp::spawn_with(&[("BALCAO_JOB_POLL_MS", "100")]).await;
    let user = app.user().await;
    let store = app.store(&user.token).await;
    let (port, hits) = listener().await;
    let worker = app.worker().await;

    // 1. A provider base_url on a name that resolves to loopback: accepted as a form, refused
    //    when the send connects.
    let mut hosts = vec![format!("localhost:{port}")];
    if let Some(alias) = loopback_alias() {
        hosts.insert(0, format!("{alias}:{port}"));
    }
    for host in &hosts {
        let body = json!({"kind": "sms", "provider": "zenvia", "name": "SMS", "sender": "loja-da-ana",
            "settings": {"base_url": format!("https://{host}")}, "credentials": {"api_token": "zenvia-token"}});
        let (status, created) = channel(&app, &user.token, &store, body).await;
        if status == StatusCode::UNPROCESSABLE_ENTITY {
            // `localhost` itself is refused as a form already.
            assert_eq!(created["errors"][0]["code"], "destination_forbidden", "{created}");
            continue;
        }
        assert_eq!(status, StatusCode::CREATED, "{created}");
        let id = created["id"].as_str().unwrap();
        let message =
            settle(&app, &user.token, &store, id, "+5511987654321", json!({"type": "text", "text": "Oi"})).await;
        assert_eq!(message["status"], "failed", "{host}: {message}");
        assert_eq!(message["error_code"], "destination_forbidden", "{host}: {message}");
        assert!(!message.to_string().contains("127.0.0.1"), "the refusal does not show the address: {message}");
    }

    // 2. A store SMTP server at loopback in every notation the review tried, and by name.
    let mut smtp_urls = vec![
        format!("smtps://u:p@2130706433:{port}"),
        format!("smtps://u:p@0x7f000001:{port}"),
        format!("smtps://127.1:{port}"),
        format!("smtp://u:p@017700000001:{port}?tls=required"),
        format!("smtp://u:p@[::ffff:127.0.0.1]:{port}?tls=required"),
    ];
    if let Some(alias) = loopback_alias() {
        smtp_urls.push(format!("smtp://u:p@{alias}:{port}?tls=required"));
    }
    for smtp_url in &smtp_urls {
        let body = json!({"kind": "email", "provider": "smtp", "name": "E-mail", "sender": "loja@example.com",
            "credentials": {"smtp_url": smtp_url}});
        let (status, created) = channel(&app, &user.token, &store, body).await;
        if status == StatusCode::UNPROCESSABLE_ENTITY {
            // A literal address in any notation is refused as a form already.
            assert_eq!(created["errors"][0]["field"], "credentials.smtp_url", "{created}");
            assert_eq!(created["errors"][0]["code"], "destination_forbidden", "{smtp_url}: {created}");
            assert!(!created.to_string().contains("127.0.0.1"), "the refusal does not show the address: {created}");
            continue;
        }
        assert_eq!(status, StatusCode::CREATED, "{created}");
        let id = created["id"].as_str().unwrap();
        let content = json!({"type": "email", "subject": "Pedido", "text": "Seu pedido chegou."});
        let message = settle(&app, &user.token, &store, id, "ana@example.com", content).await;
        assert_eq!(message["status"], "failed", "{smtp_url}: {message}");
        assert_eq!(message["error_code"], "destination_forbidden", "{smtp_url}: {message}");
        assert!(!message.to_string().contains("127.0.0.1"), "the refusal does not show the address: {message}");
    }
    worker.stop().await;
    assert_eq!(hits.load(Ordering::SeqCst), 0, "no connection reached the internal listener");
}
