//! Provider confirmations from the inbound receivers: EFI's PIX webhook and Stripe's
//! PaymentIntent events settle payments. Each settlement is idempotent, so a webhook the
//! provider delivers twice changes nothing the second time.

use async_trait::async_trait;
use balcao_core::Core;
use balcao_core::error::Error;
use balcao_core::inbound::{InboundEvent, InboundHandler, Provider};
use balcao_core::jobs::JobError;
use chrono::{TimeZone, Utc};

use crate::efi::webhook::parse_pix_webhook;
use crate::settle::{self, Outcome};
use crate::stripe::webhook::{EventObject, EventType, parse_event};

/// Settles payments from EFI and Stripe webhooks.
pub struct PaymentWebhooks {
    core: Core,
}

impl PaymentWebhooks {
    /// A handler on the shared handles.
    pub fn new(core: Core) -> Self {
        Self { core }
    }

    async fn efi(&self, event: &InboundEvent) -> Result<(), JobError> {
        // A boleto's notification (`notification=<token>`), read back from EFI's billing API.
        if let Some(token) = crate::efi::notify::notification_token(&event.body) {
            return crate::efi::notify::settle_notification(&self.core, event, &token).await;
        }
        let payments =
            parse_pix_webhook(&event.body).map_err(|e| JobError::Permanent(format!("EFI webhook body: {e}")))?;
        let mut conn = self.core.pool.get().await.map_err(Error::from)?;
        for pix in payments {
            let Some(txid) = pix.txid.as_deref() else { continue };
            let outcome =
                settle::confirm(&mut conn, event.store_id, "efi", txid, pix.amount_cents, pix.paid_at).await?;
            if outcome == Outcome::Unknown {
                tracing::warn!(store = %event.store_id, %txid, "EFI confirmed a charge balcao does not know");
            }
        }
        Ok(())
    }

    async fn stripe(&self, event: &InboundEvent) -> Result<(), JobError> {
        let Some(parsed) =
            parse_event(&event.body).map_err(|e| JobError::Permanent(format!("Stripe event body: {}", e.0)))?
        else {
            return Ok(());
        };
        let EventObject::PaymentIntent(intent) = &parsed.object else { return Ok(()) };
        let at = Utc
            .timestamp_opt(parsed.created, 0)
            .single()
            .and_then(balcao_core::timestamp::in_range)
            .unwrap_or_else(Utc::now);
        let mut conn = self.core.pool.get().await.map_err(Error::from)?;
        match parsed.event_type {
            EventType::PaymentIntentSucceeded => {
                settle::confirm(&mut conn, event.store_id, "stripe", &intent.id, intent.amount_received, at).await?;
            }
            EventType::PaymentIntentPaymentFailed => {
                let (code, message) = intent
                    .last_payment_error
                    .as_ref()
                    .map(|e| (e.code.clone(), e.message.clone()))
                    .unwrap_or_else(|| ("payment_failed".into(), String::new()));
                settle::fail(&mut conn, event.store_id, "stripe", &intent.id, &code, &message).await?;
            }
            _ => {}
        }
        Ok(())
    }
}

#[async_trait]
impl InboundHandler for PaymentWebhooks {
    fn name(&self) -> &str {
        "payments"
    }

    fn providers(&self) -> &[Provider] {
        &[Provider::Efi, Provider::Stripe, Provider::Pagbank]
    }

    async fn handle(&self, event: &InboundEvent) -> Result<(), JobError> {
        match event.provider {
            Provider::Efi => self.efi(event).await,
            Provider::Stripe => self.stripe(event).await,
            Provider::Pagbank => crate::pagbank::notify::handle(&self.core, event).await,
            _ => Ok(()),
        }
    }
}
