//! Prices a cart from the current catalog: lines, availability, coupons, shipping, totals.
//!
//! Used by every cart read and by checkout, so what the shopper sees is what they pay.

use std::collections::HashMap;
use std::sync::Arc;

use balcao_core::error::{Error, Result};
use balcao_core::id::StoreId;
use balcao_core::money::{Currency, Money};
use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::model::{CartLine, CartNotice, LineChange};
use crate::br::parse_cep;
use crate::coupons::{AppliedCoupon, CouponContext, CouponLine, CouponService};
use crate::ids::{CartItemId, CategoryId, CustomerId, DeliveryZoneId, ProductId, VariantId};
use crate::orders::schema::{cart_items, carts};
use crate::schema::{product_categories, products, variants};
use crate::shipping::{Coordinates, DeliveryService, QuoteRequest, ShippingOption};

/// A cart row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = carts)]
pub struct CartRow {
    pub store_id: uuid::Uuid,
    pub id: uuid::Uuid,
    pub customer_id: Option<uuid::Uuid>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub coupon_codes: Vec<String>,
    pub cep: Option<String>,
    pub neighborhood: Option<String>,
    pub city: Option<String>,
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    pub delivery_zone_id: Option<uuid::Uuid>,
    pub status: String,
    pub order_id: Option<uuid::Uuid>,
    pub created_at: chrono::DateTime<Utc>,
    pub updated_at: chrono::DateTime<Utc>,
    pub expires_at: chrono::DateTime<Utc>,
}

/// One line with its catalog facts.
#[derive(Debug, Clone, Queryable)]
pub struct LineFacts {
    pub item_id: uuid::Uuid,
    pub variant_id: uuid::Uuid,
    pub quantity: i32,
    pub seen_price_amount: i64,
    pub product_id: uuid::Uuid,
    pub title: String,
    pub status: String,
    pub currency: String,
    pub variant_title: String,
    pub sku: String,
    pub price_amount: i64,
    pub on_hand: i32,
    pub reserved: i32,
}

impl LineFacts {
    /// Units that can be bought now.
    pub fn available(&self) -> i32 {
        if self.status == "active" { (self.on_hand - self.reserved).max(0) } else { 0 }
    }

    /// Whether the whole line can be bought now.
    pub fn purchasable(&self) -> bool {
        self.status == "active" && self.available() >= self.quantity
    }
}

/// Loads a cart's lines with their catalog facts and categories (two queries).
pub async fn load_lines(
    conn: &mut AsyncPgConnection,
    store: StoreId,
    cart: uuid::Uuid,
) -> Result<(Vec<LineFacts>, HashMap<uuid::Uuid, Vec<uuid::Uuid>>)> {
    let lines: Vec<LineFacts> = cart_items::table
        .inner_join(
            variants::table
                .on(variants::store_id.eq(cart_items::store_id).and(variants::id.eq(cart_items::variant_id))),
        )
        .inner_join(
            products::table.on(products::store_id.eq(variants::store_id).and(products::id.eq(variants::product_id))),
        )
        .filter(cart_items::store_id.eq(store.uuid()))
        .filter(cart_items::cart_id.eq(cart))
        .order(cart_items::created_at.asc())
        .select((
            cart_items::id,
            cart_items::variant_id,
            cart_items::quantity,
            cart_items::seen_price_amount,
            products::id,
            products::title,
            products::status,
            products::currency,
            variants::title,
            variants::sku,
            variants::price_amount,
            variants::on_hand,
            variants::reserved,
        ))
        .load(conn)
        .await?;
    let product_ids: Vec<uuid::Uuid> = lines.iter().map(|l| l.product_id).collect();
    let mut categories: HashMap<uuid::Uuid, Vec<uuid::Uuid>> = HashMap::new();
    if !product_ids.is_empty() {
        let rows: Vec<(uuid::Uuid, uuid::Uuid)> = product_categories::table
            .filter(product_categories::store_id.eq(store.uuid()))
            .filter(product_categories::product_id.eq_any(&product_ids))
            .select((product_categories::product_id, product_categories::category_id))
            .load(conn)
            .await?;
        for (product, category) in rows {
            categories.entry(product).or_default().push(category);
        }
    }
    Ok((lines, categories))
}

/// A priced cart.
#[derive(Debug)]
pub struct Priced {
    pub currency: Currency,
    pub lines: Vec<CartLine>,
    pub item_count: i32,
    pub subtotal: Money,
    pub applied: Vec<AppliedCoupon>,
    pub coupon_error: Option<Error>,
    pub discount: Money,
    pub shipping: Option<ShippingOption>,
    pub shipping_error: Option<Error>,
    pub shipping_fee: Money,
    pub total: Money,
    pub coupon_context: CouponContext,
}

/// Where the cart is going, as the shipping module wants it.
pub struct Destination {
    pub cep: String,
    pub neighborhood: Option<String>,
    pub city: Option<String>,
    pub coordinates: Option<Coordinates>,
}

