//! The dispatcher: checks a send (recipient, content, the marketing gate, the customer-service
//! window), counts it against the store's monthly quota for its channel kind (429
//! `quota_exceeded` past a hard one), then stores the message `queued` with its send job in one
//! transaction.

use std::sync::Arc;

use async_trait::async_trait;
use balcao_core::Core;
use balcao_core::consent::MarketingConsentLedger;
use balcao_core::error::{Error, Result, Validator};
use balcao_core::id::StoreId;
use balcao_core::jobs::{self, NewJob};
use balcao_core::usage::{self, Metric};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use super::job::{MAX_ATTEMPTS, SEND_JOB, SendPayload};
use super::model::{Category, Message, MessageId, MessageRow, SendMessage};
use super::window::window_rule;
use crate::channels::{ChannelId, ChannelKind, ChannelRow, ChannelSettings, service as channels};
use crate::consent::MarketingGate;
use crate::content;
use crate::schema::{conversations as cv, messages as m};

/// Sends messages on any channel.
#[async_trait]
pub trait MessageDispatcher: Send + Sync {
    /// Checks and queues one message; it is sent asynchronously.
    async fn send(&self, store: StoreId, req: SendMessage) -> Result<Message>;
}

/// [`MessageDispatcher`] on PostgreSQL and the job queue.
pub struct PgDispatcher {
    core: Core,
    gate: MarketingGate,
}

impl PgDispatcher {
    /// A dispatcher on the shared handles; marketing asks `ledger`, the customer consent records.
    pub fn new(core: Core, ledger: Arc<dyn MarketingConsentLedger>) -> Self {
        Self { core, gate: MarketingGate::new(ledger) }
    }
}

/// The recipient in its canonical form for `kind`, or a field error on `to`.
pub fn normalize_recipient(kind: ChannelKind, to: &str) -> Result<String> {
    let to = to.trim();
    match kind {
        ChannelKind::Whatsapp | ChannelKind::Sms => {
            let digits: String = to.chars().filter(|c| !matches!(c, ' ' | '-' | '(' | ')' | '.')).collect();
            let ok = digits.starts_with('+')
                && (9..=16).contains(&digits.len())
                && digits[1..].chars().all(|c| c.is_ascii_digit())
                && !digits[1..].starts_with('0');
            if ok {
                Ok(digits)
            } else {
                Err(Error::field("to", "invalid_phone", "an E.164 phone number such as +5511987654321"))
            }
        }
        ChannelKind::Instagram => {
            let ok = (1..=64).contains(&to.len()) && to.chars().all(|c| c.is_ascii_digit());
            if ok {
                Ok(to.to_owned())
            } else {
                Err(Error::field("to", "invalid", "an Instagram-scoped user id (digits)"))
            }
        }
        ChannelKind::Email => match to.parse::<balcao_core::mail::Mailbox>() {
            Ok(mailbox) if to.len() <= 320 => Ok(mailbox.email.to_string().to_lowercase()),
            _ => Err(Error::field("to", "invalid_email", "an email address")),
        },
    }
}

/// The conversation of `contact` on `channel`, created when new; `inbound_at` (an inbound
/// message) opens the customer-service window. Answers its id and the contact's last
/// inbound time.
pub async fn touch_conversation(
    conn: &mut AsyncPgConnection,
    store: StoreId,
    channel: ChannelId,
    contact: &str,
    inbound_at: Option<DateTime<Utc>>,
) -> Result<(uuid::Uuid, Option<DateTime<Utc>>)> {
    let now = Utc::now();
    let row: (uuid::Uuid, Option<DateTime<Utc>>) = diesel::insert_into(cv::table)
        .values((
            cv::store_id.eq(store.uuid()),
            cv::id.eq(uuid::Uuid::now_v7()),
            cv::channel_id.eq(channel.uuid()),
            cv::contact.eq(contact),
            cv::last_inbound_at.eq(inbound_at),
            cv::last_activity_at.eq(now),
            cv::created_at.eq(now),
            cv::updated_at.eq(now),
        ))
        .on_conflict((cv::store_id, cv::channel_id, cv::contact))
        .do_update()
        .set((
            cv::last_activity_at.eq(now),
            cv::updated_at.eq(now),
            cv::last_inbound_at.eq(diesel::dsl::sql::<diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>>(
                "greatest(conversations.last_inbound_at, excluded.last_inbound_at)",
            )),
        ))
        .returning((cv::id, cv::last_inbound_at))
        .get_result(conn)
        .await?;
    Ok(row)
}

