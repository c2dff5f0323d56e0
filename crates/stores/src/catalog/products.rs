//! Products: create with variants, images and categories; update; archive; list and search.

use std::collections::HashSet;
use std::sync::Arc;

use async_trait::async_trait;
use balcao_core::Core;
use balcao_core::error::{Error, Result, Validator};
use balcao_core::id::{StoreId, UserId};
use balcao_core::money::Currency;
use balcao_core::pagination::Page;
use balcao_core::tenancy::StoreService;
use balcao_core::tenancy::allowances::{self, Countable};
use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use super::model::{CreateProduct, Product, ProductOption, ProductRow, ProductStatus, UpdateProduct};
use super::query::{Audience, Plan, ProductFilter, RankedRow};
use super::writes::{
    self, check_categories, check_combinations, check_skus, insert_variant, replace_categories, replace_images,
    variant_state,
};
use super::{cache, inventory, load, slugs, validate};
use crate::ids::ProductId;
use crate::schema::products;

/// A store's products.
#[async_trait]
pub trait ProductService: Send + Sync {
    /// Products matching a filter, with a fixed number of queries per page.
    async fn list(&self, store: StoreId, filter: ProductFilter, audience: Audience) -> Result<Page<Product>>;
    /// One product.
    async fn get(&self, store: StoreId, id: ProductId) -> Result<Product>;
    /// Creates a product with its variants, images and categories.
    async fn create(&self, store: StoreId, actor: Option<UserId>, req: CreateProduct) -> Result<Product>;
    /// Changes a product.
    async fn update(&self, store: StoreId, id: ProductId, req: UpdateProduct) -> Result<Product>;
    /// Archives a product (it leaves the storefront; its history stays).
    async fn archive(&self, store: StoreId, id: ProductId) -> Result<Product>;
}

/// [`ProductService`] on PostgreSQL.
pub struct PgProductService {
    core: Core,
    stores: Arc<dyn StoreService>,
}

impl PgProductService {
    /// A service on the shared handles; `stores` gives each store's currency.
    pub fn new(core: Core, stores: Arc<dyn StoreService>) -> Self {
        Self { core, stores }
    }
}

/// Loads one product row.
pub async fn product_row(conn: &mut AsyncPgConnection, store: StoreId, id: ProductId) -> Result<ProductRow> {
    products::table
        .filter(products::store_id.eq(store.uuid()))
        .filter(products::id.eq(id.uuid()))
        .select(ProductRow::as_select())
        .first(conn)
        .await
        .optional()?
        .ok_or_else(|| Error::not_found("product"))
}

/// Loads one product with everything it shows.
pub async fn full_product(conn: &mut AsyncPgConnection, store: StoreId, id: ProductId) -> Result<Product> {
    let row = product_row(conn, store, id).await?;
    let mut children = load::children(conn, store, &[row.id]).await?;
    Ok(load::product(row, &mut children))
}

fn validate_create(req: &CreateProduct, slug: &str, currency: Currency) -> Result<()> {
    let mut v = Validator::new();
    v.length(&req.title, "title", 1, 200);
    slugs::check(&mut v, "slug", slug);
    v.check(
        req.description.as_deref().unwrap_or("").chars().count() <= 20_000,
        "description",
        "too_long",
        "at most 20000 characters",
    );
    validate::options(&mut v, &req.options);
    validate::tags(&mut v, &req.tags);
    validate::images(&mut v, &req.images);
    v.check(!req.variants.is_empty(), "variants", "required", "needs at least one variant");
    v.check(req.variants.len() <= 100, "variants", "too_many", "at most 100 variants");
    let mut skus = HashSet::new();
    for (i, variant) in req.variants.iter().enumerate() {
        validate::new_variant(&mut v, &format!("variants[{i}]."), variant, &req.options, currency);
        v.check(
            skus.insert(variant.sku.trim().to_owned()),
            &format!("variants[{i}].sku"),
            "duplicate",
            "SKUs must differ",
        );
    }
    check_combinations(
        &mut v,
        req.variants.iter().enumerate().map(|(i, x)| (format!("variants[{i}].option_values"), &x.option_values)),
    );
    v.finish()
}

#[async_trait]
impl ProductService for PgProductService {
    async fn list(&self, store: StoreId, filter: ProductFilter, audience: Audience) -> Result<Page<Product>> {
        let plan = Plan::new(filter)?;
        let query = plan.query(store, audience)?;
        let mut conn = self.core.pool.get().await?;
        let rows: Vec<RankedRow> = query.load(&mut conn).await?;
        let page = balcao_core::pagination::PageRequest::<super::query::SortKey> { limit: plan.limit, after: None };
        let sort = plan.sort;
        let page = page.page(rows, |r| r.key(sort))?;
        let ids: Vec<uuid::Uuid> = page.data.iter().map(|r| r.product.id).collect();
        let mut children = load::children(&mut conn, store, &ids).await?;
        Ok(page.map(|r| load::product(r.product, &mut children)))
    }

    async fn get(&self, store: StoreId, id: ProductId) -> Result<Product> {
        let mut conn = self.core.pool.get().await?;
        full_product(&mut conn, store, id).await
    }

