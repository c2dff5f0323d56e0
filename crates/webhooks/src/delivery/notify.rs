//! Tells a store's owners, by email, that balcao disabled one of their webhook endpoints.

use async_trait::async_trait;
use balcao_core::Core;
use balcao_core::events::{Event, EventSubscriber};
use balcao_core::jobs::JobError;
use balcao_core::mail::Email;
use balcao_core::tenancy::notify::email_owners;

use super::events::{ENDPOINT_DISABLED, EndpointDisabled};
use super::health::GONE;

/// The subscriber's name on the event bus.
pub const SUBSCRIBER: &str = "webhooks.endpoint_disabled_email";

/// Emails the owners of a store whose endpoint was disabled.
pub struct DisabledEndpointNotifier {
    core: Core,
}

impl DisabledEndpointNotifier {
    /// A notifier on the shared handles (it sends through `core.mailer`).
    pub fn new(core: Core) -> Self {
        Self { core }
    }
}

/// The message for `store_name`'s owners.
pub fn message(store_name: &str, to: Vec<String>, disabled: &EndpointDisabled) -> Email {
    let why = if disabled.reason == GONE {
        "o endereço respondeu 410 Gone, indicando que não quer mais receber eventos".to_owned()
    } else {
        let since = disabled.failing_since.map(|at| format!(" desde {}", at.format("%d/%m/%Y %H:%M UTC")));
        format!("todas as entregas falharam{}", since.unwrap_or_default())
    };
    let text = format!(
        "Olá,\n\n\
         O webhook {url} da loja {store_name} foi desativado em {at}: {why}.\n\n\
         Nenhum evento novo será enviado a ele. Depois de corrigir o endereço, reative-o \
         (PATCH /v1/stores/{{store_id}}/webhook-endpoints/{id} com \"active\": true) e, se quiser, \
         reenvie as entregas perdidas com POST .../webhook-endpoints/{id}/recover.\n\n\
         — balcao\n",
        url = disabled.url,
        at = disabled.disabled_at.format("%d/%m/%Y %H:%M UTC"),
        id = disabled.endpoint_id,
    );
    Email { to, subject: format!("[{store_name}] Webhook desativado: {}", disabled.url), text, ..Email::default() }
}

#[async_trait]
impl EventSubscriber for DisabledEndpointNotifier {
    fn name(&self) -> &str {
        SUBSCRIBER
    }

    fn accepts(&self, event_type: &str) -> bool {
        event_type == ENDPOINT_DISABLED.name()
    }

    async fn handle(&self, event: &Event) -> Result<(), JobError> {
        let Some(store) = event.store_id else { return Ok(()) };
        let disabled: EndpointDisabled = serde_json::from_value(event.data.clone())
            .map_err(|e| JobError::Permanent(format!("bad endpoint.disabled payload: {e}")))?;
        email_owners(&self.core, store, |name, owners| message(name, owners, &disabled)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    #[test]
    fn the_message_names_the_endpoint_the_reason_and_the_way_back() {
        let at = Utc.with_ymd_and_hms(2026, 11, 29, 14, 0, 0).single().unwrap_or_default();
        let disabled = EndpointDisabled {
            endpoint_id: uuid::Uuid::nil(),
            url: "https://example.com/hook".into(),
            reason: "failing".into(),
            failing_since: Some(at - chrono::Duration::days(5)),
            disabled_at: at,
        };
        let email = message("Doceria da Ana", vec!["ana@example.com".into()], &disabled);
        assert_eq!(email.subject, "[Doceria da Ana] Webhook desativado: https://example.com/hook");
        assert!(email.text.contains("desde 24/11/2026 14:00 UTC"), "{}", email.text);
        assert!(email.text.contains("/recover"));
        let gone = message("Loja", vec![], &EndpointDisabled { reason: GONE.into(), ..disabled });
        assert!(gone.text.contains("410 Gone"));
    }
}
