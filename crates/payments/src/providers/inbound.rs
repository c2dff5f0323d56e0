//! Provider notifications from the inbound receivers, handed to each provider's own handling:
//! EFI's PIX webhook and billing notifications, Stripe's PaymentIntent events and PagBank's
//! orders settle payments. Each settlement is idempotent, so a notification the provider
//! delivers twice changes nothing the second time.

use async_trait::async_trait;
use balcao_core::Core;
use balcao_core::inbound::{InboundEvent, InboundHandler, Provider};
use balcao_core::jobs::JobError;

use super::efi::account::EfiClients;
use super::efi::notify::Notified;
use super::{efi, pagbank, stripe};
use crate::payments::settle::Settler;

/// Settles payments from EFI, Stripe and PagBank notifications.
pub struct PaymentWebhooks {
    core: Core,
    settle: Settler,
    efi: EfiClients,
}

impl PaymentWebhooks {
    /// A handler on the shared handles; orders move through stores' PostgreSQL ledger.
    pub fn new(core: Core) -> Self {
        Self { core, settle: Settler::default(), efi: EfiClients::new() }
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
            Provider::Efi => {
                let on = Notified { core: &self.core, settle: &self.settle, clients: &self.efi };
                efi::notify::handle(on, event).await
            }
            Provider::Stripe => stripe::notify::handle(&self.core, &self.settle, event).await,
            Provider::Pagbank => pagbank::notify::handle(&self.core, &self.settle, event).await,
            _ => Ok(()),
        }
    }
}
