//! Stock for orders: reserve at checkout, release on cancel or expiry, consume on shipping.
//!
//! Every function runs inside the caller's transaction and touches variants in id order,
//! so concurrent checkouts never deadlock and never oversell: a reservation only succeeds
//! while `on_hand - reserved` covers it.

use std::collections::BTreeMap;

use balcao_core::error::{Error, Result};
use balcao_core::id::StoreId;
use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::catalog::inventory::{self, StockState};
use crate::catalog::model::AdjustmentReason;
use crate::ids::{AdjustmentId, ProductId, VariantId};
use crate::schema::{inventory_adjustments, variants};

diesel::define_sql_function! {
    /// SQL `greatest(a, b)`.
    fn greatest(a: diesel::sql_types::Integer, b: diesel::sql_types::Integer) -> diesel::sql_types::Integer;
}

/// Units wanted per variant, merged and in id order.
fn merged(lines: &[(VariantId, i32)]) -> BTreeMap<uuid::Uuid, i32> {
    let mut out = BTreeMap::new();
    for (variant, quantity) in lines {
        *out.entry(variant.uuid()).or_insert(0) += quantity;
    }
    out
}

async fn after_change(conn: &mut AsyncPgConnection, store: StoreId, states: &[StockState]) -> Result<()> {
    let mut products = std::collections::BTreeSet::new();
    for state in states {
        inventory::sync_low_stock(conn, store, state).await?;
        products.insert(state.product_id);
    }
    for product in products {
        inventory::refresh_summary(conn, store, ProductId(product)).await?;
    }
    Ok(())
}

/// Reserves every line or none: 409 `insufficient_stock` names the first variant that lacks units.
pub async fn reserve(conn: &mut AsyncPgConnection, store: StoreId, lines: &[(VariantId, i32)]) -> Result<()> {
    let mut states = Vec::new();
    for (variant, quantity) in merged(lines) {
        let state: Option<StockState> = diesel::update(
            variants::table
                .filter(variants::store_id.eq(store.uuid()))
                .filter(variants::id.eq(variant))
                .filter((variants::on_hand - variants::reserved).ge(quantity)),
        )
        .set((variants::reserved.eq(variants::reserved + quantity), variants::updated_at.eq(Utc::now())))
        .returning(StockState::as_returning())
        .get_result(conn)
        .await
        .optional()?;
        match state {
            Some(state) => states.push(state),
            None => {
                let found: Option<(String, i32)> = variants::table
                    .filter(variants::store_id.eq(store.uuid()))
                    .filter(variants::id.eq(variant))
                    .select((variants::sku, variants::on_hand - variants::reserved))
                    .first(conn)
                    .await
                    .optional()?;
                let (sku, available) = found.unwrap_or_else(|| ("?".to_owned(), 0));
                return Err(Error::Conflict {
                    code: crate::problems::INSUFFICIENT_STOCK,
                    detail: format!(
                        "Variant {variant} (SKU {sku}) has {} units available; {quantity} requested.",
                        available.max(0)
                    ),
                    field: Some("variant_id".to_owned()),
                });
            }
        }
    }
    after_change(conn, store, &states).await
}

/// Returns reserved units (cancellation or expiry before shipping).
pub async fn release(conn: &mut AsyncPgConnection, store: StoreId, lines: &[(VariantId, i32)]) -> Result<()> {
    let mut states = Vec::new();
    for (variant, quantity) in merged(lines) {
        let state: Option<StockState> = diesel::update(
            variants::table.filter(variants::store_id.eq(store.uuid())).filter(variants::id.eq(variant)),
        )
        .set((variants::reserved.eq(greatest(variants::reserved - quantity, 0)), variants::updated_at.eq(Utc::now())))
        .returning(StockState::as_returning())
        .get_result(conn)
        .await
        .optional()?;
        // A variant deleted since the order was placed has nothing to release.
        states.extend(state);
    }
    after_change(conn, store, &states).await
}

/// Ships reserved units: they leave `on_hand` and `reserved` together, recorded as `sold`.
pub async fn consume(
    conn: &mut AsyncPgConnection,
    store: StoreId,
    lines: &[(VariantId, i32)],
    note: &str,
) -> Result<()> {
    let mut states = Vec::new();
    for (variant, quantity) in merged(lines) {
        let state: Option<StockState> = diesel::update(
            variants::table.filter(variants::store_id.eq(store.uuid())).filter(variants::id.eq(variant)),
        )
        .set((
            variants::on_hand.eq(variants::on_hand - quantity),
            variants::reserved.eq(greatest(variants::reserved - quantity, 0)),
            variants::updated_at.eq(Utc::now()),
        ))
        .returning(StockState::as_returning())
        .get_result(conn)
        .await
        .optional()?;
        let Some(state) = state else { continue };
        diesel::insert_into(inventory_adjustments::table)
            .values((
                inventory_adjustments::store_id.eq(store.uuid()),
                inventory_adjustments::id.eq(AdjustmentId::new().uuid()),
                inventory_adjustments::variant_id.eq(variant),
                inventory_adjustments::delta.eq(-quantity),
                inventory_adjustments::reason.eq(AdjustmentReason::Sold.as_str()),
                inventory_adjustments::note.eq(note),
                inventory_adjustments::on_hand_after.eq(state.on_hand),
            ))
            .execute(conn)
            .await?;
        states.push(state);
    }
    after_change(conn, store, &states).await
}
