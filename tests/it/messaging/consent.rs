//! Marketing holds to the customer consent ledger (LGPD): a customer's revoked or never-granted
//! marketing consent refuses the message at dispatch, and again at send time.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use async_trait::async_trait;
use balcao_gateway::worker::marketing_consent;
use balcao_messaging::channels::ProviderKind;
use balcao_messaging::messages::{SEND_JOB, SendJob};
use balcao_messaging::provider::{Accepted, ChannelContext, Outbound, Provider, ProviderError, Providers};
use balcao_tests::TestApp;
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::support::settled;

const PHONE: &str = "+5511987654321";

/// A store with its owner.
struct Store {
    app: TestApp,
    token: String,
    store: String,
}

impl Store {
    async fn new() -> Self {
        let app = TestApp::spawn_with(&[("BALCAO_JOB_POLL_MS", "100")]).await;
        let user = app.user().await;
        let store = app.store(&user.token).await;
        Self { app, token: user.token, store }
    }

    fn path(&self, rest: &str) -> String {
        format!("/v1/stores/{}/{rest}", self.store)
    }

    /// A customer with `body`'s contacts; answers its id.
    async fn customer(&self, body: Value) -> String {
        let (status, customer) = self.app.post(&self.path("customers"), &self.token, body).await;
        assert_eq!(status, StatusCode::CREATED, "{customer}");
        customer["id"].as_str().unwrap().to_owned()
    }

    /// Records the customer's marketing decision on `channel`.
    async fn consent(&self, customer: &str, channel: &str, granted: bool) {
        let body = json!({"channel": channel, "purpose": "marketing", "granted": granted, "source": "checkout form"});
        let (status, record) =
            self.app.post(&self.path(&format!("customers/{customer}/consents")), &self.token, body).await;
        assert_eq!(status, StatusCode::CREATED, "{record}");
    }

    /// Sends a message of `category` on the store's `channel` kind (its sandbox channel): a
    /// template on WhatsApp (no customer-service window is open), an email or a text.
    async fn send(&self, channel: &str, to: &str, category: &str) -> (StatusCode, Value) {
        let content = match channel {
            "whatsapp" => json!({"type": "template", "name": "promocao", "language": "pt_BR"}),
            "email" => json!({"type": "email", "subject": "Promoção de inverno", "text": "20% off"}),
            _ => json!({"type": "text", "text": "Promoção de inverno: 20% off"}),
        };
        let body = json!({"channel": channel, "to": to, "category": category, "content": content});
        self.app.post(&self.path("messages"), &self.token, body).await
    }

    /// Sends one that must be accepted; answers its id.
    async fn queue(&self, channel: &str, to: &str, category: &str) -> String {
        let (status, message) = self.send(channel, to, category).await;
        assert_eq!(status, StatusCode::ACCEPTED, "{message}");
        message["id"].as_str().unwrap().to_owned()
    }

    /// Asserts a send is refused with `code` on `to`.
    async fn refused(&self, channel: &str, to: &str, code: &str) {
        let (status, problem) = self.send(channel, to, "marketing").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{to} on {channel}: {problem}");
        assert_eq!(problem["code"], code, "{problem}");
        assert_eq!(problem["errors"][0]["field"], "to", "{problem}");
        assert_eq!(problem["errors"][0]["code"], code, "{problem}");
    }
}

