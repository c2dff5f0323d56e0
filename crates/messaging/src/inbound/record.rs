//! The one path every inbound message takes, from a provider or the sandbox: in one
//! transaction the conversation is touched (opening the customer-service window), the message
//! stored once per provider id, `message.received` emitted, and an opt-out (`PARE`) or opt-in
//! (`VOLTAR`) keyword recorded; then the contact gets a confirmation.

use balcao_core::error::{Error, Result};
use balcao_core::events;
use balcao_core::id::StoreId;
use chrono::Utc;
use diesel::prelude::*;
use diesel::sql_types::{Text, Uuid as SqlUuid};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use super::events::{MESSAGE_RECEIVED, MessageReceived};
use super::model::InboundMessage;
use crate::channels::{ChannelId, ChannelKind, ChannelRow, ChannelSettings};
use crate::consent;
use crate::content::Content;
use crate::messages::dispatcher::touch_conversation;
use crate::messages::{
    Category, ConversationId, Message, MessageDispatcher, MessageId, MessageRow, MessageStatus, SendMessage,
};
use crate::schema::messages as m;
use crate::suppressions::service::{normalize_contact, unsuppress};

/// The reply to an opt-out keyword.
pub const OPT_OUT_CONFIRMATION: &str =
    "Pronto! Você não receberá mais mensagens promocionais. Para voltar, responda VOLTAR.";
/// The reply to an opt-in keyword from a contact who had opted out.
pub const OPT_IN_CONFIRMATION: &str = "Tudo certo! Você voltará a receber nossas novidades. Para sair, responda PARE.";
/// Keywords that opt a contact back in.
pub const OPT_IN_KEYWORDS: [&str; 2] = ["VOLTAR", "VOLTA"];
/// The longest contact name kept.
pub const MAX_CONTACT_NAME: usize = 200;

/// Whether `text` is an opt-in keyword (the whole message, ignoring case and punctuation).
pub fn is_opt_in(text: &str) -> bool {
    let word = text.trim().trim_end_matches(['.', '!', '?']).trim().to_uppercase();
    OPT_IN_KEYWORDS.contains(&word.as_str())
}

/// What recording an inbound message did.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// The stored message.
    pub message: Message,
    /// The event emitted.
    pub event: MessageReceived,
    /// The contact opted out with this message (new suppression).
    pub opted_out: bool,
    /// The contact opted back in with this message (a suppression was removed).
    pub opted_in: bool,
}

enum Tx {
    Duplicate,
    Failed(Error),
}

impl From<diesel::result::Error> for Tx {
    fn from(e: diesel::result::Error) -> Self {
        Self::Failed(e.into())
    }
}

impl From<Error> for Tx {
    fn from(e: Error) -> Self {
        Self::Failed(e)
    }
}

#[derive(QueryableByName)]
struct Touched {
    #[diesel(sql_type = Text)]
    contact_name: String,
}

