//! Categories: a tree per store, with slugs unique per store and no cycles.

use async_trait::async_trait;
use balcao_core::Core;
use balcao_core::error::{Error, Result, Validator, is_unique_violation};
use balcao_core::id::StoreId;
use balcao_core::pagination::{Page, PageParams};
use chrono::Utc;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Uuid as SqlUuid};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use super::cache;
use super::model::{Category, CategoryRow, CreateCategory, UpdateCategory};
use super::slugs;
use crate::ids::CategoryId;
use crate::schema::categories;

/// A store's categories.
#[async_trait]
pub trait CategoryService: Send + Sync {
    /// Categories ordered by id (creation).
    async fn list(&self, store: StoreId, page: &PageParams) -> Result<Page<Category>>;
    /// Every category of the store, for the storefront's tree.
    async fn all(&self, store: StoreId) -> Result<Vec<Category>>;
    /// One category.
    async fn get(&self, store: StoreId, id: CategoryId) -> Result<Category>;
    /// Creates a category.
    async fn create(&self, store: StoreId, req: CreateCategory) -> Result<Category>;
    /// Changes a category; moving it under itself or a descendant is refused.
    async fn update(&self, store: StoreId, id: CategoryId, req: UpdateCategory) -> Result<Category>;
    /// Deletes a category without children (its products stay, unlinked).
    async fn delete(&self, store: StoreId, id: CategoryId) -> Result<()>;
}

/// [`CategoryService`] on PostgreSQL.
pub struct PgCategoryService {
    core: Core,
}

impl PgCategoryService {
    /// A service on the shared handles.
    pub fn new(core: Core) -> Self {
        Self { core }
    }
}

fn slug_taken(e: diesel::result::Error) -> Error {
    if is_unique_violation(&e, "categories_store_slug_key") {
        Error::conflict(balcao_core::problems::SLUG_TAKEN, "slug", "Another category of this store uses this slug.")
    } else {
        e.into()
    }
}

async fn load(conn: &mut AsyncPgConnection, store: StoreId, id: CategoryId) -> Result<CategoryRow> {
    categories::table
        .filter(categories::store_id.eq(store.uuid()))
        .filter(categories::id.eq(id.uuid()))
        .select(CategoryRow::as_select())
        .first(conn)
        .await
        .optional()?
        .ok_or_else(|| Error::not_found("category"))
}

async fn check_parent(conn: &mut AsyncPgConnection, store: StoreId, parent: CategoryId) -> Result<()> {
    load(conn, store, parent)
        .await
        .map(|_| ())
        .map_err(|_| Error::field("parent_id", "unknown_category", "is not a category of this store"))
}

#[derive(QueryableByName)]
struct Cycle {
    #[diesel(sql_type = Bool)]
    cycle: bool,
}

/// Whether `category` is `parent` or one of its ancestors (moving it there would make a cycle).
async fn would_cycle(
    conn: &mut AsyncPgConnection,
    store: StoreId,
    category: CategoryId,
    parent: CategoryId,
) -> Result<bool> {
    let found: Cycle = diesel::sql_query(
        "WITH RECURSIVE up AS ( \
             SELECT id, parent_id FROM categories WHERE store_id = $1 AND id = $2 \
             UNION ALL \
             SELECT c.id, c.parent_id FROM categories c JOIN up ON c.id = up.parent_id AND c.store_id = $1) \
         SELECT EXISTS (SELECT 1 FROM up WHERE id = $3) AS cycle",
    )
    .bind::<SqlUuid, _>(store.uuid())
    .bind::<SqlUuid, _>(parent.uuid())
    .bind::<SqlUuid, _>(category.uuid())
    .get_result(conn)
    .await?;
    Ok(found.cycle)
}

#[async_trait]
impl CategoryService for PgCategoryService {
    async fn list(&self, store: StoreId, page: &PageParams) -> Result<Page<Category>> {
        let req = page.parse::<uuid::Uuid>()?;
        let mut conn = self.core.pool.get().await?;
        let mut query = categories::table
            .filter(categories::store_id.eq(store.uuid()))
            .select(CategoryRow::as_select())
            .order(categories::id.asc())
            .limit(req.fetch_limit())
            .into_boxed();
        if let Some(after) = req.after {
            query = query.filter(categories::id.gt(after));
        }
        let rows = query.load(&mut conn).await?;
        Ok(req.page(rows, |r| r.id)?.map(Category::from))
    }

    async fn all(&self, store: StoreId) -> Result<Vec<Category>> {
        let mut conn = self.core.pool.get().await?;
        let rows: Vec<CategoryRow> = categories::table
            .filter(categories::store_id.eq(store.uuid()))
            .select(CategoryRow::as_select())
            .order((categories::position.asc(), categories::name.asc()))
            .load(&mut conn)
            .await?;
        Ok(rows.into_iter().map(Category::from).collect())
    }

