//! Platform routes: health, metrics, the OpenAPI document, the docs page, and 404/405 answers.

use actix_web::dev::ResourceDef;
use actix_web::http::{Method, header};
use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use balcao_core::Core;
use balcao_core::error::Problem;
use balcao_core::http::problem_response;

use crate::metrics::Metrics;

/// The OpenAPI document as served, and the docs page that loads it.
pub struct Spec {
    json: String,
    docs_html: String,
    viewer_file: String,
}

impl Spec {
    /// Serialises the document once.
    pub fn new(doc: &utoipa::openapi::OpenApi) -> Result<Self, String> {
        let json = doc.to_pretty_json().map_err(|e| e.to_string())?;
        let viewer_file = format!("scalar-{}.js", viewer_version());
        Ok(Self { json, docs_html: docs_page(&viewer_file), viewer_file })
    }

    /// The document as pretty JSON.
    pub fn json(&self) -> &str {
        &self.json
    }
}

/// Every route pattern with its methods, to answer 405 (with `Allow`) rather than 404.
pub struct RouteTable {
    routes: Vec<(ResourceDef, Vec<Method>)>,
}

impl RouteTable {
    /// Reads the routes from the OpenAPI document (which lists every route the server answers).
    /// The operators' routes are left out: a wrong method there answers 404 like any unknown
    /// route, so they stay invisible.
    pub fn from_openapi(doc: &utoipa::openapi::OpenApi) -> Self {
        let routes = doc
            .paths
            .paths
            .iter()
            .filter(|(path, _)| !path.starts_with("/v1/admin/"))
            .map(|(path, item)| {
                let mut methods = Vec::new();
                for (op, method) in [
                    (&item.get, Method::GET),
                    (&item.post, Method::POST),
                    (&item.put, Method::PUT),
                    (&item.patch, Method::PATCH),
                    (&item.delete, Method::DELETE),
                ] {
                    if op.is_some() {
                        methods.push(method);
                    }
                }
                (ResourceDef::new(path.as_str()), methods)
            })
            .collect();
        Self { routes }
    }

    /// The methods a path answers, when it matches a known route.
    pub fn allowed(&self, path: &str) -> Option<Vec<Method>> {
        let mut found: Option<Vec<Method>> = None;
        for (def, methods) in &self.routes {
            if def.is_match(path) {
                found.get_or_insert_with(Vec::new).extend(methods.iter().cloned());
            }
        }
        found
    }
}

/// Answers requests no route took: 405 with `Allow` for a known path, 404 otherwise.
pub async fn fallback(req: HttpRequest, routes: web::Data<RouteTable>) -> HttpResponse {
    match routes.allowed(req.path()) {
        Some(methods) if !methods.is_empty() => {
            let allow = methods.iter().map(Method::as_str).collect::<Vec<_>>().join(", ");
            let detail = format!("{} is not supported here; use {allow}.", req.method());
            let mut response =
                problem_response(&Problem::new(balcao_core::problems::METHOD_NOT_ALLOWED, detail, Vec::new()));
            if let Ok(value) = header::HeaderValue::from_str(&allow) {
                response.headers_mut().insert(header::ALLOW, value);
            }
            response
        }
        _ => problem_response(&Problem::new(
            balcao_core::problems::ROUTE_NOT_FOUND,
            format!("No route matches {}.", req.path()),
            Vec::new(),
        )),
    }
}

/// Health report.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok`; `degraded` when Redis is down (requests still succeed, caches are bypassed);
    /// `unavailable` when PostgreSQL is down.
    pub status: String,
    /// PostgreSQL: `ok` or `unavailable`.
    pub database: Option<String>,
    /// Redis: `ok`, `unavailable` or `not_configured`.
    pub cache: Option<String>,
}

/// Liveness: the process is up.
#[utoipa::path(tag = "platform", responses((status = 200, description = "Alive", body = Health)))]
#[get("/health/live")]
pub async fn live() -> web::Json<Health> {
    web::Json(Health { status: "ok".into(), database: None, cache: None })
}

/// Readiness: PostgreSQL answers. Redis is reported (`cache`) but never makes an instance
/// unready: without it requests still succeed, so a Redis outage must not take every instance
/// out of the load balancer at once.
#[utoipa::path(tag = "platform", responses(
    (status = 200, description = "Ready (`status` is `degraded` while Redis is down)", body = Health),
    (status = 503, description = "Not ready: PostgreSQL does not answer", body = Health),
))]
#[get("/health/ready")]
pub async fn ready(core: web::Data<Core>) -> HttpResponse {
    let database_ok = balcao_core::db::ping(&core.pool).await.is_ok();
    let cache = match core.config.redis_url {
        None => "not_configured",
        Some(_) if core.cache.healthy().await => "ok",
        Some(_) => "unavailable",
    };
    let ready = database_ok;
    let status = match (database_ok, cache) {
        (false, _) => "unavailable",
        (true, "unavailable") => "degraded",
        (true, _) => "ok",
    };
    let health = Health {
        status: status.into(),
        database: Some(if database_ok { "ok" } else { "unavailable" }.into()),
        cache: Some(cache.into()),
    };
    if ready {
        HttpResponse::Ok().json(health)
    } else {
        HttpResponse::ServiceUnavailable().insert_header((header::RETRY_AFTER, "5")).json(health)
    }
}

