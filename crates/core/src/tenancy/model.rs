//! Stores, members, roles, invitations and API keys: rows and API types.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::permissions::Permission;
use crate::id::{ApiKeyId, InvitationId, RoleId, StoreId, UserId};
use crate::schema::{api_keys, roles, stores};

/// A store row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = stores)]
pub struct StoreRow {
    pub id: uuid::Uuid,
    pub name: String,
    pub slug: String,
    pub timezone: String,
    pub currency: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub deleted_at: Option<DateTime<Utc>>,
    pub unpaid_hold_minutes: Option<i32>,
    pub plan: String,
}

/// A store: the tenant everything else belongs to.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Store {
    /// The store's id.
    pub id: StoreId,
    /// Display name.
    #[schema(example = "Doceria da Ana")]
    pub name: String,
    /// Unique URL name used by the storefront.
    #[schema(example = "doceria-da-ana")]
    pub slug: String,
    /// IANA time zone for business hours and reports.
    #[schema(example = "America/Sao_Paulo")]
    pub timezone: String,
    /// ISO 4217 currency of prices.
    #[schema(example = "BRL")]
    pub currency: String,
    /// Minutes an unpaid storefront order holds its stock (and a PIX charge stays payable) before
    /// it is cancelled; `null` means the platform default (`BALCAO_ORDER_PAYMENT_TIMEOUT_SECS`).
    /// A boleto holds the order until its due date plus the clearing window instead.
    #[serde(default)]
    #[schema(example = 30, minimum = 5, maximum = 1440)]
    pub unpaid_hold_minutes: Option<i32>,
    /// The store's plan (`free` unless a platform operator chose another); see `plans`.
    #[schema(example = "free")]
    pub plan: String,
    /// When the store was created.
    pub created_at: DateTime<Utc>,
    /// When the store last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<StoreRow> for Store {
    fn from(row: StoreRow) -> Self {
        Self {
            id: StoreId(row.id),
            name: row.name,
            slug: row.slug,
            timezone: row.timezone,
            currency: row.currency,
            unpaid_hold_minutes: row.unpaid_hold_minutes,
            plan: row.plan,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

/// `POST /v1/stores`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct CreateStore {
    /// Display name, 1 to 100 characters.
    pub name: String,
    /// 3 to 48 lowercase letters, digits and hyphens; unique.
    pub slug: String,
    /// IANA time zone (default `America/Sao_Paulo`).
    pub timezone: Option<String>,
    /// ISO 4217 currency (default `BRL`).
    pub currency: Option<String>,
}

/// `PATCH /v1/stores/{store_id}`: only the fields given change.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, ToSchema)]
pub struct UpdateStore {
    /// Display name.
    pub name: Option<String>,
    /// URL name.
    pub slug: Option<String>,
    /// IANA time zone.
    pub timezone: Option<String>,
    /// Minutes an unpaid order holds its stock, 5 to 1440.
    #[schema(minimum = 5, maximum = 1440)]
    pub unpaid_hold_minutes: Option<i32>,
}

/// A member of a store.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Member {
    /// The user.
    pub user_id: UserId,
    /// The user's email.
    pub email: String,
    /// The user's name.
    pub name: String,
    /// `owner`, `admin`, `staff`, `viewer` or a custom role's name.
    pub role: String,
    /// When the user joined the store.
    pub created_at: DateTime<Utc>,
}

/// `POST /v1/stores/{store_id}/members`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct AddMember {
    /// A registered user's email, or anyone's (they get an invitation).
    pub email: String,
    /// A built-in role or a custom role's name.
    pub role: String,
}

/// `PATCH /v1/stores/{store_id}/members/{user_id}`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct UpdateMember {
    /// The new role (absent: the member stays as they are).
    pub role: Option<String>,
}

/// An invitation to join a store, emailed with a single-use link.
///
/// It is accepted through that link (`POST /v1/me/invitations/accept`) or, when the invitee
/// verifies an account with the invited address, at that moment; never by signing up alone.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Invitation {
    /// The invitation's id.
    pub id: InvitationId,
    /// Who is invited.
    pub email: String,
    /// The role they get.
    pub role: String,
    /// `pending`, `accepted`, `revoked` or `expired`.
    #[schema(example = "pending")]
    pub status: String,
    /// The member who invited, when still known.
    pub invited_by: Option<crate::id::UserId>,
    /// When the invitation was made.
    pub created_at: DateTime<Utc>,
    /// When its email was last sent.
    pub sent_at: Option<DateTime<Utc>>,
    /// When the invitation lapses.
    pub expires_at: DateTime<Utc>,
    /// When it was accepted.
    pub accepted_at: Option<DateTime<Utc>>,
}