#[tokio::test]
async fn marketing_to_a_customer_needs_their_granted_consent_for_the_channel() {
    let s = Store::new().await;
    let ana = s.customer(json!({"name": "Ana", "phone": "(11) 98765-4321", "email": "Ana@Example.com"})).await;

    // A customer who never consented: no legal basis for marketing, on any channel.
    s.refused("sms", "+55 11 98765-4321", "marketing_consent_missing").await;
    s.refused("whatsapp", PHONE, "marketing_consent_missing").await;
    s.refused("email", "ANA@example.com", "marketing_consent_missing").await;
    // Transactional messages go by their own legal basis.
    s.queue("sms", PHONE, "transactional").await;
    s.queue("email", "ana@example.com", "transactional").await;

    // Consent is per channel: WhatsApp's grant says nothing about SMS.
    s.consent(&ana, "whatsapp", true).await;
    s.queue("whatsapp", PHONE, "marketing").await;
    s.refused("sms", PHONE, "marketing_consent_missing").await;
    s.consent(&ana, "sms", true).await;
    s.queue("sms", PHONE, "marketing").await;
    s.consent(&ana, "email", true).await;
    s.queue("email", "ana@example.com", "marketing").await;

    // Revoked: refused at once; the latest decision counts, so a new grant lets it go again.
    s.consent(&ana, "sms", false).await;
    s.refused("sms", PHONE, "recipient_opted_out").await;
    s.queue("whatsapp", PHONE, "marketing").await;
    s.queue("sms", PHONE, "transactional").await;
    s.consent(&ana, "sms", true).await;
    s.queue("sms", PHONE, "marketing").await;

    // The suppression list still applies to a customer who granted consent.
    let (status, body) =
        s.app.post(&s.path("suppressions"), &s.token, json!({"kind": "email", "contact": "ana@example.com"})).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    s.refused("email", "ana@example.com", "recipient_opted_out").await;

    // Another customer sharing the phone who revoked speaks for the contact.
    let irmao = s.customer(json!({"name": "Irmão da Ana", "phone": PHONE})).await;
    s.queue("whatsapp", PHONE, "marketing").await;
    s.consent(&irmao, "whatsapp", false).await;
    s.refused("whatsapp", PHONE, "recipient_opted_out").await;

    // A contact who is no customer's goes by the suppression list alone, as before.
    s.queue("sms", "+5521987654321", "marketing").await;
    s.queue("email", "bia@example.com", "marketing").await;
}

/// Counts the messages handed to the provider.
struct Counting(Arc<AtomicUsize>);

#[async_trait]
impl Provider for Counting {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Sandbox
    }

    async fn send(&self, _channel: &ChannelContext, message: &Outbound) -> Result<Accepted, ProviderError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Ok(Accepted { provider_message_id: format!("cnt_{}", message.id) })
    }
}

#[tokio::test]
async fn consent_revoked_while_a_message_waits_stops_it_before_the_provider() {
    let s = Store::new().await;
    let ana = s.customer(json!({"name": "Ana", "phone": PHONE})).await;
    s.consent(&ana, "sms", true).await;
    // Queued while no worker runs: the consent holds at dispatch.
    let revoked = s.queue("sms", PHONE, "marketing").await;
    let receipt = s.queue("sms", PHONE, "transactional").await;
    // A contact who becomes a customer without consent before the send is no longer marketable.
    let later = "+5521987654321";
    let unconsented = s.queue("sms", later, "marketing").await;
    s.consent(&ana, "sms", false).await;
    s.customer(json!({"name": "Bia", "phone": later})).await;

    let calls = Arc::new(AtomicUsize::new(0));
    let (core, counted) = (s.app.core.clone(), calls.clone());
    let worker = s
        .app
        .worker_with(move |registry| {
            let mut providers = Providers::new();
            providers.register(Arc::new(Counting(counted)));
            registry.register(SEND_JOB, Arc::new(SendJob::new(core, providers, marketing_consent())));
        })
        .await;
    let sent = settled(&s.app, &s.token, &s.store, &receipt).await;
    assert_eq!(sent["status"], "sent", "transactional messages are unaffected: {sent}");
    for (id, code) in [(&revoked, "recipient_opted_out"), (&unconsented, "marketing_consent_missing")] {
        let failed = settled(&s.app, &s.token, &s.store, id).await;
        assert_eq!(
            (failed["status"].as_str(), failed["error_code"].as_str()),
            (Some("failed"), Some(code)),
            "{failed}"
        );
        assert!(failed["provider_message_id"].is_null(), "{failed}");
        assert_eq!(failed["attempts"], 0, "never handed to the provider: {failed}");
    }
    worker.stop().await;
    assert_eq!(calls.load(Ordering::SeqCst), 1, "only the transactional message reached the provider");
}
