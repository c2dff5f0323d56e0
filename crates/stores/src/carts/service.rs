//! Carts by unguessable id: lines, coupon, destination; every read priced afresh.

use async_trait::async_trait;
use balcao_core::error::{Error, Result, Validator};
use balcao_core::id::StoreId;
use chrono::Utc;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::access::PgCartService;
use super::checkout;
use super::model::{AddItem, ApplyCoupon, Cart, Checkout, CreateCart, UpdateCart, UpdateItem};
use super::pricing;
pub use super::view::{destination, purge_expired};
use crate::br::{normalize_phone, parse_cep};
use crate::ids::{CartId, CartItemId, CustomerId, OrderId};
use crate::orders::Order;
use crate::orders::schema::{cart_items, carts};
use crate::schema::{products, variants};
use balcao_core::identity::service::{email_is_valid, normalize_email};

/// Most units of one line.
pub const MAX_QUANTITY: i32 = 999;
/// Most lines in a cart.
pub const MAX_LINES: i64 = 100;

/// Storefront carts.
#[async_trait]
pub trait CartService: Send + Sync {
    /// Opens a cart (for a guest, or for the customer a token names).
    async fn create(&self, slug: &str, customer: Option<CustomerId>, req: CreateCart) -> Result<Cart>;
    /// The cart, priced from the current catalog.
    async fn get(&self, slug: &str, id: CartId) -> Result<Cart>;
    /// Adds units of a variant.
    async fn add_item(&self, slug: &str, id: CartId, req: AddItem) -> Result<Cart>;
    /// Changes a line's units.
    async fn update_item(&self, slug: &str, id: CartId, item: CartItemId, req: UpdateItem) -> Result<Cart>;
    /// Removes a line.
    async fn remove_item(&self, slug: &str, id: CartId, item: CartItemId) -> Result<Cart>;
    /// Applies a coupon; a coupon that does not hold answers 422 with its rejection code.
    async fn apply_coupon(&self, slug: &str, id: CartId, req: ApplyCoupon) -> Result<Cart>;
    /// Removes every coupon.
    async fn remove_coupons(&self, slug: &str, id: CartId) -> Result<Cart>;
    /// Sets contact details and the shipping destination and method.
    async fn update(&self, slug: &str, id: CartId, req: UpdateCart) -> Result<Cart>;
    /// Places the order: validates, reserves stock, redeems coupons, freezes prices.
    async fn checkout(&self, slug: &str, id: CartId, customer: Option<CustomerId>, req: Checkout) -> Result<Order>;
    /// The store and the order a checked-out cart became (the cart id is the shopper's proof of
    /// access); 404 for an unknown cart, 409 `cart_not_checked_out` for an open one.
    async fn order_of(&self, slug: &str, id: CartId) -> Result<(StoreId, OrderId)>;
}

fn contact(v: &mut Validator, email: Option<&str>, phone: Option<&str>) -> Option<String> {
    if let Some(email) = email {
        v.check(email_is_valid(&normalize_email(email)), "email", "invalid_format", "must be an email address");
    }
    phone.and_then(|p| match normalize_phone(p) {
        Ok(normalized) => Some(normalized),
        Err(e) => {
            v.check(false, "phone", e.code(), &e.to_string());
            None
        }
    })
}

fn quantity(v: &mut Validator, q: i32) {
    v.check((1..=MAX_QUANTITY).contains(&q), "quantity", "out_of_range", "must be between 1 and 999");
}

#[async_trait]
impl CartService for PgCartService {
    async fn create(&self, slug: &str, customer: Option<CustomerId>, req: CreateCart) -> Result<Cart> {
        let mut v = Validator::new();
        let phone = contact(&mut v, req.email.as_deref(), req.phone.as_deref());
        v.finish()?;
        let store = self.storefront.store(slug).await?;
        let ttl = chrono::Duration::from_std(self.core.config.cart_ttl).unwrap_or(chrono::Duration::days(7));
        // Random (v4), not time-ordered: a cart id is a capability and must not be guessable.
        let id = CartId(uuid::Uuid::new_v4());
        let mut conn = self.core.pool.get().await?;
        diesel::insert_into(carts::table)
            .values((
                carts::store_id.eq(store.uuid()),
                carts::id.eq(id.uuid()),
                carts::customer_id.eq(customer.map(CustomerId::uuid)),
                carts::email.eq(req.email.map(|e| e.trim().to_lowercase())),
                carts::phone.eq(phone),
                carts::expires_at.eq(Utc::now() + ttl),
            ))
            .execute(&mut conn)
            .await?;
        drop(conn);
        self.reload(slug, id).await
    }

    async fn get(&self, slug: &str, id: CartId) -> Result<Cart> {
        self.reload(slug, id).await
    }

