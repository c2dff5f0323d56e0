//! The PagBank REST client: create and read orders, cancel (refund) charges.
//!
//! Every request carries `Authorization: Bearer <token>`; a POST sends JSON and the caller's
//! `x-idempotency-key`, which must be the same on every retry of one operation (e.g. derived from
//! the payment or refund id). A non-2xx answer becomes a [`PagBankError`] classified retryable
//! or permanent.

use std::fmt;
use std::time::Duration;

use reqwest::RequestBuilder;
use reqwest::header::{AUTHORIZATION, HeaderValue};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::model::{Charge, Order, OrderRequest};
use super::{PagBankError, network, refusal, scrub};

/// The longest one PagBank call may take, connection included.
pub const TIMEOUT: Duration = Duration::from_secs(30);
/// The longest to wait for a connection.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// The longest idempotency key and object id accepted.
const MAX_KEY_LEN: usize = 255;

/// Calls PagBank's API with one account's token; cheap to clone (one connection pool).
#[derive(Clone)]
pub struct PagBankClient {
    http: reqwest::Client,
    base_url: String,
    auth: HeaderValue,
    token: String,
}

impl fmt::Debug for PagBankClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PagBankClient").field("base_url", &self.base_url).finish_non_exhaustive()
    }
}

#[derive(Serialize)]
struct CancelRequest {
    amount: CancelAmount,
}

#[derive(Serialize)]
struct CancelAmount {
    value: i64,
}

impl PagBankClient {
    /// A client for `base_url` ([`super::PRODUCTION_URL`], [`super::SANDBOX_URL`] or a test
    /// server) and an account's token, with [`TIMEOUT`], [`CONNECT_TIMEOUT`] and no redirects.
    /// Connects only where `outbound` allows.
    pub fn new(base_url: &str, token: &str, outbound: balcao_core::outbound::Policy) -> Result<Self, PagBankError> {
        let (base_url, _) =
            balcao_core::outbound::base_url(base_url, outbound).map_err(|e| PagBankError::Invalid(e.into()))?;
        let token = token.trim();
        let well_formed = !token.is_empty() && token.bytes().all(|b| b.is_ascii_graphic());
        let mut auth = HeaderValue::from_str(&format!("Bearer {token}"))
            .ok()
            .filter(|_| well_formed)
            .ok_or_else(|| PagBankError::Invalid("the token must be visible ASCII characters".into()))?;
        auth.set_sensitive(true);
        let http = balcao_core::outbound::builder(outbound)
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(TIMEOUT)
            .build()
            .map_err(|e| PagBankError::Invalid(format!("could not build the HTTP client: {e}")))?;
        Ok(Self { http, base_url, auth, token: token.to_owned() })
    }

    /// Creates an order (`POST /orders`).
    pub async fn create_order(&self, order: &OrderRequest, idempotency_key: &str) -> Result<Order, PagBankError> {
        if order.items.iter().any(|i| i.unit_amount <= 0) {
            return Err(PagBankError::Invalid("the amount must be positive".into()));
        }
        self.post("/orders", order, idempotency_key).await
    }

    /// Reads an order (`GET /orders/{id}`, `ORDE_...`).
    pub async fn get_order(&self, id: &str) -> Result<Order, PagBankError> {
        let id = object_id(id, "ORDE_", "order")?;
        self.send(self.http.get(self.url(&format!("/orders/{id}")))).await
    }

    /// Cancels `amount` of a charge (`POST /charges/{id}/cancel`, `CHAR_...`): refunds a paid
    /// charge in full or in part. Answers the charge as it stands after.
    pub async fn cancel_charge(&self, id: &str, amount: i64, idempotency_key: &str) -> Result<Charge, PagBankError> {
        let id = object_id(id, "CHAR_", "charge")?;
        if amount <= 0 {
            return Err(PagBankError::Invalid("the amount must be positive".into()));
        }
        let body = CancelRequest { amount: CancelAmount { value: amount } };
        self.post(&format!("/charges/{id}/cancel"), &body, idempotency_key).await
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    async fn post<B: Serialize, T: DeserializeOwned>(
        &self,
        path: &str,
        body: &B,
        idempotency_key: &str,
    ) -> Result<T, PagBankError> {
        let key = idempotency_key;
        if key.is_empty() || key.len() > MAX_KEY_LEN || !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(PagBankError::Invalid("the idempotency key must be 1 to 255 visible ASCII characters".into()));
        }
        self.send(self.http.post(self.url(path)).header("x-idempotency-key", key).json(body)).await
    }

    async fn send<T: DeserializeOwned>(&self, request: RequestBuilder) -> Result<T, PagBankError> {
        let request = request.header(AUTHORIZATION, self.auth.clone()).header("accept", "application/json");
        let response = request.send().await.map_err(|e| network(e, &self.token))?;
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.bytes().await.map_err(|e| network(e, &self.token))?;
        if !status.is_success() {
            let error = refusal(status, &headers, &body, &self.token);
            tracing::debug!(status = status.as_u16(), %error, "PagBank refused a request");
            return Err(error);
        }
        serde_json::from_slice(&body).map_err(|e| PagBankError::Decode(scrub(&e.to_string(), &self.token)))
    }
}

/// A PagBank id starting with `prefix`: letters, digits, `-` and `_` only (it goes in a path).
fn object_id<'a>(id: &'a str, prefix: &str, name: &str) -> Result<&'a str, PagBankError> {
    let valid = id.len() > prefix.len()
        && id.len() <= MAX_KEY_LEN
        && id.starts_with(prefix)
        && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    if valid { Ok(id) } else { Err(PagBankError::Invalid(format!("{name} is not a PagBank {prefix}... id"))) }
}

#[cfg(test)]
#[path = "client_tests.rs"]
mod tests;
