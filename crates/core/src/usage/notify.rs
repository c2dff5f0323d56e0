//! Tells a store's owners, by email, that its use of a monthly quota reached 80% or 100%.

use async_trait::async_trait;

use super::Metric;
use super::events::{ThresholdReached, USAGE_THRESHOLD_REACHED};
use crate::context::Core;
use crate::events::{Event, EventSubscriber};
use crate::jobs::JobError;
use crate::mail::Email;
use crate::tenancy::notify::email_owners;

/// The subscriber's name on the event bus.
pub const SUBSCRIBER: &str = "usage.threshold_email";

/// Emails the owners of a store whose usage reached an alert threshold.
pub struct ThresholdNotifier {
    core: Core,
}

impl ThresholdNotifier {
    /// A notifier on the shared handles (it sends through `core.mailer`).
    pub fn new(core: Core) -> Self {
        Self { core }
    }
}

/// How people read a metric's name, in Portuguese.
fn label(metric: &str) -> &'static str {
    match Metric::from_name(metric) {
        Some(Metric::ApiCalls) => "chamadas à API",
        Some(Metric::WhatsappMessages) => "mensagens de WhatsApp",
        Some(Metric::InstagramMessages) => "mensagens de Instagram",
        Some(Metric::EmailMessages) => "emails",
        Some(Metric::SmsMessages) => "SMS",
        Some(Metric::WebhookDeliveries) => "entregas de webhook",
        None => "uso",
    }
}

/// The message for `store_name`'s owners.
pub fn message(store_name: &str, to: Vec<String>, alert: &ThresholdReached) -> Email {
    let what = label(&alert.metric);
    let renews = alert.period_end.format("%d/%m/%Y");
    let consequence = match (alert.threshold >= 100, alert.quota == "soft") {
        (false, _) => format!(
            "Ao chegar a 100%, {}.",
            if alert.quota == "soft" {
                "o uso continua e o excedente aparece no relatório de uso".to_owned()
            } else {
                format!("novas {what} serão recusadas até {renews}")
            }
        ),
        (true, true) => "O uso continua permitido e o excedente aparece no relatório de uso.".to_owned(),
        (true, false) => format!("Novas {what} serão recusadas (429 quota_exceeded) até {renews}."),
    };
    let text = format!(
        "Olá,\n\n\
         A loja {store_name} usou {used} de {limit} {what} ({threshold}%) do plano {plan} neste período \
         ({start} a {end}).\n\n{consequence}\n\n\
         Acompanhe o uso em GET /v1/stores/{store}/usage ou mude de plano para aumentar o limite.\n\n\
         — balcao\n",
        used = alert.used,
        limit = alert.limit,
        threshold = alert.threshold,
        plan = alert.plan,
        start = alert.period_start.format("%d/%m/%Y"),
        end = renews,
        store = alert.store_id,
    );
    Email {
        to,
        subject: format!("[{store_name}] {}% do limite de {what} usado", alert.threshold),
        text,
        ..Email::default()
    }
}

#[async_trait]
impl EventSubscriber for ThresholdNotifier {
    fn name(&self) -> &str {
        SUBSCRIBER
    }

    fn accepts(&self, event_type: &str) -> bool {
        event_type == USAGE_THRESHOLD_REACHED.name()
    }

    async fn handle(&self, event: &Event) -> Result<(), JobError> {
        let Some(store) = event.store_id else { return Ok(()) };
        let alert: ThresholdReached = serde_json::from_value(event.data.clone())
            .map_err(|e| JobError::Permanent(format!("bad usage.threshold_reached payload: {e}")))?;
        email_owners(&self.core, store, |name, owners| message(name, owners, &alert)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::id::StoreId;
    use chrono::{TimeZone, Utc};

    #[test]
    fn the_message_says_how_much_of_what_and_what_happens_next() {
        let start = Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).single().unwrap_or_default();
        let alert = ThresholdReached {
            store_id: StoreId(uuid::Uuid::nil()),
            metric: "sms_messages".into(),
            threshold: 100,
            used: 100,
            limit: 100,
            quota: "hard".into(),
            period_start: start,
            period_end: super::super::period_end(start),
            plan: "free".into(),
        };
        let email = message("Doceria", vec!["ana@example.com".into()], &alert);
        assert_eq!(email.subject, "[Doceria] 100% do limite de SMS usado");
        assert!(email.text.contains("100 de 100 SMS"), "{}", email.text);
        assert!(email.text.contains("recusadas (429 quota_exceeded) até 01/01/2027"), "{}", email.text);
        let soft = message("Doceria", vec![], &ThresholdReached { threshold: 80, quota: "soft".into(), ..alert });
        assert!(soft.text.contains("excedente"), "{}", soft.text);
    }
}
