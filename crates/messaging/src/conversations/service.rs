//! Conversations on PostgreSQL. A list costs two queries whatever its size: the page (joined
//! with its channels' kinds) and the last message of every conversation on it.

use std::collections::HashMap;

use async_trait::async_trait;
use balcao_core::Core;
use balcao_core::error::{Error, Result, Validator};
use balcao_core::id::{StoreId, UserId};
use balcao_core::pagination::{Page, PageParams};
use balcao_core::tenancy::members;
use chrono::{DateTime, Utc};
use diesel::PgArrayExpressionMethods;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::model::{
    Conversation, ConversationDetail, ConversationFilter, ConversationRow, MAX_LABEL_LEN, MAX_LABELS, MessageOrder,
    MessagePreview, MessagesParams, UpdateConversation, preview,
};
use crate::channels::ChannelKind;
use crate::messages::{ConversationId, Message, MessageId, MessageRow, MessageStatus};
use crate::schema::{channels as ch, conversations as cv, messages as m};

/// The team's inbox.
#[async_trait]
pub trait ConversationService: Send + Sync {
    /// Conversations, most recently active first, filtered.
    async fn list(&self, store: StoreId, filter: &ConversationFilter, page: &PageParams) -> Result<Page<Conversation>>;
    /// One conversation with a page of its messages.
    async fn get(&self, store: StoreId, id: ConversationId, params: &MessagesParams) -> Result<ConversationDetail>;
    /// A page of a conversation's messages.
    async fn messages(&self, store: StoreId, id: ConversationId, params: &MessagesParams) -> Result<Page<Message>>;
    /// Changes a conversation's status, assignee or labels.
    async fn update(&self, store: StoreId, id: ConversationId, req: UpdateConversation) -> Result<Conversation>;
}

/// [`ConversationService`] on PostgreSQL.
pub struct PgConversationService {
    core: Core,
}

impl PgConversationService {
    /// A service on the shared handles.
    pub fn new(core: Core) -> Self {
        Self { core }
    }
}

type Joined = (ConversationRow, String);

/// The last message of each conversation in `ids`, in one query.
async fn previews(
    conn: &mut AsyncPgConnection,
    store: StoreId,
    ids: Vec<uuid::Uuid>,
) -> Result<HashMap<uuid::Uuid, MessagePreview>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    type Row = (uuid::Uuid, uuid::Uuid, String, String, serde_json::Value, DateTime<Utc>);
    let rows: Vec<Row> = m::table
        .filter(m::store_id.eq(store.uuid()))
        .filter(m::conversation_id.eq_any(ids))
        .distinct_on(m::conversation_id)
        .order((m::conversation_id.asc(), m::id.desc()))
        .select((m::conversation_id, m::id, m::direction, m::status, m::content, m::created_at))
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(conversation, id, direction, status, content, created_at)| {
            let preview = MessagePreview {
                id: MessageId(id),
                direction,
                status: MessageStatus::parse(&status).unwrap_or(MessageStatus::Queued),
                text: preview(&content),
                created_at,
            };
            (conversation, preview)
        })
        .collect())
}

async fn with_previews(conn: &mut AsyncPgConnection, store: StoreId, rows: Vec<Joined>) -> Result<Vec<Conversation>> {
    let mut last = previews(conn, store, rows.iter().map(|(r, _)| r.id).collect()).await?;
    rows.into_iter()
        .map(|(row, kind)| {
            let kind = ChannelKind::parse(&kind).ok_or_else(|| Error::internal("unknown channel kind"))?;
            let preview = last.remove(&row.id);
            Ok(Conversation::from_row(row, kind, preview))
        })
        .collect()
}

async fn load(conn: &mut AsyncPgConnection, store: StoreId, id: ConversationId) -> Result<Conversation> {
    let row: Joined = cv::table
        .inner_join(ch::table.on(ch::store_id.eq(cv::store_id).and(ch::id.eq(cv::channel_id))))
        .filter(cv::store_id.eq(store.uuid()))
        .filter(cv::id.eq(id.uuid()))
        .select((ConversationRow::as_select(), ch::kind))
        .first(conn)
        .await
        .optional()?
        .ok_or_else(|| Error::not_found("conversation"))?;
    with_previews(conn, store, vec![row]).await?.pop().ok_or_else(|| Error::not_found("conversation"))
}

async fn message_page(
    conn: &mut AsyncPgConnection,
    store: StoreId,
    id: ConversationId,
    params: &MessagesParams,
) -> Result<Page<Message>> {
    let req = params.page().parse::<uuid::Uuid>()?;
    let mut query = m::table
        .filter(m::store_id.eq(store.uuid()))
        .filter(m::conversation_id.eq(id.uuid()))
        .select(MessageRow::as_select())
        .limit(req.fetch_limit())
        .into_boxed();
    query = match (params.order.unwrap_or_default(), req.after) {
        (MessageOrder::Asc, after) => {
            let q = query.order(m::id.asc());
            if let Some(after) = after { q.filter(m::id.gt(after)) } else { q }
        }
        (MessageOrder::Desc, after) => {
            let q = query.order(m::id.desc());
            if let Some(after) = after { q.filter(m::id.lt(after)) } else { q }
        }
    };
    let rows = query.load(conn).await?;
    Ok(req.page(rows, |r| r.id)?.map(Message::from))
}

