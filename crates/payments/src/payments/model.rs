//! Payments: their state machine, rows and API types.

use balcao_core::id::StoreId;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::schema::payments;

balcao_core::id_type!(
    /// A payment.
    PaymentId
);

/// How the payer pays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Method {
    /// PIX: a BR Code ("copia e cola") and its QR code.
    Pix,
    /// Boleto bancário: a barcode and its linha digitável.
    Boleto,
    /// Card, through the provider's own elements (card data never reaches balcao).
    Card,
}

impl Method {
    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [Self::Pix, Self::Boleto, Self::Card].into_iter().find(|m| m.as_str() == s)
    }

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pix => "pix",
            Self::Boleto => "boleto",
            Self::Card => "card",
        }
    }
}

/// Where a payment is. Every change is checked by [`PaymentStatus::can_move_to`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    /// Waiting for the payer.
    Pending,
    /// Authorized, not captured yet (cards).
    Authorized,
    /// Paid: the order moved to paid in the same transaction.
    Paid,
    /// Refused.
    Failed,
    /// The charge expired unpaid: the order is cancelled and its stock released.
    Expired,
    /// Cancelled before payment.
    Cancelled,
    /// Refunded in full.
    Refunded,
    /// Refunded in part.
    PartiallyRefunded,
}

use PaymentStatus::*;

impl PaymentStatus {
    /// Every status.
    pub const ALL: [PaymentStatus; 8] =
        [Pending, Authorized, Paid, Failed, Expired, Cancelled, Refunded, PartiallyRefunded];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Pending => "pending",
            Authorized => "authorized",
            Paid => "paid",
            Failed => "failed",
            Expired => "expired",
            Cancelled => "cancelled",
            Refunded => "refunded",
            PartiallyRefunded => "partially_refunded",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// The statuses it may move to.
    pub fn next(self) -> &'static [PaymentStatus] {
        match self {
            Pending => &[Authorized, Paid, Failed, Expired, Cancelled],
            Authorized => &[Paid, Failed, Cancelled],
            Paid => &[Refunded, PartiallyRefunded],
            PartiallyRefunded => &[PartiallyRefunded, Refunded],
            Failed | Expired | Cancelled | Refunded => &[],
        }
    }

    /// Whether `self -> to` is allowed.
    pub fn can_move_to(self, to: PaymentStatus) -> bool {
        self.next().contains(&to)
    }

    /// Whether money was captured (refunds are possible).
    pub fn captured(self) -> bool {
        matches!(self, Paid | PartiallyRefunded)
    }
}