    async fn add_item(&self, slug: &str, id: CartId, req: AddItem) -> Result<Cart> {
        let units = req.quantity.unwrap_or(1);
        let mut v = Validator::new();
        quantity(&mut v, units);
        v.finish()?;
        let mut conn = self.core.pool.get().await?;
        let (store, _) = self.open_cart(&mut conn, slug, id).await?;
        let found: Option<(i64, String)> = variants::table
            .inner_join(
                products::table
                    .on(products::store_id.eq(variants::store_id).and(products::id.eq(variants::product_id))),
            )
            .filter(variants::store_id.eq(store.uuid()))
            .filter(variants::id.eq(req.variant_id.uuid()))
            .select((variants::price_amount, products::status))
            .first(&mut conn)
            .await
            .optional()?;
        let Some((price, status)) = found.filter(|(_, status)| status == "active") else {
            return Err(Error::field("variant_id", "unknown_variant", "is not a variant for sale in this store"));
        };
        let _ = status;
        let lines: i64 = cart_items::table
            .filter(cart_items::store_id.eq(store.uuid()))
            .filter(cart_items::cart_id.eq(id.uuid()))
            .count()
            .get_result(&mut conn)
            .await?;
        let merged: Option<i32> = diesel::update(
            cart_items::table
                .filter(cart_items::store_id.eq(store.uuid()))
                .filter(cart_items::cart_id.eq(id.uuid()))
                .filter(cart_items::variant_id.eq(req.variant_id.uuid())),
        )
        .set((
            cart_items::quantity.eq(diesel::dsl::sql::<diesel::sql_types::Integer>("least(quantity + ")
                .bind::<diesel::sql_types::Integer, _>(units)
                .sql(&format!(", {MAX_QUANTITY})"))),
            cart_items::updated_at.eq(Utc::now()),
        ))
        .returning(cart_items::quantity)
        .get_result(&mut conn)
        .await
        .optional()?;
        if merged.is_none() {
            if lines >= MAX_LINES {
                return Err(Error::field("variant_id", "cart_full", "a cart holds at most 100 lines"));
            }
            diesel::insert_into(cart_items::table)
                .values((
                    cart_items::store_id.eq(store.uuid()),
                    cart_items::id.eq(CartItemId::new().uuid()),
                    cart_items::cart_id.eq(id.uuid()),
                    cart_items::variant_id.eq(req.variant_id.uuid()),
                    cart_items::quantity.eq(units),
                    cart_items::seen_price_amount.eq(price),
                ))
                .on_conflict_do_nothing()
                .execute(&mut conn)
                .await?;
        }
        self.touch(&mut conn, store, id).await?;
        drop(conn);
        self.reload(slug, id).await
    }

    async fn update_item(&self, slug: &str, id: CartId, item: CartItemId, req: UpdateItem) -> Result<Cart> {
        let mut v = Validator::new();
        if let Some(q) = req.quantity {
            quantity(&mut v, q);
        }
        v.finish()?;
        let mut conn = self.core.pool.get().await?;
        let (store, _) = self.open_cart(&mut conn, slug, id).await?;
        let line = cart_items::table
            .filter(cart_items::store_id.eq(store.uuid()))
            .filter(cart_items::cart_id.eq(id.uuid()))
            .filter(cart_items::id.eq(item.uuid()));
        let Some(units) = req.quantity else {
            // Nothing to change: answer the cart as it is, once the line is known to exist.
            line.select(cart_items::id)
                .first::<uuid::Uuid>(&mut conn)
                .await
                .optional()?
                .ok_or_else(|| Error::not_found("cart item"))?;
            drop(conn);
            return self.reload(slug, id).await;
        };
        let updated = diesel::update(line)
            .set((cart_items::quantity.eq(units), cart_items::updated_at.eq(Utc::now())))
            .execute(&mut conn)
            .await?;
        if updated == 0 {
            return Err(Error::not_found("cart item"));
        }
        self.touch(&mut conn, store, id).await?;
        drop(conn);
        self.reload(slug, id).await
    }

    async fn remove_item(&self, slug: &str, id: CartId, item: CartItemId) -> Result<Cart> {
        let mut conn = self.core.pool.get().await?;
        let (store, _) = self.open_cart(&mut conn, slug, id).await?;
        let removed = diesel::delete(
            cart_items::table
                .filter(cart_items::store_id.eq(store.uuid()))
                .filter(cart_items::cart_id.eq(id.uuid()))
                .filter(cart_items::id.eq(item.uuid())),
        )
        .execute(&mut conn)
        .await?;
        if removed == 0 {
            return Err(Error::not_found("cart item"));
        }
        self.touch(&mut conn, store, id).await?;
        drop(conn);
        self.reload(slug, id).await
    }

