//! Orders: list, read, and move through the lifecycle with a timeline and events.

use std::collections::HashMap;

use async_trait::async_trait;
use balcao_core::Core;
use balcao_core::error::{Error, Result};
use balcao_core::events;
use balcao_core::id::StoreId;
use balcao_core::money::{Currency, Money};
use balcao_core::pagination::{Page, PageParams};
use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use super::model::{
    LineRow, Order, OrderCustomer, OrderFilter, OrderLine, OrderRow, TimelineEntry, TimelineRow, Transition,
};
use super::schema::{order_lines, order_timeline, orders};
use super::status::{MANUAL_TARGETS, OrderStatus};
use super::stock;
use crate::catalog::cache;
use crate::ids::{CustomerId, OrderId, OrderLineId, ProductId, TimelineEntryId, VariantId};

/// Who moves an order.
#[derive(Debug, Clone, Copy)]
pub enum Actor {
    /// A staff member.
    Staff(uuid::Uuid),
    /// An API key.
    ApiKey(uuid::Uuid),
    /// The shopper.
    Customer,
    /// balcao itself (expiry, payments).
    System,
}

impl Actor {
    fn parts(self) -> (&'static str, Option<uuid::Uuid>) {
        match self {
            Self::Staff(id) => ("staff", Some(id)),
            Self::ApiKey(id) => ("api_key", Some(id)),
            Self::Customer => ("customer", None),
            Self::System => ("system", None),
        }
    }
}

/// A store's orders.
#[async_trait]
pub trait OrderService: Send + Sync {
    /// Orders, newest first, with filters; a fixed number of queries per page.
    async fn list(&self, store: StoreId, filter: OrderFilter) -> Result<Page<Order>>;
    /// One order with its lines and timeline.
    async fn get(&self, store: StoreId, id: OrderId) -> Result<Order>;
    /// Moves an order by hand (staff or API key).
    async fn transition(&self, store: StoreId, id: OrderId, actor: Actor, req: Transition) -> Result<Order>;
}

/// [`OrderService`] on PostgreSQL.
pub struct PgOrderService {
    core: Core,
}

impl PgOrderService {
    /// A service on the shared handles.
    pub fn new(core: Core) -> Self {
        Self { core }
    }
}