    async fn create(&self, store: StoreId, actor: Option<UserId>, req: CreateProduct) -> Result<Product> {
        let currency = Currency::parse(&self.stores.get(store).await?.currency).unwrap_or_default();
        let slug = slugs::choose(req.slug.as_deref(), &req.title);
        validate_create(&req, &slug, currency)?;
        let id = ProductId::new();
        let mut conn = self.core.pool.get().await?;
        check_categories(&mut conn, store, &req.category_ids).await?;
        let skus: Vec<(String, String)> = req
            .variants
            .iter()
            .enumerate()
            .map(|(i, v)| (format!("variants[{i}].sku"), v.sku.trim().to_owned()))
            .collect();
        check_skus(&mut conn, store, &skus).await?;
        let product = conn
            .transaction::<_, Error, _>(async |conn| {
                admit_one_more(conn, store).await?;
                let now = Utc::now();
                diesel::insert_into(products::table)
                    .values((
                        products::store_id.eq(store.uuid()),
                        products::id.eq(id.uuid()),
                        products::title.eq(req.title.trim()),
                        products::slug.eq(&slug),
                        products::description.eq(req.description.clone().unwrap_or_default()),
                        products::status.eq(req.status.unwrap_or(ProductStatus::Draft).as_str()),
                        products::tags.eq(validate::normalize_tags(&req.tags)),
                        products::options.eq(serde_json::to_value(&req.options).map_err(Error::internal)?),
                        products::currency.eq(currency.code()),
                        products::created_at.eq(now),
                        products::updated_at.eq(now),
                    ))
                    .execute(conn)
                    .await
                    .map_err(writes::conflict)?;
                for (i, variant) in req.variants.iter().enumerate() {
                    let position = i32::try_from(i).unwrap_or(i32::MAX);
                    let variant_id = insert_variant(conn, store, id, position, variant, actor).await?;
                    let state = variant_state(conn, store, variant_id).await?;
                    inventory::sync_low_stock(conn, store, &state).await?;
                }
                replace_images(conn, store, id, &req.images).await?;
                replace_categories(conn, store, id, &req.category_ids).await?;
                inventory::refresh_summary(conn, store, id).await?;
                full_product(conn, store, id).await
            })
            .await?;
        cache::invalidate(&self.core, store).await;
        Ok(product)
    }

    async fn update(&self, store: StoreId, id: ProductId, req: UpdateProduct) -> Result<Product> {
        if balcao_core::patch::is_empty(&req) {
            return self.get(store, id).await;
        }
        let mut v = Validator::new();
        if let Some(title) = &req.title {
            v.length(title, "title", 1, 200);
        }
        if let Some(slug) = &req.slug {
            slugs::check(&mut v, "slug", slug);
        }
        if let Some(options) = &req.options {
            validate::options(&mut v, options);
        }
        if let Some(tags) = &req.tags {
            validate::tags(&mut v, tags);
        }
        if let Some(images) = &req.images {
            validate::images(&mut v, images);
        }
        v.finish()?;
        let mut conn = self.core.pool.get().await?;
        let current = full_product(&mut conn, store, id).await?;
        if let Some(options) = &req.options {
            check_variants_fit(&current.variants.iter().map(|v| v.option_values.clone()).collect::<Vec<_>>(), options)?;
        }
        if let Some(ids) = &req.category_ids {
            check_categories(&mut conn, store, ids).await?;
        }
        let unarchives = current.status == ProductStatus::Archived
            && req.status.is_some_and(|status| status != ProductStatus::Archived);
        let product = conn
            .transaction::<_, Error, _>(async |conn| {
                if unarchives {
                    admit_one_more(conn, store).await?;
                }
                let options = req.options.as_ref().map(serde_json::to_value).transpose().map_err(Error::internal)?;
                diesel::update(
                    products::table.filter(products::store_id.eq(store.uuid())).filter(products::id.eq(id.uuid())),
                )
                .set((
                    req.title.as_deref().map(|t| products::title.eq(t.trim().to_owned())),
                    req.slug.clone().map(|s| products::slug.eq(s)),
                    req.description.clone().map(|d| products::description.eq(d)),
                    req.status.map(|s| products::status.eq(s.as_str())),
                    req.tags.as_deref().map(|t| products::tags.eq(validate::normalize_tags(t))),
                    options.map(|o| products::options.eq(o)),
                    products::updated_at.eq(Utc::now()),
                ))
                .execute(conn)
                .await
                .map_err(writes::conflict)?;
                if let Some(images) = &req.images {
                    replace_images(conn, store, id, images).await?;
                }
                if let Some(ids) = &req.category_ids {
                    replace_categories(conn, store, id, ids).await?;
                }
                full_product(conn, store, id).await
            })
            .await?;
        cache::invalidate(&self.core, store).await;
        Ok(product)
    }

    async fn archive(&self, store: StoreId, id: ProductId) -> Result<Product> {
        self.update(store, id, UpdateProduct { status: Some(ProductStatus::Archived), ..Default::default() }).await
    }
}

/// Fails with 403 `plan_limit_reached` unless the store's plan has room for one more product
/// that is not archived; holds the store's product lock until the transaction ends.
async fn admit_one_more(conn: &mut AsyncPgConnection, store: StoreId) -> Result<()> {
    let allowance = allowances::lock(conn, store, Countable::Products).await?;
    if allowance.limit().is_some() {
        let used: i64 = products::table
            .filter(products::store_id.eq(store.uuid()))
            .filter(products::status.ne(ProductStatus::Archived.as_str()))
            .count()
            .get_result(conn)
            .await?;
        allowance.admit(used)?;
    }
    Ok(())
}

/// Existing variants must still have one valid value per option after the options change.
fn check_variants_fit(existing: &[Vec<String>], options: &[ProductOption]) -> Result<()> {
    for values in existing {
        let mut v = Validator::new();
        validate::option_values(&mut v, "options", values, options);
        if v.finish().is_err() {
            return Err(Error::Rule {
                code: crate::problems::OPTIONS_ORPHAN_VARIANTS,
                detail: "Existing variants use option values these options no longer have; change the variants first."
                    .into(),
                field: Some("options".into()),
            });
        }
    }
    Ok(())
}
