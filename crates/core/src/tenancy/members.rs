//! Members (invitations are in [`super::invitations`], custom roles in [`super::roles`]).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use super::allowances::{self, Countable};
use super::invitations;
use super::model::{
    AddMember, CreateRole, Invitation, JoinedStore, Member, MemberAdded, Role, UpdateMember, UpdateRole,
};
use super::permissions::BuiltinRole;
use super::roles::{self, require_holds, role_permissions};
use crate::auth::{self, Access};
use crate::context::Core;
use crate::db::lower;
use crate::error::{Error, Result, Validator, is_unique_violation};
use crate::id::{InvitationId, RoleId, StoreId, UserId};
use crate::identity::validate::{email_is_valid, normalize_email};
use crate::pagination::{Page, PageParams};
use crate::schema::{api_keys, store_members, stores, users};

/// Who belongs to a store and what they may do.
#[async_trait]
pub trait MemberService: Send + Sync {
    /// Members, ordered by user id.
    async fn list(&self, store: StoreId, page: &PageParams) -> Result<Page<Member>>;
    /// Adds a registered user, or invites an unknown email.
    async fn add(
        &self,
        store: StoreId,
        actor: &Access,
        invited_by: Option<UserId>,
        req: AddMember,
    ) -> Result<MemberAdded>;
    /// Changes a member's role.
    async fn update(&self, store: StoreId, actor: &Access, user: UserId, req: UpdateMember) -> Result<Member>;
    /// Removes a member; the last owner cannot be removed or demoted.
    async fn remove(&self, store: StoreId, actor: &Access, user: UserId) -> Result<()>;
    /// Built-in and custom roles.
    async fn roles(&self, store: StoreId) -> Result<Vec<Role>>;
    /// Creates a custom role granting only permissions the actor holds.
    async fn create_role(&self, store: StoreId, actor: &Access, req: CreateRole) -> Result<Role>;
    /// Replaces a custom role's permissions (within the actor's, and the role's old ones too).
    async fn update_role(&self, store: StoreId, actor: &Access, role: RoleId, req: UpdateRole) -> Result<Role>;
    /// Deletes a custom role nobody holds (409 `role_in_use` with how many do).
    async fn delete_role(&self, store: StoreId, actor: &Access, role: RoleId) -> Result<()>;
    /// The store's invitations, newest first, with their status.
    async fn invitations(&self, store: StoreId, page: &PageParams) -> Result<Page<Invitation>>;
    /// Emails an invitation again with a new link (the old one stops working) and a new expiry.
    async fn resend_invitation(&self, store: StoreId, id: InvitationId) -> Result<Invitation>;
    /// Revokes an invitation: its link stops working.
    async fn revoke_invitation(&self, store: StoreId, id: InvitationId) -> Result<()>;
    /// Accepts the invitation an emailed link's token names, for the signed-in `user`.
    async fn accept_invitation(&self, user: UserId, token: &str) -> Result<JoinedStore>;
}

/// [`MemberService`] on PostgreSQL.
pub struct PgMemberService {
    core: Core,
}

impl PgMemberService {
    /// A service on the shared handles.
    pub fn new(core: Core) -> Self {
        Self { core }
    }
}

type MemberTuple = (uuid::Uuid, String, String, String, DateTime<Utc>);

fn member((user_id, email, name, role, created_at): MemberTuple) -> Member {
    Member { user_id: UserId(user_id), email, name, role, created_at }
}

async fn load_member(conn: &mut AsyncPgConnection, store: StoreId, user: UserId) -> Result<Member> {
    let row: Option<MemberTuple> = store_members::table
        .inner_join(users::table.on(users::id.eq(store_members::user_id)))
        .filter(store_members::store_id.eq(store.uuid()))
        .filter(store_members::user_id.eq(user.uuid()))
        .select((users::id, users::email, users::name, store_members::role, store_members::created_at))
        .first(conn)
        .await
        .optional()?;
    row.map(member).ok_or_else(|| Error::not_found("member"))
}

fn is_owner(actor: &Access) -> bool {
    actor.role.as_deref() == Some(BuiltinRole::Owner.as_str())
}

fn require_owner_for(actor: &Access, roles: &[&str]) -> Result<()> {
    if roles.contains(&BuiltinRole::Owner.as_str()) && !is_owner(actor) {
        return Err(Error::Forbidden { permission: "owner role".into() });
    }
    Ok(())
}

