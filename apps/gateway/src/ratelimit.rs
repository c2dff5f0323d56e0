//! Rate limits in the request path, before any handler runs: one limiter per credential and
//! route class at the rate of the store's plan, per client address (and store) for anonymous
//! traffic, per provider and store for inbound webhooks; every answer on a limited route carries
//! `RateLimit-Policy` and `RateLimit`, and one over a limit is 429 `quota_exceeded`.
//!
//! A credentialed call on a store's routes is also metered as one API call of its route class,
//! in the same Redis round trip; past a hard monthly allowance it is refused the same way.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{HttpMessage, ResponseError, web};
use chrono::Utc;

use balcao_core::Core;
use balcao_core::error::Error;
use balcao_core::http::client_ip::client_ip;
use balcao_core::http::extract::Resolved;
use balcao_core::http::{StoreAccess, bearer_token, problem::insert_ratelimit_headers};
use balcao_core::id::StoreId;
use balcao_core::identity::Principal;
use balcao_core::ratelimit::{
    Charge, Limiter, Outcome, Policy, RATELIMIT, RATELIMIT_POLICY, Rate, ceil_secs, limiter_key,
};
use balcao_core::tenancy::plans::{DEFAULT_PLAN, Plan};
use balcao_core::usage::{self, Metric};

use crate::metrics::Metrics;

/// What limits a request, told from its path alone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Not limited: health, metrics, docs, and the operators' routes.
    Unlimited,
    /// Signup, login and the other account routes: per client address.
    Auth,
    /// A store's storefront, by slug: per client address and store.
    Storefront(String),
    /// A provider's webhooks to a store: per provider and store.
    Inbound { provider: String, store: String },
    /// The rest of the API: per credential and route class, or per address without one.
    Api(Option<StoreId>),
}

impl Scope {
    /// The scope of `path` (a request's path, or a route's template).
    pub fn of(path: &str) -> Self {
        let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        match segments.as_slice() {
            ["v1", "admin", ..] => Scope::Unlimited,
            ["v1", "auth", ..] => Scope::Auth,
            ["v1", "storefront", slug, ..] => Scope::Storefront((*slug).to_owned()),
            ["v1", "inbound", "efi", store, "pix"] => Scope::Inbound { provider: "efi".into(), store: (*store).into() },
            ["v1", "inbound", provider, store, ..] => {
                Scope::Inbound { provider: (*provider).into(), store: (*store).into() }
            }
            ["v1", "stores", store, ..] => Scope::Api(store.parse().ok()),
            ["v1", ..] => Scope::Api(None),
            _ => Scope::Unlimited,
        }
    }

    /// Whether a route answers with rate limits (what the spec documents).
    pub fn is_limited(path: &str) -> bool {
        Self::of(path) != Scope::Unlimited
    }
}

/// The route class of a credentialed call: its own limiter and its own share of the plan's rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// Reads.
    Read,
    /// Changes.
    Write,
    /// Search, exports and analytics: a tenth of the plan's rate.
    Expensive,
}

impl Class {
    /// The class of a call by method, path and query.
    pub fn of(method: &Method, path: &str, query: &str) -> Self {
        let expensive_path = path.split('/').any(|s| matches!(s, "analytics" | "exports" | "export" | "search"));
        let searching = form_urlencoded::parse(query.as_bytes()).any(|(k, v)| k == "q" && !v.trim().is_empty());
        if expensive_path || (searching && method == Method::GET) {
            Class::Expensive
        } else if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
            Class::Read
        } else {
            Class::Write
        }
    }

    /// The class's name, as its policy is named.
    pub fn name(self) -> &'static str {
        match self {
            Class::Read => "read",
            Class::Write => "write",
            Class::Expensive => "expensive",
        }
    }

    /// The class's rate under `plan`: reads and writes each at the plan's rate and burst, the
    /// expensive class at a tenth of both.
    pub fn rate(self, plan: &Plan) -> Rate {
        let per_second = u32::try_from(plan.requests_per_second).unwrap_or(1);
        let burst = u32::try_from(plan.request_burst).unwrap_or(1);
        let second = std::time::Duration::from_secs(1);
        match self {
            Class::Read | Class::Write => Rate::new(per_second, second, burst),
            Class::Expensive => Rate::new((per_second / 10).max(1), second, (burst / 10).max(1)),
        }
    }
}

/// One request's limits, as decided before the handler runs.
struct Check {
    policy: String,
    key: String,
    rate: Rate,
    charge: Option<Charge>,
}

