//! The events customers emit, written to the outbox in the transaction that makes the change.
//!
//! | type | payload | when |
//! |---|---|---|
//! | `customer.created` | [`Customer`] | a customer is created (with their addresses) |
//! | `customer.updated` | [`Customer`] | a customer's own fields change |

use balcao_core::events::{EventKind, EventType};
use serde_json::{Value, json};

use super::model::Customer;

fn example() -> Value {
    json!({
        "id": "019378a2-1111-7d3a-9b2f-0a1b2c3d4e5f",
        "name": "Maria da Silva",
        "email": "maria@example.com",
        "phone": "+5511987654321",
        "document": null,
        "tags": ["vip"],
        "notes": "",
        "addresses": [],
        "created_at": "2026-11-29T14:00:00Z",
        "updated_at": "2026-11-29T14:00:00Z"
    })
}

/// A customer was created; the payload is the customer as the API returns it.
pub const CUSTOMER_CREATED: EventKind<Customer> = EventKind::new(
    "customer.created",
    "A customer was added to the store (by staff, the API or at checkout).",
    example,
);

/// A customer's fields changed; the payload is the customer after the change.
pub const CUSTOMER_UPDATED: EventKind<Customer> = EventKind::new(
    "customer.updated",
    "A customer's own fields changed (name, email, phone, document, tags, notes); the payload is the customer \
     after the change.",
    || {
        let mut customer = example();
        customer["tags"] = json!(["vip", "atacado"]);
        customer["updated_at"] = json!("2026-11-30T09:00:00Z");
        customer
    },
);

/// Every event type this area emits.
pub fn event_types() -> Result<Vec<EventType>, String> {
    Ok(vec![CUSTOMER_CREATED.describe()?, CUSTOMER_UPDATED.describe()?])
}
