use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use super::*;

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap_or_else(|_| panic!("bad test address {s}"))
}

#[test]
fn internal_addresses_are_forbidden() {
    for s in [
        "127.0.0.1",
        "127.1.2.3",
        "10.0.0.1",
        "172.16.0.1",
        "172.31.255.255",
        "192.168.1.1",
        "169.254.169.254",
        "0.0.0.0",
        "224.0.0.1",
        "240.0.0.1",
        "255.255.255.255",
        "100.64.0.1",
        "192.0.0.8",
        "198.18.0.1",
        "::1",
        "::",
        "::127.0.0.1",
        "::8.8.8.8",
        "fc00::1",
        "fd12:3456::1",
        "fe80::1",
        "febf::1",
        "fec0::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:10.1.2.3",
        "::ffff:169.254.169.254",
        "64:ff9b::a00:1",
        "64:ff9b::7f00:1",
    ] {
        assert!(is_forbidden(ip(s)), "{s} should be forbidden");
    }
}

#[test]
fn public_addresses_are_allowed() {
    for s in [
        "8.8.8.8",
        "1.1.1.1",
        "172.32.0.1",
        "192.169.0.1",
        "100.128.0.1",
        "2606:4700::1111",
        "::ffff:8.8.8.8",
        "64:ff9b::808:808",
    ] {
        assert!(!is_forbidden(ip(s)), "{s} should be allowed");
    }
}

#[test]
fn every_notation_of_loopback_is_one_host_whatever_the_scheme() {
    let loopback = Host::Ip(IpAddr::V4(Ipv4Addr::LOCALHOST));
    for raw in
        ["127.0.0.1", "2130706433", "0x7f000001", "0x7F.0.0.1", "127.1", "017700000001", "0177.0.0.1", "127.0.0.1."]
    {
        assert_eq!(normalize_host(raw), Ok(loopback.clone()), "{raw}");
    }
    for url in
        ["smtps://u:p@2130706433:465", "smtp://0x7f000001:25?tls=required", "https://127.1:8443/", "smtp://[::1]:25"]
    {
        let parsed = Url::parse(url).unwrap_or_else(|_| panic!("{url}"));
        assert_eq!(check_url(&parsed, Policy::STRICT), Err(Refused::Forbidden), "{url}");
        assert_eq!(check_url(&parsed, Policy::ALLOW_PRIVATE), Ok(()), "{url}");
    }
    assert_eq!(normalize_host("API.Example.COM."), Ok(Host::Name("api.example.com".into())));
    assert_eq!(normalize_host("[::ffff:7f00:1]"), Ok(Host::Ip(ip("::ffff:127.0.0.1"))));
    assert_eq!(normalize_host("a b"), Err(Refused::Invalid));
    assert_eq!(normalize_host(""), Err(Refused::Invalid));
    let parsed = Url::parse("https://sub.localhost/").unwrap_or_else(|_| unreachable!());
    assert_eq!(check_url(&parsed, Policy::STRICT), Err(Refused::Forbidden));
}

#[tokio::test]
async fn names_are_resolved_and_every_answer_checked() {
    let localhost = Host::Name("localhost".into());
    assert_eq!(resolve(&localhost, 25, Policy::STRICT).await, Err(Refused::Forbidden));
    let allowed = resolve(&localhost, 25, Policy::ALLOW_PRIVATE).await.unwrap_or_default();
    assert!(!allowed.is_empty() && allowed.iter().all(|a| a.ip().is_loopback() && a.port() == 25), "{allowed:?}");
    let unknown = Host::Name("no-such-host.invalid".into());
    assert_eq!(resolve(&unknown, 25, Policy::ALLOW_PRIVATE).await, Err(Refused::Unresolvable));
    let public = resolve(&Host::Ip(ip("8.8.8.8")), 443, Policy::STRICT).await;
    assert_eq!(public, Ok(vec!["8.8.8.8:443".parse().unwrap_or_else(|_| unreachable!())]));
}

