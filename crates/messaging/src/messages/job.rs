//! The send job: checks again what may have changed while the message waited (the channel,
//! the customer-service window, the marketing gate), throttles per sender and per recipient
//! (across workers, through the cache), hands the message to its provider once, and records what
//! came back. A message that already has a provider id is never sent again.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use balcao_core::Core;
use balcao_core::consent::MarketingConsentLedger;
use balcao_core::error::{Error, is_unique_violation};
use balcao_core::id::StoreId;
use balcao_core::jobs::{JobContext, JobError, JobHandler, with_jitter};
use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};

use super::model::{Category, MessageId, MessageRow};
use super::window::window_rule;
use crate::channels::{ChannelId, ChannelKind, ChannelRow, ChannelSettings, ProviderKind, service as channels};
use crate::consent::MarketingGate;
use crate::content::Content;
use crate::problems;
use crate::provider::{Accepted, ChannelContext, Outbound, Provider, ProviderError, Providers};
use crate::schema::{channels as ch, conversations as cv, messages as m};

/// The job kind.
pub const SEND_JOB: &str = "messaging.send";
/// Attempts per message.
pub const MAX_ATTEMPTS: i32 = 8;
/// WhatsApp's default throughput per phone number.
pub const WHATSAPP_RATE: u32 = 80;
/// Other providers' default throughput per sender.
pub const DEFAULT_RATE: u32 = 20;
/// WhatsApp's default interval between two messages to the same recipient, in seconds.
pub const WHATSAPP_RECIPIENT_INTERVAL: u32 = 6;

/// The job's payload.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SendPayload {
    /// The store.
    pub store_id: uuid::Uuid,
    /// The message.
    pub message_id: uuid::Uuid,
}

/// Builds the one-click unsubscribe URL of a marketing email (set by the HTTP layer).
pub type UnsubscribeUrl = std::sync::Arc<dyn Fn(StoreId, ChannelKind, &str) -> Option<String> + Send + Sync>;

/// Sends queued messages through their providers.
pub struct SendJob {
    core: Core,
    providers: Providers,
    gate: MarketingGate,
    unsubscribe_url: Option<UnsubscribeUrl>,
}

impl SendJob {
    /// A job on the shared handles with `providers`; marketing asks `ledger`, the customer
    /// consent records.
    pub fn new(core: Core, providers: Providers, ledger: Arc<dyn MarketingConsentLedger>) -> Self {
        Self { core, providers, gate: MarketingGate::new(ledger), unsubscribe_url: None }
    }

    /// Marketing emails carry `List-Unsubscribe` with the URL `f` builds.
    pub fn with_unsubscribe_url(mut self, f: UnsubscribeUrl) -> Self {
        self.unsubscribe_url = Some(f);
        self
    }

    /// Takes a slot for the sender and the recipient, or answers how long to wait.
    async fn throttle(&self, channel: &ChannelRow, settings: &ChannelSettings, contact: &str) -> Option<Duration> {
        let whatsapp = channel.provider == ProviderKind::WhatsappCloud.as_str();
        let rate = settings.rate_limit_per_second.unwrap_or(if whatsapp { WHATSAPP_RATE } else { DEFAULT_RATE });
        let now = Utc::now();
        let key = format!("messaging:rate:{}:{}", channel.id, now.timestamp());
        if self.core.cache.incr(&key, Duration::from_secs(2)).await > i64::from(rate.max(1)) {
            let next = Duration::from_millis(u64::from(1_000 - now.timestamp_subsec_millis().min(999)));
            return Some(with_jitter(next, 0.2));
        }
        let interval =
            settings.recipient_interval_secs.unwrap_or(if whatsapp { WHATSAPP_RECIPIENT_INTERVAL } else { 0 });
        if interval > 0 {
            let key = format!("messaging:recipient:{}:{contact}", channel.id);
            if self.core.cache.incr(&key, Duration::from_secs(u64::from(interval))).await > 1 {
                return Some(with_jitter(Duration::from_secs(u64::from(interval)), 0.2));
            }
        }
        None
    }
}