/// A `payments` row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = payments)]
pub struct PaymentRow {
    pub store_id: uuid::Uuid,
    pub id: uuid::Uuid,
    pub order_id: uuid::Uuid,
    pub method: String,
    pub provider: String,
    pub status: String,
    pub amount: i64,
    pub currency: String,
    pub refunded_amount: i64,
    pub provider_payment_id: Option<String>,
    pub instructions: serde_json::Value,
    pub idempotency_key: String,
    pub expires_at: Option<DateTime<Utc>>,
    pub paid_at: Option<DateTime<Utc>>,
    pub failure_code: Option<String>,
    pub failure_message: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What the payer needs to pay.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Instructions {
    /// PIX: the BR Code ("copia e cola").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pix_code: Option<String>,
    /// PIX: where the QR code image is served (`.../qr.svg`, `.../qr.png`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qr_code_url: Option<String>,
    /// Boleto: the 47-digit linha digitável, formatted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boleto_line: Option<String>,
    /// Boleto: the 44-digit barcode.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boleto_barcode: Option<String>,
    /// Boleto: its due date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_date: Option<chrono::NaiveDate>,
    /// Card: the client secret the frontend hands to the provider's elements.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
}

/// A payment.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Payment {
    /// The payment.
    pub id: PaymentId,
    /// The store.
    pub store_id: StoreId,
    /// The order it pays.
    pub order_id: uuid::Uuid,
    /// `pix`, `boleto` or `card`.
    pub method: Method,
    /// `efi`, `stripe`, `pagbank` or `sandbox`.
    #[schema(example = "sandbox")]
    pub provider: String,
    /// Where it is.
    pub status: PaymentStatus,
    /// The amount in minor units.
    pub amount: i64,
    /// `BRL`.
    pub currency: String,
    /// Refunded so far, in minor units.
    pub refunded_amount: i64,
    /// The provider's id (EFI txid, Stripe PaymentIntent).
    pub provider_payment_id: Option<String>,
    /// What the payer needs.
    pub instructions: Instructions,
    /// When an unpaid charge expires.
    pub expires_at: Option<DateTime<Utc>>,
    /// When it was paid.
    pub paid_at: Option<DateTime<Utc>>,
    /// Why it failed.
    pub failure_code: Option<String>,
    /// The provider's message when it failed.
    pub failure_message: Option<String>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<PaymentRow> for Payment {
    fn from(r: PaymentRow) -> Self {
        let method = Method::parse(&r.method).unwrap_or(Method::Pix);
        Self {
            id: PaymentId(r.id),
            store_id: StoreId(r.store_id),
            order_id: r.order_id,
            method,
            provider: r.provider,
            status: PaymentStatus::parse(&r.status).unwrap_or(Pending),
            amount: r.amount,
            currency: r.currency,
            refunded_amount: r.refunded_amount,
            provider_payment_id: r.provider_payment_id,
            instructions: serde_json::from_value(r.instructions).unwrap_or_default(),
            expires_at: r.expires_at,
            paid_at: r.paid_at,
            failure_code: r.failure_code,
            failure_message: r.failure_message,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

impl Payment {
    /// Points `instructions.qr_code_url` at the QR code route of a PIX payment that has a code:
    /// `{payments_url}/{id}/qr.svg` (`qr.png` beside it), where `payments_url` is the payments
    /// collection the caller reaches: `{public_url}/v1/stores/{store_id}/payments` for staff,
    /// `{public_url}/v1/storefront/{slug}/carts/{cart_id}/payments` for shoppers.
    pub fn with_qr_url(mut self, payments_url: &str) -> Self {
        if self.method == Method::Pix && self.instructions.pix_code.is_some() {
            self.instructions.qr_code_url = Some(format!("{payments_url}/{}/qr.svg", self.id));
        }
        self
    }
}

/// `POST .../orders/{order_id}/payments` (requires `Idempotency-Key`).
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct CreatePayment {
    /// `pix`, `boleto` or `card`.
    pub method: Method,
    /// Cards through PagBank: the card as PagBank's browser SDK encrypted it (balcao never
    /// sees card numbers). Stripe cards need none: the frontend confirms with the client secret.
    #[serde(default)]
    pub card_token: Option<String>,
}

/// `POST .../payments/{id}/simulate` (sandbox): what the provider reports next.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[schema(as = SimulatePaymentOutcome)]
pub struct Simulate {
    /// `paid`, `failed` or `expired`.
    #[schema(example = "paid")]
    pub outcome: String,
}

/// The payload of `payment.confirmed` and `payment.failed`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PaymentEvent {
    /// The payment.
    pub payment_id: uuid::Uuid,
    /// The order.
    pub order_id: uuid::Uuid,
    /// `pix`, `boleto` or `card`.
    pub method: Method,
    /// The provider.
    pub provider: String,
    /// The amount in minor units.
    pub amount: i64,
    /// `BRL`.
    pub currency: String,
    /// The status it reached.
    pub status: PaymentStatus,
    /// Why it failed, for `payment.failed`.
    pub failure_code: Option<String>,
    /// When it happened.
    pub at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_state_machine_only_allows_its_moves() {
        assert!(Pending.can_move_to(Paid));
        assert!(Paid.can_move_to(PartiallyRefunded));
        assert!(PartiallyRefunded.can_move_to(Refunded));
        assert!(!Paid.can_move_to(Pending));
        assert!(!Expired.can_move_to(Paid));
        assert!(!Refunded.can_move_to(PartiallyRefunded));
        for s in PaymentStatus::ALL {
            assert_eq!(PaymentStatus::parse(s.as_str()), Some(s));
        }
    }
}
