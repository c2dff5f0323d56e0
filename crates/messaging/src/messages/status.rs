//! Status changes reported by providers (webhooks) or the sandbox: forward only, so a late
//! or repeated report never moves a message back.

use balcao_core::error::Result;
use balcao_core::id::StoreId;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::model::MessageStatus;
use crate::channels::ChannelId;
use crate::schema::messages as m;

/// A provider's report about one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusReport {
    /// The provider's message id.
    pub provider_message_id: String,
    /// The new status: sent, delivered, read or failed.
    pub status: MessageStatus,
    /// When it happened at the provider.
    pub at: DateTime<Utc>,
    /// For failed: the provider's code and message.
    pub error: Option<(String, String)>,
}

/// Applies `report` to the channel's message with that provider id. Answers whether the
/// message moved (false for an unknown id, or a status it is already at or past).
pub async fn apply(
    conn: &mut AsyncPgConnection,
    store: StoreId,
    channel: ChannelId,
    report: &StatusReport,
) -> Result<bool> {
    let from = report.status.predecessors();
    if from.is_empty() {
        return Ok(false);
    }
    let target = m::table
        .filter(m::store_id.eq(store.uuid()))
        .filter(m::channel_id.eq(channel.uuid()))
        .filter(m::provider_message_id.eq(&report.provider_message_id))
        .filter(m::direction.eq("outbound"))
        .filter(m::status.eq_any(from));
    let now = Utc::now();
    let at = report.at;
    let status = report.status.as_str();
    let updated = match report.status {
        MessageStatus::Sent => {
            diesel::update(target)
                .set((m::status.eq(status), m::sent_at.eq(Some(at)), m::updated_at.eq(now)))
                .execute(conn)
                .await?
        }
        MessageStatus::Delivered => {
            diesel::update(target)
                .set((m::status.eq(status), m::delivered_at.eq(Some(at)), m::updated_at.eq(now)))
                .execute(conn)
                .await?
        }
        MessageStatus::Read => {
            diesel::update(target)
                .set((m::status.eq(status), m::read_at.eq(Some(at)), m::updated_at.eq(now)))
                .execute(conn)
                .await?
        }
        MessageStatus::Failed => {
            let (code, message) = report.error.clone().unwrap_or_else(|| ("unknown".into(), String::new()));
            diesel::update(target)
                .set((
                    m::status.eq(status),
                    m::failed_at.eq(Some(at)),
                    m::error_code.eq(Some(code)),
                    m::error_message.eq(Some(message)),
                    m::updated_at.eq(now),
                ))
                .execute(conn)
                .await?
        }
        MessageStatus::Queued | MessageStatus::Sending | MessageStatus::Received => 0,
    };
    Ok(updated > 0)
}
