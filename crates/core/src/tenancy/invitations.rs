//! Invitations: emailed with a single-use link, listed, resent, revoked, and lapsing after 14 days.
//!
//! An invitation becomes a membership in one of two ways, each proving the invitee owns the
//! address: its link, used by a signed-in account (`POST /v1/me/invitations/accept`), or the
//! verification of an account with the invited address. Signing up alone accepts nothing.

use chrono::{DateTime, Duration as ChronoDuration, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use super::allowances::{self, Countable};
use super::model::Invitation;
use super::permissions::BuiltinRole;
use crate::auth;
use crate::context::Core;
use crate::crypto::{random_token, sha256_hex};
use crate::db::lower;
use crate::error::{Error, Result};
use crate::id::{InvitationId, StoreId, UserId};
use crate::identity::emails::{self, AccountEmail, Locale};
use crate::pagination::{Page, PageParams};
use crate::schema::{invitations, store_members, stores, users};

/// How long an invitation (and each resent link) works.
pub const VALID_FOR: ChronoDuration = ChronoDuration::days(14);

/// An invitation row as the API reads it.
#[derive(Queryable, Selectable)]
#[diesel(table_name = invitations)]
struct Row {
    id: uuid::Uuid,
    email: String,
    role: String,
    invited_by: Option<uuid::Uuid>,
    created_at: DateTime<Utc>,
    sent_at: Option<DateTime<Utc>>,
    expires_at: DateTime<Utc>,
    accepted_at: Option<DateTime<Utc>>,
    revoked_at: Option<DateTime<Utc>>,
}

fn invitation(
    Row { id, email, role, invited_by, created_at, sent_at, expires_at, accepted_at, revoked_at }: Row,
) -> Invitation {
    let status = if accepted_at.is_some() {
        "accepted"
    } else if revoked_at.is_some() {
        "revoked"
    } else if expires_at <= Utc::now() {
        "expired"
    } else {
        "pending"
    };
    Invitation {
        id: InvitationId(id),
        email,
        role,
        status: status.to_owned(),
        invited_by: invited_by.map(UserId),
        created_at,
        sent_at,
        expires_at,
        accepted_at,
    }
}

async fn load(conn: &mut AsyncPgConnection, store: StoreId, id: InvitationId) -> Result<Invitation> {
    let row: Option<Row> = invitations::table
        .filter(invitations::store_id.eq(store.uuid()))
        .filter(invitations::id.eq(id.uuid()))
        .select(Row::as_select())
        .first(conn)
        .await
        .optional()?;
    row.map(invitation).ok_or_else(|| Error::not_found("invitation"))
}

/// Sets a new link on an invitation (voiding the old one), pushes its expiry out and queues its
/// email, in the caller's transaction.
async fn send(core: &Core, conn: &mut AsyncPgConnection, store: StoreId, id: InvitationId) -> Result<Invitation> {
    let token = random_token(32);
    let now = Utc::now();
    let (email, role, invited_by): (String, String, Option<uuid::Uuid>) = diesel::update(
        invitations::table.filter(invitations::store_id.eq(store.uuid())).filter(invitations::id.eq(id.uuid())),
    )
    .set((
        invitations::token_hash.eq(Some(sha256_hex(token.as_bytes()))),
        invitations::sent_at.eq(Some(now)),
        invitations::expires_at.eq(now + VALID_FOR),
    ))
    .returning((invitations::email, invitations::role, invitations::invited_by))
    .get_result(conn)
    .await?;
    let store_name: String = stores::table.find(store.uuid()).select(stores::name).first(conn).await?;
    let inviter: Option<(String, String)> = match invited_by {
        Some(user) => users::table.find(user).select((users::name, users::locale)).first(conn).await.optional()?,
        None => None,
    };
    let locale = inviter.as_ref().map_or(Locale::PtBr, |(_, locale)| Locale::parse(locale));
    let message = AccountEmail::Invitation {
        store: store_name,
        inviter: inviter.map(|(name, _)| name),
        role,
        link: emails::link(core, "invitations/accept", &token),
        expires_at: now + VALID_FOR,
    };
    emails::queue(core, conn, &email, locale, &message).await?;
    load(conn, store, id).await
}

/// Invites `email` to `store` with `role` and emails the link. A pending invitation of the same
/// address is replaced (its old link stops working).
pub async fn create(
    core: &Core,
    conn: &mut AsyncPgConnection,
    store: StoreId,
    email: &str,
    role: &str,
    invited_by: Option<UserId>,
) -> Result<Invitation> {
    conn.transaction::<_, Error, _>(async |conn| {
        let seats = allowances::lock(conn, store, Countable::StaffSeats).await?;
        seats.admit(allowances::seats_used(conn, store, Some(email)).await?)?;
        diesel::update(
            invitations::table
                .filter(invitations::store_id.eq(store.uuid()))
                .filter(lower(invitations::email).eq(email))
                .filter(invitations::accepted_at.is_null())
                .filter(invitations::revoked_at.is_null()),
        )
        .set(invitations::revoked_at.eq(Some(Utc::now())))
        .execute(conn)
        .await?;
        let id = InvitationId::new();
        diesel::insert_into(invitations::table)
            .values((
                invitations::store_id.eq(store.uuid()),
                invitations::id.eq(id.uuid()),
                invitations::email.eq(email),
                invitations::role.eq(role),
                invitations::invited_by.eq(invited_by.map(UserId::uuid)),
                invitations::expires_at.eq(Utc::now() + VALID_FOR),
            ))
            .execute(conn)
            .await?;
        send(core, conn, store, id).await
    })
    .await
}

/// A store's invitations, newest first by id (pending, expired, accepted and revoked).
pub async fn list(core: &Core, store: StoreId, page: &PageParams) -> Result<Page<Invitation>> {
    let req = page.parse::<uuid::Uuid>()?;
    let mut conn = core.pool.get().await?;
    let mut query = invitations::table
        .filter(invitations::store_id.eq(store.uuid()))
        .select(Row::as_select())
        .order(invitations::id.desc())
        .limit(req.fetch_limit())
        .into_boxed();
    if let Some(after) = req.after {
        query = query.filter(invitations::id.lt(after));
    }
    let rows: Vec<Row> = query.load(&mut conn).await?;
    Ok(req.page(rows, |r| r.id)?.map(invitation))
}

/// Sends a pending (or expired) invitation again with a new link and a new expiry.
pub async fn resend(core: &Core, store: StoreId, id: InvitationId) -> Result<Invitation> {
    let mut conn = core.pool.get().await?;
    conn.transaction::<_, Error, _>(async |conn| {
        let current = load(conn, store, id).await?;
        if current.accepted_at.is_some() || current.status == "revoked" {
            return Err(Error::Conflict {
                code: crate::problems::INVITATION_CLOSED,
                detail: format!("The invitation was {}; invite the address again instead.", current.status),
                field: None,
            });
        }
        send(core, conn, store, id).await
    })
    .await
}

/// Revokes an invitation: its link stops working. An accepted one is 409.
pub async fn revoke(core: &Core, store: StoreId, id: InvitationId) -> Result<()> {
    let mut conn = core.pool.get().await?;
    let current = load(&mut conn, store, id).await?;
    if current.accepted_at.is_some() {
        return Err(Error::Conflict {
            code: crate::problems::INVITATION_CLOSED,
            detail: "The invitation was accepted; remove the member instead.".into(),
            field: None,
        });
    }
    diesel::update(
        invitations::table.filter(invitations::store_id.eq(store.uuid())).filter(invitations::id.eq(id.uuid())),
    )
    .set(invitations::revoked_at.eq(Some(Utc::now())))
    .execute(&mut conn)
    .await?;
    Ok(())
}

async fn is_member(conn: &mut AsyncPgConnection, store: uuid::Uuid, user: UserId) -> Result<bool> {
    let found: Option<uuid::Uuid> =
        store_members::table.find((store, user.uuid())).select(store_members::user_id).first(conn).await.optional()?;
    Ok(found.is_some())
}

async fn members_count(conn: &mut AsyncPgConnection, store: uuid::Uuid) -> Result<i64> {
    Ok(store_members::table.filter(store_members::store_id.eq(store)).count().get_result(conn).await?)
}

async fn join(conn: &mut AsyncPgConnection, store: uuid::Uuid, id: uuid::Uuid, user: UserId, role: &str) -> Result<()> {
    diesel::insert_into(store_members::table)
        .values((
            store_members::store_id.eq(store),
            store_members::user_id.eq(user.uuid()),
            store_members::role.eq(role),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    diesel::update(invitations::table.filter(invitations::store_id.eq(store)).filter(invitations::id.eq(id)))
        .set((invitations::accepted_at.eq(Some(Utc::now())), invitations::accepted_by.eq(Some(user.uuid()))))
        .execute(conn)
        .await?;
    Ok(())
}

/// Accepts the invitation a link's token names for the signed-in `user`; returns the store.
///
/// The token proves the address: a user whose own address is the invited one is verified by
/// it. An owner role needs a verified account.
pub async fn accept(core: &Core, user: UserId, token: &str) -> Result<StoreId> {
    let invalid = || Error::field("token", "invalid", "is unknown, expired, revoked or already used");
    let token = token.trim();
    if token.is_empty() || token.len() > 200 {
        return Err(invalid());
    }
    let mut conn = core.pool.get().await?;
    let hash = sha256_hex(token.as_bytes());
    let store = conn
        .transaction::<_, Error, _>(async |conn| {
            // The seat lock first, then the invitation's row: the order inviting takes them in.
            let named: Option<uuid::Uuid> = invitations::table
                .filter(invitations::token_hash.eq(&hash))
                .select(invitations::store_id)
                .first(conn)
                .await
                .optional()?;
            let seats = allowances::lock(conn, StoreId(named.ok_or_else(invalid)?), Countable::StaffSeats).await?;
            let found: Option<(uuid::Uuid, uuid::Uuid, String, String)> = invitations::table
                .inner_join(stores::table.on(stores::id.eq(invitations::store_id)))
                .filter(invitations::token_hash.eq(&hash))
                .filter(invitations::accepted_at.is_null())
                .filter(invitations::revoked_at.is_null())
                .filter(invitations::expires_at.gt(Utc::now()))
                .filter(stores::deleted_at.is_null())
                .select((invitations::store_id, invitations::id, invitations::email, invitations::role))
                .for_update()
                .first(conn)
                .await
                .optional()?;
            let (store, id, invited, role) = found.ok_or_else(invalid)?;
            let (email, verified): (String, Option<DateTime<Utc>>) =
                users::table.find(user.uuid()).select((users::email, users::email_verified_at)).first(conn).await?;
            let verified = if verified.is_none() && email.eq_ignore_ascii_case(&invited) {
                diesel::update(users::table.find(user.uuid()))
                    .set(users::email_verified_at.eq(Some(Utc::now())))
                    .execute(conn)
                    .await?;
                true
            } else {
                verified.is_some()
            };
            if role.as_str() == BuiltinRole::Owner.as_str() && !verified {
                return Err(unverified());
            }
            // The invitation held a seat; a member takes it only while the plan still has it.
            if !is_member(conn, store, user).await? {
                seats.admit(members_count(conn, store).await?)?;
            }
            join(conn, store, id, user, &role).await?;
            Ok(StoreId(store))
        })
        .await?;
    auth::forget_access(core, store, user).await;
    Ok(store)
}

/// The refusal for an account that has not verified its address.
pub fn unverified() -> Error {
    Error::Denied {
        code: crate::problems::EMAIL_UNVERIFIED,
        detail: "Verify your email address first (the link sent at signup; POST /v1/auth/verify-email/resend).".into(),
    }
}

/// Turns the pending invitations of a just-verified address into memberships (inside the
/// verification's transaction); returns the stores joined.
pub async fn accept_for(conn: &mut AsyncPgConnection, user: UserId, email: &str) -> Result<Vec<StoreId>> {
    let pending: Vec<(uuid::Uuid, uuid::Uuid, String)> = invitations::table
        .inner_join(stores::table.on(stores::id.eq(invitations::store_id)))
        .filter(lower(invitations::email).eq(email.to_lowercase()))
        .filter(invitations::accepted_at.is_null())
        .filter(invitations::revoked_at.is_null())
        .filter(invitations::expires_at.gt(Utc::now()))
        .filter(stores::deleted_at.is_null())
        .select((invitations::store_id, invitations::id, invitations::role))
        // Seat locks in one order, so two verifications never wait on each other.
        .order(invitations::store_id.asc())
        .load(conn)
        .await?;
    let mut joined = Vec::with_capacity(pending.len());
    for (store, id, role) in pending {
        // A store whose plan has no seat left keeps the invitation open (its link answers why).
        let seats = allowances::lock(conn, StoreId(store), Countable::StaffSeats).await?;
        if seats.admit(members_count(conn, store).await?).is_err() {
            continue;
        }
        join(conn, store, id, user, &role).await?;
        joined.push(StoreId(store));
    }
    Ok(joined)
}
