//! The events orders emit, written to the outbox in the transaction that makes the change.
//!
//! Every payload is the [`Order`] as the API returns it, after the change.

use balcao_core::events::{EventKind, EventType};
use serde_json::{Value, json};

use super::model::Order;
use super::status::OrderStatus;

/// An order was placed (at checkout or by staff).
pub const ORDER_CREATED: EventKind<Order> =
    EventKind::new("order.created", "An order was placed (at checkout or by staff).", || {
        order_example("pending_payment", "pending")
    });
/// An order's payment was confirmed.
pub const ORDER_PAID: EventKind<Order> =
    EventKind::new("order.paid", "An order's payment was confirmed.", || order_example("paid", "paid"));
/// An order was handed to the carrier.
pub const ORDER_SHIPPED: EventKind<Order> =
    EventKind::new("order.shipped", "An order was handed to the carrier.", || order_example("shipped", "paid"));
/// An order was delivered.
pub const ORDER_DELIVERED: EventKind<Order> =
    EventKind::new("order.delivered", "An order was delivered.", || order_example("delivered", "paid"));
/// An order was cancelled and its reserved stock returned.
pub const ORDER_CANCELLED: EventKind<Order> =
    EventKind::new("order.cancelled", "An order was cancelled and its reserved stock returned.", || {
        order_example("cancelled", "voided")
    });

/// The event emitted on entering `status`, if any.
pub fn on_entering(status: OrderStatus) -> Option<&'static EventKind<Order>> {
    match status {
        OrderStatus::Paid => Some(&ORDER_PAID),
        OrderStatus::Shipped => Some(&ORDER_SHIPPED),
        OrderStatus::Delivered => Some(&ORDER_DELIVERED),
        OrderStatus::Cancelled => Some(&ORDER_CANCELLED),
        _ => None,
    }
}

/// Every event type this area emits.
pub fn event_types() -> Result<Vec<EventType>, String> {
    [&ORDER_CREATED, &ORDER_PAID, &ORDER_SHIPPED, &ORDER_DELIVERED, &ORDER_CANCELLED]
        .into_iter()
        .map(EventKind::describe)
        .collect()
}

fn money(amount: i64) -> Value {
    json!({ "amount": amount, "currency": "BRL" })
}

/// An example order in `status`, with its timeline up to there.
fn order_example(status: &str, payment_status: &str) -> Value {
    let at = "2026-11-29T14:05:00Z";
    let tracking = (status == "shipped" || status == "delivered").then_some("BR123456789BR");
    json!({
        "id": "019378a2-5c1e-7d3a-9b2f-0a1b2c3d4e5f",
        "number": 1001,
        "status": status,
        "payment_status": payment_status,
        "customer": {
            "id": "019378a2-1111-7d3a-9b2f-0a1b2c3d4e5f",
            "name": "Maria da Silva",
            "email": "maria@example.com",
            "phone": "+5511987654321",
            "document": "52998224725"
        },
        "shipping_address": {
            "recipient": "Maria da Silva",
            "cep": "01310-100",
            "street": "Avenida Paulista",
            "number": "1578",
            "complement": "Apto 42",
            "neighborhood": "Bela Vista",
            "city": "São Paulo",
            "state": "SP"
        },
        "delivery": {
            "method_id": "019378a2-2222-7d3a-9b2f-0a1b2c3d4e5f",
            "kind": "cep_range",
            "name": "Motoboy (centro)",
            "fee": money(1500),
            "estimated_days": 1
        },
        "notes": "Sem cebola, por favor.",
        "lines": [{
            "id": "019378a2-3333-7d3a-9b2f-0a1b2c3d4e5f",
            "product_id": "019378a2-4444-7d3a-9b2f-0a1b2c3d4e5f",
            "variant_id": "019378a2-5555-7d3a-9b2f-0a1b2c3d4e5f",
            "sku": "BOLO-CHOC-M",
            "title": "Bolo de chocolate",
            "variant_title": "Médio",
            "quantity": 2,
            "unit_price": money(4990),
            "total": money(9980)
        }],
        "subtotal": money(9980),
        "discount": money(0),
        "shipping": money(1500),
        "total": money(11480),
        "coupon_codes": [],
        "tracking_code": tracking,
        "expires_at": null,
        "timeline": [],
        "created_at": "2026-11-29T14:00:00Z",
        "updated_at": at
    })
}
