//! [`InboundMessages`]: the handler of WhatsApp, Instagram, Twilio and Zenvia webhooks, and the
//! sandbox's simulated inbound messages.

use std::sync::Arc;

use async_trait::async_trait;
use balcao_core::Core;
use balcao_core::error::{Error, Result, Validator};
use balcao_core::id::StoreId;
use balcao_core::inbound::{InboundEvent, InboundHandler, Provider};
use balcao_core::jobs::JobError;
use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde_json::Value;

use super::model::{InboundContent, InboundMessage, Item, SimulateInbound};
use super::record::{self, Recorded};
use super::{instagram, twilio, whatsapp, zenvia};
use crate::channels::{ChannelId, ChannelKind, ChannelRow, ProviderKind};
use crate::messages::status;
use crate::messages::{Message, MessageDispatcher};
use crate::schema::channels as ch;
use crate::suppressions::service::normalize_contact;

/// The providers whose webhooks carry messages and statuses.
pub static PROVIDERS: [Provider; 4] = [Provider::Whatsapp, Provider::Instagram, Provider::Twilio, Provider::Zenvia];

/// Records inbound messages and status reports; registered by the gateway as an inbound handler.
#[derive(Clone)]
pub struct InboundMessages {
    core: Core,
    dispatcher: Arc<dyn MessageDispatcher>,
}

impl InboundMessages {
    /// A handler on the shared handles; keyword confirmations go out through `dispatcher`.
    pub fn new(core: Core, dispatcher: Arc<dyn MessageDispatcher>) -> Self {
        Self { core, dispatcher }
    }

    /// Records one message on `channel` and answers a consent keyword; `None` for a redelivery.
    pub async fn receive(
        &self,
        conn: &mut AsyncPgConnection,
        store: StoreId,
        channel: &ChannelRow,
        message: InboundMessage,
    ) -> Result<Option<Recorded>> {
        let recorded = record::record(conn, store, channel, message).await?;
        if let Some(recorded) = &recorded {
            record::confirm(self.dispatcher.as_ref(), store, recorded).await;
        }
        Ok(recorded)
    }

    /// Sandbox channels only: a contact's message, through the same path as a provider's.
    pub async fn simulate(&self, store: StoreId, channel: ChannelId, req: SimulateInbound) -> Result<Message> {
        let mut conn = self.core.pool.get().await?;
        let row: ChannelRow = ch::table
            .filter(ch::store_id.eq(store.uuid()))
            .filter(ch::id.eq(channel.uuid()))
            .select(ChannelRow::as_select())
            .first(&mut conn)
            .await
            .optional()?
            .ok_or_else(|| Error::not_found("channel"))?;
        if row.provider != ProviderKind::Sandbox.as_str() {
            return Err(Error::Rule {
                code: crate::problems::NOT_A_SANDBOX_CHANNEL,
                detail: "Only sandbox channels simulate inbound messages; other channels receive them from their \
                         provider's webhook at /v1/inbound/{provider}/{store_id}."
                    .into(),
                field: None,
            });
        }
        let kind = ChannelKind::parse(&row.kind).ok_or_else(|| Error::internal("unknown channel kind"))?;
        let mut v = Validator::new();
        v.length(&req.text, "text", 1, crate::content::MAX_TEXT);
        if let Some(name) = &req.name {
            v.length(name, "name", 0, record::MAX_CONTACT_NAME);
        }
        if let Err(Error::Validation(errors)) = normalize_contact(kind, &req.from, "from") {
            for e in errors {
                v.push(e);
            }
        }
        v.finish()?;
        let message = InboundMessage {
            provider_message_id: format!("sbx_in_{}", uuid::Uuid::now_v7()),
            from: req.from,
            contact_name: req.name,
            content: InboundContent::Text { text: req.text.trim().to_owned() },
            at: Utc::now(),
        };
        let recorded = self.receive(&mut conn, store, &row, message).await?;
        recorded.map(|r| r.message).ok_or_else(|| Error::internal("a simulated message was taken for a redelivery"))
    }

