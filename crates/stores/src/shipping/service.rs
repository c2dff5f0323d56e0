//! Delivery zones on PostgreSQL, and the quotes made from them.
//!
//! Amounts are stored as minor units of the store's currency, which never changes after the
//! store is created, so it is read once and cached.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use balcao_core::Core;
use balcao_core::cache::{get_json, set_json};
use balcao_core::error::{Error, FieldError, Result, Validator};
use balcao_core::id::StoreId;
use balcao_core::money::{Currency, Money};
use balcao_core::pagination::{Page, PageParams};
use balcao_core::tenancy::StoreService;
use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use super::input::{CreateDeliveryZone, UpdateDeliveryZone};
use super::model::{DeliveryZone, DeliveryZoneRow, QuoteRequest, ShippingOption, ShippingQuote, ZoneKind};
use super::quote::{self, Reach};
use super::schema::delivery_zones;
use super::validate::{check_days, check_money, zone_rules};
use crate::ids::DeliveryZoneId;

/// How long a store's currency is remembered (it cannot change).
const CURRENCY_TTL: Duration = Duration::from_secs(3600);
/// Most zones a store may have, so a quote stays one small read.
pub const MAX_ZONES: i64 = 200;

/// A store's delivery zones and shipping quotes.
#[async_trait]
pub trait DeliveryService: Send + Sync {
    /// Zones by `position`, then id.
    async fn list(&self, store: StoreId, page: &PageParams) -> Result<Page<DeliveryZone>>;
    /// One zone.
    async fn get(&self, store: StoreId, id: DeliveryZoneId) -> Result<DeliveryZone>;
    /// Creates a zone.
    async fn create(&self, store: StoreId, req: CreateDeliveryZone) -> Result<DeliveryZone>;
    /// Changes a zone.
    async fn update(&self, store: StoreId, id: DeliveryZoneId, req: UpdateDeliveryZone) -> Result<DeliveryZone>;
    /// Deletes a zone.
    async fn delete(&self, store: StoreId, id: DeliveryZoneId) -> Result<()>;
    /// The store's currency, in which every zone amount and quote subtotal is.
    async fn currency(&self, store: StoreId) -> Result<Currency>;
    /// Every active zone serving the address for this subtotal, cheapest first (see [`quote::quote`]).
    async fn quote(&self, store: StoreId, req: &QuoteRequest) -> Result<ShippingQuote>;
    /// The option of one chosen zone: `unknown_delivery_method` when it is not an active zone of the
    /// store, `delivery_method_unavailable` when it does not serve this address and subtotal.
    async fn option(&self, store: StoreId, method_id: DeliveryZoneId, req: &QuoteRequest) -> Result<ShippingOption>;
}

/// [`DeliveryService`] on PostgreSQL.
pub struct PgDeliveryService {
    core: Core,
    stores: Arc<dyn StoreService>,
}

impl PgDeliveryService {
    /// A service on the shared handles; `stores` gives each store's currency.
    pub fn new(core: Core, stores: Arc<dyn StoreService>) -> Self {
        Self { core, stores }
    }
}

async fn load(conn: &mut AsyncPgConnection, store: StoreId, id: DeliveryZoneId) -> Result<DeliveryZoneRow> {
    delivery_zones::table
        .filter(delivery_zones::store_id.eq(store.uuid()))
        .filter(delivery_zones::id.eq(id.uuid()))
        .select(DeliveryZoneRow::as_select())
        .first(conn)
        .await
        .optional()?
        .ok_or_else(|| Error::not_found("delivery zone"))
}

fn check_subtotal(req: &QuoteRequest, currency: Currency) -> Result<()> {
    if req.subtotal.currency == currency {
        return Ok(());
    }
    Err(Error::Rule {
        code: crate::problems::CURRENCY_MISMATCH,
        detail: format!("The subtotal must be in the store's currency, {}.", currency.code()),
        field: Some("subtotal".into()),
    })
}

fn unavailable(detail: String) -> Error {
    Error::Rule { code: crate::problems::DELIVERY_METHOD_UNAVAILABLE, detail, field: Some("delivery_method_id".into()) }
}

fn amount(money: Option<Money>) -> Option<i64> {
    money.map(|m| m.amount)
}

