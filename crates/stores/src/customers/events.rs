//! The events customers emit, written to the outbox in the transaction that makes the change.
//!
//! | type | payload | when |
//! |---|---|---|
//! | `customer.created` | [`Customer`](super::Customer) | a customer is created (with their addresses) |
//! | `customer.updated` | [`Customer`](super::Customer) | a customer's own fields change |

/// A customer was created; the payload is the customer as the API returns it.
pub const CUSTOMER_CREATED: &str = "customer.created";

/// A customer's fields changed; the payload is the customer after the change.
pub const CUSTOMER_UPDATED: &str = "customer.updated";