async fn insert(
    conn: &mut AsyncPgConnection,
    store: StoreId,
    channel: &ChannelRow,
    conversation: uuid::Uuid,
    contact: &str,
    req: &SendMessage,
) -> Result<MessageRow> {
    let id = MessageId::new();
    let now = Utc::now();
    let row: MessageRow = diesel::insert_into(m::table)
        .values((
            m::store_id.eq(store.uuid()),
            m::id.eq(id.uuid()),
            m::channel_id.eq(channel.id),
            m::conversation_id.eq(conversation),
            m::direction.eq("outbound"),
            m::category.eq(req.category.as_str()),
            m::contact.eq(contact),
            m::content.eq(serde_json::to_value(&req.content).map_err(Error::internal)?),
            m::status.eq("queued"),
            m::idempotency_key.eq(id.to_string()),
            m::created_at.eq(now),
            m::updated_at.eq(now),
        ))
        .returning(MessageRow::as_returning())
        .get_result(conn)
        .await?;
    let job = NewJob::new(SEND_JOB, &SendPayload { store_id: store.uuid(), message_id: id.uuid() })?
        .unique_key(format!("{SEND_JOB}:{id}"))
        .max_attempts(MAX_ATTEMPTS);
    jobs::enqueue(conn, job).await?;
    Ok(row)
}

#[async_trait]
impl MessageDispatcher for PgDispatcher {
    async fn send(&self, store: StoreId, req: SendMessage) -> Result<Message> {
        let mut conn = self.core.pool.get().await?;
        let channel = channels::resolve(&self.core, &mut conn, store, req.channel.trim()).await?;
        let kind = ChannelKind::parse(&channel.kind).ok_or_else(|| Error::internal("unknown channel kind"))?;
        let contact = normalize_recipient(kind, &req.to)?;
        let mut v = Validator::new();
        content::validate(&mut v, kind, &req.content);
        v.finish()?;
        if req.category == Category::Marketing
            && let Some(refusal) = self.gate.refusal(&mut conn, store, kind, &contact).await?
        {
            return Err(refusal.error("to"));
        }
        let settings: ChannelSettings = serde_json::from_value(channel.settings.clone()).unwrap_or_default();
        let row = conn
            .transaction::<_, Error, _>(async |conn| {
                let (conversation, last_inbound) =
                    touch_conversation(conn, store, ChannelId(channel.id), &contact, None).await?;
                window_rule(kind, &settings, &req.content, last_inbound, Utc::now())?;
                // Counted once every check passed; past a hard monthly quota, 429 and nothing queued.
                if let Some(metric) = Metric::messages(kind.as_str()) {
                    usage::charge::consume(&self.core, store, metric, 1).await?;
                }
                insert(conn, store, &channel, conversation, &contact, &req).await
            })
            .await?;
        Ok(row.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recipients_are_normalized_per_kind() {
        assert_eq!(
            normalize_recipient(ChannelKind::Whatsapp, "+55 (11) 98765-4321").ok().as_deref(),
            Some("+5511987654321")
        );
        assert!(normalize_recipient(ChannelKind::Whatsapp, "11987654321").is_err());
        assert_eq!(
            normalize_recipient(ChannelKind::Email, "Ana <ANA@Example.com>").ok().as_deref(),
            Some("ana@example.com")
        );
        assert!(normalize_recipient(ChannelKind::Instagram, "ana").is_err());
    }
}
