//! CIDR allowlists for inbound webhooks, IPv4 and IPv6, parsed without extra crates.
//!
//! Entries are `addr/prefix` or a bare address (a single host). Host bits
//! below the prefix are ignored. IPv4-mapped IPv6 remotes (`::ffff:a.b.c.d`,
//! as dual-stack sockets report them) are matched against IPv4 entries.

use std::net::IpAddr;

/// One allowlist entry: a network address and its prefix length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

impl Cidr {
    /// Parses `addr/prefix` or a bare address; `None` when invalid.
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let (addr, prefix) = match text.split_once('/') {
            Some((addr, prefix)) => (addr, Some(prefix)),
            None => (text, None),
        };
        let network: IpAddr = addr.parse().ok()?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) => p.parse().ok()?,
            Some(_) => return None,
        };
        (prefix <= max).then_some(Self { network, prefix })
    }

    /// Whether `ip` lies inside this network.
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.network, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = mask_u32(self.prefix);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = mask_u128(self.prefix);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

/// Whether `remote` is inside any entry of `allow`; invalid entries never match.
pub fn allowlisted<S: AsRef<str>>(remote: IpAddr, allow: &[S]) -> bool {
    allow.iter().filter_map(|entry| Cidr::parse(entry.as_ref())).any(|cidr| cidr.contains(remote))
}

/// The entries of `allow` that do not parse, for rejecting bad configuration early.
pub fn invalid_entries<S: AsRef<str>>(allow: &[S]) -> Vec<&str> {
    allow.iter().map(AsRef::as_ref).filter(|entry| Cidr::parse(entry).is_none()).collect()
}

fn mask_u32(prefix: u8) -> u32 {
    u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0)
}

fn mask_u128(prefix: u8) -> u128 {
    u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn parses_v4_and_v6() {
        assert_eq!(Cidr::parse("10.0.0.0/8").map(|c| c.prefix), Some(8));
        assert_eq!(Cidr::parse(" 34.193.116.226 ").map(|c| c.prefix), Some(32));
        assert_eq!(Cidr::parse("2001:db8::/32").map(|c| c.prefix), Some(32));
        assert_eq!(Cidr::parse("::1").map(|c| c.prefix), Some(128));
        assert_eq!(Cidr::parse("0.0.0.0/0").map(|c| c.prefix), Some(0));
    }

    #[test]
    fn rejects_invalid_entries() {
        for bad in [
            "",
            "10.0.0.0/33",
            "::/129",
            "10.0.0.0/",
            "10.0.0.0/+8",
            "10.0.0/8",
            "10.0.0.0/8/8",
            "host/8",
            "10.0.0.0/ 8",
        ] {
            assert_eq!(Cidr::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn v4_boundaries() {
        let allow = ["192.168.1.0/24"];
        assert!(allowlisted(ip("192.168.1.0"), &allow));
        assert!(allowlisted(ip("192.168.1.255"), &allow));
        assert!(!allowlisted(ip("192.168.2.0"), &allow));
        assert!(!allowlisted(ip("192.168.0.255"), &allow));
    }

    #[test]
    fn odd_prefix_and_host_bits() {
        let allow = ["10.0.0.77/25"];
        assert!(allowlisted(ip("10.0.0.0"), &allow));
        assert!(allowlisted(ip("10.0.0.127"), &allow));
        assert!(!allowlisted(ip("10.0.0.128"), &allow));
    }

    #[test]
    fn single_host_and_any() {
        assert!(allowlisted(ip("34.193.116.226"), &["34.193.116.226"]));
        assert!(!allowlisted(ip("34.193.116.227"), &["34.193.116.226"]));
        assert!(allowlisted(ip("8.8.8.8"), &["0.0.0.0/0"]));
        assert!(!allowlisted(ip("::1"), &["0.0.0.0/0"]));
        assert!(allowlisted(ip("2001:db8::1"), &["::/0"]));
    }

    #[test]
    fn v6_boundaries() {
        let allow = ["2001:db8:abcd:12::/64"];
        assert!(allowlisted(ip("2001:db8:abcd:12::1"), &allow));
        assert!(allowlisted(ip("2001:db8:abcd:12:ffff:ffff:ffff:ffff"), &allow));
        assert!(!allowlisted(ip("2001:db8:abcd:13::"), &allow));
        assert!(!allowlisted(ip("2001:db8:abcd:11:ffff:ffff:ffff:ffff"), &allow));
        assert!(allowlisted(ip("2001:db8::7"), &["2001:db8::7/128"]));
        assert!(!allowlisted(ip("2001:db8::8"), &["2001:db8::7/128"]));
    }

    #[test]
    fn v4_mapped_v6_matches_v4_entries() {
        assert!(allowlisted(ip("::ffff:34.193.116.226"), &["34.193.116.226/32"]));
        assert!(!allowlisted(ip("::ffff:34.193.116.225"), &["34.193.116.226/32"]));
    }

    #[test]
    fn families_do_not_cross() {
        assert!(!allowlisted(ip("10.0.0.1"), &["::/0"]));
        assert!(!allowlisted(ip("::a00:1"), &["10.0.0.0/8"]));
    }

    #[test]
    fn empty_or_invalid_lists_allow_nothing() {
        let empty: [&str; 0] = [];
        assert!(!allowlisted(ip("127.0.0.1"), &empty));
        assert!(!allowlisted(ip("127.0.0.1"), &["bogus"]));
        assert!(allowlisted(ip("127.0.0.1"), &["bogus", "127.0.0.0/8"]));
    }

    #[test]
    fn reports_invalid_entries() {
        let allow = vec!["10.0.0.0/8".to_string(), "nope".to_string(), "::/200".to_string()];
        assert_eq!(invalid_entries(&allow), vec!["nope", "::/200"]);
    }
}
