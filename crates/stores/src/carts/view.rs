//! Showing a cart: priced afresh from the catalog, price changes reported once.

use balcao_core::error::Result;
use chrono::Utc;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::access::PgCartService;
use super::model::{Cart, CartShipping};
use super::pricing::{self, CartRow, Destination};
use crate::br::parse_cep;
use crate::ids::{CartId, CustomerId, DeliveryZoneId};
use crate::orders::schema::{cart_items, carts};
use crate::shipping::Coordinates;

impl PgCartService {
    /// Prices and shows a cart; a price change is reported once, then taken as seen.
    ///
    /// No connection is held while the coupon and delivery services price it: they take their own.
    pub(super) async fn reload(&self, slug: &str, id: CartId) -> Result<Cart> {
        let (store, row, facts, categories) = {
            let mut conn = self.core.pool.get().await?;
            let (store, row) = self.cart(&mut conn, slug, id).await?;
            let (facts, categories) = pricing::load_lines(&mut conn, store, row.id).await?;
            (store, row, facts, categories)
        };
        let destination = destination(&row);
        let priced = pricing::price(
            &self.deps,
            store,
            &facts,
            &categories,
            &row.coupon_codes,
            (row.customer_id.map(CustomerId), row.email.clone(), row.phone.clone()),
            destination.as_ref(),
            row.delivery_zone_id.map(DeliveryZoneId),
        )
        .await?;
        let changed: Vec<(uuid::Uuid, i64)> = facts
            .iter()
            .filter(|f| f.seen_price_amount != f.price_amount)
            .map(|f| (f.item_id, f.price_amount))
            .collect();
        if !changed.is_empty() {
            let mut conn = self.core.pool.get().await?;
            for (item, price) in changed {
                diesel::update(
                    cart_items::table.filter(cart_items::store_id.eq(store.uuid())).filter(cart_items::id.eq(item)),
                )
                .set(cart_items::seen_price_amount.eq(price))
                .execute(&mut conn)
                .await?;
            }
        }
        let shipping = destination.map(|d| CartShipping {
            cep: parse_cep(&d.cep).map(|c| c.formatted()).unwrap_or(d.cep),
            neighborhood: d.neighborhood,
            city: d.city,
            coordinates: d.coordinates,
            option: priced.shipping.clone(),
            notice: priced.shipping_error.as_ref().map(pricing::notice),
        });
        Ok(Cart {
            id: CartId(row.id),
            status: row.status,
            items: priced.lines,
            coupon_codes: row.coupon_codes,
            applied_coupons: priced.applied,
            coupon_notice: priced.coupon_error.as_ref().map(pricing::notice),
            shipping,
            item_count: priced.item_count,
            subtotal: priced.subtotal,
            discount: priced.discount,
            shipping_fee: priced.shipping_fee,
            total: priced.total,
            email: row.email,
            expires_at: row.expires_at,
            updated_at: row.updated_at,
        })
    }
}

/// The cart's destination, when it has one.
pub fn destination(row: &CartRow) -> Option<Destination> {
    row.cep.clone().map(|cep| Destination {
        cep,
        neighborhood: row.neighborhood.clone(),
        city: row.city.clone(),
        coordinates: row.lat.zip(row.lng).map(|(lat, lng)| Coordinates { lat, lng }),
    })
}

/// Deletes carts that expired untouched more than a day ago; returns how many.
pub async fn purge_expired(pool: &balcao_core::db::DbPool) -> Result<usize> {
    let mut conn = pool.get().await?;
    Ok(diesel::delete(
        carts::table
            .filter(carts::status.eq("open"))
            .filter(carts::expires_at.lt(Utc::now() - chrono::Duration::days(1))),
    )
    .execute(&mut conn)
    .await?)
}