/// A listener that counts connections and answers one HTTP 200 to each.
async fn listener() -> (u16, Arc<std::sync::atomic::AtomicUsize>) {
    let socket = TcpListener::bind("127.0.0.1:0").await.unwrap_or_else(|e| panic!("bind: {e}"));
    let port = socket.local_addr().map(|a| a.port()).unwrap_or_default();
    let hits = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = hits.clone();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = socket.accept().await {
            counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let mut request = Vec::new();
            let mut buf = [0u8; 1024];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                match stream.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => request.extend_from_slice(&buf[..n]),
                }
            }
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n").await;
        }
    });
    (port, hits)
}

#[tokio::test]
async fn the_client_never_connects_to_a_forbidden_destination() {
    let (port, hits) = listener().await;
    let strict = Client::new(Policy::STRICT).unwrap_or_else(|e| panic!("client: {e}"));
    // Literal addresses in any notation are refused before anything is sent.
    for url in [
        format!("http://127.0.0.1:{port}/"),
        format!("http://2130706433:{port}/"),
        format!("http://[::ffff:127.0.0.1]:{port}/"),
    ] {
        assert_eq!(strict.get(&url).err(), Some(Refused::Forbidden), "{url}");
    }
    // A name resolving to loopback is refused when the connection is made, and the error says why.
    let error = match strict.get(&format!("http://localhost:{port}/")) {
        Ok(request) => request.send().await.err(),
        Err(refused) => panic!("a name is checked at connect time, not before: {refused}"),
    };
    let error = error.unwrap_or_else(|| panic!("localhost must not be reached"));
    assert_eq!(refusal(&error), Some(Refused::Forbidden));
    assert!(!format!("{error:?}").contains("127.0.0.1"), "the refusal must not reveal the address: {error:?}");
    assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 0, "nothing reached the listener");

    // With private destinations allowed (development, tests), both work.
    let open = Client::new(Policy::ALLOW_PRIVATE).unwrap_or_else(|e| panic!("client: {e}"));
    for url in [format!("http://127.0.0.1:{port}/"), format!("http://localhost:{port}/")] {
        let status = match open.get(&url) {
            Ok(request) => request.send().await.map(|r| r.status().as_u16()).ok(),
            Err(_) => None,
        };
        assert_eq!(status, Some(200), "{url}");
    }
    assert_eq!(hits.load(std::sync::atomic::Ordering::SeqCst), 2);
}

#[test]
fn retry_after_takes_seconds_or_a_date_and_caps() {
    let max = Duration::from_secs(3600);
    assert_eq!(parse_retry_after(" 7 ", max), Some(Duration::from_secs(7)));
    assert_eq!(parse_retry_after("999999", max), Some(max));
    assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", max), Some(Duration::ZERO));
    assert_eq!(parse_retry_after("soon", max), None);
    let soon = (chrono::Utc::now() + chrono::Duration::seconds(30)).to_rfc2822().replace("+0000", "GMT");
    let delay = parse_retry_after(&soon, max).unwrap_or_default();
    assert!(delay > Duration::from_secs(25) && delay <= Duration::from_secs(30), "{soon}: {delay:?}");
    let mut headers = reqwest::header::HeaderMap::new();
    assert_eq!(retry_after(&headers, max), None);
    headers.insert(reqwest::header::RETRY_AFTER, reqwest::header::HeaderValue::from_static("12"));
    assert_eq!(retry_after(&headers, max), Some(Duration::from_secs(12)));
    assert_eq!(retry_after(&headers, Duration::from_secs(5)), Some(Duration::from_secs(5)));
}

#[test]
fn base_urls_are_trimmed_and_checked() {
    let strict = Policy::STRICT;
    assert_eq!(
        base_url(" https://api.example.com/ ", strict).map(|(b, _)| b),
        Ok("https://api.example.com".to_owned())
    );
    assert!(base_url("ftp://api.example.com", strict).is_err());
    assert!(base_url("https://api.example.com?x=1", strict).is_err());
    assert!(base_url("not a url", strict).is_err());
    assert_eq!(base_url("https://2130706433:8443", strict).err(), Some("base_url is not an allowed destination"));
    assert!(base_url("https://127.0.0.1:8443", Policy::ALLOW_PRIVATE).is_ok());
}