    async fn apply_coupon(&self, slug: &str, id: CartId, req: ApplyCoupon) -> Result<Cart> {
        let code = req.code.trim().to_uppercase();
        let mut v = Validator::new();
        v.length(&code, "code", 1, 40);
        v.finish()?;
        let mut conn = self.core.pool.get().await?;
        let (store, row) = self.open_cart(&mut conn, slug, id).await?;
        let mut codes: Vec<String> = row.coupon_codes.clone();
        if !codes.contains(&code) {
            codes.push(code);
        }
        // Evaluate against the cart as it is now: a coupon that does not hold is refused with its code.
        let (facts, categories) = pricing::load_lines(&mut conn, store, row.id).await?;
        drop(conn);
        let customer = (row.customer_id.map(CustomerId), row.email.clone(), row.phone.clone());
        let priced = pricing::price(&self.deps, store, &facts, &categories, &codes, customer, None, None).await?;
        if let Some(error) = priced.coupon_error {
            return Err(error);
        }
        let mut conn = self.core.pool.get().await?;
        diesel::update(carts::table.filter(carts::store_id.eq(store.uuid())).filter(carts::id.eq(id.uuid())))
            .set(carts::coupon_codes.eq(&codes))
            .execute(&mut conn)
            .await?;
        self.touch(&mut conn, store, id).await?;
        drop(conn);
        self.reload(slug, id).await
    }

    async fn remove_coupons(&self, slug: &str, id: CartId) -> Result<Cart> {
        let mut conn = self.core.pool.get().await?;
        let (store, _) = self.open_cart(&mut conn, slug, id).await?;
        diesel::update(carts::table.filter(carts::store_id.eq(store.uuid())).filter(carts::id.eq(id.uuid())))
            .set(carts::coupon_codes.eq(Vec::<String>::new()))
            .execute(&mut conn)
            .await?;
        self.touch(&mut conn, store, id).await?;
        drop(conn);
        self.reload(slug, id).await
    }

    async fn update(&self, slug: &str, id: CartId, req: UpdateCart) -> Result<Cart> {
        let mut v = Validator::new();
        let phone = contact(&mut v, req.email.as_deref(), req.phone.as_deref());
        let cep = req.shipping.as_ref().map(|s| parse_cep(&s.cep));
        if let Some(Err(e)) = &cep {
            v.check(false, "shipping.cep", e.code(), &e.to_string());
        }
        v.finish()?;
        let mut conn = self.core.pool.get().await?;
        let (store, _) = self.open_cart(&mut conn, slug, id).await?;
        let shipping = req.shipping.as_ref();
        let target = carts::table.filter(carts::store_id.eq(store.uuid())).filter(carts::id.eq(id.uuid()));
        let changed = diesel::update(target)
            .set((
                req.email.as_deref().map(|e| carts::email.eq(Some(e.trim().to_lowercase()))),
                phone.map(|p| carts::phone.eq(Some(p))),
                cep.and_then(|c| c.ok()).map(|c| carts::cep.eq(Some(c.digits().to_owned()))),
                shipping.map(|s| carts::neighborhood.eq(s.neighborhood.clone())),
                shipping.map(|s| carts::city.eq(s.city.clone())),
                shipping.map(|s| carts::lat.eq(s.coordinates.as_ref().map(|c| c.lat))),
                shipping.map(|s| carts::lng.eq(s.coordinates.as_ref().map(|c| c.lng))),
                shipping.map(|s| carts::delivery_zone_id.eq(s.delivery_method_id.map(|m| m.uuid()))),
            ))
            .execute(&mut conn)
            .await;
        // An empty PATCH changes nothing and answers the cart as it is.
        if balcao_core::patch::changed(changed)?.is_some() {
            self.touch(&mut conn, store, id).await?;
        }
        drop(conn);
        self.reload(slug, id).await
    }

    async fn checkout(&self, slug: &str, id: CartId, customer: Option<CustomerId>, req: Checkout) -> Result<Order> {
        checkout::run(self, slug, id, customer, req).await
    }

    async fn order_of(&self, slug: &str, id: CartId) -> Result<(StoreId, OrderId)> {
        let store = self.storefront.store(slug).await?;
        let mut conn = self.core.pool.get().await?;
        // A checked-out cart is never purged and stays its order's key; an open one lives until it expires.
        let row: (String, Option<uuid::Uuid>, chrono::DateTime<Utc>) = carts::table
            .filter(carts::store_id.eq(store.uuid()))
            .filter(carts::id.eq(id.uuid()))
            .select((carts::status, carts::order_id, carts::expires_at))
            .first(&mut conn)
            .await
            .optional()?
            .ok_or_else(|| Error::not_found("cart"))?;
        match row {
            (status, Some(order), _) if status == "checked_out" => Ok((store, OrderId(order))),
            (_, _, expires_at) if expires_at <= Utc::now() => Err(Error::not_found("cart")),
            _ => Err(Error::Conflict {
                code: crate::problems::CART_NOT_CHECKED_OUT,
                detail: "This cart has not been checked out yet; check it out first.".into(),
                field: None,
            }),
        }
    }
}
