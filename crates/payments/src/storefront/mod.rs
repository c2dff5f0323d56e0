//! Payments started by shoppers: at checkout (balcao-stores' [`CheckoutPayments`], which the
//! gateway plugs into the stores services) and through the public storefront payment routes
//! ([`http`], feature `http`).
//!
//! Shoppers reach a payment through the cart that became its order, so the payments they see
//! link their QR code to the storefront route, not the staff one.

use std::sync::Arc;

use async_trait::async_trait;
use balcao_core::error::{Error, Result};
use balcao_stores::carts::{CheckoutPayments, StartPayment};
use balcao_stores::ids::CartId;

use crate::payments::model::{CreatePayment, Method, Payment};
use crate::payments::service::PaymentService;

#[cfg(feature = "http")]
pub mod http;

/// The payments collection a shopper reaches through a cart:
/// `{public_url}/v1/storefront/{slug}/carts/{cart_id}/payments`.
pub fn payments_url(public_url: &str, slug: &str, cart: CartId) -> String {
    format!("{public_url}/v1/storefront/{slug}/carts/{cart}/payments")
}

/// [`CheckoutPayments`] over the payment service.
pub struct StorefrontPayments {
    payments: Arc<dyn PaymentService>,
    public_url: String,
}

impl StorefrontPayments {
    /// Starts payments through `payments`; QR code links are built on `public_url`.
    pub fn new(payments: Arc<dyn PaymentService>, public_url: String) -> Self {
        Self { payments, public_url }
    }
}

#[async_trait]
impl CheckoutPayments for StorefrontPayments {
    async fn start(&self, req: StartPayment<'_>) -> Result<serde_json::Value> {
        let method = Method::parse(req.method.as_str())
            .ok_or_else(|| Error::field("payment_method", "invalid", "must be pix, boleto or card"))?;
        let create = CreatePayment { method, card_token: req.card_token };
        let payment: Payment = self.payments.create(req.store, req.order.uuid(), create, req.idempotency_key).await?;
        let payment = payment.with_qr_url(&payments_url(&self.public_url, req.slug, req.cart));
        serde_json::to_value(payment).map_err(Error::internal)
    }
}
