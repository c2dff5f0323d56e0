//! The job worker: every crate's job handlers and event subscribers, and periodic maintenance.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::{Notify, watch};

use balcao_core::Core;
use balcao_core::events::EventBus;
use balcao_core::jobs::{self, JobContext, JobError, JobHandler, NewJob, PgJobStore, Registry, Worker, WorkerConfig};
use balcao_webhooks::inbound::receiver::InboundHandlers;

/// Purges expired idempotency keys and abandoned carts, then schedules its next run.
pub const PURGE_IDEMPOTENCY_JOB: &str = "maintenance.purge_idempotency_keys";

struct PurgeIdempotency {
    core: Core,
}

#[async_trait]
impl JobHandler for PurgeIdempotency {
    async fn run(&self, _job: &JobContext) -> Result<(), JobError> {
        let purged = balcao_core::idempotency::purge_expired(&self.core.pool).await?;
        let carts = balcao_stores::carts::service::purge_expired(&self.core.pool).await?;
        tracing::info!(purged, carts, "purged expired idempotency keys and abandoned carts");
        schedule_maintenance(&self.core, Duration::from_secs(3600)).await?;
        Ok(())
    }
}

async fn schedule_maintenance(core: &Core, after: Duration) -> balcao_core::Result<()> {
    let mut conn = core.pool.get().await?;
    let run_at = chrono::Utc::now() + chrono::Duration::from_std(after).unwrap_or(chrono::Duration::hours(1));
    let job =
        NewJob::new(PURGE_IDEMPOTENCY_JOB, &serde_json::json!({}))?.run_at(run_at).unique_key(PURGE_IDEMPOTENCY_JOB);
    jobs::enqueue(&mut conn, job).await?;
    Ok(())
}

/// The event subscribers every crate registers.
pub fn event_bus(core: &Core) -> EventBus {
    let mut bus = EventBus::new();
    bus.subscribe(Arc::new(balcao_webhooks::delivery::WebhookSubscriber::new(core.clone())));
    bus.subscribe(Arc::new(balcao_webhooks::delivery::DisabledEndpointNotifier::new(core.clone())));
    bus.subscribe(Arc::new(balcao_core::usage::notify::ThresholdNotifier::new(core.clone())));
    bus
}

/// Every job handler of the product.
pub fn registry(core: &Core, bus: &EventBus) -> Registry {
    let mut registry = Registry::new();
    bus.register_jobs(&mut registry, core.pool.clone());
    registry.register(PURGE_IDEMPOTENCY_JOB, Arc::new(PurgeIdempotency { core: core.clone() }));
    registry.register(
        balcao_core::identity::emails::SEND_JOB,
        Arc::new(balcao_core::identity::emails::SendAccountEmail::new(core.clone())),
    );
    balcao_stores::orders::expiry::register_jobs(&mut registry, core);
    balcao_core::usage::job::register_jobs(&mut registry, core);
    registry.register(
        balcao_webhooks::delivery::DELIVER_JOB,
        Arc::new(balcao_webhooks::delivery::DeliverJob::new(core.clone())),
    );
    let config = core.config.clone();
    let send = balcao_messaging::messages::SendJob::new(core.clone(), message_providers(core), marketing_consent())
        .with_unsubscribe_url(Arc::new(move |store, kind, contact| {
            balcao_messaging::unsubscribe::unsubscribe_url(&config, store, kind, contact).ok()
        }));
    registry.register(balcao_messaging::messages::SEND_JOB, Arc::new(send));
    // One set of providers, so an EFI account's OAuth token is shared by every payment job.
    let payments = payment_providers(core);
    registry.register(
        balcao_payments::jobs::EXPIRE_JOB,
        Arc::new(balcao_payments::jobs::ExpireJob::new(core.clone(), payments.clone())),
    );
    registry.register(
        balcao_payments::jobs::RECONCILE_JOB,
        Arc::new(balcao_payments::jobs::ReconcileJob::new(core.clone(), payments)),
    );
    registry.register(
        balcao_payments::splits::SPLIT_JOB,
        Arc::new(balcao_payments::splits::job::SplitJob::new(core.clone())),
    );
    registry.register(
        balcao_webhooks::inbound::receiver::PROCESS_JOB,
        Arc::new(balcao_webhooks::inbound::receiver::InboundProcessJob::new(core.clone(), inbound_handlers(core))),
    );
    registry
}