/// The store an accepted invitation joined.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct JoinedStore {
    /// The store.
    pub store_id: crate::id::StoreId,
    /// The role held there now.
    pub role: String,
}

/// `POST /v1/me/invitations/accept`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct AcceptInvitation {
    /// The `token` parameter of the emailed link.
    pub token: String,
}

/// The result of adding a member.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(untagged)]
pub enum MemberAdded {
    /// The user existed and is now a member.
    Member(Member),
    /// The email has no verified account: an invitation was emailed to it.
    Invitation(Invitation),
}

/// A custom role row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = roles)]
pub struct RoleRow {
    pub store_id: uuid::Uuid,
    pub id: uuid::Uuid,
    pub name: String,
    pub permissions: Vec<String>,
    pub created_at: DateTime<Utc>,
}

/// A role: built-in or custom.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Role {
    /// The custom role's id; null for built-in roles.
    pub id: Option<RoleId>,
    /// The role's name, as used in `members[].role`.
    pub name: String,
    /// Whether the role is built in.
    pub builtin: bool,
    /// What the role may do.
    pub permissions: Vec<Permission>,
}

/// `POST /v1/stores/{store_id}/roles`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct CreateRole {
    /// 2 to 40 lowercase letters, digits, `-` or `_`; not a built-in name.
    pub name: String,
    /// Permission names such as `catalog:write`.
    pub permissions: Vec<String>,
}

/// `PATCH /v1/stores/{store_id}/roles/{role_id}`: replaces what the role may do; members who
/// hold it get the new permissions at once.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, ToSchema)]
pub struct UpdateRole {
    /// Permission names such as `catalog:write` (at least one), all held by the caller.
    pub permissions: Option<Vec<String>>,
}

/// An API key row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = api_keys)]
pub struct ApiKeyRow {
    pub store_id: uuid::Uuid,
    pub id: uuid::Uuid,
    pub name: String,
    pub prefix: String,
    pub secret_hash: String,
    pub scopes: Vec<String>,
    pub created_by: Option<uuid::Uuid>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// An API key, without its secret.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ApiKey {
    /// The key's id.
    pub id: ApiKeyId,
    /// A label.
    pub name: String,
    /// The public part that identifies the key, e.g. `bk_3f9a2c7d1e0b`.
    pub prefix: String,
    /// What the key may do.
    pub scopes: Vec<Permission>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was last used (updated at most once a minute).
    pub last_used_at: Option<DateTime<Utc>>,
    /// When it stops working, if ever.
    pub expires_at: Option<DateTime<Utc>>,
}

impl From<ApiKeyRow> for ApiKey {
    fn from(row: ApiKeyRow) -> Self {
        Self {
            id: ApiKeyId(row.id),
            name: row.name,
            prefix: row.prefix,
            scopes: row.scopes.iter().filter_map(|s| Permission::parse(s)).collect(),
            created_at: row.created_at,
            last_used_at: row.last_used_at,
            expires_at: row.expires_at,
        }
    }
}

/// `POST /v1/stores/{store_id}/api-keys`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct CreateApiKey {
    /// A label, 1 to 100 characters.
    pub name: String,
    /// Permissions for the key (default: all of the creator's, within what the creator holds).
    pub scopes: Option<Vec<String>>,
    /// When the key stops working (must be in the future).
    #[serde(default, deserialize_with = "crate::timestamp::option")]
    pub expires_at: Option<DateTime<Utc>>,
}

/// `POST /v1/stores/{store_id}/api-keys/{key_id}/roll`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct RollApiKey {
    /// Seconds the old secret keeps working, 0 (stops now) to 604800 (7 days); an earlier
    /// expiry it already had is kept.
    #[schema(example = 86400, minimum = 0, maximum = 604800)]
    pub expires_old_in: i64,
    /// When the new key stops working (must be in the future; default never).
    #[serde(default, deserialize_with = "crate::timestamp::option")]
    pub expires_at: Option<DateTime<Utc>>,
}

/// A new API key: the only time its secret is shown.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CreatedApiKey {
    /// The key's details, `id` included.
    #[serde(flatten)]
    pub key: ApiKey,
    /// The full bearer secret; store it now, it cannot be shown again.
    pub secret: String,
}