fn address(req: &ServiceRequest, core: &Core) -> String {
    client_ip(req.request(), core.config.behind_proxy).map_or_else(|| "unknown".to_owned(), |ip| ip.to_string())
}

/// The credential's limiter subject, its store when the path names one it may use, and that
/// store's plan; `None` when the token does not authenticate (the call is anonymous then).
async fn credentialed(
    req: &ServiceRequest,
    core: &Core,
    token: &str,
    store: Option<StoreId>,
) -> Option<(String, Option<StoreId>, Option<std::sync::Arc<Plan>>)> {
    let principal = balcao_core::auth::authenticate(core, token).await.ok()?;
    let subject = match &principal {
        Principal::User { session_id, .. } => format!("session:{session_id}"),
        Principal::ApiKey { key_id, .. } => format!("key:{key_id}"),
    };
    req.extensions_mut().insert(Resolved(principal.clone()));
    let Some(store_id) = store else { return Some((subject, None, None)) };
    // Only a store the caller may use is charged: another store's path answers 404 unmetered.
    let Ok(access) = balcao_core::auth::store_access(core, &principal, store_id).await else {
        return Some((subject, None, None));
    };
    req.extensions_mut().insert(StoreAccess { store_id, principal, access });
    let plan = core.plans.for_store(&core.pool, store_id).await.ok().flatten();
    Some((subject, Some(store_id), plan))
}

async fn check_of(req: &ServiceRequest, core: &Core) -> Option<Check> {
    let limits = &core.config.rate_limits;
    let anonymous = |req: &ServiceRequest| Check {
        policy: "anonymous".into(),
        key: limiter_key(&address(req, core), "ip", "anonymous"),
        rate: limits.anonymous,
        charge: None,
    };
    Some(match Scope::of(req.path()) {
        Scope::Unlimited => return None,
        Scope::Auth => Check {
            policy: "auth".into(),
            key: limiter_key(&address(req, core), "ip", "auth"),
            rate: limits.auth,
            charge: None,
        },
        Scope::Storefront(slug) => Check {
            policy: "storefront".into(),
            key: limiter_key(&slug, &format!("ip:{}", address(req, core)), "storefront"),
            rate: limits.storefront,
            charge: None,
        },
        Scope::Inbound { provider, store } => Check {
            policy: "inbound".into(),
            key: limiter_key(&store, &format!("provider:{provider}"), "inbound"),
            rate: limits.inbound,
            charge: None,
        },
        Scope::Api(store) => {
            let Some(token) = bearer_token(req.request()) else { return Some(anonymous(req)) };
            let Some((subject, store, plan)) = credentialed(req, core, &token, store).await else {
                return Some(anonymous(req));
            };
            let plan = match plan {
                Some(plan) => plan,
                None => core.plans.named(&core.pool, DEFAULT_PLAN).await.ok().flatten()?,
            };
            let class = Class::of(req.method(), req.path(), req.query_string());
            let tag = store.map_or_else(|| subject.clone(), |s| s.uuid().to_string());
            Check {
                policy: class.name().into(),
                key: limiter_key(&tag, &subject, class.name()),
                rate: class.rate(&plan),
                charge: store.map(|s| Charge::new(s, Metric::ApiCalls, Some(class.name()), 1, &plan)),
            }
        }
    })
}

fn policies(check: &Check, outcome: &Outcome) -> Vec<Policy> {
    let mut policies = Vec::new();
    let month = outcome.quota.and_then(|q| usage::charge::month_policy(Metric::ApiCalls, &q, Utc::now()));
    let rate = outcome.rate.map(|d| Policy::of_rate(&check.policy, &check.rate, &d));
    // The violated policy comes first.
    if outcome.quota.is_some_and(|q| q.refused) {
        policies.extend(month.clone());
    }
    policies.extend(rate);
    if !outcome.quota.is_some_and(|q| q.refused) {
        policies.extend(month);
    }
    policies
}

fn refusal(check: &Check, outcome: &Outcome, policies: Vec<Policy>) -> Error {
    if let Some(state) = outcome.quota.filter(|q| q.refused) {
        let retry_after_secs = policies.first().map_or(1, |p| p.reset_secs);
        let detail = format!(
            "This store's {} API calls this month are used up; they renew on {}.",
            state.allowance.unwrap_or(0),
            usage::period_end(Utc::now()).format("%Y-%m-%d")
        );
        return Error::QuotaExceeded { detail, policies, retry_after_secs };
    }
    let retry = outcome.rate.map_or(std::time::Duration::from_secs(1), |d| d.retry_after);
    Error::QuotaExceeded {
        detail: format!(
            "Over the `{}` rate limit of {} requests at once; retry in {} s.",
            check.policy,
            check.rate.burst,
            ceil_secs(retry).max(1)
        ),
        policies,
        retry_after_secs: ceil_secs(retry).max(1),
    }
}