/// Prometheus metrics: requests by route and status, latency, pool and job queue gauges.
///
/// Behind the operator's `BALCAO_METRICS_TOKEN` as a bearer token; off (404) without one.
#[utoipa::path(tag = "platform", security(("metrics_token" = [])), responses(
    (status = 200, description = "Prometheus text format", body = String, content_type = "text/plain"),
    (status = 401, description = "The metrics token is missing or wrong", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "Metrics are off (no `BALCAO_METRICS_TOKEN`)", body = Problem, content_type = "application/problem+json"),
))]
#[get("/metrics")]
pub async fn metrics(req: actix_web::HttpRequest, metrics: web::Data<Metrics>, core: web::Data<Core>) -> HttpResponse {
    let Some(expected) = core.config.metrics_token.as_deref() else {
        return problem_response(&Problem::new(
            balcao_core::problems::NOT_FOUND,
            "Metrics are off on this server.",
            Vec::new(),
        ));
    };
    let given = balcao_core::http::extract::bearer_token(&req).unwrap_or_default();
    if !balcao_core::crypto::constant_time_eq(given.as_bytes(), expected.as_bytes()) {
        let detail = "Send `Authorization: Bearer <BALCAO_METRICS_TOKEN>`.";
        return problem_response(&Problem::new(balcao_core::problems::INVALID_TOKEN, detail, Vec::new()));
    }
    match metrics.render(&core).await {
        Ok(text) => HttpResponse::Ok().content_type("text/plain; version=0.0.4").body(text),
        Err(error) => HttpResponse::from_error(error),
    }
}

/// This OpenAPI document.
#[utoipa::path(tag = "platform", responses((status = 200, description = "The OpenAPI 3.1 document", body = Object)))]
#[get("/openapi.json")]
pub async fn openapi_json(spec: web::Data<Spec>) -> HttpResponse {
    HttpResponse::Ok().content_type("application/json").body(spec.json.clone())
}

/// The pinned docs viewer: Scalar's standalone browser bundle (see `assets/README.md`).
static VIEWER_JS: &[u8] = include_bytes!("../assets/scalar/standalone.js");
/// The pinned viewer's version, as `just docs-viewer VERSION` wrote it.
static VIEWER_VERSION: &str = include_str!("../assets/scalar/VERSION");

/// The version of the docs viewer this binary serves.
pub fn viewer_version() -> &'static str {
    VIEWER_VERSION.trim()
}

/// The docs page's policy: only this origin; inline styles are how the viewer themes itself.
const DOCS_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
    img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; worker-src 'self' blob:; \
    base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The viewer's settings: no fonts, telemetry, agent, MCP or hosted-client links to Scalar's servers.
const VIEWER_CONFIGURATION: &str = r#"{"withDefaultFonts": false, "telemetry": false, "agent": {"disabled": true}, "mcp": {"disabled": true}, "hideClientButton": true, "showDeveloperTools": "never", "documentDownloadType": "json"}"#;

/// The docs page: the spec comes from `/openapi.json` and the viewer from this server, nothing else.
fn docs_page(viewer_file: &str) -> String {
    format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>balcao API</title>
<link rel="icon" href="data:,">
</head>
<body>
<script id="api-reference" type="application/json" data-url="/openapi.json" data-configuration='{VIEWER_CONFIGURATION}'></script>
<script src="/docs/assets/{viewer_file}"></script>
</body>
</html>
"#
    )
}

/// Browsable API documentation.
///
/// Works offline: the viewer is served by this server and the page loads nothing from elsewhere.
#[utoipa::path(tag = "platform", responses((status = 200, description = "An HTML page", body = String, content_type = "text/html")))]
#[get("/docs")]
pub async fn docs(spec: web::Data<Spec>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .insert_header((header::CONTENT_SECURITY_POLICY, DOCS_CSP))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(spec.docs_html.clone())
}

/// The docs page's viewer script.
///
/// The pinned Scalar API reference bundle (`scalar-<version>.js`), cached for a year and
/// compressed when the client accepts it.
#[utoipa::path(
    tag = "platform",
    params(("file" = String, Path, description = "The viewer's file name, `scalar-<version>.js`, as the docs page names it")),
    responses(
        (status = 200, description = "The viewer's JavaScript", body = String, content_type = "text/javascript"),
        (status = 404, description = "Not the pinned viewer this server serves", body = Problem, content_type = "application/problem+json"),
    ),
)]
#[get("/docs/assets/{file}", wrap = "actix_web::middleware::Compress::default()")]
pub async fn docs_asset(file: web::Path<String>, spec: web::Data<Spec>) -> HttpResponse {
    if *file != spec.viewer_file {
        let detail = format!("No docs asset {file}; this server has {}.", spec.viewer_file);
        return problem_response(&Problem::new(balcao_core::problems::NOT_FOUND, detail, Vec::new()));
    }
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(VIEWER_JS)
}
