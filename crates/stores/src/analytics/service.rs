//! Sales analytics: revenue, orders, average order value, top products, orders by hour in the
//! store's time zone and the repeat-customer rate, all computed by SQL aggregates.

use std::sync::Arc;

use async_trait::async_trait;
use balcao_core::Core;
use balcao_core::error::{Error, Result};
use balcao_core::id::StoreId;
use balcao_core::money::{Currency, Money};
use balcao_core::tenancy::StoreService;
use chrono::{DateTime, Utc};
use diesel::QueryableByName;
use diesel::sql_types::{BigInt, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// The statuses whose orders count as sales.
pub const SALE_STATUSES: &str = "('paid', 'preparing', 'shipped', 'delivered')";

/// `?from=&to=`.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Period {
    /// Start, inclusive (RFC 3339).
    #[serde(deserialize_with = "balcao_core::timestamp::deserialize")]
    pub from: DateTime<Utc>,
    /// End, exclusive (RFC 3339); at most 366 days after `from`.
    #[serde(deserialize_with = "balcao_core::timestamp::deserialize")]
    pub to: DateTime<Utc>,
}

/// A best-selling product.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, QueryableByName)]
pub struct TopProduct {
    /// The product.
    #[diesel(sql_type = SqlUuid)]
    #[schema(value_type = uuid::Uuid)]
    pub product_id: uuid::Uuid,
    /// Its title when sold.
    #[diesel(sql_type = Text)]
    pub title: String,
    /// Units sold.
    #[diesel(sql_type = BigInt)]
    pub quantity: i64,
    /// Revenue in minor units.
    #[diesel(sql_type = BigInt)]
    pub revenue_amount: i64,
}

/// Orders placed in one hour of the day (store time zone).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct HourCount {
    /// 0 to 23.
    pub hour: u32,
    /// Orders.
    pub orders: i64,
}

/// The figures for a period. Sales are orders that were paid (paid, preparing, shipped, delivered).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Analytics {
    /// Start, inclusive.
    pub from: DateTime<Utc>,
    /// End, exclusive.
    pub to: DateTime<Utc>,
    /// The store's time zone, used for `orders_by_hour`.
    pub timezone: String,
    /// Sum of sales totals.
    pub revenue: Money,
    /// Number of sales.
    pub order_count: i64,
    /// `revenue / order_count`, rounded to the nearest centavo.
    pub average_order_value: Money,
    /// The five products with the most revenue.
    pub top_products: Vec<TopProduct>,
    /// 24 buckets, hour 0 to 23.
    pub orders_by_hour: Vec<HourCount>,
    /// Buyers (by customer, or by email for guests) with at least one sale.
    pub customers: i64,
    /// Buyers with two or more sales in the period.
    pub repeat_customers: i64,
    /// `repeat_customers / customers` (0 when there are none).
    pub repeat_customer_rate: f64,
}

/// A store's analytics.
#[async_trait]
pub trait AnalyticsService: Send + Sync {
    /// Figures for `period`.
    async fn summary(&self, store: StoreId, period: Period) -> Result<Analytics>;
}

/// [`AnalyticsService`] on PostgreSQL.
pub struct PgAnalyticsService {
    core: Core,
    stores: Arc<dyn StoreService>,
}

impl PgAnalyticsService {
    /// A service on the shared handles; `stores` gives the time zone and currency.
    pub fn new(core: Core, stores: Arc<dyn StoreService>) -> Self {
        Self { core, stores }
    }
}

#[derive(QueryableByName)]
struct Totals {
    #[diesel(sql_type = BigInt)]
    orders: i64,
    #[diesel(sql_type = BigInt)]
    revenue: i64,
}

#[derive(QueryableByName)]
struct Hour {
    #[diesel(sql_type = BigInt)]
    hour: i64,
    #[diesel(sql_type = BigInt)]
    orders: i64,
}

