//! Reading messages, and the sandbox's simulated status reports.

use balcao_core::Core;
use balcao_core::error::{Error, Result};
use balcao_core::id::StoreId;
use balcao_core::pagination::{Page, PageParams};
use chrono::Utc;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

use super::model::{Message, MessageFilter, MessageId, MessageRow, MessageStatus, Simulate};
use super::status::{self, StatusReport};
use crate::channels::{ChannelId, ProviderKind};
use crate::schema::{channels as ch, messages as m};

/// Messages on PostgreSQL.
pub struct MessageService {
    core: Core,
}

impl MessageService {
    /// A service on the shared handles.
    pub fn new(core: Core) -> Self {
        Self { core }
    }

    /// Messages, newest first, filtered.
    pub async fn list(&self, store: StoreId, filter: &MessageFilter, page: &PageParams) -> Result<Page<Message>> {
        let req = page.parse::<uuid::Uuid>()?;
        if let Some(status) = &filter.status
            && MessageStatus::parse(status).is_none()
        {
            return Err(Error::field(
                "status",
                "invalid",
                "queued, sending, sent, delivered, read, failed or received",
            ));
        }
        let mut conn = self.core.pool.get().await?;
        let mut query = m::table
            .filter(m::store_id.eq(store.uuid()))
            .select(MessageRow::as_select())
            .order(m::id.desc())
            .limit(req.fetch_limit())
            .into_boxed();
        if let Some(status) = &filter.status {
            query = query.filter(m::status.eq(status.clone()));
        }
        if let Some(channel) = filter.channel_id {
            query = query.filter(m::channel_id.eq(channel));
        }
        if let Some(contact) = &filter.contact {
            query = query.filter(m::contact.eq(contact.trim().to_owned()));
        }
        if let Some(after) = req.after {
            query = query.filter(m::id.lt(after));
        }
        let rows = query.load(&mut conn).await?;
        Ok(req.page(rows, |r| r.id)?.map(Message::from))
    }

    /// One message.
    pub async fn get(&self, store: StoreId, id: MessageId) -> Result<Message> {
        let mut conn = self.core.pool.get().await?;
        let row: MessageRow = m::table
            .filter(m::store_id.eq(store.uuid()))
            .filter(m::id.eq(id.uuid()))
            .select(MessageRow::as_select())
            .first(&mut conn)
            .await
            .optional()?
            .ok_or_else(|| Error::not_found("message"))?;
        Ok(row.into())
    }

    /// Moves a sandbox message as the provider's webhook would (forward only).
    pub async fn simulate(&self, store: StoreId, id: MessageId, req: Simulate) -> Result<Message> {
        let status = match req.status.as_str() {
            "delivered" => MessageStatus::Delivered,
            "read" => MessageStatus::Read,
            "failed" => MessageStatus::Failed,
            _ => return Err(Error::field("status", "invalid", "delivered, read or failed")),
        };
        let message = self.get(store, id).await?;
        let mut conn = self.core.pool.get().await?;
        let provider: String = ch::table
            .filter(ch::store_id.eq(store.uuid()))
            .filter(ch::id.eq(message.channel_id.uuid()))
            .select(ch::provider)
            .first(&mut conn)
            .await?;
        if provider != ProviderKind::Sandbox.as_str() {
            return Err(Error::Rule {
                code: crate::problems::NOT_A_SANDBOX_MESSAGE,
                detail: "Only messages sent through a sandbox channel can be simulated.".into(),
                field: None,
            });
        }
        let Some(provider_message_id) = message.provider_message_id.clone() else {
            return Err(Error::Rule {
                code: crate::problems::NOT_SENT_YET,
                detail: "The message has not reached the sandbox provider yet; try again in a moment.".into(),
                field: None,
            });
        };
        let error = (status == MessageStatus::Failed).then(|| {
            (
                req.error_code.clone().unwrap_or_else(|| "sandbox_failure".into()),
                req.error_message.clone().unwrap_or_else(|| "simulated failure".into()),
            )
        });
        let report = StatusReport { provider_message_id, status, at: Utc::now(), error };
        status::apply(&mut conn, store, ChannelId(message.channel_id.uuid()), &report).await?;
        drop(conn);
        self.get(store, id).await
    }
}
