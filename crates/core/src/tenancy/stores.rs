//! Stores: create (the caller becomes owner), list mine, read, update, delete.

use async_trait::async_trait;
use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};

use super::events::{STORE_CREATED, STORE_DELETED, StoreDeleted};
use super::model::{CreateStore, Store, StoreRow, UpdateStore};
use super::permissions::BuiltinRole;
use crate::auth;
use crate::cache::{get_json, set_json};
use crate::context::Core;
use crate::error::{Error, Result, Validator, is_unique_violation};
use crate::events;
use crate::id::{StoreId, UserId};
use crate::money::Currency;
use crate::pagination::{Page, PageParams};
use crate::schema::{api_keys, store_members, stores, users};

/// The tenants.
#[async_trait]
pub trait StoreService: Send + Sync {
    /// Creates a store with `owner` as its first owner (who must have verified their email).
    async fn create(&self, owner: UserId, req: CreateStore) -> Result<Store>;
    /// The stores `user` is a member of, oldest first.
    async fn list_for_user(&self, user: UserId, page: &PageParams) -> Result<Page<Store>>;
    /// One store.
    async fn get(&self, id: StoreId) -> Result<Store>;
    /// A live store by its slug (the storefront's address).
    async fn get_by_slug(&self, slug: &str) -> Result<Store>;
    /// Changes name, slug or time zone.
    async fn update(&self, id: StoreId, req: UpdateStore) -> Result<Store>;
    /// Deletes a store: every credential for it stops working at once.
    async fn delete(&self, id: StoreId) -> Result<()>;
}

/// [`StoreService`] on PostgreSQL.
pub struct PgStoreService {
    core: Core,
}

impl PgStoreService {
    /// A service on the shared handles.
    pub fn new(core: Core) -> Self {
        Self { core }
    }
}

/// How long a slug's store is remembered; renaming or deleting the store forgets it at once.
const SLUG_TTL: std::time::Duration = std::time::Duration::from_secs(60);

pub(crate) fn slug_key(slug: &str) -> String {
    format!("tenancy:slug:{slug}")
}

/// Whether a slug is 3 to 48 lowercase letters, digits and inner hyphens.
pub fn slug_is_valid(slug: &str) -> bool {
    (3..=48).contains(&slug.len())
        && slug.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !slug.starts_with('-')
        && !slug.ends_with('-')
        && !slug.contains("--")
}

fn check_slug(v: &mut Validator, slug: &str) {
    v.check(slug_is_valid(slug), "slug", "invalid_format", "must be 3-48 lowercase letters, digits and single hyphens");
}

fn check_timezone(v: &mut Validator, tz: &str) {
    v.check(
        tz.parse::<chrono_tz::Tz>().is_ok(),
        "timezone",
        "invalid",
        "must be an IANA time zone such as America/Sao_Paulo",
    );
}

fn slug_taken(e: diesel::result::Error) -> Error {
    if is_unique_violation(&e, "stores_slug_key") {
        Error::conflict(crate::problems::SLUG_TAKEN, "slug", "Another store already uses this slug.")
    } else {
        e.into()
    }
}

#[async_trait]
impl StoreService for PgStoreService {
    async fn create(&self, owner: UserId, req: CreateStore) -> Result<Store> {
        let timezone = req.timezone.unwrap_or_else(|| "America/Sao_Paulo".to_owned());
        let currency = req.currency.unwrap_or_else(|| "BRL".to_owned());
        let mut v = Validator::new();
        v.length(&req.name, "name", 1, 100);
        check_slug(&mut v, &req.slug);
        check_timezone(&mut v, &timezone);
        v.check(Currency::parse(&currency).is_some(), "currency", "unsupported", "must be BRL, USD or EUR");
        v.finish()?;
        let id = StoreId::new();
        let now = Utc::now();
        let mut conn = self.core.pool.get().await?;
        let verified: Option<chrono::DateTime<Utc>> =
            users::table.find(owner.uuid()).select(users::email_verified_at).first(&mut conn).await?;
        if verified.is_none() {
            return Err(super::invitations::unverified());
        }
        let row = conn
            .transaction::<_, Error, _>(async |conn| {
                let row: StoreRow = diesel::insert_into(stores::table)
                    .values((
                        stores::id.eq(id.uuid()),
                        stores::name.eq(req.name.trim()),
                        stores::slug.eq(&req.slug),
                        stores::timezone.eq(&timezone),
                        stores::currency.eq(&currency),
                        stores::created_at.eq(now),
                        stores::updated_at.eq(now),
                    ))
                    .returning(StoreRow::as_returning())
                    .get_result(conn)
                    .await
                    .map_err(slug_taken)?;
                diesel::insert_into(store_members::table)
                    .values((
                        store_members::store_id.eq(id.uuid()),
                        store_members::user_id.eq(owner.uuid()),
                        store_members::role.eq(BuiltinRole::Owner.as_str()),
                    ))
                    .execute(conn)
                    .await?;
                let store = Store::from(row.clone());
                events::emit(conn, Some(id), &STORE_CREATED, &store).await?;
                Ok(row)
            })
            .await?;
        Ok(row.into())
    }

