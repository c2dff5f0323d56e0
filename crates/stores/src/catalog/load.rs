//! Loads a page of products' variants, images and categories in three queries, whatever the page size.

use std::collections::HashMap;

use balcao_core::error::Result;
use balcao_core::id::StoreId;
use balcao_core::money::{Currency, Money};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::model::{
    Image, ImageRow, Inventory, Product, ProductOption, ProductRow, ProductStatus, Variant, VariantRow,
};
use crate::ids::{CategoryId, ProductId, VariantId};
use crate::schema::{product_categories, product_images, variants};

/// The children of a set of products, by product id.
#[derive(Default)]
pub struct Children {
    /// Variants in display order.
    pub variants: HashMap<uuid::Uuid, Vec<VariantRow>>,
    /// Images in display order.
    pub images: HashMap<uuid::Uuid, Vec<ImageRow>>,
    /// Category ids.
    pub categories: HashMap<uuid::Uuid, Vec<uuid::Uuid>>,
}

/// Loads the children of `ids` (three queries).
pub async fn children(conn: &mut AsyncPgConnection, store: StoreId, ids: &[uuid::Uuid]) -> Result<Children> {
    let mut out = Children::default();
    if ids.is_empty() {
        return Ok(out);
    }
    let rows: Vec<VariantRow> = variants::table
        .filter(variants::store_id.eq(store.uuid()))
        .filter(variants::product_id.eq_any(ids))
        .order((variants::position.asc(), variants::id.asc()))
        .select(VariantRow::as_select())
        .load(conn)
        .await?;
    for row in rows {
        out.variants.entry(row.product_id).or_default().push(row);
    }
    let rows: Vec<ImageRow> = product_images::table
        .filter(product_images::store_id.eq(store.uuid()))
        .filter(product_images::product_id.eq_any(ids))
        .order((product_images::position.asc(), product_images::id.asc()))
        .select(ImageRow::as_select())
        .load(conn)
        .await?;
    for row in rows {
        out.images.entry(row.product_id).or_default().push(row);
    }
    let rows: Vec<(uuid::Uuid, uuid::Uuid)> = product_categories::table
        .filter(product_categories::store_id.eq(store.uuid()))
        .filter(product_categories::product_id.eq_any(ids))
        .select((product_categories::product_id, product_categories::category_id))
        .load(conn)
        .await?;
    for (product, category) in rows {
        out.categories.entry(product).or_default().push(category);
    }
    Ok(out)
}

/// The currency of a product row.
pub fn currency(row: &ProductRow) -> Currency {
    Currency::parse(&row.currency).unwrap_or_default()
}

/// A variant as staff see it.
pub fn variant(row: VariantRow, currency: Currency) -> Variant {
    Variant {
        id: VariantId(row.id),
        product_id: ProductId(row.product_id),
        sku: row.sku,
        title: row.title,
        option_values: row.option_values,
        price: Money::new(row.price_amount, currency),
        compare_at_price: row.compare_at_amount.map(|a| Money::new(a, currency)),
        cost: row.cost_amount.map(|a| Money::new(a, currency)),
        weight_grams: row.weight_grams,
        barcode: row.barcode,
        position: row.position,
        inventory: inventory(row.on_hand, row.reserved, row.low_stock_threshold),
    }
}

/// Stock figures.
pub fn inventory(on_hand: i32, reserved: i32, low_stock_threshold: Option<i32>) -> Inventory {
    Inventory { on_hand, reserved, available: on_hand - reserved, low_stock_threshold }
}

/// A product's options from its JSON column.
pub fn options(row: &ProductRow) -> Vec<ProductOption> {
    serde_json::from_value(row.options.clone()).unwrap_or_default()
}

/// Assembles a staff product from its row and loaded children.
pub fn product(row: ProductRow, children: &mut Children) -> Product {
    let currency = currency(&row);
    let variants = children.variants.remove(&row.id).unwrap_or_default();
    let images = children.images.remove(&row.id).unwrap_or_default();
    let categories = children.categories.remove(&row.id).unwrap_or_default();
    Product {
        id: ProductId(row.id),
        options: options(&row),
        title: row.title,
        slug: row.slug,
        description: row.description,
        status: ProductStatus::parse(&row.status).unwrap_or(ProductStatus::Draft),
        tags: row.tags,
        category_ids: categories.into_iter().map(CategoryId).collect(),
        images: images.into_iter().map(Image::from).collect(),
        variants: variants.into_iter().map(|v| variant(v, currency)).collect(),
        min_price: Money::new(row.min_price_amount, currency),
        max_price: Money::new(row.max_price_amount, currency),
        in_stock: row.in_stock,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}