/// Assembles an order from its row, lines and timeline.
pub fn assemble(row: OrderRow, lines: Vec<LineRow>, timeline: Vec<TimelineRow>) -> Order {
    let currency = Currency::parse(&row.currency).unwrap_or_default();
    let money = |amount| Money::new(amount, currency);
    Order {
        id: OrderId(row.id),
        number: row.number,
        status: OrderStatus::parse(&row.status).unwrap_or(OrderStatus::PendingPayment),
        payment_status: row.payment_status,
        customer: OrderCustomer {
            id: row.customer_id.map(CustomerId),
            name: row.customer_name,
            email: row.customer_email,
            phone: row.customer_phone,
            document: row.customer_document,
        },
        shipping_address: row.shipping_address.and_then(|a| serde_json::from_value(a).ok()),
        delivery: serde_json::from_value(row.delivery).unwrap_or_else(|_| super::model::OrderDelivery {
            method_id: uuid::Uuid::nil(),
            kind: String::new(),
            name: String::new(),
            fee: money(row.shipping_amount),
            estimated_days: None,
        }),
        notes: row.notes,
        lines: lines
            .into_iter()
            .map(|l| OrderLine {
                id: OrderLineId(l.id),
                product_id: ProductId(l.product_id),
                variant_id: VariantId(l.variant_id),
                sku: l.sku,
                title: l.title,
                variant_title: l.variant_title,
                quantity: l.quantity,
                unit_price: money(l.unit_price_amount),
                total: money(l.total_amount),
            })
            .collect(),
        subtotal: money(row.subtotal_amount),
        discount: money(row.discount_amount),
        shipping: money(row.shipping_amount),
        total: money(row.total_amount),
        coupon_codes: row.coupon_codes,
        tracking_code: row.tracking_code,
        expires_at: row.expires_at,
        timeline: timeline
            .into_iter()
            .map(|t| TimelineEntry {
                id: TimelineEntryId(t.id),
                from: t.from_status.as_deref().and_then(OrderStatus::parse),
                to: OrderStatus::parse(&t.to_status).unwrap_or(OrderStatus::PendingPayment),
                actor: t.actor,
                actor_id: t.actor_id,
                note: t.note,
                tracking_code: t.tracking_code,
                created_at: t.created_at,
            })
            .collect(),
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

/// Loads one order with lines and timeline (three queries).
pub async fn load(conn: &mut AsyncPgConnection, store: StoreId, id: OrderId) -> Result<Order> {
    let row: OrderRow = orders::table
        .filter(orders::store_id.eq(store.uuid()))
        .filter(orders::id.eq(id.uuid()))
        .select(OrderRow::as_select())
        .first(conn)
        .await
        .optional()?
        .ok_or_else(|| Error::not_found("order"))?;
    let lines: Vec<LineRow> = order_lines::table
        .filter(order_lines::store_id.eq(store.uuid()))
        .filter(order_lines::order_id.eq(id.uuid()))
        .order(order_lines::id.asc())
        .select(LineRow::as_select())
        .load(conn)
        .await?;
    let timeline: Vec<TimelineRow> = order_timeline::table
        .filter(order_timeline::store_id.eq(store.uuid()))
        .filter(order_timeline::order_id.eq(id.uuid()))
        .order(order_timeline::id.asc())
        .select(TimelineRow::as_select())
        .load(conn)
        .await?;
    Ok(assemble(row, lines, timeline))
}

/// One change of an order's state, as the timeline records it.
#[derive(Debug, Clone, Copy)]
pub struct Step<'a> {
    /// The state before (none at creation).
    pub from: Option<OrderStatus>,
    /// The state after.
    pub to: OrderStatus,
    /// Who made the change.
    pub actor: Actor,
    /// A note.
    pub note: &'a str,
    /// The carrier's tracking code.
    pub tracking_code: Option<&'a str>,
}

/// Records a timeline entry.
pub async fn record(conn: &mut AsyncPgConnection, store: StoreId, order: OrderId, step: Step<'_>) -> Result<()> {
    let Step { from, to, actor, note, tracking_code } = step;
    let (actor, actor_id) = actor.parts();
    diesel::insert_into(order_timeline::table)
        .values((
            order_timeline::store_id.eq(store.uuid()),
            order_timeline::id.eq(TimelineEntryId::new().uuid()),
            order_timeline::order_id.eq(order.uuid()),
            order_timeline::from_status.eq(from.map(OrderStatus::as_str)),
            order_timeline::to_status.eq(to.as_str()),
            order_timeline::actor.eq(actor),
            order_timeline::actor_id.eq(actor_id),
            order_timeline::note.eq(note),
            order_timeline::tracking_code.eq(tracking_code),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// Moves an order inside the caller's transaction: locks it, checks the move, adjusts stock,
/// writes the timeline and the event. Used by staff, expiry and payments alike.
pub async fn move_order(
    conn: &mut AsyncPgConnection,
    store: StoreId,
    id: OrderId,
    to: OrderStatus,
    actor: Actor,
    note: &str,
    tracking_code: Option<&str>,
) -> Result<Order> {
    let from: String = orders::table
        .filter(orders::store_id.eq(store.uuid()))
        .filter(orders::id.eq(id.uuid()))
        .select(orders::status)
        .for_update()
        .first(conn)
        .await
        .optional()?
        .ok_or_else(|| Error::not_found("order"))?;
    let from = OrderStatus::parse(&from).ok_or_else(|| Error::internal(format!("unknown order status {from}")))?;
    if !from.can_move_to(to) {
        return Err(Error::Conflict {
            code: balcao_core::problems::INVALID_TRANSITION,
            detail: format!("An order cannot move from `{}` to `{}`.", from.as_str(), to.as_str()),
            field: Some("to".into()),
        });
    }
    let current = load(conn, store, id).await?;
    let lines: Vec<(VariantId, i32)> = current.lines.iter().map(|l| (l.variant_id, l.quantity)).collect();
    if to == OrderStatus::Cancelled && from.holds_reservation() {
        stock::release(conn, store, &lines).await?;
    }
    if to == OrderStatus::Shipped {
        stock::consume(conn, store, &lines, &format!("order #{}", current.number)).await?;
    }
    diesel::update(orders::table.filter(orders::store_id.eq(store.uuid())).filter(orders::id.eq(id.uuid())))
        .set((
            orders::status.eq(to.as_str()),
            to.payment_status().map(|p| orders::payment_status.eq(p)),
            tracking_code.map(|t| orders::tracking_code.eq(Some(t.to_owned()))),
            (to != OrderStatus::PendingPayment).then(|| orders::expires_at.eq(None::<chrono::DateTime<Utc>>)),
            orders::updated_at.eq(Utc::now()),
        ))
        .execute(conn)
        .await?;
    record(conn, store, id, Step { from: Some(from), to, actor, note, tracking_code }).await?;
    let order = load(conn, store, id).await?;
    if let Some(kind) = super::events::on_entering(to) {
        events::emit(conn, Some(store), kind, &order).await?;
    }
    Ok(order)
}

type Cursor = uuid::Uuid;

#[async_trait]
impl OrderService for PgOrderService {
    async fn list(&self, store: StoreId, filter: OrderFilter) -> Result<Page<Order>> {
        let req = PageParams { limit: filter.limit, cursor: filter.cursor.clone() }.parse::<Cursor>()?;
        if let (Some(from), Some(to)) = (filter.from, filter.to)
            && from > to
        {
            return Err(Error::field("from", "after_to", "must not be after `to`"));
        }
        let mut conn = self.core.pool.get().await?;
        let mut query = orders::table
            .filter(orders::store_id.eq(store.uuid()))
            .select(OrderRow::as_select())
            .order(orders::id.desc())
            .limit(req.fetch_limit())
            .into_boxed();
        if let Some(status) = filter.status {
            query = query.filter(orders::status.eq(status.as_str()));
        }
        if let Some(payment) = &filter.payment_status {
            query = query.filter(orders::payment_status.eq(payment.clone()));
        }
        if let Some(from) = filter.from {
            query = query.filter(orders::created_at.ge(from));
        }
        if let Some(to) = filter.to {
            query = query.filter(orders::created_at.lt(to));
        }
        if let Some(customer) = filter.customer_id {
            query = query.filter(orders::customer_id.eq(customer.uuid()));
        }
        if let Some(email) = &filter.email {
            query = query.filter(orders::customer_email.eq(email.trim().to_lowercase()));
        }
        if let Some(after) = req.after {
            query = query.filter(orders::id.lt(after));
        }
        let rows: Vec<OrderRow> = query.load(&mut conn).await?;
        let page = req.page(rows, |r| r.id)?;
        let ids: Vec<uuid::Uuid> = page.data.iter().map(|r| r.id).collect();
        let mut lines: HashMap<uuid::Uuid, Vec<LineRow>> = HashMap::new();
        if !ids.is_empty() {
            let rows: Vec<LineRow> = order_lines::table
                .filter(order_lines::store_id.eq(store.uuid()))
                .filter(order_lines::order_id.eq_any(&ids))
                .order(order_lines::id.asc())
                .select(LineRow::as_select())
                .load(&mut conn)
                .await?;
            for line in rows {
                lines.entry(line.order_id).or_default().push(line);
            }
        }
        Ok(page.map(|row| {
            let order_lines = lines.remove(&row.id).unwrap_or_default();
            assemble(row, order_lines, Vec::new())
        }))
    }

    async fn get(&self, store: StoreId, id: OrderId) -> Result<Order> {
        let mut conn = self.core.pool.get().await?;
        load(&mut conn, store, id).await
    }

    async fn transition(&self, store: StoreId, id: OrderId, actor: Actor, req: Transition) -> Result<Order> {
        if !MANUAL_TARGETS.contains(&req.to) {
            return Err(Error::field("to", "not_manual", "refund states are set by payments"));
        }
        let note = req.note.clone().unwrap_or_default();
        if note.chars().count() > 1000 {
            return Err(Error::field("note", "too_long", "must be at most 1000 characters"));
        }
        if let Some(code) = &req.tracking_code
            && !(1..=100).contains(&code.trim().len())
        {
            return Err(Error::field("tracking_code", "invalid", "must be 1-100 characters"));
        }
        let tracking = req.tracking_code.as_deref().map(str::trim);
        let mut conn = self.core.pool.get().await?;
        let order = conn
            .transaction::<_, Error, _>(async |conn| move_order(conn, store, id, req.to, actor, &note, tracking).await)
            .await?;
        cache::invalidate(&self.core, store).await;
        Ok(order)
    }
}
