//! Wishlists: the variants a customer saved, shown with their product, price and availability.
//!
//! A wishlist is read with one join, whatever its size. Adding is idempotent; only variants of
//! active products of the store can be added, and an item whose product is later archived stays,
//! shown as unavailable.

use async_trait::async_trait;
use balcao_core::Core;
use balcao_core::error::{Error, Result};
use balcao_core::id::StoreId;
use balcao_core::money::{Currency, Money};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::load;
use crate::ids::{CustomerId, ProductId, VariantId};
use crate::schema::{products, variants, wishlist_items};

/// Most items a wishlist holds.
pub const MAX_ITEMS: i64 = 200;

/// A saved variant.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct WishlistItem {
    /// The variant.
    pub variant_id: VariantId,
    /// Its product.
    pub product_id: ProductId,
    /// The product's title.
    #[schema(example = "Camiseta de Algodão")]
    pub product_title: String,
    /// The variant's SKU.
    #[schema(example = "CAM-M-AZUL")]
    pub sku: String,
    /// The current price.
    pub price: Money,
    /// Whether it can be bought now (the product is active and units are left).
    pub available: bool,
    /// When it was saved.
    pub added_at: DateTime<Utc>,
}

/// A customer's wishlist, newest item first.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Wishlist {
    /// The customer.
    pub customer_id: CustomerId,
    /// The items, newest first.
    pub items: Vec<WishlistItem>,
}

/// Customers' wishlists.
#[async_trait]
pub trait WishlistService: Send + Sync {
    /// A customer's wishlist (404 for a customer of another store).
    async fn get(&self, store: StoreId, customer: CustomerId) -> Result<Wishlist>;
    /// Saves a variant (idempotent); 404 unless it is a variant of an active product of the store.
    async fn add(&self, store: StoreId, customer: CustomerId, variant: VariantId) -> Result<Wishlist>;
    /// Removes a variant (idempotent).
    async fn remove(&self, store: StoreId, customer: CustomerId, variant: VariantId) -> Result<()>;
}

/// [`WishlistService`] on PostgreSQL.
pub struct PgWishlistService {
    core: Core,
}

impl PgWishlistService {
    /// A service on the shared handles.
    pub fn new(core: Core) -> Self {
        Self { core }
    }
}

type ItemRow = (uuid::Uuid, uuid::Uuid, String, String, i64, String, String, i32, i32, DateTime<Utc>);

/// The items of a wishlist with their variant and product (one query).
async fn items(conn: &mut AsyncPgConnection, store: StoreId, customer: CustomerId) -> Result<Vec<WishlistItem>> {
    let rows: Vec<ItemRow> = wishlist_items::table
        .inner_join(
            variants::table
                .on(variants::store_id.eq(wishlist_items::store_id).and(variants::id.eq(wishlist_items::variant_id))),
        )
        .inner_join(
            products::table.on(products::store_id.eq(variants::store_id).and(products::id.eq(variants::product_id))),
        )
        .filter(wishlist_items::store_id.eq(store.uuid()))
        .filter(wishlist_items::customer_id.eq(customer.uuid()))
        .order((wishlist_items::created_at.desc(), wishlist_items::variant_id.desc()))
        .select((
            wishlist_items::variant_id,
            variants::product_id,
            products::title,
            variants::sku,
            variants::price_amount,
            products::currency,
            products::status,
            variants::on_hand,
            variants::reserved,
            wishlist_items::created_at,
        ))
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(variant, product, title, sku, price, currency, status, on_hand, reserved, added_at)| WishlistItem {
            variant_id: VariantId(variant),
            product_id: ProductId(product),
            product_title: title,
            sku,
            price: Money::new(price, Currency::parse(&currency).unwrap_or_default()),
            available: status == "active" && on_hand > reserved,
            added_at,
        })
        .collect())
}

#[async_trait]
impl WishlistService for PgWishlistService {
    async fn get(&self, store: StoreId, customer: CustomerId) -> Result<Wishlist> {
        let mut conn = self.core.pool.get().await?;
        load::row(&mut conn, store, customer).await?;
        Ok(Wishlist { customer_id: customer, items: items(&mut conn, store, customer).await? })
    }

    async fn add(&self, store: StoreId, customer: CustomerId, variant: VariantId) -> Result<Wishlist> {
        let mut conn = self.core.pool.get().await?;
        let offered: i64 = variants::table
            .inner_join(
                products::table
                    .on(products::store_id.eq(variants::store_id).and(products::id.eq(variants::product_id))),
            )
            .filter(variants::store_id.eq(store.uuid()))
            .filter(variants::id.eq(variant.uuid()))
            .filter(products::status.eq("active"))
            .count()
            .get_result(&mut conn)
            .await?;
        if offered == 0 {
            return Err(Error::not_found("variant"));
        }
        let saved: i64 = wishlist_items::table
            .filter(wishlist_items::store_id.eq(store.uuid()))
            .filter(wishlist_items::customer_id.eq(customer.uuid()))
            .count()
            .get_result(&mut conn)
            .await?;
        if saved >= MAX_ITEMS {
            return Err(Error::Rule {
                code: crate::problems::WISHLIST_FULL,
                detail: format!("A wishlist holds at most {MAX_ITEMS} items; remove one first."),
                field: None,
            });
        }
        diesel::insert_into(wishlist_items::table)
            .values((
                wishlist_items::store_id.eq(store.uuid()),
                wishlist_items::customer_id.eq(customer.uuid()),
                wishlist_items::variant_id.eq(variant.uuid()),
                wishlist_items::created_at.eq(Utc::now()),
            ))
            .on_conflict_do_nothing()
            .execute(&mut conn)
            .await
            .map_err(|e| match e {
                // The customer or the variant went away since the check above.
                diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::ForeignKeyViolation, info) => {
                    let on_customer = info.constraint_name().is_some_and(|c| c.contains("customer"));
                    Error::not_found(if on_customer { "customer" } else { "variant" })
                }
                other => other.into(),
            })?;
        Ok(Wishlist { customer_id: customer, items: items(&mut conn, store, customer).await? })
    }

    async fn remove(&self, store: StoreId, customer: CustomerId, variant: VariantId) -> Result<()> {
        let mut conn = self.core.pool.get().await?;
        diesel::delete(
            wishlist_items::table
                .filter(wishlist_items::store_id.eq(store.uuid()))
                .filter(wishlist_items::customer_id.eq(customer.uuid()))
                .filter(wishlist_items::variant_id.eq(variant.uuid())),
        )
        .execute(&mut conn)
        .await?;
        Ok(())
    }
}