/// The payment providers, by name; the sandbox is the default for stores without an account.
pub fn payment_providers(_core: &Core) -> balcao_payments::providers::Providers {
    let mut providers = balcao_payments::providers::Providers::new();
    providers.register(Arc::new(balcao_payments::providers::sandbox::SandboxProvider));
    providers.register(Arc::new(balcao_payments::providers::stripe::adapter::StripeProvider::new()));
    providers.register(Arc::new(balcao_payments::providers::efi::adapter::EfiProvider::new()));
    providers.register(Arc::new(balcao_payments::providers::pagbank::adapter::PagBankProvider::new()));
    providers
}

/// The customer consent ledger (balcao-stores) that messaging's marketing gate asks.
pub fn marketing_consent() -> Arc<dyn balcao_core::consent::MarketingConsentLedger> {
    Arc::new(balcao_stores::customers::PgMarketingConsent)
}

/// The providers messages go out through, one per provider kind.
pub fn message_providers(core: &Core) -> balcao_messaging::provider::Providers {
    let mut providers = balcao_messaging::provider::Providers::new();
    providers.register(Arc::new(balcao_messaging::sandbox::SandboxProvider::new()));
    providers.register(Arc::new(balcao_messaging::providers::email::EmailProvider::new(
        core.mailer.clone(),
        core.config.outbound(),
    )));
    // Building the client fails only when the TLS backend cannot start: those providers are
    // left out (their channels fail with `unknown_provider`) rather than the whole process.
    if let Err(error) = balcao_messaging::providers::register_http(&mut providers, core.config.outbound()) {
        tracing::error!(%error, "could not build the messaging providers' HTTP client");
    }
    providers
}

/// The handlers of verified inbound provider webhooks: messaging's (WhatsApp, Instagram, Zenvia,
/// Twilio: inbound messages and statuses); payments (Stripe, EFI, PagBank) add one line here,
/// such as `handlers.register(Arc::new(balcao_payments::providers::inbound::Handler::new(core.clone())));`.
/// Until it does, accepted events of a provider without a handler are stored and marked `ignored`.
pub fn inbound_handlers(core: &Core) -> InboundHandlers {
    let mut handlers = InboundHandlers::new();
    let dispatcher = Arc::new(balcao_messaging::messages::PgDispatcher::new(core.clone(), marketing_consent()));
    handlers.register(Arc::new(balcao_messaging::inbound::InboundMessages::new(core.clone(), dispatcher)));
    handlers.register(Arc::new(balcao_payments::providers::inbound::PaymentWebhooks::new(core.clone())));
    handlers
}

/// Starts a worker (and its LISTEN connection) that runs until `shutdown` turns true.
pub async fn spawn(core: &Core, registry: Registry, shutdown: watch::Receiver<bool>) -> tokio::task::JoinHandle<()> {
    if let Err(error) = schedule_maintenance(core, Duration::from_secs(60)).await {
        tracing::warn!(%error, "could not schedule maintenance");
    }
    if let Err(error) = balcao_core::usage::job::schedule(core).await {
        tracing::warn!(%error, "could not schedule the usage flush");
    }
    let wake = Arc::new(Notify::new());
    let listener = jobs::spawn_listener(core.config.database_url.clone(), wake.clone(), shutdown.clone());
    let store = Arc::new(PgJobStore::new(core.pool.clone(), wake));
    let config = WorkerConfig {
        concurrency: core.config.worker_concurrency,
        lease: core.config.job_lease,
        poll_interval: core.config.job_poll_interval,
        shutdown_timeout: core.config.shutdown_timeout,
    };
    let worker = Worker::new(store, registry, config);
    tokio::spawn(async move {
        worker.run(shutdown).await;
        let _ = listener.await;
    })
}
