//! Stock: adjustments with reasons, and the low-stock signal that fires once per crossing.

use async_trait::async_trait;
use balcao_core::Core;
use balcao_core::error::{Error, Result};
use balcao_core::events;
use balcao_core::id::{StoreId, UserId};
use balcao_core::pagination::{Page, PageParams};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use super::cache;
use super::events::PRODUCT_LOW_STOCK;
use super::load;
use super::model::{Adjustment, AdjustmentReason, AdjustmentResult, AdjustmentRow, LowStock, NewAdjustment};
use super::validate::MAX_STOCK;
use crate::ids::{AdjustmentId, ProductId, VariantId};
use crate::schema::{inventory_adjustments, products, variants};

/// Stock of variants.
#[async_trait]
pub trait InventoryService: Send + Sync {
    /// Adds or removes units, recording why.
    async fn adjust(
        &self,
        store: StoreId,
        product: ProductId,
        variant: VariantId,
        actor: Option<UserId>,
        req: NewAdjustment,
    ) -> Result<AdjustmentResult>;
    /// A variant's adjustments, newest first.
    async fn adjustments(
        &self,
        store: StoreId,
        product: ProductId,
        variant: VariantId,
        page: &PageParams,
    ) -> Result<Page<Adjustment>>;
}

/// [`InventoryService`] on PostgreSQL.
pub struct PgInventoryService {
    core: Core,
}

impl PgInventoryService {
    /// A service on the shared handles.
    pub fn new(core: Core) -> Self {
        Self { core }
    }
}

/// The stock facts of one variant after a change.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = variants)]
pub struct StockState {
    /// The variant.
    pub id: uuid::Uuid,
    /// Its product.
    pub product_id: uuid::Uuid,
    /// Its SKU.
    pub sku: String,
    /// Units on hand.
    pub on_hand: i32,
    /// Units reserved.
    pub reserved: i32,
    /// Threshold.
    pub low_stock_threshold: Option<i32>,
    /// Whether the low-stock signal has fired for the current dip.
    pub low_stock_alerted: bool,
}

/// Records one adjustment inside the caller's transaction: `on_hand` may not fall below `reserved`.
#[allow(clippy::too_many_arguments)]
pub async fn apply(
    conn: &mut AsyncPgConnection,
    store: StoreId,
    variant: VariantId,
    delta: i32,
    reason: AdjustmentReason,
    note: &str,
    actor: Option<UserId>,
) -> Result<(AdjustmentRow, StockState)> {
    // Both bounds are checked without arithmetic on the stored value, so nothing can overflow.
    let state: Option<StockState> = diesel::update(
        variants::table
            .filter(variants::store_id.eq(store.uuid()))
            .filter(variants::id.eq(variant.uuid()))
            .filter((variants::on_hand - variants::reserved).ge(delta.saturating_neg()))
            .filter(variants::on_hand.le(MAX_STOCK.saturating_sub(delta))),
    )
    .set((variants::on_hand.eq(variants::on_hand + delta), variants::updated_at.eq(chrono::Utc::now())))
    .returning(StockState::as_returning())
    .get_result(conn)
    .await
    .optional()?;
    let Some(state) = state else {
        if delta > 0 {
            return Err(Error::Rule {
                code: crate::problems::STOCK_ABOVE_MAXIMUM,
                detail: format!("On-hand stock cannot rise above {MAX_STOCK} units."),
                field: Some("delta".into()),
            });
        }
        return Err(Error::Rule {
            code: crate::problems::STOCK_BELOW_RESERVED,
            detail: "On-hand stock cannot fall below the units reserved by open orders.".into(),
            field: Some("delta".into()),
        });
    };
    let row: AdjustmentRow = diesel::insert_into(inventory_adjustments::table)
        .values((
            inventory_adjustments::store_id.eq(store.uuid()),
            inventory_adjustments::id.eq(AdjustmentId::new().uuid()),
            inventory_adjustments::variant_id.eq(variant.uuid()),
            inventory_adjustments::delta.eq(delta),
            inventory_adjustments::reason.eq(reason.as_str()),
            inventory_adjustments::note.eq(note),
            inventory_adjustments::on_hand_after.eq(state.on_hand),
            inventory_adjustments::created_by.eq(actor.map(UserId::uuid)),
        ))
        .returning(AdjustmentRow::as_returning())
        .get_result(conn)
        .await?;
    sync_low_stock(conn, store, &state).await?;
    refresh_summary(conn, store, ProductId(state.product_id)).await?;
    Ok((row, state))
}