/// Whether `user` is a member of `store` (any role).
pub async fn is_member(conn: &mut AsyncPgConnection, store: StoreId, user: UserId) -> Result<bool> {
    let found: Option<uuid::Uuid> = store_members::table
        .filter(store_members::store_id.eq(store.uuid()))
        .filter(store_members::user_id.eq(user.uuid()))
        .select(store_members::user_id)
        .first(conn)
        .await
        .optional()?;
    Ok(found.is_some())
}

/// The email addresses of a store's owners, for notices about the store (in user id order).
pub async fn owner_emails(conn: &mut AsyncPgConnection, store: StoreId) -> Result<Vec<String>> {
    Ok(store_members::table
        .inner_join(users::table)
        .filter(store_members::store_id.eq(store.uuid()))
        .filter(store_members::role.eq(BuiltinRole::Owner.as_str()))
        .order(users::id.asc())
        .select(users::email)
        .load(conn)
        .await?)
}

/// Locks the store row and fails when `user` is its only owner.
async fn guard_last_owner(conn: &mut AsyncPgConnection, store: StoreId, user: UserId) -> Result<()> {
    let _: uuid::Uuid = stores::table.find(store.uuid()).select(stores::id).for_update().first(conn).await?;
    let owners: Vec<uuid::Uuid> = store_members::table
        .filter(store_members::store_id.eq(store.uuid()))
        .filter(store_members::role.eq(BuiltinRole::Owner.as_str()))
        .select(store_members::user_id)
        .load(conn)
        .await?;
    if owners == [user.uuid()] {
        return Err(Error::Conflict {
            code: crate::problems::LAST_OWNER,
            detail: "A store needs at least one owner: make someone else owner first.".into(),
            field: None,
        });
    }
    Ok(())
}

#[async_trait]
impl MemberService for PgMemberService {
    async fn list(&self, store: StoreId, page: &PageParams) -> Result<Page<Member>> {
        let req = page.parse::<uuid::Uuid>()?;
        let mut conn = self.core.pool.get().await?;
        let mut query = store_members::table
            .inner_join(users::table.on(users::id.eq(store_members::user_id)))
            .filter(store_members::store_id.eq(store.uuid()))
            .select((users::id, users::email, users::name, store_members::role, store_members::created_at))
            .order(store_members::user_id.asc())
            .limit(req.fetch_limit())
            .into_boxed();
        if let Some(after) = req.after {
            query = query.filter(store_members::user_id.gt(after));
        }
        let rows: Vec<MemberTuple> = query.load(&mut conn).await?;
        Ok(req.page(rows, |r| r.0)?.map(member))
    }

    async fn add(
        &self,
        store: StoreId,
        actor: &Access,
        invited_by: Option<UserId>,
        req: AddMember,
    ) -> Result<MemberAdded> {
        let email = normalize_email(&req.email);
        let mut v = Validator::new();
        v.check(email_is_valid(&email), "email", "invalid_format", "must be an email address");
        v.finish()?;
        require_owner_for(actor, &[&req.role])?;
        let mut conn = self.core.pool.get().await?;
        require_holds(actor, &role_permissions(&mut conn, store, &req.role).await?)?;
        // A verified account joins at once; any other address is emailed an invitation, so
        // nobody joins a store through an address they have not proven.
        let user: Option<uuid::Uuid> = users::table
            .filter(lower(users::email).eq(&email))
            .filter(users::email_verified_at.is_not_null())
            .select(users::id)
            .first(&mut conn)
            .await
            .optional()?;
        let Some(user) = user else {
            let invitation = invitations::create(&self.core, &mut conn, store, &email, &req.role, invited_by).await?;
            return Ok(MemberAdded::Invitation(invitation));
        };
        let already =
            || Error::conflict(crate::problems::ALREADY_MEMBER, "email", "This user is already a member of the store.");
        conn.transaction::<_, Error, _>(async |conn| {
            let seats = allowances::lock(conn, store, Countable::StaffSeats).await?;
            if is_member(conn, store, UserId(user)).await? {
                return Err(already());
            }
            seats.admit(allowances::seats_used(conn, store, Some(&email)).await?)?;
            diesel::insert_into(store_members::table)
                .values((
                    store_members::store_id.eq(store.uuid()),
                    store_members::user_id.eq(user),
                    store_members::role.eq(&req.role),
                ))
                .execute(conn)
                .await
                .map_err(|e| if is_unique_violation(&e, "store_members_pkey") { already() } else { e.into() })?;
            Ok(())
        })
        .await?;
        auth::forget_access(&self.core, store, UserId(user)).await;
        Ok(MemberAdded::Member(load_member(&mut conn, store, UserId(user)).await?))
    }

