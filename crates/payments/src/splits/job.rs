//! `payments.splits`: once a payment is paid, its shares go where its provider can send them.
//! Stripe: a Connect transfer per share, funded by the captured charge (`source_transaction`)
//! and keyed so a retried job never transfers twice. EFI: the shares rode on the PIX charge
//! (EFI split) and EFI settled them with the payment, so they are marked transferred.

use async_trait::async_trait;
use balcao_core::Core;
use balcao_core::error::Error;
use balcao_core::id::StoreId;
use balcao_core::jobs::{JobContext, JobError, JobHandler};
use balcao_core::money::Currency;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::model::SplitPayload;
use super::service as store;
use crate::accounts::service as accounts;
use crate::payments::model::PaymentStatus;
use crate::payments::rows;
use crate::providers::cache::Clients;
use crate::providers::efi::adapter::split_config_id;
use crate::providers::stripe::CreateTransfer;
use crate::providers::stripe::StripeClient;
use crate::providers::stripe::adapter::client as stripe_client;
use crate::schema::payment_splits as s;

/// Applies a paid payment's shares.
pub struct SplitJob {
    core: Core,
    stripe: Clients<StripeClient>,
}

impl SplitJob {
    /// A job on the shared handles.
    pub fn new(core: Core) -> Self {
        Self { core, stripe: Clients::new() }
    }
}

#[async_trait]
impl JobHandler for SplitJob {
    async fn run(&self, job: &JobContext) -> Result<(), JobError> {
        let SplitPayload { store_id, payment_id } = job.payload()?;
        let store = StoreId(store_id);
        let mut conn = self.core.pool.get().await.map_err(Error::from)?;
        let payment = rows::find(&mut conn, store, payment_id).await?;
        let status = PaymentStatus::parse(&payment.status);
        let refunded = status == Some(PaymentStatus::Refunded);
        if !status.is_some_and(PaymentStatus::captured) && !refunded {
            return Err(JobError::Permanent(format!("payment {payment_id} is `{}`, not paid", payment.status)));
        }
        let pending: Vec<(String, i64, Option<String>)> = s::table
            .filter(s::store_id.eq(store_id))
            .filter(s::payment_id.eq(payment_id))
            .filter(s::status.eq("recorded"))
            .filter(s::destination.is_not_null())
            .select((s::recipient, s::amount, s::destination))
            .load(&mut conn)
            .await
            .map_err(Error::from)?;
        match payment.provider.as_str() {
            // Refunded in full before its shares moved: nothing is left to transfer.
            "stripe" if refunded => {
                for (recipient, _, _) in &pending {
                    let reason = "the payment was refunded before its share was transferred";
                    store::mark(&mut conn, store, payment_id, recipient, Err(reason)).await?;
                }
            }
            "efi" => {
                let config = split_config_id(payment.provider_payment_id.as_deref().unwrap_or_default());
                for (recipient, _, _) in &pending {
                    store::mark(&mut conn, store, payment_id, recipient, Ok(&config)).await?;
                }
            }
            "stripe" => {
                let account = accounts::open(&self.core, &mut conn, store, "stripe")
                    .await?
                    .ok_or_else(|| JobError::Permanent("the store's Stripe account is gone".into()))?;
                let client = stripe_client(&self.stripe, &account).map_err(|e| JobError::Permanent(e.to_string()))?;
                let intent_id = payment.provider_payment_id.clone().unwrap_or_default();
                let intent = match client.retrieve_payment_intent(&intent_id).await {
                    Ok(intent) => intent,
                    Err(e) if e.is_retryable() => return Err(JobError::retry(e)),
                    Err(e) => return Err(JobError::Permanent(format!("Stripe refused reading {intent_id}: {e}"))),
                };
                for (recipient, amount, destination) in pending {
                    let transfer = CreateTransfer {
                        amount,
                        currency: Currency::BRL,
                        destination: destination.unwrap_or_default(),
                        transfer_group: payment_id.to_string(),
                        source_transaction: intent.latest_charge.clone(),
                    };
                    let key = format!("split-{payment_id}-{recipient}");
                    match client.create_transfer(&transfer, &key).await {
                        Ok(created) => store::mark(&mut conn, store, payment_id, &recipient, Ok(&created.id)).await?,
                        Err(e) if e.is_retryable() => return Err(JobError::retry(e)),
                        Err(e) => {
                            tracing::warn!(payment = %payment_id, %recipient, error = %e, "split transfer refused");
                            store::mark(&mut conn, store, payment_id, &recipient, Err(&e.to_string())).await?;
                        }
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }
}
