//! Stores as tenants: members, built-in and custom roles, permissions, invitations, API keys.

pub mod allowances;
pub mod api_keys;
pub mod events;
pub mod invitations;
pub mod members;
pub mod model;
pub mod notify;
pub mod permissions;
pub mod plan_cache;
pub mod plans;
pub mod roles;
pub mod stores;

pub use api_keys::{ApiKeyService, PgApiKeyService};
pub use events::{STORE_CREATED, STORE_DELETED, StoreDeleted};
pub use members::{MemberService, PgMemberService};
pub use model::*;
pub use permissions::{BuiltinRole, Permission};
pub use stores::{PgStoreService, StoreService};