#[async_trait]
impl DeliveryService for PgDeliveryService {
    async fn list(&self, store: StoreId, page: &PageParams) -> Result<Page<DeliveryZone>> {
        let req = page.parse::<(i32, uuid::Uuid)>()?;
        let currency = self.currency(store).await?;
        let mut conn = self.core.pool.get().await?;
        let mut query = delivery_zones::table
            .filter(delivery_zones::store_id.eq(store.uuid()))
            .select(DeliveryZoneRow::as_select())
            .order((delivery_zones::position.asc(), delivery_zones::id.asc()))
            .limit(req.fetch_limit())
            .into_boxed();
        if let Some((position, id)) = req.after {
            query = query.filter(
                delivery_zones::position
                    .gt(position)
                    .or(delivery_zones::position.eq(position).and(delivery_zones::id.gt(id))),
            );
        }
        let rows = query.load(&mut conn).await?;
        let page = req.page(rows, |r| (r.position, r.id))?;
        let data = page.data.into_iter().map(|r| DeliveryZone::from_row(r, currency)).collect::<Result<_>>()?;
        Ok(Page { data, next_cursor: page.next_cursor })
    }

    async fn get(&self, store: StoreId, id: DeliveryZoneId) -> Result<DeliveryZone> {
        let currency = self.currency(store).await?;
        let mut conn = self.core.pool.get().await?;
        DeliveryZone::from_row(load(&mut conn, store, id).await?, currency)
    }

    async fn create(&self, store: StoreId, req: CreateDeliveryZone) -> Result<DeliveryZone> {
        let currency = self.currency(store).await?;
        let mut v = Validator::new();
        v.length(&req.name, "name", 1, 100);
        for (field, money) in
            [("fee", &req.fee), ("free_above", &req.free_above), ("minimum_order", &req.minimum_order)]
        {
            if let Some(money) = money {
                check_money(&mut v, field, money, currency);
            }
        }
        if let Some(days) = req.estimated_days {
            check_days(&mut v, days);
        }
        let rules = zone_rules(&mut v, req.kind, &req.rules);
        v.finish()?;
        let rules = rules.ok_or_else(|| Error::internal("validated rules are missing"))?;
        let mut conn = self.core.pool.get().await?;
        let count: i64 = delivery_zones::table
            .filter(delivery_zones::store_id.eq(store.uuid()))
            .count()
            .get_result(&mut conn)
            .await?;
        if count >= MAX_ZONES {
            return Err(Error::Rule {
                code: crate::problems::TOO_MANY_DELIVERY_ZONES,
                detail: format!("A store may have at most {MAX_ZONES} delivery zones."),
                field: None,
            });
        }
        let now = Utc::now();
        let row: DeliveryZoneRow = diesel::insert_into(delivery_zones::table)
            .values((
                delivery_zones::store_id.eq(store.uuid()),
                delivery_zones::id.eq(DeliveryZoneId::new().uuid()),
                delivery_zones::name.eq(req.name.trim()),
                delivery_zones::kind.eq(rules.kind().as_str()),
                delivery_zones::active.eq(req.active.unwrap_or(true)),
                delivery_zones::position.eq(req.position.unwrap_or(0)),
                delivery_zones::fee_amount.eq(req.fee.map_or(0, |f| f.amount)),
                delivery_zones::free_above_amount.eq(amount(req.free_above)),
                delivery_zones::minimum_order_amount.eq(amount(req.minimum_order)),
                delivery_zones::estimated_days.eq(req.estimated_days),
                delivery_zones::rules.eq(rules.to_stored()?),
                delivery_zones::created_at.eq(now),
                delivery_zones::updated_at.eq(now),
            ))
            .returning(DeliveryZoneRow::as_returning())
            .get_result(&mut conn)
            .await?;
        DeliveryZone::from_row(row, currency)
    }