/// The limiter middleware (registered by the app when `BALCAO_RATE_LIMITS` is on).
pub async fn rate_limit(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let core = req.app_data::<web::Data<Core>>().map(|c| c.get_ref().clone());
    let Some(core) = core.filter(|c| c.config.rate_limits.enabled) else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let Some(check) = check_of(&req, &core).await else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let limiter: &Limiter = &core.limiter;
    let outcome = limiter.check(Some((&check.key, check.rate)), check.charge.as_ref()).await;
    if let Some(metrics) = req.app_data::<web::Data<Metrics>>() {
        let decision = if outcome.fallback {
            "fallback"
        } else if outcome.allowed() {
            "allowed"
        } else {
            "limited"
        };
        metrics.rate_limits.with_label_values(&[check.policy.as_str(), decision]).inc();
    }
    let policies = policies(&check, &outcome);
    if !outcome.allowed() {
        let response = refusal(&check, &outcome, policies).error_response();
        return Ok(req.into_response(response));
    }
    let mut response = next.call(req).await?.map_into_boxed_body();
    // A handler that refused a quota of its own (a message past the month's) named it first.
    let named = response.headers().get(RATELIMIT_POLICY).is_some();
    if named {
        append(response.headers_mut(), &policies);
    } else {
        insert_ratelimit_headers(response.headers_mut(), &policies);
    }
    Ok(response)
}

/// Adds `policies` after the ones a handler's answer already names.
fn append(headers: &mut actix_web::http::header::HeaderMap, policies: &[Policy]) {
    use actix_web::http::header::{HeaderName, HeaderValue};
    for (name, item) in
        [(RATELIMIT_POLICY, Policy::policy_item as fn(&Policy) -> String), (RATELIMIT, Policy::limit_item)]
    {
        let name = HeaderName::from_static(name);
        let mut items: Vec<String> =
            headers.get(&name).and_then(|v| v.to_str().ok()).map(|v| vec![v.to_owned()]).unwrap_or_default();
        items.extend(policies.iter().map(item));
        if let Ok(value) = HeaderValue::from_str(&items.join(", ")) {
            headers.insert(name, value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_follow_the_path() {
        assert_eq!(Scope::of("/health/live"), Scope::Unlimited);
        assert_eq!(Scope::of("/v1/admin/plans"), Scope::Unlimited);
        assert_eq!(Scope::of("/v1/auth/login"), Scope::Auth);
        assert_eq!(Scope::of("/v1/storefront/loja/products"), Scope::Storefront("loja".into()));
        assert_eq!(
            Scope::of("/v1/inbound/efi/{store_id}/pix"),
            Scope::Inbound { provider: "efi".into(), store: "{store_id}".into() }
        );
        assert_eq!(
            Scope::of("/v1/inbound/stripe/s1"),
            Scope::Inbound { provider: "stripe".into(), store: "s1".into() }
        );
        let id = StoreId::new();
        assert_eq!(Scope::of(&format!("/v1/stores/{}/products", id.uuid())), Scope::Api(Some(id)));
        assert_eq!(Scope::of("/v1/stores/{store_id}/products"), Scope::Api(None));
        assert_eq!(Scope::of("/v1/me"), Scope::Api(None));
        assert!(Scope::is_limited("/v1/webhook-event-types") && !Scope::is_limited("/openapi.json"));
    }

    #[test]
    fn classes_follow_method_path_and_search() {
        assert_eq!(Class::of(&Method::GET, "/v1/stores/s/products", "limit=5"), Class::Read);
        assert_eq!(Class::of(&Method::GET, "/v1/stores/s/products", "q=camiseta"), Class::Expensive);
        assert_eq!(Class::of(&Method::GET, "/v1/stores/s/products", "q="), Class::Read);
        assert_eq!(Class::of(&Method::GET, "/v1/stores/s/analytics", ""), Class::Expensive);
        assert_eq!(Class::of(&Method::POST, "/v1/stores/s/products", ""), Class::Write);
        assert_eq!(Class::of(&Method::DELETE, "/v1/stores/s/products/p", ""), Class::Write);
    }
}
