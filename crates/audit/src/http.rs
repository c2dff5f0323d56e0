//! The routes of balcao-audit.

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers this crate's routes; the gateway mounts them under `/v1`.
pub fn configure(cfg: &mut ServiceConfig) {
    let _ = cfg;
}