    async fn update(&self, store: StoreId, id: DeliveryZoneId, req: UpdateDeliveryZone) -> Result<DeliveryZone> {
        if balcao_core::patch::is_empty(&req) {
            return self.get(store, id).await;
        }
        let currency = self.currency(store).await?;
        let mut v = Validator::new();
        if let Some(name) = &req.name {
            v.length(name, "name", 1, 100);
        }
        let moneys = [
            ("fee", req.fee),
            ("free_above", req.free_above.flatten()),
            ("minimum_order", req.minimum_order.flatten()),
        ];
        for (field, money) in moneys {
            if let Some(money) = money {
                check_money(&mut v, field, &money, currency);
            }
        }
        if let Some(Some(days)) = req.estimated_days {
            check_days(&mut v, days);
        }
        v.finish()?;
        let mut conn = self.core.pool.get().await?;
        let row = conn
            .transaction::<_, Error, _>(async |conn| {
                let current = delivery_zones::table
                    .filter(delivery_zones::store_id.eq(store.uuid()))
                    .filter(delivery_zones::id.eq(id.uuid()))
                    .select(DeliveryZoneRow::as_select())
                    .for_update()
                    .first(conn)
                    .await
                    .optional()?
                    .ok_or_else(|| Error::not_found("delivery zone"))?;
                let current_kind = ZoneKind::parse(&current.kind)
                    .ok_or_else(|| Error::internal(format!("stored zone kind {}", current.kind)))?;
                let kind = req.kind.unwrap_or(current_kind);
                let rules = match &req.rules {
                    Some(input) => zone_rules(&mut v, kind, input),
                    None if kind != current_kind => {
                        v.push(FieldError::new("rules", "required", "a new kind needs its rules"));
                        None
                    }
                    None => None,
                };
                v.finish()?;
                let stored = rules.as_ref().map(|r| r.to_stored()).transpose()?;
                let row: DeliveryZoneRow = diesel::update(
                    delivery_zones::table
                        .filter(delivery_zones::store_id.eq(store.uuid()))
                        .filter(delivery_zones::id.eq(id.uuid())),
                )
                .set((
                    req.name.as_deref().map(|n| delivery_zones::name.eq(n.trim().to_owned())),
                    rules.as_ref().map(|r| delivery_zones::kind.eq(r.kind().as_str())),
                    stored.map(|s| delivery_zones::rules.eq(s)),
                    req.active.map(|a| delivery_zones::active.eq(a)),
                    req.position.map(|p| delivery_zones::position.eq(p)),
                    req.fee.map(|f| delivery_zones::fee_amount.eq(f.amount)),
                    req.free_above.map(|f| delivery_zones::free_above_amount.eq(amount(f))),
                    req.minimum_order.map(|m| delivery_zones::minimum_order_amount.eq(amount(m))),
                    req.estimated_days.map(|d| delivery_zones::estimated_days.eq(d)),
                    delivery_zones::updated_at.eq(Utc::now()),
                ))
                .returning(DeliveryZoneRow::as_returning())
                .get_result(conn)
                .await?;
                Ok(row)
            })
            .await?;
        DeliveryZone::from_row(row, currency)
    }

    async fn delete(&self, store: StoreId, id: DeliveryZoneId) -> Result<()> {
        let mut conn = self.core.pool.get().await?;
        let deleted = diesel::delete(
            delivery_zones::table
                .filter(delivery_zones::store_id.eq(store.uuid()))
                .filter(delivery_zones::id.eq(id.uuid())),
        )
        .execute(&mut conn)
        .await?;
        if deleted == 0 { Err(Error::not_found("delivery zone")) } else { Ok(()) }
    }

    async fn currency(&self, store: StoreId) -> Result<Currency> {
        let key = format!("shipping:currency:{store}");
        if let Some(currency) = get_json::<Currency>(self.core.cache.as_ref(), &key).await {
            return Ok(currency);
        }
        let currency = Currency::parse(&self.stores.get(store).await?.currency).unwrap_or_default();
        set_json(self.core.cache.as_ref(), &key, &currency, CURRENCY_TTL).await;
        Ok(currency)
    }

    async fn quote(&self, store: StoreId, req: &QuoteRequest) -> Result<ShippingQuote> {
        let currency = self.currency(store).await?;
        check_subtotal(req, currency)?;
        let mut conn = self.core.pool.get().await?;
        let rows: Vec<DeliveryZoneRow> = delivery_zones::table
            .filter(delivery_zones::store_id.eq(store.uuid()))
            .filter(delivery_zones::active.eq(true))
            .select(DeliveryZoneRow::as_select())
            .order((delivery_zones::position.asc(), delivery_zones::id.asc()))
            .limit(MAX_ZONES)
            .load(&mut conn)
            .await?;
        let zones = rows.into_iter().map(|r| DeliveryZone::from_row(r, currency)).collect::<Result<Vec<_>>>()?;
        Ok(quote::quote(&zones, req))
    }

    async fn option(&self, store: StoreId, method_id: DeliveryZoneId, req: &QuoteRequest) -> Result<ShippingOption> {
        let currency = self.currency(store).await?;
        check_subtotal(req, currency)?;
        let mut conn = self.core.pool.get().await?;
        let zone = match load(&mut conn, store, method_id).await {
            Ok(row) if row.active => DeliveryZone::from_row(row, currency)?,
            Ok(_) | Err(Error::NotFound { .. }) => {
                return Err(Error::Rule {
                    code: crate::problems::UNKNOWN_DELIVERY_METHOD,
                    detail: "This delivery method is not an active delivery zone of the store.".into(),
                    field: Some("delivery_method_id".into()),
                });
            }
            Err(other) => return Err(other),
        };
        let cep = req.cep.formatted();
        match quote::reach(&zone, req) {
            Reach::Serves(option) => Ok(option),
            Reach::OutOfArea => Err(unavailable(format!("{} does not deliver to CEP {cep}.", zone.name))),
            Reach::BelowMinimum(min) => {
                Err(unavailable(format!("{} needs an order of at least {}.", zone.name, min.format_pt_br())))
            }
        }
    }
}