/// Checks and tidies labels: at most 20, each 1 to 50 characters, duplicates dropped.
fn labels(v: &mut Validator, labels: &[String]) -> Vec<String> {
    v.check(labels.len() <= MAX_LABELS, "labels", "too_many", "at most 20 labels");
    let mut out: Vec<String> = Vec::new();
    for (i, label) in labels.iter().enumerate() {
        v.length(label, &format!("labels[{i}]"), 1, MAX_LABEL_LEN);
        let label = label.trim().to_owned();
        if !out.contains(&label) {
            out.push(label);
        }
    }
    out
}

#[async_trait]
impl ConversationService for PgConversationService {
    async fn list(&self, store: StoreId, filter: &ConversationFilter, page: &PageParams) -> Result<Page<Conversation>> {
        let req = page.parse::<(DateTime<Utc>, uuid::Uuid)>()?;
        let mut conn = self.core.pool.get().await?;
        let mut query = cv::table
            .inner_join(ch::table.on(ch::store_id.eq(cv::store_id).and(ch::id.eq(cv::channel_id))))
            .filter(cv::store_id.eq(store.uuid()))
            .select((ConversationRow::as_select(), ch::kind))
            .order((cv::last_activity_at.desc(), cv::id.desc()))
            .limit(req.fetch_limit())
            .into_boxed();
        if let Some(status) = filter.status {
            query = query.filter(cv::status.eq(status.as_str()));
        }
        if let Some(assignee) = filter.assignee_id {
            query = query.filter(cv::assignee_id.eq(assignee));
        }
        if let Some(label) = &filter.label {
            query = query.filter(cv::labels.contains(vec![label.trim().to_owned()]));
        }
        if let Some(channel) = filter.channel_id {
            query = query.filter(cv::channel_id.eq(channel));
        }
        if let Some(contact) = &filter.contact {
            query = query.filter(cv::contact.eq(contact.trim().to_owned()));
        }
        if let Some((at, id)) = req.after {
            query = query.filter(cv::last_activity_at.lt(at).or(cv::last_activity_at.eq(at).and(cv::id.lt(id))));
        }
        let rows: Vec<Joined> = query.load(&mut conn).await?;
        let page = req.page(rows, |(r, _)| (r.last_activity_at, r.id))?;
        let data = with_previews(&mut conn, store, page.data).await?;
        Ok(Page { data, next_cursor: page.next_cursor })
    }

    async fn get(&self, store: StoreId, id: ConversationId, params: &MessagesParams) -> Result<ConversationDetail> {
        let mut conn = self.core.pool.get().await?;
        let conversation = load(&mut conn, store, id).await?;
        let messages = message_page(&mut conn, store, id, params).await?;
        Ok(ConversationDetail { conversation, messages })
    }

    async fn messages(&self, store: StoreId, id: ConversationId, params: &MessagesParams) -> Result<Page<Message>> {
        let mut conn = self.core.pool.get().await?;
        let exists: Option<uuid::Uuid> = cv::table
            .filter(cv::store_id.eq(store.uuid()))
            .filter(cv::id.eq(id.uuid()))
            .select(cv::id)
            .first(&mut conn)
            .await
            .optional()?;
        if exists.is_none() {
            return Err(Error::not_found("conversation"));
        }
        message_page(&mut conn, store, id, params).await
    }

    async fn update(&self, store: StoreId, id: ConversationId, req: UpdateConversation) -> Result<Conversation> {
        if balcao_core::patch::is_empty(&req) {
            let mut conn = self.core.pool.get().await?;
            return load(&mut conn, store, id).await;
        }
        let mut v = Validator::new();
        let labels = req.labels.as_deref().map(|l| labels(&mut v, l));
        v.finish()?;
        let mut conn = self.core.pool.get().await?;
        if let Some(Some(user)) = req.assignee_id
            && !members::is_member(&mut conn, store, UserId(user)).await?
        {
            return Err(Error::field("assignee_id", "unknown_member", "is not a member of this store"));
        }
        let updated = diesel::update(cv::table.filter(cv::store_id.eq(store.uuid())).filter(cv::id.eq(id.uuid())))
            .set((
                req.status.map(|s| cv::status.eq(s.as_str())),
                req.assignee_id.map(|a| cv::assignee_id.eq(a)),
                labels.map(|l| cv::labels.eq(l)),
                cv::updated_at.eq(Utc::now()),
            ))
            .execute(&mut conn)
            .await?;
        if updated == 0 {
            return Err(Error::not_found("conversation"));
        }
        load(&mut conn, store, id).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_checked_and_deduplicated() {
        let mut v = Validator::new();
        assert_eq!(labels(&mut v, &["vip".into(), " vip ".into(), "entrega".into()]), ["vip", "entrega"]);
        assert!(v.finish().is_ok());
        let too_many: Vec<String> = (0..21).map(|i| format!("l{i}")).collect();
        let mut v = Validator::new();
        labels(&mut v, &too_many);
        labels(&mut v, &["".into(), "x".repeat(51)]);
        let fields: Vec<String> =
            v.finish().err().map(|e| e.problem().errors.into_iter().map(|e| e.field).collect()).unwrap_or_default();
        assert_eq!(fields, ["labels", "labels[0]", "labels[1]"]);
    }
}
