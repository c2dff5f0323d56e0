//! Failed logins, throttled where they come from: per client address and per network (an IPv4
//! /24 or an IPv6 /64), counted in the cache over a window. Together with the progressive delay
//! per account (in the identity service), guessing many passwords for one account, or one
//! password for many accounts, from one place stops quickly, while nobody can hold someone
//! else's account locked for long.

use std::net::IpAddr;

use crate::context::Core;
use crate::error::Result;
use crate::limits::Failures;

/// The cache keys counting failures from `ip`: its own, then its network's.
fn keys(ip: IpAddr) -> [String; 2] {
    let network = match ip {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            format!("{a}.{b}.{c}.0/24")
        }
        IpAddr::V6(v6) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
    };
    [format!("login:fail:ip:{ip}"), format!("login:fail:net:{network}")]
}

/// The failures counted for `ip`: its own and its network's, each with its ceiling.
fn failures(core: &Core, ip: IpAddr) -> Failures {
    let config = &core.config;
    let [own, network] = keys(ip);
    Failures {
        keys: vec![(own, i64::from(config.login_ip_failures)), (network, i64::from(config.login_network_failures))],
        window: config.login_failure_window,
        code: crate::problems::TOO_MANY_FAILED_LOGINS,
        detail: "Too many failed logins from your network; try again later.",
    }
}

/// Refuses a login from `ip` while its address or network has failed too often.
pub async fn check(core: &Core, ip: Option<IpAddr>) -> Result<()> {
    match ip {
        Some(ip) => failures(core, ip).check(core).await,
        None => Ok(()),
    }
}

/// Counts one failed login from `ip` (a wrong password, a wrong code or an unknown email).
pub async fn record_failure(core: &Core, ip: Option<IpAddr>) {
    if let Some(ip) = ip {
        failures(core, ip).record(core).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_group_by_network() {
        let v4 = |s: &str| keys(s.parse().unwrap_or(IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED)));
        assert_eq!(v4("203.0.113.7")[1], v4("203.0.113.200")[1]);
        assert_ne!(v4("203.0.113.7")[0], v4("203.0.113.200")[0]);
        assert_ne!(v4("203.0.113.7")[1], v4("203.0.114.7")[1]);
        let v6 = |s: &str| keys(s.parse().unwrap_or(IpAddr::V6(std::net::Ipv6Addr::UNSPECIFIED)));
        assert_eq!(v6("2001:db8:1:2::1")[1], v6("2001:db8:1:2:ffff::9")[1]);
        assert_ne!(v6("2001:db8:1:2::1")[1], v6("2001:db8:1:3::1")[1]);
    }
}