    async fn update(&self, store: StoreId, actor: &Access, user: UserId, req: UpdateMember) -> Result<Member> {
        let mut conn = self.core.pool.get().await?;
        let current = load_member(&mut conn, store, user).await?;
        let Some(role) = req.role else {
            return Ok(current);
        };
        require_owner_for(actor, &[&role, &current.role])?;
        require_holds(actor, &role_permissions(&mut conn, store, &role).await?)?;
        if role == BuiltinRole::Owner.as_str() && role != current.role {
            let verified: Option<DateTime<Utc>> =
                users::table.find(user.uuid()).select(users::email_verified_at).first(&mut conn).await?;
            if verified.is_none() {
                return Err(invitations::unverified());
            }
        }
        if let Ok(held) = role_permissions(&mut conn, store, &current.role).await {
            require_holds(actor, &held)?;
        }
        conn.transaction::<_, Error, _>(async |conn| {
            if current.role == BuiltinRole::Owner.as_str() && role != current.role {
                guard_last_owner(conn, store, user).await?;
            }
            diesel::update(
                store_members::table
                    .filter(store_members::store_id.eq(store.uuid()))
                    .filter(store_members::user_id.eq(user.uuid())),
            )
            .set((store_members::role.eq(&role), store_members::updated_at.eq(Utc::now())))
            .execute(conn)
            .await?;
            Ok(())
        })
        .await?;
        auth::forget_access(&self.core, store, user).await;
        load_member(&mut conn, store, user).await
    }

    async fn remove(&self, store: StoreId, actor: &Access, user: UserId) -> Result<()> {
        let mut conn = self.core.pool.get().await?;
        let current = load_member(&mut conn, store, user).await?;
        require_owner_for(actor, &[&current.role])?;
        if let Ok(held) = role_permissions(&mut conn, store, &current.role).await {
            require_holds(actor, &held)?;
        }
        let revoked = conn
            .transaction::<_, Error, _>(async |conn| {
                if current.role == BuiltinRole::Owner.as_str() {
                    guard_last_owner(conn, store, user).await?;
                }
                diesel::delete(
                    store_members::table
                        .filter(store_members::store_id.eq(store.uuid()))
                        .filter(store_members::user_id.eq(user.uuid())),
                )
                .execute(conn)
                .await?;
                // Their API keys go with them.
                let hashes: Vec<String> = diesel::update(
                    api_keys::table
                        .filter(api_keys::store_id.eq(store.uuid()))
                        .filter(api_keys::created_by.eq(user.uuid()))
                        .filter(api_keys::revoked_at.is_null()),
                )
                .set(api_keys::revoked_at.eq(Utc::now()))
                .returning(api_keys::secret_hash)
                .get_results(conn)
                .await?;
                Ok(hashes)
            })
            .await?;
        auth::forget_access(&self.core, store, user).await;
        for hash in revoked {
            auth::forget(&self.core, &hash).await;
        }
        Ok(())
    }

    async fn roles(&self, store: StoreId) -> Result<Vec<Role>> {
        roles::list(&self.core, store).await
    }

    async fn create_role(&self, store: StoreId, actor: &Access, req: CreateRole) -> Result<Role> {
        roles::create(&self.core, store, actor, req).await
    }

    async fn update_role(&self, store: StoreId, actor: &Access, role: RoleId, req: UpdateRole) -> Result<Role> {
        roles::update(&self.core, store, actor, role, req).await
    }

    async fn delete_role(&self, store: StoreId, actor: &Access, role: RoleId) -> Result<()> {
        roles::delete(&self.core, store, actor, role).await
    }

    async fn invitations(&self, store: StoreId, page: &PageParams) -> Result<Page<Invitation>> {
        invitations::list(&self.core, store, page).await
    }

    async fn resend_invitation(&self, store: StoreId, id: InvitationId) -> Result<Invitation> {
        invitations::resend(&self.core, store, id).await
    }

    async fn revoke_invitation(&self, store: StoreId, id: InvitationId) -> Result<()> {
        invitations::revoke(&self.core, store, id).await
    }

    async fn accept_invitation(&self, user: UserId, token: &str) -> Result<JoinedStore> {
        let store = invitations::accept(&self.core, user, token).await?;
        let mut conn = self.core.pool.get().await?;
        let member = load_member(&mut conn, store, user).await?;
        Ok(JoinedStore { store_id: store, role: member.role })
    }
}
