//! [`PgCartService`]: the cart service's handles, and how each of its parts reaches an open
//! cart of a store. The service ([`super::service`]), checkout ([`super::checkout`]) and the
//! priced view ([`super::view`]) all stand on it.

use std::sync::Arc;

use balcao_core::Core;
use balcao_core::error::{Error, Result};
use balcao_core::id::StoreId;
use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::pricing::{CartRow, PricingDeps};
use crate::ids::CartId;
use crate::orders::schema::carts;
use crate::storefront::StorefrontService;

/// [`CartService`](super::CartService) on PostgreSQL.
pub struct PgCartService {
    pub(super) core: Core,
    pub(super) storefront: Arc<dyn StorefrontService>,
    pub(super) deps: PricingDeps,
}

impl PgCartService {
    /// A cart service over the storefront, coupons and delivery services.
    pub fn new(core: Core, storefront: Arc<dyn StorefrontService>, deps: PricingDeps) -> Self {
        Self { core, storefront, deps }
    }

    /// Loads an open, unexpired cart of the slug's store.
    pub(super) async fn open_cart(
        &self,
        conn: &mut AsyncPgConnection,
        slug: &str,
        id: CartId,
    ) -> Result<(StoreId, CartRow)> {
        let (store, row) = self.cart(conn, slug, id).await?;
        if row.status != "open" {
            return Err(Error::Conflict {
                code: crate::problems::CART_CHECKED_OUT,
                detail: "This cart became an order; start a new cart.".into(),
                field: None,
            });
        }
        Ok((store, row))
    }

    pub(super) async fn cart(
        &self,
        conn: &mut AsyncPgConnection,
        slug: &str,
        id: CartId,
    ) -> Result<(StoreId, CartRow)> {
        let store = self.storefront.store(slug).await?;
        let row: CartRow = carts::table
            .filter(carts::store_id.eq(store.uuid()))
            .filter(carts::id.eq(id.uuid()))
            .filter(carts::expires_at.gt(Utc::now()))
            .select(CartRow::as_select())
            .first(conn)
            .await
            .optional()?
            .ok_or_else(|| Error::not_found("cart"))?;
        Ok((store, row))
    }

    pub(super) async fn touch(&self, conn: &mut AsyncPgConnection, store: StoreId, id: CartId) -> Result<()> {
        let ttl = chrono::Duration::from_std(self.core.config.cart_ttl).unwrap_or(chrono::Duration::days(7));
        diesel::update(carts::table.filter(carts::store_id.eq(store.uuid())).filter(carts::id.eq(id.uuid())))
            .set((carts::updated_at.eq(Utc::now()), carts::expires_at.eq(Utc::now() + ttl)))
            .execute(conn)
            .await?;
        Ok(())
    }
}
