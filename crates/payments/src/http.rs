//! The routes of balcao-payments and the services they use.

use std::sync::Arc;

use actix_web::web;
use balcao_core::Core;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::accounts::service::{PaymentAccountService, PgPaymentAccountService};
use crate::payments::service::{PaymentService, PgPaymentService};
use crate::providers::Providers;
use crate::splits::service::{PgSplitService, SplitService};

/// This crate's services, as app data for its handlers.
#[derive(Clone)]
pub struct Services {
    /// Payments.
    pub payments: web::Data<dyn PaymentService>,
    /// Provider accounts.
    pub accounts: web::Data<dyn PaymentAccountService>,
    /// Split rules and shares.
    pub splits: web::Data<dyn SplitService>,
}

impl Services {
    /// The PostgreSQL implementation with `providers`.
    pub fn new(core: Core, providers: Providers) -> Self {
        let payments: Arc<dyn PaymentService> = Arc::new(PgPaymentService::new(core.clone(), providers));
        let accounts: Arc<dyn PaymentAccountService> = Arc::new(PgPaymentAccountService::new(core.clone()));
        let splits: Arc<dyn SplitService> = Arc::new(PgSplitService::new(core));
        Self {
            payments: web::Data::from(payments),
            accounts: web::Data::from(accounts),
            splits: web::Data::from(splits),
        }
    }

    /// Registers the services for the handlers of the scope `cfg` configures.
    pub fn register(&self, cfg: &mut ServiceConfig) {
        cfg.app_data(self.payments.clone()).app_data(self.accounts.clone()).app_data(self.splits.clone());
    }
}

/// Registers this crate's routes; the gateway mounts them under `/v1`.
pub fn configure(cfg: &mut ServiceConfig) {
    crate::payments::http::configure(cfg);
    crate::refunds::http::configure(cfg);
    crate::accounts::http::configure(cfg);
    crate::splits::http::configure(cfg);
    crate::storefront::http::configure(cfg);
}