    async fn process(&self, store: StoreId, provider: Provider, items: Vec<Item>) -> Result<(), JobError> {
        let (kind, provider_kind) = match provider {
            Provider::Whatsapp => (ChannelKind::Whatsapp, ProviderKind::WhatsappCloud),
            Provider::Instagram => (ChannelKind::Instagram, ProviderKind::Instagram),
            Provider::Twilio => (ChannelKind::Sms, ProviderKind::Twilio),
            Provider::Zenvia => (ChannelKind::Sms, ProviderKind::Zenvia),
            _ => return Ok(()),
        };
        let mut conn = self.core.pool.get().await.map_err(Error::from)?;
        let channels: Vec<ChannelRow> = ch::table
            .filter(ch::store_id.eq(store.uuid()))
            .filter(ch::kind.eq(kind.as_str()))
            .order(ch::id.asc())
            .select(ChannelRow::as_select())
            .load(&mut conn)
            .await
            .map_err(Error::from)?;
        let mut unmatched: Vec<String> = Vec::new();
        for item in items {
            match item {
                Item::Message { to, message } => {
                    let Some(channel) = pick(&channels, provider_kind, &to) else {
                        if !unmatched.contains(&to) {
                            unmatched.push(to);
                        }
                        continue;
                    };
                    let id = message.provider_message_id.clone();
                    match self.receive(&mut conn, store, channel, message).await {
                        Ok(_) => {}
                        Err(Error::Validation(errors)) => {
                            tracing::warn!(message = %id, ?errors, "inbound message skipped: its sender is not a valid contact");
                        }
                        Err(e) => return Err(e.into()),
                    }
                }
                Item::Status { from, report } => {
                    for channel in candidates(&channels, provider_kind, from.as_deref()) {
                        if status::apply(&mut conn, store, ChannelId(channel.id), &report).await? {
                            break;
                        }
                    }
                }
            }
        }
        if unmatched.is_empty() {
            Ok(())
        } else {
            Err(JobError::Permanent(format!(
                "no {} channel of this store has the sender {}; add the channel and replay the event",
                kind.as_str(),
                unmatched.join(", ")
            )))
        }
    }
}

#[async_trait]
impl InboundHandler for InboundMessages {
    fn name(&self) -> &str {
        "messaging.inbound"
    }

    fn providers(&self) -> &[Provider] {
        &PROVIDERS
    }

    async fn handle(&self, event: &InboundEvent) -> Result<(), JobError> {
        let at = event.received_at;
        let items = match event.provider {
            Provider::Whatsapp => whatsapp::parse(&event.json::<Value>()?, at),
            Provider::Instagram => instagram::parse(&event.json::<Value>()?, at),
            Provider::Twilio => twilio::parse(&event.form(), at),
            Provider::Zenvia => zenvia::parse(&event.json::<Value>()?, at),
            _ => return Ok(()),
        };
        if items.is_empty() {
            return Ok(());
        }
        self.process(event.store_id, event.provider, items).await
    }
}

/// Whether two senders are the same: equal, or the same phone number written differently.
pub fn same_sender(a: &str, b: &str) -> bool {
    let (a, b) = (a.trim(), b.trim());
    if !a.is_empty() && a.eq_ignore_ascii_case(b) {
        return true;
    }
    let phone = |s: &str| s.chars().all(|c| c.is_ascii_digit() || "+ -().".contains(c));
    let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
    phone(a) && phone(b) && digits(a).len() >= 8 && digits(a) == digits(b)
}

/// The channel a message to `to` arrived on: the provider's own first, then active, then oldest.
fn pick<'a>(channels: &'a [ChannelRow], provider: ProviderKind, to: &str) -> Option<&'a ChannelRow> {
    channels
        .iter()
        .filter(|c| same_sender(&c.sender, to))
        .max_by_key(|c| (c.provider == provider.as_str(), c.active, std::cmp::Reverse(c.id)))
}

/// The channels a status report may be about: the sender's first, then the provider's others.
fn candidates<'a>(channels: &'a [ChannelRow], provider: ProviderKind, from: Option<&str>) -> Vec<&'a ChannelRow> {
    let matches = |c: &ChannelRow| from.is_some_and(|f| same_sender(&c.sender, f));
    let mut out: Vec<&ChannelRow> = channels.iter().filter(|c| matches(c) || c.provider == provider.as_str()).collect();
    out.sort_by_key(|c| !matches(c));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn senders_match_exactly_or_as_the_same_phone_number() {
        assert!(same_sender("106540352242922", " 106540352242922"));
        assert!(same_sender("+55 (11) 3000-0000", "+551130000000"));
        assert!(same_sender("loja-sms", "LOJA-SMS"));
        assert!(!same_sender("", ""));
        assert!(!same_sender("1234", "+1234"));
        assert!(!same_sender("loja1", "loja2"));
    }
}