#[derive(QueryableByName)]
struct Repeat {
    #[diesel(sql_type = BigInt)]
    customers: i64,
    #[diesel(sql_type = BigInt)]
    repeat_customers: i64,
}

const WINDOW: &str = "o.store_id = $1 AND o.created_at >= $2 AND o.created_at < $3";

#[async_trait]
impl AnalyticsService for PgAnalyticsService {
    async fn summary(&self, store: StoreId, period: Period) -> Result<Analytics> {
        if period.to <= period.from {
            return Err(Error::field("to", "not_after_from", "must be after `from`"));
        }
        if period.to - period.from > chrono::Duration::days(366) {
            return Err(Error::field("to", "range_too_long", "the period may span at most 366 days"));
        }
        let info = self.stores.get(store).await?;
        let currency = Currency::parse(&info.currency).unwrap_or_default();
        let mut conn = self.core.pool.get().await?;
        let bind = |sql: String| {
            diesel::sql_query(sql)
                .bind::<SqlUuid, _>(store.uuid())
                .bind::<Timestamptz, _>(period.from)
                .bind::<Timestamptz, _>(period.to)
        };
        let totals: Totals = bind(format!(
            "SELECT count(*) AS orders, coalesce(sum(o.total_amount), 0)::bigint AS revenue \
             FROM orders o WHERE {WINDOW} AND o.status IN {SALE_STATUSES}"
        ))
        .get_result(&mut conn)
        .await?;
        let top_products: Vec<TopProduct> = bind(format!(
            "SELECT l.product_id, min(l.title) AS title, sum(l.quantity)::bigint AS quantity, \
                    sum(l.total_amount)::bigint AS revenue_amount \
             FROM order_lines l JOIN orders o ON o.store_id = l.store_id AND o.id = l.order_id \
             WHERE {WINDOW} AND o.status IN {SALE_STATUSES} \
             GROUP BY l.product_id ORDER BY revenue_amount DESC, quantity DESC, l.product_id LIMIT 5"
        ))
        .load(&mut conn)
        .await?;
        let hours: Vec<Hour> = bind(format!(
            "SELECT extract(hour FROM o.created_at AT TIME ZONE $4)::bigint AS hour, count(*) AS orders \
             FROM orders o WHERE {WINDOW} AND o.status IN {SALE_STATUSES} GROUP BY 1"
        ))
        .bind::<Text, _>(&info.timezone)
        .load(&mut conn)
        .await?;
        let repeat: Repeat = bind(format!(
            "SELECT count(*) AS customers, count(*) FILTER (WHERE n >= 2) AS repeat_customers FROM ( \
               SELECT coalesce(o.customer_id::text, lower(o.customer_email)) AS buyer, count(*) AS n \
               FROM orders o WHERE {WINDOW} AND o.status IN {SALE_STATUSES} GROUP BY 1) buyers"
        ))
        .get_result(&mut conn)
        .await?;
        let mut orders_by_hour: Vec<HourCount> = (0..24).map(|hour| HourCount { hour, orders: 0 }).collect();
        for h in hours {
            if let Some(bucket) = usize::try_from(h.hour).ok().and_then(|i| orders_by_hour.get_mut(i)) {
                bucket.orders = h.orders;
            }
        }
        let average = if totals.orders == 0 { 0 } else { (totals.revenue * 2 + totals.orders) / (totals.orders * 2) };
        Ok(Analytics {
            from: period.from,
            to: period.to,
            timezone: info.timezone,
            revenue: Money::new(totals.revenue, currency),
            order_count: totals.orders,
            average_order_value: Money::new(average, currency),
            top_products,
            orders_by_hour,
            customers: repeat.customers,
            repeat_customers: repeat.repeat_customers,
            repeat_customer_rate: if repeat.customers == 0 {
                0.0
            } else {
                repeat.repeat_customers as f64 / repeat.customers as f64
            },
        })
    }
}
