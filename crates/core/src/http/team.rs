//! Handlers for members, invitations, roles and API keys.

use crate::http::{InStore, StorePath};
use actix_web::{HttpResponse, delete, get, patch, post, web};

use super::extract::StoreAccess;
use super::json::Json;
use super::query::Query;
use crate::error::Result;
use crate::id::{ApiKeyId, InvitationId, RoleId, UserId};
use crate::pagination::{Page, PageParams};
use crate::tenancy::{
    AddMember, ApiKey, ApiKeyService, CreateApiKey, CreateRole, CreatedApiKey, Invitation, Member, MemberAdded,
    MemberService, Permission, Role, RollApiKey, UpdateMember, UpdateRole,
};

type Members = web::Data<dyn MemberService>;
type ApiKeys = web::Data<dyn ApiKeyService>;

/// The store's members.
#[utoipa::path(tag = "members", security(("bearer" = [])), params(StorePath, PageParams),
    responses((status = 200, description = "A page of members", body = Page<Member>)))]
#[get("/stores/{store_id}/members")]
pub async fn list_members(
    members: Members,
    access: StoreAccess,
    page: Query<PageParams>,
) -> Result<web::Json<Page<Member>>> {
    access.require(Permission::MembersRead)?;
    Ok(web::Json(members.list(access.store_id, &page).await?))
}

/// Add a registered user as a member, or invite an email that is not registered yet.
#[utoipa::path(tag = "members", security(("bearer" = [])), params(StorePath),
    request_body = AddMember, responses(
    (status = 201, description = "The user is now a member", body = Member),
    (status = 202, description = "The email has no verified account: an invitation with a single-use link was emailed to it",
     body = Invitation),
    (status = 403, description = "A permission this action needs is missing, or `plan_limit_reached`: the store's plan \
     has no staff seat left (members and open invitations take one each)", body = crate::error::Problem,
     content_type = "application/problem+json"),
    (status = 409, description = "Already a member", body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/stores/{store_id}/members")]
pub async fn add_member(members: Members, access: StoreAccess, body: Json<AddMember>) -> Result<HttpResponse> {
    access.require(Permission::MembersManage)?;
    Ok(match members.add(access.store_id, &access.access, access.user_id(), body.into_inner()).await? {
        MemberAdded::Member(member) => HttpResponse::Created().json(member),
        MemberAdded::Invitation(invitation) => HttpResponse::Accepted().json(invitation),
    })
}

/// Change a member's role.
#[utoipa::path(tag = "members", security(("bearer" = [])), params(
    StorePath, ("user_id" = uuid::Uuid, Path, description = "The member")),
    request_body = UpdateMember, responses(
    (status = 200, description = "The member", body = Member),
    (status = 409, description = "The last owner cannot be demoted", body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[patch("/stores/{store_id}/members/{user_id}")]
pub async fn update_member(
    members: Members,
    access: StoreAccess,
    InStore(user_id): InStore<UserId>,
    body: Json<UpdateMember>,
) -> Result<web::Json<Member>> {
    access.require(Permission::MembersManage)?;
    Ok(web::Json(members.update(access.store_id, &access.access, user_id, body.into_inner()).await?))
}

/// Remove a member.
#[utoipa::path(tag = "members", security(("bearer" = [])), params(
    StorePath, ("user_id" = uuid::Uuid, Path, description = "The member")),
    responses(
    (status = 204, description = "Removed"),
    (status = 409, description = "The last owner cannot be removed", body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[delete("/stores/{store_id}/members/{user_id}")]
pub async fn remove_member(
    members: Members,
    access: StoreAccess,
    InStore(user_id): InStore<UserId>,
) -> Result<HttpResponse> {
    access.require(Permission::MembersManage)?;
    members.remove(access.store_id, &access.access, user_id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Built-in and custom roles.
#[utoipa::path(tag = "members", security(("bearer" = [])), params(StorePath),
    responses((status = 200, description = "Every role", body = Vec<Role>)))]
#[get("/stores/{store_id}/roles")]
pub async fn list_roles(members: Members, access: StoreAccess) -> Result<web::Json<Vec<Role>>> {
    access.require(Permission::MembersRead)?;
    Ok(web::Json(members.roles(access.store_id).await?))
}

/// Create a custom role naming permissions; only permissions the caller holds can be granted (403 names the first one missing).
#[utoipa::path(tag = "members", security(("bearer" = [])), params(StorePath),
    request_body = CreateRole, responses(
    (status = 201, description = "The role", body = Role),
    (status = 409, description = "The name is taken", body = crate::error::Problem, content_type = "application/problem+json"),
))]
#[post("/stores/{store_id}/roles")]
pub async fn create_role(members: Members, access: StoreAccess, body: Json<CreateRole>) -> Result<HttpResponse> {
    access.require(Permission::MembersManage)?;
    Ok(HttpResponse::Created().json(members.create_role(access.store_id, &access.access, body.into_inner()).await?))
}

/// Replace a custom role's permissions; members holding it get them at once.
///
/// Only a caller holding both the role's current and its new permissions may (403 names the
/// first one missing). An empty body changes nothing.
#[utoipa::path(tag = "members", security(("bearer" = [])), params(
    StorePath, ("role_id" = uuid::Uuid, Path, description = "The custom role")),
    request_body = UpdateRole, responses((status = 200, description = "The role", body = Role)))]
