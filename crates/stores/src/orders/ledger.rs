//! The seam other crates (payments) move orders through, inside their own transactions: every
//! method takes the caller's connection, so the order's change commits or rolls back with the
//! caller's.

use async_trait::async_trait;
use balcao_core::error::Result;
use balcao_core::id::StoreId;
use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;

use super::model::Order;
use super::service::Actor;
use super::status::OrderStatus;
use crate::ids::OrderId;

/// Orders as another crate reads and moves them, in the caller's transaction.
#[async_trait]
pub trait OrderLedger: Send + Sync {
    /// One order with its lines.
    async fn load(&self, conn: &mut AsyncPgConnection, store: StoreId, id: OrderId) -> Result<Order>;

    /// Moves an order to `to` (checked against its state machine), with a timeline entry.
    #[allow(clippy::too_many_arguments)]
    async fn move_order(
        &self,
        conn: &mut AsyncPgConnection,
        store: StoreId,
        id: OrderId,
        to: OrderStatus,
        actor: Actor,
        note: &str,
        tracking_code: Option<&str>,
    ) -> Result<Order>;

    /// Holds a pending order's stock at least until `at` (a boleto's due date and clearing).
    async fn hold_until(
        &self,
        conn: &mut AsyncPgConnection,
        store: StoreId,
        order: OrderId,
        at: DateTime<Utc>,
    ) -> Result<()>;
}

/// [`OrderLedger`] on the orders' PostgreSQL tables.
#[derive(Debug, Clone, Copy, Default)]
pub struct PgOrderLedger;

#[async_trait]
impl OrderLedger for PgOrderLedger {
    async fn load(&self, conn: &mut AsyncPgConnection, store: StoreId, id: OrderId) -> Result<Order> {
        super::service::load(conn, store, id).await
    }

    async fn move_order(
        &self,
        conn: &mut AsyncPgConnection,
        store: StoreId,
        id: OrderId,
        to: OrderStatus,
        actor: Actor,
        note: &str,
        tracking_code: Option<&str>,
    ) -> Result<Order> {
        super::service::move_order(conn, store, id, to, actor, note, tracking_code).await
    }

    async fn hold_until(
        &self,
        conn: &mut AsyncPgConnection,
        store: StoreId,
        order: OrderId,
        at: DateTime<Utc>,
    ) -> Result<()> {
        super::expiry::hold_until(conn, store, order, at).await
    }
}
