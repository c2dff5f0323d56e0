//! The caller's address, for throttling: the connection's peer, or, behind a proxy the operator
//! declared (`BALCAO_BEHIND_PROXY`), the last `X-Forwarded-For` entry, the one that proxy
//! appended (entries before it are whatever the client chose to send).

use std::net::IpAddr;

use actix_web::HttpRequest;

/// The client address of `req`.
pub fn client_ip(req: &HttpRequest, behind_proxy: bool) -> Option<IpAddr> {
    if behind_proxy {
        let forwarded = req
            .headers()
            .get_all("x-forwarded-for")
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|entry| entry.trim().parse::<IpAddr>().ok())
            .last();
        if forwarded.is_some() {
            return forwarded;
        }
    }
    req.peer_addr().map(|a| a.ip())
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    #[test]
    fn the_peer_unless_a_declared_proxy_forwarded_it() {
        let peer = "10.0.0.2:4000".parse().unwrap_or_else(|_| unreachable!());
        let req = TestRequest::default()
            .peer_addr(peer)
            .insert_header(("x-forwarded-for", "1.2.3.4, 203.0.113.9"))
            .to_http_request();
        assert_eq!(client_ip(&req, false), Some(peer.ip()), "a header anyone can send is ignored by default");
        assert_eq!(client_ip(&req, true), "203.0.113.9".parse().ok(), "the entry the proxy appended");
        let bare = TestRequest::default().peer_addr(peer).to_http_request();
        assert_eq!(client_ip(&bare, true), Some(peer.ip()));
    }
}