#[patch("/stores/{store_id}/roles/{role_id}")]
pub async fn update_role(
    members: Members,
    access: StoreAccess,
    InStore(role_id): InStore<RoleId>,
    body: Json<UpdateRole>,
) -> Result<web::Json<Role>> {
    access.require(Permission::MembersManage)?;
    Ok(web::Json(members.update_role(access.store_id, &access.access, role_id, body.into_inner()).await?))
}

/// Delete a custom role that no member holds.
#[utoipa::path(tag = "members", security(("bearer" = [])), params(
    StorePath, ("role_id" = uuid::Uuid, Path, description = "The custom role")),
    responses(
    (status = 204, description = "Deleted"),
    (status = 409, description = "`role_in_use`: the detail says how many members hold it", body = crate::error::Problem,
     content_type = "application/problem+json"),
))]
#[delete("/stores/{store_id}/roles/{role_id}")]
pub async fn delete_role(
    members: Members,
    access: StoreAccess,
    InStore(role_id): InStore<RoleId>,
) -> Result<HttpResponse> {
    access.require(Permission::MembersManage)?;
    members.delete_role(access.store_id, &access.access, role_id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The store's live API keys (never their secrets).
#[utoipa::path(tag = "api-keys", security(("bearer" = [])), params(StorePath, PageParams),
    responses((status = 200, description = "A page of keys", body = Page<ApiKey>)))]
#[get("/stores/{store_id}/api-keys")]
pub async fn list_api_keys(
    keys: ApiKeys,
    access: StoreAccess,
    page: Query<PageParams>,
) -> Result<web::Json<Page<ApiKey>>> {
    access.require(Permission::ApiKeysManage)?;
    Ok(web::Json(keys.list(access.store_id, &page).await?))
}

/// Create an API key; its `secret` is in this response only.
#[utoipa::path(tag = "api-keys", security(("bearer" = [])), params(StorePath),
    request_body = CreateApiKey, responses((status = 201, description = "The key and its secret", body = CreatedApiKey)))]
#[post("/stores/{store_id}/api-keys")]
pub async fn create_api_key(keys: ApiKeys, access: StoreAccess, body: Json<CreateApiKey>) -> Result<HttpResponse> {
    access.require(Permission::ApiKeysManage)?;
    // A key minted by a key belongs to the same member, so it stays bound by their permissions.
    let created = keys.create(access.store_id, &access.access, access.on_behalf_of(), body.into_inner()).await?;
    Ok(HttpResponse::Created().json(created))
}

/// Revoke an API key at once.
#[utoipa::path(tag = "api-keys", security(("bearer" = [])), params(
    StorePath, ("key_id" = uuid::Uuid, Path, description = "The key")),
    responses((status = 204, description = "Revoked")))]