/// Fires `product.low_stock` when available stock is at or below the threshold and has not fired
/// for this dip yet; re-arms it once stock rises above. Call in the transaction that changed stock.
pub async fn sync_low_stock(conn: &mut AsyncPgConnection, store: StoreId, state: &StockState) -> Result<()> {
    let available = state.on_hand - state.reserved;
    let low = state.low_stock_threshold.is_some_and(|t| available <= t);
    if low == state.low_stock_alerted {
        return Ok(());
    }
    // Flip the flag only if nobody else did: the event fires once per crossing, even under races.
    let flipped = diesel::update(
        variants::table
            .filter(variants::store_id.eq(store.uuid()))
            .filter(variants::id.eq(state.id))
            .filter(variants::low_stock_alerted.eq(!low)),
    )
    .set(variants::low_stock_alerted.eq(low))
    .execute(conn)
    .await?;
    if flipped == 1
        && low
        && let Some(threshold) = state.low_stock_threshold
    {
        let payload = LowStock {
            product_id: ProductId(state.product_id),
            variant_id: VariantId(state.id),
            sku: state.sku.clone(),
            available,
            threshold,
        };
        events::emit(conn, Some(store), &PRODUCT_LOW_STOCK, &payload).await?;
    }
    Ok(())
}

/// Recomputes a product's price range and in-stock flag from its variants.
pub async fn refresh_summary(conn: &mut AsyncPgConnection, store: StoreId, product: ProductId) -> Result<()> {
    diesel::sql_query(
        "UPDATE products p SET \
             min_price_amount = coalesce((SELECT min(price_amount) FROM variants v WHERE v.store_id = p.store_id AND v.product_id = p.id), 0), \
             max_price_amount = coalesce((SELECT max(price_amount) FROM variants v WHERE v.store_id = p.store_id AND v.product_id = p.id), 0), \
             in_stock = EXISTS (SELECT 1 FROM variants v WHERE v.store_id = p.store_id AND v.product_id = p.id AND v.on_hand - v.reserved > 0) \
         WHERE p.store_id = $1 AND p.id = $2",
    )
    .bind::<diesel::sql_types::Uuid, _>(store.uuid())
    .bind::<diesel::sql_types::Uuid, _>(product.uuid())
    .execute(conn)
    .await?;
    Ok(())
}

async fn check_variant(
    conn: &mut AsyncPgConnection,
    store: StoreId,
    product: ProductId,
    variant: VariantId,
) -> Result<()> {
    let found: i64 = variants::table
        .inner_join(
            products::table.on(products::store_id.eq(variants::store_id).and(products::id.eq(variants::product_id))),
        )
        .filter(variants::store_id.eq(store.uuid()))
        .filter(variants::id.eq(variant.uuid()))
        .filter(variants::product_id.eq(product.uuid()))
        .count()
        .get_result(conn)
        .await?;
    if found == 0 { Err(Error::not_found("variant")) } else { Ok(()) }
}

#[async_trait]
impl InventoryService for PgInventoryService {
    async fn adjust(
        &self,
        store: StoreId,
        product: ProductId,
        variant: VariantId,
        actor: Option<UserId>,
        req: NewAdjustment,
    ) -> Result<AdjustmentResult> {
        if req.delta == 0 {
            return Err(Error::field("delta", "zero", "must add or remove at least one unit"));
        }
        if !(-MAX_STOCK..=MAX_STOCK).contains(&req.delta) {
            return Err(Error::field("delta", "out_of_range", format!("must be between -{MAX_STOCK} and {MAX_STOCK}")));
        }
        let note = req.note.unwrap_or_default();
        if note.chars().count() > 500 {
            return Err(Error::field("note", "too_long", "must be at most 500 characters"));
        }
        let mut conn = self.core.pool.get().await?;
        check_variant(&mut conn, store, product, variant).await?;
        let (row, state) = conn
            .transaction::<_, Error, _>(async |conn| {
                apply(conn, store, variant, req.delta, req.reason, &note, actor).await
            })
            .await?;
        cache::invalidate(&self.core, store).await;
        Ok(AdjustmentResult {
            adjustment: row.into(),
            inventory: load::inventory(state.on_hand, state.reserved, state.low_stock_threshold),
        })
    }

    async fn adjustments(
        &self,
        store: StoreId,
        product: ProductId,
        variant: VariantId,
        page: &PageParams,
    ) -> Result<Page<Adjustment>> {
        let req = page.parse::<uuid::Uuid>()?;
        let mut conn = self.core.pool.get().await?;
        check_variant(&mut conn, store, product, variant).await?;
        let mut query = inventory_adjustments::table
            .filter(inventory_adjustments::store_id.eq(store.uuid()))
            .filter(inventory_adjustments::variant_id.eq(variant.uuid()))
            .select(AdjustmentRow::as_select())
            .order(inventory_adjustments::id.desc())
            .limit(req.fetch_limit())
            .into_boxed();
        if let Some(after) = req.after {
            query = query.filter(inventory_adjustments::id.lt(after));
        }
        let rows = query.load(&mut conn).await?;
        Ok(req.page(rows, |r| r.id)?.map(Adjustment::from))
    }
}