    async fn get(&self, store: StoreId, id: CategoryId) -> Result<Category> {
        let mut conn = self.core.pool.get().await?;
        Ok(load(&mut conn, store, id).await?.into())
    }

    async fn create(&self, store: StoreId, req: CreateCategory) -> Result<Category> {
        let slug = slugs::choose(req.slug.as_deref(), &req.name);
        let mut v = Validator::new();
        v.length(&req.name, "name", 1, 100);
        slugs::check(&mut v, "slug", &slug);
        v.finish()?;
        let mut conn = self.core.pool.get().await?;
        if let Some(parent) = req.parent_id {
            check_parent(&mut conn, store, parent).await?;
        }
        let now = Utc::now();
        let row: CategoryRow = diesel::insert_into(categories::table)
            .values((
                categories::store_id.eq(store.uuid()),
                categories::id.eq(CategoryId::new().uuid()),
                categories::parent_id.eq(req.parent_id.map(CategoryId::uuid)),
                categories::name.eq(req.name.trim()),
                categories::slug.eq(&slug),
                categories::description.eq(req.description.unwrap_or_default()),
                categories::position.eq(req.position.unwrap_or(0)),
                categories::created_at.eq(now),
                categories::updated_at.eq(now),
            ))
            .returning(CategoryRow::as_returning())
            .get_result(&mut conn)
            .await
            .map_err(slug_taken)?;
        cache::invalidate(&self.core, store).await;
        Ok(row.into())
    }

    async fn update(&self, store: StoreId, id: CategoryId, req: UpdateCategory) -> Result<Category> {
        if balcao_core::patch::is_empty(&req) {
            return self.get(store, id).await;
        }
        let mut v = Validator::new();
        if let Some(name) = &req.name {
            v.length(name, "name", 1, 100);
        }
        if let Some(slug) = &req.slug {
            slugs::check(&mut v, "slug", slug);
        }
        v.finish()?;
        let mut conn = self.core.pool.get().await?;
        let row = conn
            .transaction::<_, Error, _>(async |conn| {
                load(conn, store, id).await?;
                if let Some(Some(parent)) = req.parent_id {
                    // One move at a time per store, so two concurrent moves cannot close a loop.
                    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtext('categories:' || $1::text))")
                        .bind::<SqlUuid, _>(store.uuid())
                        .execute(conn)
                        .await?;
                    check_parent(conn, store, parent).await?;
                    if would_cycle(conn, store, id, parent).await? {
                        return Err(Error::Rule {
                            code: crate::problems::CATEGORY_CYCLE,
                            detail: "A category cannot move under itself or one of its descendants.".into(),
                            field: Some("parent_id".into()),
                        });
                    }
                }
                let row: CategoryRow = diesel::update(
                    categories::table
                        .filter(categories::store_id.eq(store.uuid()))
                        .filter(categories::id.eq(id.uuid())),
                )
                .set((
                    req.name.as_deref().map(|n| categories::name.eq(n.trim().to_owned())),
                    req.slug.clone().map(|s| categories::slug.eq(s)),
                    req.parent_id.map(|p| categories::parent_id.eq(p.map(CategoryId::uuid))),
                    req.description.clone().map(|d| categories::description.eq(d)),
                    req.position.map(|p| categories::position.eq(p)),
                    categories::updated_at.eq(Utc::now()),
                ))
                .returning(CategoryRow::as_returning())
                .get_result(conn)
                .await
                .map_err(slug_taken)?;
                Ok(row)
            })
            .await?;
        cache::invalidate(&self.core, store).await;
        Ok(row.into())
    }

    async fn delete(&self, store: StoreId, id: CategoryId) -> Result<()> {
        let mut conn = self.core.pool.get().await?;
        load(&mut conn, store, id).await?;
        let children: i64 = categories::table
            .filter(categories::store_id.eq(store.uuid()))
            .filter(categories::parent_id.eq(id.uuid()))
            .count()
            .get_result(&mut conn)
            .await?;
        if children > 0 {
            return Err(Error::Conflict {
                code: crate::problems::CATEGORY_HAS_CHILDREN,
                detail: "Move or delete the subcategories first.".into(),
                field: None,
            });
        }
        diesel::delete(
            categories::table.filter(categories::store_id.eq(store.uuid())).filter(categories::id.eq(id.uuid())),
        )
        .execute(&mut conn)
        .await?;
        cache::invalidate(&self.core, store).await;
        Ok(())
    }
}