#[delete("/stores/{store_id}/api-keys/{key_id}")]
pub async fn revoke_api_key(
    keys: ApiKeys,
    access: StoreAccess,
    InStore(key_id): InStore<ApiKeyId>,
) -> Result<HttpResponse> {
    access.require(Permission::ApiKeysManage)?;
    keys.revoke(access.store_id, key_id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Replace an API key with a new secret, keeping the old one working for a while.
///
/// The new key has the old one's name and scopes and is shown once; the old secret works for
/// `expires_old_in` seconds more (at most 7 days; 0 stops it now). The caller must hold every
/// scope of the key.
#[utoipa::path(tag = "api-keys", security(("bearer" = [])), params(
    StorePath, ("key_id" = uuid::Uuid, Path, description = "The key")),
    request_body = RollApiKey, responses(
    (status = 201, description = "The new key and its secret", body = CreatedApiKey),
    (status = 404, description = "No such live key", body = crate::error::Problem, content_type = "application/problem+json"),
    (status = 422, description = "`expires_old_in` out of range", body = crate::error::Problem,
     content_type = "application/problem+json"),
))]
#[post("/stores/{store_id}/api-keys/{key_id}/roll")]
pub async fn roll_api_key(
    keys: ApiKeys,
    access: StoreAccess,
    InStore(key_id): InStore<ApiKeyId>,
    body: Json<RollApiKey>,
) -> Result<HttpResponse> {
    access.require(Permission::ApiKeysManage)?;
    let rolled = keys.roll(access.store_id, &access.access, access.on_behalf_of(), key_id, body.into_inner()).await?;
    Ok(HttpResponse::Created().json(rolled))
}

/// The store's invitations, newest first, with their status (`pending`, `accepted`, `revoked`, `expired`).
#[utoipa::path(tag = "members", security(("bearer" = [])), params(StorePath, PageParams),
    responses((status = 200, description = "A page of invitations", body = Page<Invitation>)))]
#[get("/stores/{store_id}/invitations")]
pub async fn list_invitations(
    members: Members,
    access: StoreAccess,
    page: Query<PageParams>,
) -> Result<web::Json<Page<Invitation>>> {
    access.require(Permission::MembersRead)?;
    Ok(web::Json(members.invitations(access.store_id, &page).await?))
}

/// Email an invitation again: a new link (the old one stops working) valid 14 days from now.
#[utoipa::path(tag = "members", security(("bearer" = [])), params(
    StorePath, ("invitation_id" = uuid::Uuid, Path, description = "The invitation")),
    responses(
    (status = 200, description = "The invitation", body = Invitation),
    (status = 409, description = "`invitation_closed`: accepted or revoked", body = crate::error::Problem,
     content_type = "application/problem+json"),
))]
#[post("/stores/{store_id}/invitations/{invitation_id}/resend")]
pub async fn resend_invitation(
    members: Members,
    access: StoreAccess,
    InStore(invitation_id): InStore<InvitationId>,
) -> Result<web::Json<Invitation>> {
    access.require(Permission::MembersManage)?;
    Ok(web::Json(members.resend_invitation(access.store_id, invitation_id).await?))
}

/// Revoke an invitation: its link stops working.
#[utoipa::path(tag = "members", security(("bearer" = [])), params(
    StorePath, ("invitation_id" = uuid::Uuid, Path, description = "The invitation")),
    responses(
    (status = 204, description = "Revoked"),
    (status = 409, description = "`invitation_closed`: already accepted", body = crate::error::Problem,
     content_type = "application/problem+json"),
))]
#[delete("/stores/{store_id}/invitations/{invitation_id}")]
pub async fn revoke_invitation(
    members: Members,
    access: StoreAccess,
    InStore(invitation_id): InStore<InvitationId>,
) -> Result<HttpResponse> {
    access.require(Permission::MembersManage)?;
    members.revoke_invitation(access.store_id, invitation_id).await?;
    Ok(HttpResponse::NoContent().finish())
}
