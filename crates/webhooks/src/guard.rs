//! The guard against server-side request forgery: webhook deliveries never reach
//! loopback, private, link-local or otherwise internal addresses unless the operator
//! allows them (`BALCAO_WEBHOOKS_ALLOW_PRIVATE`).
//!
//! Delivery resolves the host with [`check_destination`] at send time and connects
//! only to the addresses it returns, so a DNS answer cannot change between check and use.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use balcao_core::error::{Error, Result};
use reqwest::Url;

/// Whether `ip` is internal: loopback, private, unique-local, link-local, unspecified,
/// multicast, broadcast, shared (CGNAT) or "this network", directly or IPv4-mapped.
pub fn is_forbidden(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_forbidden_v4(v4),
        IpAddr::V6(v6) => is_forbidden_v6(v6),
    }
}

fn is_forbidden_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_multicast()
        || ip.is_broadcast()
        || a == 0
        || (a == 100 && (64..128).contains(&b))
}

fn is_forbidden_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_forbidden_v4(v4);
    }
    let first = ip.segments()[0];
    let nat64 = ip.segments()[..6] == [0x64, 0xff9b, 0, 0, 0, 0];
    ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        || (nat64 && is_forbidden_v4(Ipv4Addr::from_bits(ip.to_bits() as u32)))
}

/// The host of `url` without IPv6 brackets, and its port.
fn host_and_port(url: &Url) -> Result<(String, u16)> {
    let host = url.host_str().ok_or_else(|| refuse("destination_invalid", "The URL has no host."))?;
    let port = url.port_or_known_default().ok_or_else(|| refuse("destination_invalid", "The URL has no port."))?;
    Ok((host.trim_start_matches('[').trim_end_matches(']').to_owned(), port))
}

fn refuse(code: &'static str, detail: &str) -> Error {
    Error::Rule { code, detail: detail.to_owned(), field: Some("url".to_owned()) }
}

fn forbidden(ip: IpAddr) -> Error {
    refuse(
        "destination_forbidden",
        &format!("The URL resolves to {ip}, an internal address; deliveries to it are refused."),
    )
}

/// Checks a URL whose host is a literal IP address without resolving names
/// (for validating a form; delivery uses [`check_destination`]).
pub fn check_literal(url: &Url, allow_private: bool) -> Result<()> {
    let (host, _) = host_and_port(url)?;
    match host.parse::<IpAddr>() {
        Ok(ip) if !allow_private && is_forbidden(ip) => Err(forbidden(ip)),
        _ if !allow_private && host.eq_ignore_ascii_case("localhost") => {
            Err(forbidden(IpAddr::V4(Ipv4Addr::LOCALHOST)))
        }
        _ => Ok(()),
    }
}

/// Resolves the host of `url` and returns the addresses a delivery may connect to.
///
/// Every address must be allowed: one internal address among public ones refuses the
/// whole name, so DNS rebinding cannot slip a private answer in.
pub async fn check_destination(url: &Url, allow_private: bool) -> Result<Vec<SocketAddr>> {
    let (host, port) = host_and_port(url)?;
    let addrs: Vec<SocketAddr> = match host.parse::<IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, port)],
        Err(_) => tokio::net::lookup_host((host.as_str(), port))
            .await
            .map_err(|_| refuse("destination_unresolvable", "The URL's host does not resolve."))?
            .collect(),
    };
    if addrs.is_empty() {
        return Err(refuse("destination_unresolvable", "The URL's host does not resolve."));
    }
    if !allow_private && let Some(bad) = addrs.iter().find(|a| is_forbidden(a.ip())) {
        return Err(forbidden(bad.ip()));
    }
    Ok(addrs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
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
            "255.255.255.255",
            "100.64.0.1",
            "::1",
            "::",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "febf::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:10.1.2.3",
            "::ffff:169.254.169.254",
            "64:ff9b::a00:1",
        ] {
            assert!(is_forbidden(ip(s)), "{s} should be forbidden");
        }
    }

    #[test]
    fn public_addresses_are_allowed() {
        for s in ["8.8.8.8", "1.1.1.1", "172.32.0.1", "192.169.0.1", "100.128.0.1", "2606:4700::1111", "::ffff:8.8.8.8"]
        {
            assert!(!is_forbidden(ip(s)), "{s} should be allowed");
        }
    }

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap_or_else(|_| panic!("bad test url {s}"))
    }

    #[tokio::test]
    async fn destinations_with_literal_ips() {
        let err = check_destination(&url("https://127.0.0.1/hook"), false).await.err().map(|e| e.code());
        assert_eq!(err, Some("destination_forbidden"));
        let err = check_destination(&url("https://[::1]:8443/hook"), false).await.err().map(|e| e.code());
        assert_eq!(err, Some("destination_forbidden"));
        let err = check_destination(&url("http://[::ffff:192.168.0.1]/"), false).await.err().map(|e| e.code());
        assert_eq!(err, Some("destination_forbidden"));
        let allowed = check_destination(&url("https://127.0.0.1:9000/hook"), true).await.ok();
        assert_eq!(allowed, Some(vec!["127.0.0.1:9000".parse().unwrap_or_else(|_| unreachable!())]));
        let public = check_destination(&url("https://8.8.8.8/hook"), false).await.ok();
        assert_eq!(public.map(|a| a[0].port()), Some(443));
    }

    #[tokio::test]
    async fn localhost_name_resolves_to_loopback_and_is_refused() {
        let err = check_destination(&url("http://localhost:1/"), false).await.err().map(|e| e.code());
        assert_eq!(err, Some("destination_forbidden"));
    }

    #[test]
    fn literal_check_needs_no_resolution() {
        assert!(check_literal(&url("https://10.0.0.1/"), false).is_err());
        assert!(check_literal(&url("https://LOCALHOST/"), false).is_err());
        assert!(check_literal(&url("https://10.0.0.1/"), true).is_ok());
        assert!(check_literal(&url("https://example.com/"), false).is_ok());
    }
}
