//! Variants of a product: add, change, remove.

use async_trait::async_trait;
use balcao_core::Core;
use balcao_core::error::{Error, Result, Validator};
use balcao_core::id::{StoreId, UserId};
use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};

use super::model::{NewVariant, UpdateVariant, Variant, VariantRow};
use super::products::full_product;
use super::writes::{check_combinations, check_skus, insert_variant, variant_state};
use super::{cache, inventory, validate};
use crate::ids::{ProductId, VariantId};
use crate::schema::variants;

/// A product's variants.
#[async_trait]
pub trait VariantService: Send + Sync {
    /// The product's variants in display order.
    async fn list(&self, store: StoreId, product: ProductId) -> Result<Vec<Variant>>;
    /// Adds a variant.
    async fn add(&self, store: StoreId, product: ProductId, actor: Option<UserId>, req: NewVariant) -> Result<Variant>;
    /// Changes a variant.
    async fn update(&self, store: StoreId, product: ProductId, id: VariantId, req: UpdateVariant) -> Result<Variant>;
    /// Removes a variant; a product keeps at least one.
    async fn delete(&self, store: StoreId, product: ProductId, id: VariantId) -> Result<()>;
}

/// [`VariantService`] on PostgreSQL.
pub struct PgVariantService {
    core: Core,
}

impl PgVariantService {
    /// A service on the shared handles.
    pub fn new(core: Core) -> Self {
        Self { core }
    }
}

fn find(product: &super::model::Product, id: VariantId) -> Result<&Variant> {
    product.variants.iter().find(|v| v.id == id).ok_or_else(|| Error::not_found("variant"))
}

#[async_trait]
impl VariantService for PgVariantService {
    async fn list(&self, store: StoreId, product: ProductId) -> Result<Vec<Variant>> {
        let mut conn = self.core.pool.get().await?;
        Ok(full_product(&mut conn, store, product).await?.variants)
    }

    async fn add(&self, store: StoreId, product: ProductId, actor: Option<UserId>, req: NewVariant) -> Result<Variant> {
        let mut conn = self.core.pool.get().await?;
        let current = full_product(&mut conn, store, product).await?;
        let mut v = Validator::new();
        validate::new_variant(&mut v, "", &req, &current.options, current.min_price.currency);
        let combos = current.variants.iter().map(|x| ("option_values".to_owned(), &x.option_values));
        check_combinations(&mut v, combos.chain(std::iter::once(("option_values".to_owned(), &req.option_values))));
        v.finish()?;
        check_skus(&mut conn, store, &[("sku".to_owned(), req.sku.trim().to_owned())]).await?;
        let position = current.variants.iter().map(|v| v.position).max().map_or(0, |p| p.saturating_add(1));
        let id = conn
            .transaction::<_, Error, _>(async |conn| {
                let id = insert_variant(conn, store, product, position, &req, actor).await?;
                let state = variant_state(conn, store, id).await?;
                inventory::sync_low_stock(conn, store, &state).await?;
                inventory::refresh_summary(conn, store, product).await?;
                Ok(id)
            })
            .await?;
        cache::invalidate(&self.core, store).await;
        let product = full_product(&mut conn, store, product).await?;
        find(&product, id).cloned()
    }

    async fn update(&self, store: StoreId, product: ProductId, id: VariantId, req: UpdateVariant) -> Result<Variant> {
        let mut conn = self.core.pool.get().await?;
        let current = full_product(&mut conn, store, product).await?;
        let existing = find(&current, id)?.clone();
        if balcao_core::patch::is_empty(&req) {
            return Ok(existing);
        }
        let mut v = Validator::new();
        validate::update_variant(&mut v, &req, &current.options, current.min_price.currency);
        let price = req.price.map_or(existing.price.amount, |p| p.amount);
        let compare = req.compare_at_price.map_or(existing.compare_at_price.map(|m| m.amount), |c| c.map(|m| m.amount));
        v.check(compare.is_none_or(|c| c > price), "compare_at_price", "not_above_price", "must be above the price");
        if let Some(values) = &req.option_values {
            let others =
                current.variants.iter().filter(|x| x.id != id).map(|x| ("option_values".to_owned(), &x.option_values));
            check_combinations(&mut v, others.chain(std::iter::once(("option_values".to_owned(), values))));
        }
        v.finish()?;
        if let Some(sku) = req.sku.as_deref().filter(|s| s.trim() != existing.sku) {
            check_skus(&mut conn, store, &[("sku".to_owned(), sku.trim().to_owned())]).await?;
        }
        conn.transaction::<_, Error, _>(async |conn| {
            let row: VariantRow = diesel::update(
                variants::table.filter(variants::store_id.eq(store.uuid())).filter(variants::id.eq(id.uuid())),
            )
            .set((
                req.sku.as_deref().map(|s| variants::sku.eq(s.trim().to_owned())),
                req.title.clone().map(|t| variants::title.eq(t)),
                req.option_values.clone().map(|o| variants::option_values.eq(o)),
                req.price.map(|p| variants::price_amount.eq(p.amount)),
                req.compare_at_price.map(|c| variants::compare_at_amount.eq(c.map(|m| m.amount))),
                req.cost.map(|c| variants::cost_amount.eq(c.map(|m| m.amount))),
                req.weight_grams.map(|w| variants::weight_grams.eq(w)),
                req.barcode.clone().map(|b| variants::barcode.eq(b)),
                req.low_stock_threshold.map(|t| variants::low_stock_threshold.eq(t)),
                req.position.map(|p| variants::position.eq(p)),
                variants::updated_at.eq(Utc::now()),
            ))
            .returning(VariantRow::as_returning())
            .get_result(conn)
            .await
            .map_err(super::writes::conflict)?;
            let state = variant_state(conn, store, VariantId(row.id)).await?;
            inventory::sync_low_stock(conn, store, &state).await?;
            inventory::refresh_summary(conn, store, product).await?;
            Ok(())
        })
        .await?;
        cache::invalidate(&self.core, store).await;
        let updated = full_product(&mut conn, store, product).await?;
        find(&updated, id).cloned()
    }

    async fn delete(&self, store: StoreId, product: ProductId, id: VariantId) -> Result<()> {
        let mut conn = self.core.pool.get().await?;
        let current = full_product(&mut conn, store, product).await?;
        let existing = find(&current, id)?;
        if current.variants.len() == 1 {
            return Err(Error::Conflict {
                code: crate::problems::LAST_VARIANT,
                detail: "A product keeps at least one variant; archive the product instead.".into(),
                field: None,
            });
        }
        if existing.inventory.reserved > 0 {
            return Err(Error::Conflict {
                code: crate::problems::VARIANT_RESERVED,
                detail: "Open orders hold units of this variant.".into(),
                field: None,
            });
        }
        conn.transaction::<_, Error, _>(async |conn| {
            diesel::delete(
                variants::table.filter(variants::store_id.eq(store.uuid())).filter(variants::id.eq(id.uuid())),
            )
            .execute(conn)
            .await?;
            inventory::refresh_summary(conn, store, product).await
        })
        .await?;
        cache::invalidate(&self.core, store).await;
        Ok(())
    }
}