/// The services pricing needs.
#[derive(Clone)]
pub struct PricingDeps {
    pub coupons: Arc<dyn CouponService>,
    pub delivery: Arc<dyn DeliveryService>,
}

/// Turns an error into a notice for a cart read.
pub fn notice(error: &Error) -> CartNotice {
    CartNotice { code: error.code().to_owned(), detail: error.problem().detail }
}

/// Prices lines, coupons and the chosen delivery method.
#[allow(clippy::too_many_arguments)]
pub async fn price(
    deps: &PricingDeps,
    store: StoreId,
    facts: &[LineFacts],
    categories: &HashMap<uuid::Uuid, Vec<uuid::Uuid>>,
    codes: &[String],
    customer: (Option<CustomerId>, Option<String>, Option<String>),
    destination: Option<&Destination>,
    method: Option<DeliveryZoneId>,
) -> Result<Priced> {
    let currency = facts.first().and_then(|f| Currency::parse(&f.currency)).unwrap_or_default();
    let money = |amount| Money::new(amount, currency);
    let mut lines = Vec::with_capacity(facts.len());
    let mut coupon_lines = Vec::new();
    let mut subtotal = 0i64;
    let mut item_count = 0;
    for f in facts {
        let mut changes = Vec::new();
        if f.seen_price_amount != f.price_amount {
            changes.push(LineChange::PriceChanged);
        }
        if f.status != "active" {
            changes.push(LineChange::Unavailable);
        } else if f.available() == 0 {
            changes.push(LineChange::OutOfStock);
        } else if f.available() < f.quantity {
            changes.push(LineChange::InsufficientStock);
        }
        let line_total = if f.purchasable() { f.price_amount.saturating_mul(i64::from(f.quantity)) } else { 0 };
        if f.purchasable() {
            subtotal = subtotal.saturating_add(line_total);
            item_count += f.quantity;
            coupon_lines.push(CouponLine {
                product_id: ProductId(f.product_id),
                category_ids: categories.get(&f.product_id).into_iter().flatten().map(|c| CategoryId(*c)).collect(),
                quantity: f.quantity,
                line_total: money(line_total),
            });
        }
        lines.push(CartLine {
            id: CartItemId(f.item_id),
            variant_id: VariantId(f.variant_id),
            product_id: ProductId(f.product_id),
            title: f.title.clone(),
            variant_title: f.variant_title.clone(),
            sku: f.sku.clone(),
            quantity: f.quantity,
            unit_price: money(f.price_amount),
            line_total: money(line_total),
            available_quantity: f.available(),
            previous_unit_price: (f.seen_price_amount != f.price_amount).then(|| money(f.seen_price_amount)),
            changes,
        });
    }
    let (customer_id, email, phone) = customer;
    let mut context =
        CouponContext { lines: coupon_lines, shipping_fee: money(0), customer_id, email, phone, now: Utc::now() };
    let (applied, coupon_error) = if codes.is_empty() {
        (Vec::new(), None)
    } else {
        match deps.coupons.evaluate(store, codes, &context).await {
            Ok(applied) => (applied, None),
            Err(e @ Error::Rule { .. }) => (Vec::new(), Some(e)),
            Err(other) => return Err(other),
        }
    };
    let discount = applied.iter().map(|a| a.discount.amount).sum::<i64>().min(subtotal);
    let free_shipping = applied.iter().any(|a| a.free_shipping);
    let (shipping, shipping_error) = match (destination, method) {
        (Some(dest), Some(method)) => {
            let request = quote_request(dest, money(subtotal - discount))?;
            match deps.delivery.option(store, method, &request).await {
                Ok(option) => (Some(option), None),
                Err(e @ Error::Rule { .. }) => (None, Some(e)),
                Err(other) => return Err(other),
            }
        }
        _ => (None, None),
    };
    let shipping_fee = match &shipping {
        Some(_) if free_shipping => 0,
        Some(option) => option.fee.amount,
        None => 0,
    };
    context.shipping_fee = money(shipping_fee);
    Ok(Priced {
        currency,
        lines,
        item_count,
        subtotal: money(subtotal),
        applied,
        coupon_error,
        discount: money(discount),
        shipping,
        shipping_error,
        shipping_fee: money(shipping_fee),
        total: money(subtotal - discount + shipping_fee),
        coupon_context: context,
    })
}

/// A quote request for a destination and an items total.
pub fn quote_request(dest: &Destination, subtotal: Money) -> Result<QuoteRequest> {
    let cep = parse_cep(&dest.cep).map_err(|e| Error::field("cep", e.code(), e.to_string()))?;
    Ok(QuoteRequest {
        cep,
        neighborhood: dest.neighborhood.clone(),
        city: dest.city.clone(),
        coordinates: dest.coordinates.clone(),
        subtotal,
    })
}
