//! Paying at checkout: the order is placed, then its payment is started through
//! [`CheckoutPayments`], which the gateway plugs in from balcao-payments (this crate does not
//! depend on it). A payment that does not start never undoes the order: the shopper can retry
//! through `POST /v1/storefront/{slug}/carts/{cart_id}/payments`.

use async_trait::async_trait;
use balcao_core::crypto::sha256_hex;
use balcao_core::error::{Error, Result};
use balcao_core::id::StoreId;

use super::model::{Checkout, CheckoutPaymentError, CheckoutPaymentMethod, PlacedOrder};
use super::service::CartService;
use crate::ids::{CartId, CustomerId, OrderId};

/// What a checkout asks the payments side to start.
#[derive(Debug, Clone)]
pub struct StartPayment<'a> {
    /// The store.
    pub store: StoreId,
    /// The order just placed.
    pub order: OrderId,
    /// The store's slug (storefront links in the payment are built from it).
    pub slug: &'a str,
    /// The cart the order came from (the shopper's key to the payment routes).
    pub cart: CartId,
    /// How the shopper pays.
    pub method: CheckoutPaymentMethod,
    /// The encrypted card, for card providers that take one.
    pub card_token: Option<String>,
    /// The payment's idempotency key, derived from the checkout's (see [`payment_key`]).
    pub idempotency_key: &'a str,
}

/// Starts payments for orders placed at checkout.
#[async_trait]
pub trait CheckoutPayments: Send + Sync {
    /// Starts paying the order; the answer is the payment as the payments API shows it
    /// (its `Payment` schema). The same `idempotency_key` answers the same payment.
    async fn start(&self, req: StartPayment<'_>) -> Result<serde_json::Value>;
}

/// The idempotency key of the payment a checkout starts: the checkout's own key, scoped to the
/// cart (shoppers pick their keys, so two carts may send the same one). A retried checkout thus
/// never creates a second charge.
pub fn payment_key(prefix: &str, cart: CartId, key: &str) -> String {
    let scoped = format!("{prefix}:{cart}:{key}");
    if scoped.len() <= 255 { scoped } else { format!("{prefix}:{cart}:{}", sha256_hex(key.as_bytes())) }
}

fn not_started(error: &Error) -> CheckoutPaymentError {
    CheckoutPaymentError { code: error.code().to_owned(), detail: error.problem().detail }
}

/// Places the order for a cart and, when the checkout names a `payment_method`, starts its payment.
///
/// Without `payments` (no payment service in this deployment) the order is placed and
/// `payment_error` says `payments_unavailable`.
pub async fn place_and_pay(
    carts: &dyn CartService,
    payments: Option<&dyn CheckoutPayments>,
    slug: &str,
    cart: CartId,
    customer: Option<CustomerId>,
    req: Checkout,
    idempotency_key: &str,
) -> Result<PlacedOrder> {
    let (method, card_token) = (req.payment_method, req.card_token.clone());
    let order = carts.checkout(slug, cart, customer, req).await?;
    let Some(method) = method else {
        return Ok(PlacedOrder { order, payment: None, payment_error: None });
    };
    let Some(payments) = payments else {
        let error = CheckoutPaymentError {
            code: "payments_unavailable".into(),
            detail: "Payments are not available here; the order waits for payment.".into(),
        };
        return Ok(PlacedOrder { order, payment: None, payment_error: Some(error) });
    };
    let key = payment_key("checkout", cart, idempotency_key);
    let started = match carts.order_of(slug, cart).await {
        Ok((store, order_id)) => {
            let req = StartPayment { store, order: order_id, slug, cart, method, card_token, idempotency_key: &key };
            payments.start(req).await
        }
        Err(e) => Err(e),
    };
    match started {
        Ok(payment) => Ok(PlacedOrder { order, payment: Some(payment), payment_error: None }),
        Err(error) => {
            tracing::warn!(order = %order.id, %error, "the payment asked for at checkout did not start");
            Ok(PlacedOrder { order, payment: None, payment_error: Some(not_started(&error)) })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payment_keys_are_scoped_to_the_cart_and_fit_the_limit() {
        let cart = CartId(uuid::Uuid::nil());
        assert_eq!(payment_key("checkout", cart, "k-1"), format!("checkout:{cart}:k-1"));
        let long = "x".repeat(255);
        let key = payment_key("checkout", cart, &long);
        assert!(key.len() <= 255 && key.ends_with(&sha256_hex(long.as_bytes())), "{key}");
    }
}