    async fn list_for_user(&self, user: UserId, page: &PageParams) -> Result<Page<Store>> {
        let req = page.parse::<uuid::Uuid>()?;
        let mut conn = self.core.pool.get().await?;
        let mut query = stores::table
            .inner_join(store_members::table.on(store_members::store_id.eq(stores::id)))
            .filter(store_members::user_id.eq(user.uuid()))
            .filter(stores::deleted_at.is_null())
            .select(StoreRow::as_select())
            .order(stores::id.asc())
            .limit(req.fetch_limit())
            .into_boxed();
        if let Some(after) = req.after {
            query = query.filter(stores::id.gt(after));
        }
        let rows = query.load(&mut conn).await?;
        Ok(req.page(rows, |r| r.id)?.map(Store::from))
    }

    async fn get(&self, id: StoreId) -> Result<Store> {
        let mut conn = self.core.pool.get().await?;
        let row: Option<StoreRow> = stores::table
            .find(id.uuid())
            .filter(stores::deleted_at.is_null())
            .select(StoreRow::as_select())
            .first(&mut conn)
            .await
            .optional()?;
        row.map(Store::from).ok_or_else(|| Error::not_found("store"))
    }

    async fn get_by_slug(&self, slug: &str) -> Result<Store> {
        let key = slug_key(slug);
        if let Some(store) = get_json::<Store>(self.core.cache.as_ref(), &key).await {
            return Ok(store);
        }
        let mut conn = self.core.pool.get().await?;
        let row: Option<StoreRow> = stores::table
            .filter(stores::slug.eq(slug))
            .filter(stores::deleted_at.is_null())
            .select(StoreRow::as_select())
            .first(&mut conn)
            .await
            .optional()?;
        let store = row.map(Store::from).ok_or_else(|| Error::not_found("store"))?;
        set_json(self.core.cache.as_ref(), &key, &store, SLUG_TTL).await;
        Ok(store)
    }

    async fn update(&self, id: StoreId, req: UpdateStore) -> Result<Store> {
        if crate::patch::is_empty(&req) {
            return self.get(id).await;
        }
        let mut v = Validator::new();
        if let Some(name) = &req.name {
            v.length(name, "name", 1, 100);
        }
        if let Some(slug) = &req.slug {
            check_slug(&mut v, slug);
        }
        if let Some(tz) = &req.timezone {
            check_timezone(&mut v, tz);
        }
        if let Some(minutes) = req.unpaid_hold_minutes {
            v.check((5..=1440).contains(&minutes), "unpaid_hold_minutes", "out_of_range", "must be 5 to 1440 minutes");
        }
        v.finish()?;
        let mut conn = self.core.pool.get().await?;
        // Only a new slug leaves an old one to forget.
        let before: Option<String> = match req.slug {
            Some(_) => stores::table.find(id.uuid()).select(stores::slug).first(&mut conn).await.optional()?,
            None => None,
        };
        let target = stores::table.find(id.uuid()).filter(stores::deleted_at.is_null());
        let row: Option<StoreRow> = diesel::update(target)
            .set((
                req.name.as_deref().map(|n| stores::name.eq(n.trim().to_owned())),
                req.slug.map(|s| stores::slug.eq(s)),
                req.timezone.map(|t| stores::timezone.eq(t)),
                req.unpaid_hold_minutes.map(|m| stores::unpaid_hold_minutes.eq(Some(m))),
                stores::updated_at.eq(Utc::now()),
            ))
            .returning(StoreRow::as_returning())
            .get_result(&mut conn)
            .await
            .optional()
            .map_err(slug_taken)?;
        let store = row.map(Store::from).ok_or_else(|| Error::not_found("store"))?;
        // The old slug names nothing now (or another store soon); the new one names this store.
        for slug in before.iter().chain([&store.slug]) {
            self.core.cache.delete(&slug_key(slug)).await;
        }
        Ok(store)
    }

    async fn delete(&self, id: StoreId) -> Result<()> {
        let mut conn = self.core.pool.get().await?;
        let (members, keys, slug) = conn
            .transaction::<_, Error, _>(async |conn| {
                let slug: Option<String> =
                    diesel::update(stores::table.find(id.uuid()).filter(stores::deleted_at.is_null()))
                        .set(stores::deleted_at.eq(Utc::now()))
                        .returning(stores::slug)
                        .get_result(conn)
                        .await
                        .optional()?;
                let Some(slug) = slug else { return Err(Error::not_found("store")) };
                let members: Vec<uuid::Uuid> = store_members::table
                    .filter(store_members::store_id.eq(id.uuid()))
                    .select(store_members::user_id)
                    .load(conn)
                    .await?;
                let keys: Vec<String> = diesel::update(
                    api_keys::table.filter(api_keys::store_id.eq(id.uuid())).filter(api_keys::revoked_at.is_null()),
                )
                .set(api_keys::revoked_at.eq(Utc::now()))
                .returning(api_keys::secret_hash)
                .get_results(conn)
                .await?;
                events::emit(conn, Some(id), &STORE_DELETED, &StoreDeleted { id }).await?;
                Ok((members, keys, slug))
            })
            .await?;
        self.core.cache.delete(&slug_key(&slug)).await;
        for user in members {
            auth::forget_access(&self.core, id, UserId(user)).await;
        }
        for hash in keys {
            auth::forget(&self.core, &hash).await;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert!(slug_is_valid("doceria-da-ana"));
        assert!(slug_is_valid("loja1"));
        assert!(!slug_is_valid("ab"));
        assert!(!slug_is_valid("Loja"));
        assert!(!slug_is_valid("-loja"));
        assert!(!slug_is_valid("lo--ja"));
    }
}
