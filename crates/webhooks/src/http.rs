//! The routes of balcao-webhooks and the services they use.

use std::sync::Arc;

use actix_web::web;
use balcao_core::Core;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::delivery::DeliveryService;
use crate::endpoints::{self, EndpointService, PgEndpointService};
use crate::events::{EventCatalog, EventType};
use crate::inbound::receiver::{InboundService, PgInboundService};

/// This crate's services, as app data for its handlers.
#[derive(Clone)]
pub struct Services {
    /// The event catalog.
    pub catalog: web::Data<EventCatalog>,
    /// Outbound endpoints.
    pub endpoints: web::Data<dyn EndpointService>,
    /// Deliveries and their attempts.
    pub deliveries: web::Data<DeliveryService>,
    /// Inbound receivers, their sources and events.
    pub inbound: web::Data<dyn InboundService>,
}

impl Services {
    /// The PostgreSQL implementations; `event_types` is the catalog the gateway assembles.
    pub fn new(core: Core, event_types: Vec<EventType>) -> Self {
        let catalog = Arc::new(EventCatalog::new(event_types));
        let endpoints: Arc<dyn EndpointService> = Arc::new(PgEndpointService::new(core.clone(), catalog.clone()));
        let inbound: Arc<dyn InboundService> = Arc::new(PgInboundService::new(core.clone()));
        let deliveries = web::Data::new(DeliveryService::new(core));
        let inbound = web::Data::from(inbound);
        Self { catalog: web::Data::from(catalog), endpoints: web::Data::from(endpoints), deliveries, inbound }
    }

    /// Registers the services for the handlers of the scope `cfg` configures.
    pub fn register(&self, cfg: &mut ServiceConfig) {
        cfg.app_data(self.catalog.clone()).app_data(self.endpoints.clone()).app_data(self.deliveries.clone());
        cfg.app_data(self.inbound.clone());
    }
}

/// Registers this crate's routes; the gateway mounts them under `/v1`.
pub fn configure(cfg: &mut ServiceConfig) {
    use endpoints::http::*;
    cfg.service(list_event_types)
        .service(list_endpoints)
        .service(create_endpoint)
        .service(get_endpoint)
        .service(update_endpoint)
        .service(delete_endpoint)
        .service(rotate_secret);
    {
        use crate::delivery::http::*;
        cfg.service(list_deliveries)
            .service(get_delivery)
            .service(resend_delivery)
            .service(recover_deliveries)
            .service(test_endpoint);
    }
    {
        use crate::inbound::receiver::http::*;
        cfg.service(put_source)
            .service(list_sources)
            .service(delete_source)
            .service(list_events)
            .service(get_event)
            .service(replay_event)
            .service(handshake)
            .service(receive)
            .service(receive_efi_pix);
    }
}