async fn fail(conn: &mut AsyncPgConnection, row: &MessageRow, code: &str, message: &str) -> Result<(), Error> {
    diesel::update(m::table.filter(m::store_id.eq(row.store_id)).filter(m::id.eq(row.id)))
        .filter(m::status.eq_any(["queued", "sending"]))
        .set((
            m::status.eq("failed"),
            m::error_code.eq(Some(code)),
            m::error_message.eq(Some(message)),
            m::failed_at.eq(Some(Utc::now())),
            m::updated_at.eq(Utc::now()),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

/// A queued message with its channel, read and parsed for sending.
struct Pending {
    row: MessageRow,
    channel: ChannelRow,
    settings: ChannelSettings,
    kind: ChannelKind,
    provider_kind: ProviderKind,
    content: Content,
    category: Category,
}

/// Reads the message and its channel; `None` when it was sent before (a provider id came
/// back) or is settled, so it is never sent twice.
async fn load(
    conn: &mut AsyncPgConnection,
    store_id: uuid::Uuid,
    message_id: uuid::Uuid,
) -> Result<Option<Pending>, JobError> {
    let Some(row) = m::table
        .filter(m::store_id.eq(store_id))
        .filter(m::id.eq(message_id))
        .select(MessageRow::as_select())
        .first(conn)
        .await
        .optional()
        .map_err(Error::from)?
    else {
        return Err(JobError::Permanent(format!("message {message_id} is gone")));
    };
    if row.provider_message_id.is_some() || !matches!(row.status.as_str(), "queued" | "sending") {
        return Ok(None);
    }
    let channel: ChannelRow = ch::table
        .filter(ch::store_id.eq(store_id))
        .filter(ch::id.eq(row.channel_id))
        .select(ChannelRow::as_select())
        .first(conn)
        .await
        .map_err(Error::from)?;
    let settings: ChannelSettings = serde_json::from_value(channel.settings.clone()).unwrap_or_default();
    let kind = ChannelKind::parse(&channel.kind).ok_or_else(|| JobError::Permanent("unknown channel kind".into()))?;
    let provider_kind =
        ProviderKind::parse(&channel.provider).ok_or_else(|| JobError::Permanent("unknown provider".into()))?;
    let content: Content = serde_json::from_value(row.content.clone())
        .map_err(|e| JobError::Permanent(format!("stored content does not parse: {e}")))?;
    let category = if row.category == "marketing" { Category::Marketing } else { Category::Transactional };
    Ok(Some(Pending { row, channel, settings, kind, provider_kind, content, category }))
}

/// Marks the message `sending` and counts the attempt.
async fn mark_sending(conn: &mut AsyncPgConnection, row: &MessageRow) -> Result<(), Error> {
    diesel::update(m::table.filter(m::store_id.eq(row.store_id)).filter(m::id.eq(row.id)))
        .set((m::status.eq("sending"), m::attempts.eq(m::attempts + 1), m::updated_at.eq(Utc::now())))
        .execute(conn)
        .await?;
    Ok(())
}

/// Records the provider's acceptance. A provider id another message already has means the
/// message went out all the same: it is recorded sent (without the id) and never sent again.
async fn record_sent(conn: &mut AsyncPgConnection, pending: &Pending, provider_id: &str) -> Result<(), Error> {
    let (row, now) = (&pending.row, Utc::now());
    let target = m::table.filter(m::store_id.eq(row.store_id)).filter(m::id.eq(row.id));
    let stored = diesel::update(target)
        .set((
            m::provider_message_id.eq(Some(provider_id)),
            m::status.eq("sent"),
            m::sent_at.eq(Some(now)),
            m::updated_at.eq(now),
        ))
        .execute(conn)
        .await;
    match stored {
        Ok(_) => {}
        Err(e) if is_unique_violation(&e, "messages_provider_id_idx") => {
            tracing::error!(message = %row.id, provider = %pending.channel.provider, "provider answered a duplicate message id");
            diesel::update(target)
                .set((
                    m::status.eq("sent"),
                    m::sent_at.eq(Some(now)),
                    m::error_message.eq(Some("the provider answered an id another message already has")),
                    m::updated_at.eq(now),
                ))
                .execute(conn)
                .await?;
        }
        Err(e) => return Err(e.into()),
    }
    tracing::info!(message = %row.id, provider = %pending.channel.provider, "message sent");
    Ok(())
}

impl SendJob {
    /// Checks again what may have changed while the message waited: the channel, the
    /// customer-service window, the marketing gate. `Some(human_agent)` when it may go; a
    /// refusal fails the message and answers `None`.
    async fn recheck(&self, conn: &mut AsyncPgConnection, p: &Pending) -> Result<Option<bool>, JobError> {
        let row = &p.row;
        if !p.channel.active {
            let detail = "the channel was deactivated before the message went out";
            fail(conn, row, problems::CHANNEL_INACTIVE.code(), detail).await?;
            return Ok(None);
        }
        let last_inbound: Option<chrono::DateTime<Utc>> = cv::table
            .filter(cv::store_id.eq(row.store_id))
            .filter(cv::id.eq(row.conversation_id))
            .select(cv::last_inbound_at)
            .first(conn)
            .await
            .optional()
            .map_err(Error::from)?
            .flatten();
        let human_agent = match window_rule(p.kind, &p.settings, &p.content, last_inbound, Utc::now()) {
            Ok(tag) => tag,
            Err(e) => {
                fail(conn, row, problems::OUTSIDE_CUSTOMER_SERVICE_WINDOW.code(), &e.to_string()).await?;
                return Ok(None);
            }
        };
        if p.category == Category::Marketing
            && let Some(refusal) = self.gate.refusal(conn, StoreId(row.store_id), p.kind, &row.contact).await?
        {
            tracing::info!(message = %row.id, code = refusal.code(), "marketing refused at send time");
            fail(conn, row, refusal.code(), refusal.detail()).await?;
            return Ok(None);
        }
        Ok(Some(human_agent))
    }

    /// The provider, the channel it sends on and the message as it goes; waits (defers) when
    /// the sender or the recipient is at its rate.
    async fn prepare(
        &self,
        p: &Pending,
        human_agent: bool,
    ) -> Result<(Arc<dyn Provider>, ChannelContext, Outbound), JobError> {
        let Some(provider) = self.providers.get(p.provider_kind).cloned() else {
            return Err(JobError::Permanent(format!("no provider registered for {}", p.channel.provider)));
        };
        if let Some(after) = self.throttle(&p.channel, &p.settings, &p.row.contact).await {
            return Err(JobError::Defer { reason: "sender or recipient rate limit".into(), after });
        }
        let store = StoreId(p.row.store_id);
        let context = ChannelContext {
            store_id: store,
            channel_id: ChannelId(p.channel.id),
            sender: p.channel.sender.clone(),
            settings: p.settings.clone(),
            credentials: channels::open(&self.core, &p.channel)?,
        };
        let unsubscribe_url = match (&self.unsubscribe_url, p.category) {
            (Some(f), Category::Marketing) => f(store, p.kind, &p.row.contact),
            _ => None,
        };
        let outbound = Outbound {
            id: MessageId(p.row.id),
            idempotency_key: p.row.idempotency_key.clone(),
            to: p.row.contact.clone(),
            content: p.content.clone(),
            category: p.category,
            human_agent,
            unsubscribe_url,
        };
        Ok((provider, context, outbound))
    }

    /// Records what the provider answered: sent, failed for good, or back in the queue.
    async fn record(
        &self,
        job: &JobContext,
        p: &Pending,
        result: Result<Accepted, ProviderError>,
    ) -> Result<(), JobError> {
        let mut conn = self.core.pool.get().await.map_err(Error::from)?;
        let row = &p.row;
        match result {
            Ok(accepted) => Ok(record_sent(&mut conn, p, &accepted.provider_message_id).await?),
            Err(ProviderError::Permanent { code, message }) => {
                tracing::warn!(message = %row.id, %code, error = %message, "message failed");
                fail(&mut conn, row, &code, &message).await?;
                Ok(())
            }
            Err(ProviderError::RecipientThrottled { code, after, .. }) => {
                back_to_queue(&mut conn, row).await?;
                Err(JobError::Defer { reason: format!("provider throttled the recipient ({code})"), after })
            }
            Err(ProviderError::Retry { code, message, after }) => {
                if job.attempt >= job.max_attempts {
                    fail(&mut conn, row, &code, &message).await?;
                    return Err(JobError::Permanent(format!("{code}: {message}")));
                }
                back_to_queue(&mut conn, row).await?;
                Err(JobError::Retry { message: format!("{code}: {message}"), after })
            }
        }
    }
}

#[async_trait]
impl JobHandler for SendJob {
    /// Load, recheck, prepare, send once, record.
    async fn run(&self, job: &JobContext) -> Result<(), JobError> {
        let SendPayload { store_id, message_id } = job.payload()?;
        let mut conn = self.core.pool.get().await.map_err(Error::from)?;
        let Some(pending) = load(&mut conn, store_id, message_id).await? else { return Ok(()) };
        let Some(human_agent) = self.recheck(&mut conn, &pending).await? else { return Ok(()) };
        let (provider, context, outbound) = self.prepare(&pending, human_agent).await?;
        mark_sending(&mut conn, &pending.row).await?;
        drop(conn);
        let result = provider.send(&context, &outbound).await;
        self.record(job, &pending, result).await
    }
}

async fn back_to_queue(conn: &mut AsyncPgConnection, row: &MessageRow) -> Result<(), Error> {
    diesel::update(m::table.filter(m::store_id.eq(row.store_id)).filter(m::id.eq(row.id)))
        .filter(m::status.eq("sending"))
        .set((m::status.eq("queued"), m::updated_at.eq(Utc::now())))
        .execute(conn)
        .await?;
    Ok(())
}
