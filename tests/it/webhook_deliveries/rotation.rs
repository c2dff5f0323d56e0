//! Secret rotation as receivers see it, checked with the Standard Webhooks reference
//! library (`standardwebhooks`), not with balcao's own signing code.

use diesel::sql_types::{Text, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use reqwest::StatusCode;
use serde_json::{Value, json};
use standardwebhooks::Webhook;
use wiremock::matchers::method;
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use super::support::*;

/// Whether the reference library accepts `request` under `secret`.
pub fn verifies(secret: &str, request: &Request) -> bool {
    Webhook::new(secret).unwrap().verify(&request.body, &request.headers).is_ok()
}

impl Shop {
    async fn test_send(&self, endpoint: &str) -> Value {
        let (status, attempt) = self
            .app
            .post(&format!("{}/test", self.base(endpoint)), &self.token, json!({"event_type": "order.paid"}))
            .await;
        assert_eq!(status, StatusCode::OK, "{attempt}");
        assert_eq!(attempt["succeeded"], true, "{attempt}");
        attempt
    }

    async fn rotate(&self, endpoint: &str, grace_hours: i64) -> String {
        let (status, rotated) = self
            .app
            .post(
                &format!("{}/rotate-secret", self.base(endpoint)),
                &self.token,
                json!({"grace_period_hours": grace_hours}),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{rotated}");
        rotated["secret"].as_str().unwrap().to_owned()
    }

    /// Moves the expiry of the rotated-out secret into the past, as if the grace period ran out.
    async fn expire_previous_secret(&self, endpoint: &str) {
        #[derive(diesel::QueryableByName)]
        struct Sealed {
            #[diesel(sql_type = Text)]
            secrets: String,
        }
        let keyring = &self.app.core.config.keyring;
        let context = format!("webhook-secret:{endpoint}");
        let mut conn = self.app.core.pool.get().await.unwrap();
        let row: Sealed = diesel::sql_query("SELECT secrets FROM webhook_endpoints WHERE id = $1")
            .bind::<SqlUuid, _>(endpoint.parse::<uuid::Uuid>().unwrap())
            .get_result(&mut conn)
            .await
            .unwrap();
        let mut secrets: Vec<Value> = serde_json::from_slice(&keyring.open(&row.secrets, &context).unwrap()).unwrap();
        assert_eq!(secrets.len(), 2);
        secrets[1]["expires_at"] = json!(chrono::Utc::now() - chrono::Duration::seconds(1));
        let sealed = keyring.seal(&serde_json::to_vec(&secrets).unwrap(), &context).unwrap();
        diesel::sql_query("UPDATE webhook_endpoints SET secrets = $1 WHERE id = $2")
            .bind::<Text, _>(sealed)
            .bind::<SqlUuid, _>(endpoint.parse::<uuid::Uuid>().unwrap())
            .execute(&mut conn)
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn rotation_signs_with_both_secrets_during_the_grace_period_and_one_after() {
    let shop = shop(SETTINGS).await;
    let server = MockServer::start().await;
    Mock::given(method("POST")).respond_with(ResponseTemplate::new(200)).mount(&server).await;
    let (endpoint, first) = shop.endpoint(&format!("{}/hook", server.uri()), &["*"]).await;

    shop.test_send(&endpoint).await;
    let before = received(&server, "/hook", 1).await.remove(0);
    assert_eq!(header(&before, "webhook-signature").split(' ').count(), 1);
    assert!(verifies(&first, &before));

    let second = shop.rotate(&endpoint, 24).await;
    shop.test_send(&endpoint).await;
    let during = received(&server, "/hook", 2).await.remove(1);
    let signatures: Vec<&str> = header(&during, "webhook-signature").split(' ').collect();
    assert_eq!(signatures.len(), 2, "{signatures:?}");
    assert!(signatures.iter().all(|s| s.starts_with("v1,")));
    assert!(verifies(&second, &during), "receivers on the new secret accept it");
    assert!(verifies(&first, &during), "receivers still on the old secret accept it");

    shop.expire_previous_secret(&endpoint).await;
    shop.test_send(&endpoint).await;
    let after = received(&server, "/hook", 3).await.remove(2);
    assert_eq!(header(&after, "webhook-signature").split(' ').count(), 1);
    assert!(verifies(&second, &after));
    assert!(!verifies(&first, &after), "the old secret no longer signs");

    let third = shop.rotate(&endpoint, 0).await;
    shop.test_send(&endpoint).await;
    let immediate = received(&server, "/hook", 4).await.remove(3);
    assert_eq!(header(&immediate, "webhook-signature").split(' ').count(), 1);
    assert!(verifies(&third, &immediate) && !verifies(&second, &immediate), "no grace period: one secret");
}
