//! Composition: every crate's routes under `/v1`, platform routes, middleware and the HTTP server.

use std::net::TcpListener;
use std::sync::Arc;

use actix_cors::Cors;
use actix_web::dev::{Server, ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::from_fn;
use actix_web::{App, HttpServer, web};
use utoipa::OpenApi;
use utoipa_actix_web::{AppExt, scope};

use balcao_core::Core;
use balcao_core::http::{CoreServices, path_config};

use crate::metrics::Metrics;
use crate::middleware::{record_metrics, request_context};
use crate::openapi::{self, ApiDoc};
use crate::platform::{self, RouteTable};

/// Everything the HTTP app needs, built once and shared by every worker thread.
#[derive(Clone)]
pub struct AppState {
    /// Shared handles.
    pub core: Core,
    /// The core's services.
    pub services: CoreServices,
    /// Commerce services.
    pub stores: balcao_stores::http::Services,
    /// Webhook services.
    pub webhooks: balcao_webhooks::http::Services,
    /// Messaging services.
    pub messaging: balcao_messaging::http::Services,
    /// Payment services.
    pub payments: balcao_payments::http::Services,
    /// Prometheus metrics.
    pub metrics: Arc<Metrics>,
    /// The OpenAPI document as served.
    pub spec: Arc<platform::Spec>,
    /// Known routes, to tell 405 from 404.
    pub routes: Arc<RouteTable>,
}

impl AppState {
    /// Builds the state on `core`.
    pub fn new(core: Core) -> Result<Self, String> {
        let doc = openapi();
        let routes = Arc::new(RouteTable::from_openapi(&doc));
        let spec = Arc::new(platform::Spec::new(&doc)?);
        let metrics = Arc::new(Metrics::new().map_err(|e| e.to_string())?);
        let services = CoreServices::new(core.clone());
        let stores = balcao_stores::http::Services::new(core.clone(), services.stores.clone().into_inner());
        let webhooks = balcao_webhooks::http::Services::new(core.clone(), crate::events::catalog()?);
        let messaging = balcao_messaging::http::Services::new(core.clone(), crate::worker::marketing_consent());
        let payments = balcao_payments::http::Services::new(core.clone(), crate::worker::payment_providers(&core));
        // Checkout starts the payment a shopper asks for through the payment service.
        let stores = stores.with_checkout_payments(Arc::new(balcao_payments::storefront::StorefrontPayments::new(
            payments.payments.clone().into_inner(),
            core.config.public_url.clone(),
        )));
        Ok(Self { services, stores, webhooks, messaging, payments, core, metrics, spec, routes })
    }
}

/// Registers every crate's routes; the gateway mounts them under `/v1`.
fn v1_routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    balcao_core::http::configure(cfg);
    balcao_stores::http::configure(cfg);
    balcao_messaging::http::configure(cfg);
    balcao_automation::http::configure(cfg);
    balcao_payments::http::configure(cfg);
    balcao_webhooks::http::configure(cfg);
    balcao_audit::http::configure(cfg);
}

fn utoipa_app<T>(app: App<T>, state: Option<AppState>) -> utoipa_actix_web::UtoipaApp<T>
where
    T: ServiceFactory<ServiceRequest, Config = (), Error = actix_web::Error, InitError = ()>,
{
    app.into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .service(scope::scope("/v1").configure(move |cfg| {
            if let Some(state) = &state {
                state.stores.register(cfg);
                state.webhooks.register(cfg);
                state.messaging.register(cfg);
                state.payments.register(cfg);
            }
            v1_routes(cfg);
        }))
        .service(platform::live)
        .service(platform::ready)
        .service(platform::metrics)
        .service(platform::openapi_json)
        .service(platform::docs)
        .service(platform::docs_asset)
}

/// The OpenAPI document, collected from the registered handlers.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, doc) = utoipa_app(App::new(), None).split_for_parts();
    openapi::finish(doc)
}

/// The app for one worker thread.
pub fn build_app(
    state: AppState,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl actix_web::body::MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let config = &state.core.config;
    let app = App::new()
        .app_data(web::PayloadConfig::new(config.body_limit_bytes))
        .app_data(path_config())
        .app_data(web::Data::from(state.metrics.clone()))
        .app_data(web::Data::from(state.spec.clone()))
        .app_data(web::Data::from(state.routes.clone()))
        .app_data(state.services.core.clone())
        .app_data(state.services.identity.clone())
        .app_data(state.services.passkeys.clone())
        .app_data(state.services.stores.clone())
        .app_data(state.services.members.clone())
        .app_data(state.services.api_keys.clone())
        .default_service(web::to(platform::fallback))
        .wrap(from_fn(balcao_core::http::idempotency::idempotency))
        .wrap(from_fn(crate::ratelimit::rate_limit))
        .wrap(from_fn(balcao_core::http::storable::refuse_nul_in_path))
        .wrap(cors(&config.cors_origins))
        .wrap(from_fn(record_metrics))
        .wrap(from_fn(request_context));
    utoipa_app(app, Some(state)).into_app()
}

fn cors(origins: &[String]) -> Cors {
    let mut cors = Cors::default()
        .allow_any_method()
        .allow_any_header()
        .expose_headers([
            "X-Request-Id",
            "Idempotent-Replayed",
            "Retry-After",
            "Location",
            "RateLimit-Policy",
            "RateLimit",
        ])
        .max_age(3600);
    if origins.iter().any(|o| o == "*") {
        cors = cors.allow_any_origin();
    } else {
        for origin in origins {
            cors = cors.allowed_origin(origin);
        }
    }
    cors
}

/// Starts the HTTP server on `listener`; the returned future runs until shutdown.
pub fn http_server(state: AppState, listener: TcpListener) -> std::io::Result<Server> {
    let workers = state.core.config.http_workers;
    let shutdown = state.core.config.shutdown_timeout.as_secs();
    let server = HttpServer::new(move || build_app(state.clone()))
        .workers(workers)
        .shutdown_timeout(shutdown)
        .listen(listener)?
        .run();
    Ok(server)
}
