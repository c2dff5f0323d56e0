//! A store ready to sell: products, a delivery zone and pickup, carts and checkouts over HTTP.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::{TestApp, brl, parse};

/// A store with an owner, a slug and helpers to sell from it.
pub struct Commerce {
    /// The app.
    pub app: TestApp,
    /// The owner's session token.
    pub token: String,
    /// The store id.
    pub store: String,
    /// The store slug.
    pub slug: String,
    /// A pickup method id.
    pub pickup: String,
    /// A delivery zone for CEPs 01000-000..05999-999 (R$ 15,00).
    pub delivery: String,
}

impl Commerce {
    /// A new store on a new app.
    pub async fn open() -> Self {
        Self::open_with(&[]).await
    }

    /// A new store on an app with extra settings.
    pub async fn open_with(overrides: &[(&str, &str)]) -> Self {
        let app = TestApp::spawn_with(overrides).await;
        let user = app.user().await;
        let store = app.store(&user.token).await;
        let (_, body) = app.get(&format!("/v1/stores/{store}"), &user.token).await;
        let slug = body["slug"].as_str().expect("slug").to_owned();
        let zones = format!("/v1/stores/{store}/delivery-zones");
        let (status, pickup) = app
            .post(
                &zones,
                &user.token,
                json!({"name": "Retirada na loja", "kind": "pickup", "rules": {"address": "Rua A, 1"}}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{pickup}");
        let (status, delivery) = app
            .post(
                &zones,
                &user.token,
                json!({"name": "Entrega SP", "kind": "cep_range", "fee": brl(1500), "estimated_days": 2,
                       "rules": {"ranges": [{"from": "01000-000", "to": "05999-999"}]}}),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{delivery}");
        Self {
            pickup: pickup["id"].as_str().expect("id").to_owned(),
            delivery: delivery["id"].as_str().expect("id").to_owned(),
            app,
            token: user.token,
            store,
            slug,
        }
    }

    /// An active product with one variant; returns `(product_id, variant_id)`.
    pub async fn product(&self, title: &str, sku: &str, price: i64, on_hand: i32) -> (String, String) {
        let body = json!({"title": title, "status": "active", "variants": [{"sku": sku, "price": brl(price), "on_hand": on_hand}]});
        let product = self.app.product(&self.token, &self.store, body).await;
        (product["id"].as_str().expect("id").to_owned(), product["variants"][0]["id"].as_str().expect("id").to_owned())
    }

    /// A storefront call.
    pub async fn shop(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        self.app.call(method, &format!("/v1/storefront/{}{path}", self.slug), None, body).await
    }

    /// A new cart holding `quantity` of `variant`; returns its id.
    pub async fn cart(&self, variant: &str, quantity: i32) -> String {
        let (status, cart) = self.shop(Method::POST, "/carts", Some(json!({"email": "ana@example.com"}))).await;
        assert_eq!(status, StatusCode::CREATED, "{cart}");
        let id = cart["id"].as_str().expect("id").to_owned();
        let (status, cart) = self
            .shop(
                Method::POST,
                &format!("/carts/{id}/items"),
                Some(json!({"variant_id": variant, "quantity": quantity})),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{cart}");
        id
    }

    /// A checkout body for pickup.
    pub fn pickup_checkout(&self, email: &str) -> Value {
        json!({"customer": {"name": "Ana Souza", "email": email, "phone": "(11) 98765-4321"}, "delivery_method_id": self.pickup})
    }

    /// A checkout body for delivery to a São Paulo address.
    pub fn delivery_checkout(&self, email: &str) -> Value {
        json!({
            "customer": {"name": "Ana Souza", "email": email, "document": "529.982.247-25"},
            "delivery_method_id": self.delivery,
            "shipping_address": {"cep": "01310-100", "street": "Av. Paulista", "number": "1000", "neighborhood": "Bela Vista",
                                 "city": "São Paulo", "state": "SP"}
        })
    }

    /// Checks a cart out with an idempotency key; returns status and body.
    pub async fn checkout(&self, cart: &str, key: &str, body: Value) -> (StatusCode, Value) {
        let response = self
            .app
            .request(Method::POST, &format!("/v1/storefront/{}/carts/{cart}/checkout", self.slug), None)
            .header("Idempotency-Key", key)
            .json(&body)
            .send()
            .await
            .expect("request");
        parse(response).await
    }

    /// A staff call on the store.
    pub async fn staff(&self, method: Method, path: &str, body: Option<Value>) -> (StatusCode, Value) {
        self.app.call(method, &format!("/v1/stores/{}{path}", self.store), Some(&self.token), body).await
    }

    /// A variant's stock figures as staff see them.
    pub async fn inventory(&self, product: &str, variant: &str) -> Value {
        let (_, variants) = self.staff(Method::GET, &format!("/products/{product}/variants"), None).await;
        variants
            .as_array()
            .expect("variants")
            .iter()
            .find(|v| v["id"] == variant)
            .map(|v| v["inventory"].clone())
            .expect("variant")
    }
}
