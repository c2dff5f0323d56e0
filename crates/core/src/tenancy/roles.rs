//! Custom roles: created, edited and deleted within the actor's own permissions, and what a
//! role name grants (built-in or custom).

use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use super::model::{CreateRole, Role, RoleRow, UpdateRole};
use super::permissions::{BuiltinRole, Permission, parse_list};
use crate::auth::{self, Access};
use crate::context::Core;
use crate::error::{Error, Result, Validator, is_unique_violation};
use crate::id::{RoleId, StoreId, UserId};
use crate::schema::{roles, store_members};

/// What a role name grants in the store (built-in or custom); an unknown name is a 422 on `role`.
pub(super) async fn role_permissions(
    conn: &mut AsyncPgConnection,
    store: StoreId,
    role: &str,
) -> Result<Vec<Permission>> {
    if let Some(builtin) = BuiltinRole::parse(role) {
        return Ok(builtin.permissions());
    }
    let found: Option<Vec<String>> = roles::table
        .filter(roles::store_id.eq(store.uuid()))
        .filter(roles::name.eq(role))
        .select(roles::permissions)
        .first(conn)
        .await
        .optional()?;
    let names = found.ok_or_else(|| {
        Error::field("role", "unknown_role", format!("`{role}` is neither a built-in nor a custom role"))
    })?;
    Ok(names.iter().filter_map(|p| Permission::parse(p)).collect())
}

/// Nobody grants, or acts on a member holding, a permission they do not hold themselves:
/// 403 naming the first one missing (owners hold every permission).
pub(super) fn require_holds(actor: &Access, granted: &[Permission]) -> Result<()> {
    match granted.iter().find(|p| !actor.permissions.contains(p)) {
        Some(missing) => Err(Error::Forbidden { permission: missing.as_str().to_owned() }),
        None => Ok(()),
    }
}

pub(super) async fn list(core: &Core, store: StoreId) -> Result<Vec<Role>> {
    let mut conn = core.pool.get().await?;
    let custom: Vec<RoleRow> = roles::table
        .filter(roles::store_id.eq(store.uuid()))
        .order(roles::name.asc())
        .select(RoleRow::as_select())
        .load(&mut conn)
        .await?;
    let builtin = [BuiltinRole::Owner, BuiltinRole::Admin, BuiltinRole::Staff, BuiltinRole::Viewer]
        .into_iter()
        .map(|r| Role { id: None, name: r.as_str().to_owned(), builtin: true, permissions: r.permissions() });
    Ok(builtin.chain(custom.into_iter().map(role_from_row)).collect())
}

pub(super) async fn create(core: &Core, store: StoreId, actor: &Access, req: CreateRole) -> Result<Role> {
    let mut v = Validator::new();
    let name_ok = (2..=40).contains(&req.name.len())
        && req.name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    v.check(name_ok, "name", "invalid_format", "must be 2-40 lowercase letters, digits, - or _");
    v.check(BuiltinRole::parse(&req.name).is_none(), "name", "reserved", "is the name of a built-in role");
    v.check(!req.permissions.is_empty(), "permissions", "required", "must name at least one permission");
    v.finish()?;
    let permissions = parse_list(&req.permissions, "permissions")?;
    require_holds(actor, &permissions)?;
    let names: Vec<String> = permissions.iter().map(|p| p.as_str().to_owned()).collect();
    let mut conn = core.pool.get().await?;
    let row: RoleRow = diesel::insert_into(roles::table)
        .values((
            roles::store_id.eq(store.uuid()),
            roles::id.eq(RoleId::new().uuid()),
            roles::name.eq(&req.name),
            roles::permissions.eq(&names),
        ))
        .returning(RoleRow::as_returning())
        .get_result(&mut conn)
        .await
        .map_err(|e| {
            if is_unique_violation(&e, "roles_store_name_key") {
                Error::conflict(crate::problems::ROLE_EXISTS, "name", "A role with this name already exists.")
            } else {
                e.into()
            }
        })?;
    Ok(role_from_row(row))
}

pub(super) async fn update(core: &Core, store: StoreId, actor: &Access, role: RoleId, req: UpdateRole) -> Result<Role> {
    let mut conn = core.pool.get().await?;
    let current = load_role(&mut conn, store, role).await?;
    let Some(names) = req.permissions else {
        return Ok(role_from_row(current));
    };
    let mut v = Validator::new();
    v.check(!names.is_empty(), "permissions", "required", "must name at least one permission");
    v.finish()?;
    let permissions = parse_list(&names, "permissions")?;
    // Who could not grant the role cannot reshape it either, up or down.
    let held: Vec<Permission> = current.permissions.iter().filter_map(|p| Permission::parse(p)).collect();
    require_holds(actor, &held)?;
    require_holds(actor, &permissions)?;
    let names: Vec<String> = permissions.iter().map(|p| p.as_str().to_owned()).collect();
    let row: RoleRow =
        diesel::update(roles::table.filter(roles::store_id.eq(store.uuid())).filter(roles::id.eq(role.uuid())))
            .set(roles::permissions.eq(&names))
            .returning(RoleRow::as_returning())
            .get_result(&mut conn)
            .await?;
    for user in holders(&mut conn, store, &row.name).await? {
        auth::forget_access(core, store, UserId(user)).await;
    }
    Ok(role_from_row(row))
}

pub(super) async fn delete(core: &Core, store: StoreId, actor: &Access, role: RoleId) -> Result<()> {
    let mut conn = core.pool.get().await?;
    let current = load_role(&mut conn, store, role).await?;
    let held: Vec<Permission> = current.permissions.iter().filter_map(|p| Permission::parse(p)).collect();
    require_holds(actor, &held)?;
    conn.transaction::<_, Error, _>(async |conn| {
        // Lock the role so nobody is given it between the count and the delete.
        let _: uuid::Uuid = roles::table
            .filter(roles::store_id.eq(store.uuid()))
            .filter(roles::id.eq(role.uuid()))
            .select(roles::id)
            .for_update()
            .first(conn)
            .await?;
        let holding = holders(conn, store, &current.name).await?.len();
        if holding > 0 {
            let who = if holding == 1 { "1 member holds".to_owned() } else { format!("{holding} members hold") };
            return Err(Error::Conflict {
                code: crate::problems::ROLE_IN_USE,
                detail: format!("{who} this role; give them another role first."),
                field: None,
            });
        }
        diesel::delete(roles::table.filter(roles::store_id.eq(store.uuid())).filter(roles::id.eq(role.uuid())))
            .execute(conn)
            .await?;
        Ok(())
    })
    .await
}

/// A custom role of the store.
async fn load_role(conn: &mut AsyncPgConnection, store: StoreId, role: RoleId) -> Result<RoleRow> {
    roles::table
        .filter(roles::store_id.eq(store.uuid()))
        .filter(roles::id.eq(role.uuid()))
        .select(RoleRow::as_select())
        .first(conn)
        .await
        .optional()?
        .ok_or_else(|| Error::not_found("role"))
}

/// The members holding a role name.
async fn holders(conn: &mut AsyncPgConnection, store: StoreId, name: &str) -> Result<Vec<uuid::Uuid>> {
    Ok(store_members::table
        .filter(store_members::store_id.eq(store.uuid()))
        .filter(store_members::role.eq(name))
        .select(store_members::user_id)
        .load(conn)
        .await?)
}

fn role_from_row(row: RoleRow) -> Role {
    Role {
        id: Some(RoleId(row.id)),
        name: row.name,
        builtin: false,
        permissions: row.permissions.iter().filter_map(|p| Permission::parse(p)).collect(),
    }
}
