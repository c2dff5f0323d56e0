//! HTTP for the core: problem responses, extractors, the idempotency middleware, and the
//! identity, tenancy and platform operators' routes.

pub mod admin;
pub mod client_ip;
pub mod extract;
pub mod idempotency;
pub mod identity;
pub mod json;
pub mod passkeys;
pub mod path;
pub mod problem;
pub mod query;
pub mod storable;
pub mod stores;
pub mod team;
pub mod usage;

use std::sync::Arc;

use actix_web::web;
use utoipa_actix_web::service_config::ServiceConfig;

pub use extract::{Authenticated, Operator, StoreAccess, bearer_token};
pub use json::Json;
pub use path::{InStore, StorePath};
pub use problem::{PROBLEM_JSON, path_config, problem_response};
pub use query::Query;

use crate::context::Core;
use crate::identity::{IdentityService, PasskeyService, PgIdentityService, PgPasskeyService};
use crate::tenancy::{ApiKeyService, MemberService, PgApiKeyService, PgMemberService, PgStoreService, StoreService};

/// The core's services, as app data for its handlers.
#[derive(Clone)]
pub struct CoreServices {
    /// Shared handles (the extractors read these).
    pub core: web::Data<Core>,
    /// Accounts and sessions.
    pub identity: web::Data<dyn IdentityService>,
    /// Passkeys.
    pub passkeys: web::Data<dyn PasskeyService>,
    /// Stores.
    pub stores: web::Data<dyn StoreService>,
    /// Members and roles.
    pub members: web::Data<dyn MemberService>,
    /// API keys.
    pub api_keys: web::Data<dyn ApiKeyService>,
}

impl CoreServices {
    /// The PostgreSQL implementations on `core`.
    pub fn new(core: Core) -> Self {
        let identity: Arc<dyn IdentityService> = Arc::new(PgIdentityService::new(core.clone()));
        let passkeys: Arc<dyn PasskeyService> = Arc::new(PgPasskeyService::new(core.clone()));
        let stores: Arc<dyn StoreService> = Arc::new(PgStoreService::new(core.clone()));
        let members: Arc<dyn MemberService> = Arc::new(PgMemberService::new(core.clone()));
        let api_keys: Arc<dyn ApiKeyService> = Arc::new(PgApiKeyService::new(core.clone()));
        Self {
            core: web::Data::new(core),
            identity: web::Data::from(identity),
            passkeys: web::Data::from(passkeys),
            stores: web::Data::from(stores),
            members: web::Data::from(members),
            api_keys: web::Data::from(api_keys),
        }
    }
}

/// Registers the identity and tenancy routes (mount under `/v1`).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(identity::signup)
        .service(identity::login)
        .service(identity::logout)
        .service(identity::me)
        .service(identity::start_totp)
        .service(identity::confirm_totp)
        .service(identity::disable_totp)
        .service(identity::verify_email)
        .service(identity::resend_verification)
        .service(identity::request_password_reset)
        .service(identity::confirm_password_reset)
        .service(identity::change_password)
        .service(identity::list_sessions)
        .service(identity::end_sessions)
        .service(identity::end_session)
        .service(identity::accept_invitation)
        .service(passkeys::start_passkey_registration)
        .service(passkeys::finish_passkey_registration)
        .service(passkeys::list_passkeys)
        .service(passkeys::delete_passkey)
        .service(passkeys::start_passkey_login)
        .service(passkeys::finish_passkey_login)
        .service(stores::create_store)
        .service(stores::list_stores)
        .service(stores::get_store)
        .service(stores::update_store)
        .service(stores::delete_store)
        .service(team::list_members)
        .service(team::add_member)
        .service(team::update_member)
        .service(team::remove_member)
        .service(team::list_roles)
        .service(team::create_role)
        .service(team::update_role)
        .service(team::delete_role)
        .service(team::list_api_keys)
        .service(team::create_api_key)
        .service(team::revoke_api_key)
        .service(team::roll_api_key)
        .service(team::list_invitations)
        .service(team::resend_invitation)
        .service(team::revoke_invitation)
        .service(admin::list_plans)
        .service(admin::update_plan)
        .service(admin::set_store_plan)
        .service(admin::usage_ranking)
        .service(usage::store_usage);
}