/// Records one inbound message on `channel`; `None` when it was already recorded (a
/// redelivery), in which case nothing else happens. A contact that is not valid for the
/// channel's kind is a validation error naming `from`.
pub async fn record(
    conn: &mut AsyncPgConnection,
    store: StoreId,
    channel: &ChannelRow,
    msg: InboundMessage,
) -> Result<Option<Recorded>> {
    let kind = ChannelKind::parse(&channel.kind).ok_or_else(|| Error::internal("unknown channel kind"))?;
    let contact = normalize_contact(kind, &msg.from, "from")?;
    let settings: ChannelSettings = serde_json::from_value(channel.settings.clone()).unwrap_or_default();
    let name: String = msg.contact_name.as_deref().unwrap_or_default().trim().chars().take(MAX_CONTACT_NAME).collect();
    // A provider's clock ahead of ours must not stretch the window.
    let at = msg.at.min(Utc::now());
    let text = msg.content.text().map(str::to_owned);
    let result = conn
        .transaction::<_, Tx, _>(async |conn| {
            let (conversation, _) = touch_conversation(conn, store, ChannelId(channel.id), &contact, Some(at)).await?;
            // Keep the latest profile name; a new message reopens a resolved conversation.
            let touched: Touched = diesel::sql_query(
                "UPDATE conversations SET contact_name = CASE WHEN $3 = '' THEN contact_name ELSE $3 END, \
                 status = CASE WHEN status = 'resolved' THEN 'open' ELSE status END \
                 WHERE store_id = $1 AND id = $2 RETURNING contact_name",
            )
            .bind::<SqlUuid, _>(store.uuid())
            .bind::<SqlUuid, _>(conversation)
            .bind::<Text, _>(&name)
            .get_result(conn)
            .await?;
            let id = MessageId::new();
            let now = Utc::now();
            let row: Option<MessageRow> = diesel::insert_into(m::table)
                .values((
                    m::store_id.eq(store.uuid()),
                    m::id.eq(id.uuid()),
                    m::channel_id.eq(channel.id),
                    m::conversation_id.eq(conversation),
                    m::direction.eq("inbound"),
                    m::category.eq(Category::Transactional.as_str()),
                    m::contact.eq(&contact),
                    m::content.eq(msg.content.stored()),
                    m::status.eq(MessageStatus::Received.as_str()),
                    m::idempotency_key.eq(id.to_string()),
                    m::provider_message_id.eq(Some(&msg.provider_message_id)),
                    m::created_at.eq(at),
                    m::updated_at.eq(now),
                ))
                .on_conflict_do_nothing()
                .returning(MessageRow::as_returning())
                .get_result(conn)
                .await
                .optional()?;
            let Some(row) = row else { return Err(Tx::Duplicate) };
            let event = MessageReceived {
                message_id: id,
                conversation_id: ConversationId(conversation),
                channel_id: ChannelId(channel.id),
                channel_kind: kind,
                provider_message_id: msg.provider_message_id.clone(),
                contact: contact.clone(),
                contact_name: Some(touched.contact_name).filter(|n| !n.is_empty()),
                content: msg.content.clone(),
                text: text.clone(),
                received_at: at,
            };
            events::emit(conn, Some(store), &MESSAGE_RECEIVED, &event).await?;
            let words = text.as_deref().unwrap_or_default();
            let opted_out = consent::is_opt_out(words, &settings.opt_out_keywords)
                && consent::suppress(conn, store, kind, &contact, "keyword").await?;
            let opted_in = !opted_out && is_opt_in(words) && unsuppress(conn, store, kind, &contact).await?;
            Ok(Recorded { message: row.into(), event, opted_out, opted_in })
        })
        .await;
    match result {
        Ok(recorded) => Ok(Some(recorded)),
        Err(Tx::Duplicate) => Ok(None),
        Err(Tx::Failed(e)) => Err(e),
    }
}

/// Answers a keyword: the opt-out (or opt-in) confirmation, a transactional free-form reply
/// inside the window the message just opened. A failure is logged: the consent change stands.
pub async fn confirm(dispatcher: &dyn MessageDispatcher, store: StoreId, recorded: &Recorded) {
    let text = match (recorded.opted_out, recorded.opted_in) {
        (true, _) => OPT_OUT_CONFIRMATION,
        (false, true) => OPT_IN_CONFIRMATION,
        (false, false) => return,
    };
    let req = SendMessage {
        channel: recorded.event.channel_id.to_string(),
        to: recorded.event.contact.clone(),
        content: Content::Text { text: text.to_owned(), preview_url: false },
        category: Category::Transactional,
    };
    if let Err(error) = dispatcher.send(store, req).await {
        tracing::warn!(%error, conversation = %recorded.event.conversation_id, "could not queue the consent confirmation");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opt_in_keywords_match_whole_messages() {
        assert!(is_opt_in("voltar") && is_opt_in(" Voltar! "));
        assert!(!is_opt_in("quero voltar a receber") && !is_opt_in("PARE"));
    }
}
