//! The order lifecycle as an explicit state machine.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Where an order is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Placed; stock reserved; waiting for payment.
    PendingPayment,
    /// Paid.
    Paid,
    /// Being prepared.
    Preparing,
    /// Handed to the carrier (stock leaves the store).
    Shipped,
    /// Delivered.
    Delivered,
    /// Cancelled before shipping; reserved stock returned.
    Cancelled,
    /// Refunded in full (set by payments).
    Refunded,
    /// Refunded in part (set by payments).
    PartiallyRefunded,
}

use OrderStatus::*;

impl OrderStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            PendingPayment => "pending_payment",
            Paid => "paid",
            Preparing => "preparing",
            Shipped => "shipped",
            Delivered => "delivered",
            Cancelled => "cancelled",
            Refunded => "refunded",
            PartiallyRefunded => "partially_refunded",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [PendingPayment, Paid, Preparing, Shipped, Delivered, Cancelled, Refunded, PartiallyRefunded]
            .into_iter()
            .find(|x| x.as_str() == s)
    }

    /// The states this one may move to.
    pub fn next(self) -> &'static [OrderStatus] {
        match self {
            PendingPayment => &[Paid, Cancelled],
            Paid => &[Preparing, Shipped, Cancelled, Refunded, PartiallyRefunded],
            Preparing => &[Shipped, Cancelled, Refunded, PartiallyRefunded],
            Shipped => &[Delivered, Refunded, PartiallyRefunded],
            Delivered => &[Refunded, PartiallyRefunded],
            PartiallyRefunded => &[Refunded, PartiallyRefunded],
            Cancelled | Refunded => &[],
        }
    }

    /// Whether the move `self -> to` is allowed.
    pub fn can_move_to(self, to: OrderStatus) -> bool {
        self.next().contains(&to)
    }

    /// Whether the order still holds reserved stock (not shipped, not cancelled).
    pub fn holds_reservation(self) -> bool {
        matches!(self, PendingPayment | Paid | Preparing)
    }

    /// The payment status implied by entering this state, if it changes it.
    pub fn payment_status(self) -> Option<&'static str> {
        match self {
            Paid => Some("paid"),
            Refunded => Some("refunded"),
            PartiallyRefunded => Some("partially_refunded"),
            _ => None,
        }
    }
}

/// The states staff may move an order to by hand (payments set the refund states).
pub const MANUAL_TARGETS: [OrderStatus; 5] = [Paid, Preparing, Shipped, Delivered, Cancelled];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifecycle_is_explicit() {
        assert!(PendingPayment.can_move_to(Paid));
        assert!(Paid.can_move_to(Preparing));
        assert!(Preparing.can_move_to(Shipped));
        assert!(Shipped.can_move_to(Delivered));
        assert!(PendingPayment.can_move_to(Cancelled));
        assert!(Preparing.can_move_to(Cancelled));
        assert!(!Shipped.can_move_to(Cancelled), "no cancelling after shipping");
        assert!(!Delivered.can_move_to(Preparing));
        assert!(!Cancelled.can_move_to(Paid));
        assert!(!PendingPayment.can_move_to(Shipped));
        for s in [PendingPayment, Paid, Preparing, Shipped, Delivered, Cancelled, Refunded, PartiallyRefunded] {
            assert_eq!(OrderStatus::parse(s.as_str()), Some(s));
        }
    }
}
