//! Per-client limits on what anyone may do without an account (open carts, check out), counted
//! in the cache over a fixed window by client address (see [`crate::http::client_ip`]).

use std::net::IpAddr;
use std::time::Duration;

use crate::context::Core;
use crate::error::{Error, ErrorCode, Result};
use crate::problems;

/// One limit: at most `max` calls per `window` from one address.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    /// What is limited, in cache keys and in the problem's detail.
    pub what: &'static str,
    /// The code a refusal answers with.
    pub code: ErrorCode,
    /// Calls allowed per window.
    pub max: u32,
    /// The window.
    pub window: Duration,
}

/// Counts a call from `ip` and refuses it (429 with the limit's code, `Retry-After` the window) once
/// the window holds more than `limit.max`. Without an address nothing is counted.
pub async fn hit(core: &Core, limit: Limit, ip: Option<IpAddr>) -> Result<()> {
    let Some(ip) = ip else { return Ok(()) };
    let count = core.cache.incr(&format!("limit:{}:{ip}", limit.what), limit.window).await;
    if count > i64::from(limit.max) {
        return Err(Error::TooManyRequests {
            code: limit.code,
            detail: format!("Too many {} from your address for now; try again later.", limit.what.replace('_', " ")),
            retry_after_secs: limit.window.as_secs().max(1),
        });
    }
    Ok(())
}

/// Signups, password reset and verification requests from one address: at most
/// `BALCAO_ACCOUNT_REQUESTS_PER_HOUR` an hour.
pub fn account_requests(core: &Core) -> Limit {
    Limit {
        what: "account_requests",
        code: problems::TOO_MANY_ACCOUNT_REQUESTS,
        max: core.config.account_requests_per_hour,
        window: Duration::from_secs(3600),
    }
}

/// Passkey login ceremonies started from one address: at most `BALCAO_PASSKEY_LOGINS_PER_HOUR`.
pub fn passkey_logins(core: &Core) -> Limit {
    Limit {
        what: "passkey_logins",
        code: problems::TOO_MANY_PASSKEY_LOGINS,
        max: core.config.passkey_logins_per_hour,
        window: Duration::from_secs(3600),
    }
}

/// The count a key holds in the cache now (0 when absent).
pub async fn count(core: &Core, key: &str) -> i64 {
    let bytes = core.cache.get(key).await.unwrap_or_default();
    std::str::from_utf8(&bytes).ok().and_then(|s| s.parse().ok()).unwrap_or(0)
}

/// Failures counted under several keys at once (say, per cart and per address), each with its
/// own ceiling: [`Failures::check`] refuses once any key reached its ceiling, and
/// [`Failures::record`] counts one more under every key.
pub struct Failures {
    /// `(cache key, ceiling)` pairs.
    pub keys: Vec<(String, i64)>,
    /// How long a failure counts.
    pub window: Duration,
    /// The problem code of a refusal.
    pub code: ErrorCode,
    /// The problem detail of a refusal.
    pub detail: &'static str,
}

impl Failures {
    /// 429 with `Retry-After` the window once any key holds its ceiling.
    pub async fn check(&self, core: &Core) -> Result<()> {
        for (key, ceiling) in &self.keys {
            if count(core, key).await >= *ceiling {
                return Err(Error::TooManyRequests {
                    code: self.code,
                    detail: self.detail.into(),
                    retry_after_secs: self.window.as_secs().max(1),
                });
            }
        }
        Ok(())
    }

    /// Counts one failure under every key.
    pub async fn record(&self, core: &Core) {
        for (key, _) in &self.keys {
            core.cache.incr(key, self.window).await;
        }
    }
}
