//! Shared writes of products and variants: checks, child rows, starting stock.

use std::collections::HashSet;

use balcao_core::error::{Error, Result, Validator, is_unique_violation};
use balcao_core::id::{StoreId, UserId};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::inventory;
use super::model::{AdjustmentReason, NewImage, NewVariant};
use crate::ids::{CategoryId, ImageId, ProductId, VariantId};
use crate::schema::{categories, product_categories, product_images, variants};

/// Maps a unique violation on a product slug or SKU to a 409 naming the field.
pub fn conflict(e: diesel::result::Error) -> Error {
    if is_unique_violation(&e, "products_store_slug_key") {
        Error::conflict(balcao_core::problems::SLUG_TAKEN, "slug", "Another product of this store uses this slug.")
    } else if is_unique_violation(&e, "variants_store_sku_key") {
        Error::conflict(crate::problems::SKU_TAKEN, "sku", "Another variant of this store uses this SKU.")
    } else {
        e.into()
    }
}

/// Checks categories belong to the store; names the first that does not.
pub async fn check_categories(conn: &mut AsyncPgConnection, store: StoreId, ids: &[CategoryId]) -> Result<()> {
    let uuids: Vec<uuid::Uuid> = ids.iter().map(|c| c.uuid()).collect();
    let found: HashSet<uuid::Uuid> = categories::table
        .filter(categories::store_id.eq(store.uuid()))
        .filter(categories::id.eq_any(&uuids))
        .select(categories::id)
        .load::<uuid::Uuid>(conn)
        .await?
        .into_iter()
        .collect();
    match uuids.iter().position(|id| !found.contains(id)) {
        Some(i) => {
            Err(Error::field(format!("category_ids[{i}]"), "unknown_category", "is not a category of this store"))
        }
        None => Ok(()),
    }
}

/// Names the first SKU already used in the store.
pub async fn check_skus(conn: &mut AsyncPgConnection, store: StoreId, skus: &[(String, String)]) -> Result<()> {
    let wanted: Vec<&str> = skus.iter().map(|(_, sku)| sku.as_str()).collect();
    let taken: HashSet<String> = variants::table
        .filter(variants::store_id.eq(store.uuid()))
        .filter(variants::sku.eq_any(&wanted))
        .select(variants::sku)
        .load::<String>(conn)
        .await?
        .into_iter()
        .collect();
    match skus.iter().find(|(_, sku)| taken.contains(sku)) {
        Some((field, _)) => {
            Err(Error::conflict(crate::problems::SKU_TAKEN, field, "Another variant of this store uses this SKU."))
        }
        None => Ok(()),
    }
}

pub async fn replace_images(
    conn: &mut AsyncPgConnection,
    store: StoreId,
    product: ProductId,
    images: &[NewImage],
) -> Result<()> {
    diesel::delete(
        product_images::table
            .filter(product_images::store_id.eq(store.uuid()))
            .filter(product_images::product_id.eq(product.uuid())),
    )
    .execute(conn)
    .await?;
    let rows: Vec<_> = images
        .iter()
        .enumerate()
        .map(|(i, image)| {
            (
                product_images::store_id.eq(store.uuid()),
                product_images::id.eq(ImageId::new().uuid()),
                product_images::product_id.eq(product.uuid()),
                product_images::url.eq(image.url.clone()),
                product_images::alt.eq(image.alt.clone().unwrap_or_default()),
                product_images::position.eq(i32::try_from(i).unwrap_or(i32::MAX)),
            )
        })
        .collect();
    if !rows.is_empty() {
        diesel::insert_into(product_images::table).values(rows).execute(conn).await?;
    }
    Ok(())
}

pub async fn replace_categories(
    conn: &mut AsyncPgConnection,
    store: StoreId,
    product: ProductId,
    ids: &[CategoryId],
) -> Result<()> {
    diesel::delete(
        product_categories::table
            .filter(product_categories::store_id.eq(store.uuid()))
            .filter(product_categories::product_id.eq(product.uuid())),
    )
    .execute(conn)
    .await?;
    let unique: Vec<uuid::Uuid> = ids.iter().map(|c| c.uuid()).collect::<HashSet<_>>().into_iter().collect();
    let rows: Vec<_> = unique
        .into_iter()
        .map(|category| {
            (
                product_categories::store_id.eq(store.uuid()),
                product_categories::product_id.eq(product.uuid()),
                product_categories::category_id.eq(category),
            )
        })
        .collect();
    if !rows.is_empty() {
        diesel::insert_into(product_categories::table).values(rows).execute(conn).await?;
    }
    Ok(())
}

/// Inserts a variant and its starting stock (inside the caller's transaction).
pub async fn insert_variant(
    conn: &mut AsyncPgConnection,
    store: StoreId,
    product: ProductId,
    position: i32,
    variant: &NewVariant,
    actor: Option<UserId>,
) -> Result<VariantId> {
    let id = VariantId::new();
    let title = variant.title.clone().unwrap_or_else(|| variant.option_values.join(" / "));
    diesel::insert_into(variants::table)
        .values((
            variants::store_id.eq(store.uuid()),
            variants::id.eq(id.uuid()),
            variants::product_id.eq(product.uuid()),
            variants::sku.eq(variant.sku.trim()),
            variants::title.eq(title),
            variants::option_values.eq(&variant.option_values),
            variants::price_amount.eq(variant.price.amount),
            variants::compare_at_amount.eq(variant.compare_at_price.map(|m| m.amount)),
            variants::cost_amount.eq(variant.cost.map(|m| m.amount)),
            variants::weight_grams.eq(variant.weight_grams.unwrap_or(0)),
            variants::barcode.eq(variant.barcode.clone()),
            variants::position.eq(position),
            variants::low_stock_threshold.eq(variant.low_stock_threshold),
        ))
        .execute(conn)
        .await
        .map_err(conflict)?;
    let on_hand = variant.on_hand.unwrap_or(0);
    if on_hand > 0 {
        inventory::apply(conn, store, id, on_hand, AdjustmentReason::Initial, "", actor).await?;
    }
    Ok(id)
}

/// Refuses two variants with the same option values.
pub fn check_combinations<'a>(v: &mut Validator, values: impl Iterator<Item = (String, &'a Vec<String>)>) {
    let mut seen = HashSet::new();
    for (field, combination) in values {
        let key: Vec<String> = combination.iter().map(|s| s.to_lowercase()).collect();
        v.check(seen.insert(key), &field, "duplicate_combination", "another variant has the same option values");
    }
}

/// The stock facts of one variant.
pub async fn variant_state(
    conn: &mut AsyncPgConnection,
    store: StoreId,
    id: VariantId,
) -> Result<inventory::StockState> {
    Ok(variants::table
        .filter(variants::store_id.eq(store.uuid()))
        .filter(variants::id.eq(id.uuid()))
        .select(inventory::StockState::as_select())
        .first(conn)
        .await?)
}
