//! The rate limits configuration sets (the per-credential ones come from each store's plan).

use std::time::Duration;

use super::env::{ConfigError, Env};
use crate::ratelimit::Rate;

/// Rate limits on traffic without a store's credential, and how the limiter runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimits {
    /// `BALCAO_RATE_LIMITS`: `on` (default) or `off`, which neither limits nor meters anything.
    pub enabled: bool,
    /// `BALCAO_INSTANCES`: how many servers share the limits (default 1). While Redis is
    /// unreachable each limits alone at this share of every rate.
    pub instances: u32,
    /// `BALCAO_STOREFRONT_RATE`: anonymous storefront requests per client address and store, as
    /// `per-second/burst` (default `20/40`).
    pub storefront: Rate,
    /// `BALCAO_AUTH_RATE`: requests to signup, login and the other account routes per client
    /// address (default `5/20`).
    pub auth: Rate,
    /// `BALCAO_INBOUND_RATE`: provider webhooks per provider and store (default `200/400`).
    pub inbound: Rate,
    /// `BALCAO_ANONYMOUS_RATE`: any other request without credentials, per client address
    /// (default `20/40`).
    pub anonymous: Rate,
}

fn rate(env: &Env<'_>, var: &'static str, default: (u32, u32)) -> Result<Rate, ConfigError> {
    let (per_second, burst) = match env.get(var) {
        None => default,
        Some(raw) => {
            let parsed = raw.split_once('/').and_then(|(r, b)| Some((r.trim().parse().ok()?, b.trim().parse().ok()?)));
            match parsed {
                Some((r, b)) if (1..=1_000_000).contains(&r) && (1..=1_000_000).contains(&b) => (r, b),
                _ => return Err(env.error(var, format!("`{raw}` is not `per-second/burst` (each 1..=1000000)"))),
            }
        }
    };
    Ok(Rate::new(per_second, Duration::from_secs(1), burst))
}

impl RateLimits {
    pub(super) fn from_env(env: &Env<'_>) -> Result<Self, ConfigError> {
        let enabled = match env.get("BALCAO_RATE_LIMITS").map(|v| v.to_ascii_lowercase()).as_deref() {
            None | Some("on" | "true" | "1" | "yes") => true,
            Some("off" | "false" | "0" | "no") => false,
            Some(other) => return Err(env.error("BALCAO_RATE_LIMITS", format!("`{other}` is not on or off"))),
        };
        Ok(Self {
            enabled,
            instances: env.ranged("BALCAO_INSTANCES", 1, 1, 10_000)?,
            storefront: rate(env, "BALCAO_STOREFRONT_RATE", (20, 40))?,
            auth: rate(env, "BALCAO_AUTH_RATE", (5, 20))?,
            inbound: rate(env, "BALCAO_INBOUND_RATE", (200, 400))?,
            anonymous: rate(env, "BALCAO_ANONYMOUS_RATE", (20, 40))?,
        })
    }
}
