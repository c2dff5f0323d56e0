//! Endpoint health: a failure streak per endpoint, and disabling an endpoint that answered
//! 410 Gone or failed continuously for the configured time, with an `endpoint.disabled` event.

use balcao_core::error::Result;
use balcao_core::events;
use balcao_core::id::StoreId;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use super::events::{ENDPOINT_DISABLED, EndpointDisabled};
use crate::endpoints::EndpointRow;
use crate::schema::webhook_endpoints as we;

/// The endpoint answered 410 Gone.
pub const GONE: &str = "gone";
/// Every attempt failed for the configured time.
pub const FAILING: &str = "failing";

/// Clears the failure streak after a success (one write, only when there was one).
pub async fn record_success(conn: &mut AsyncPgConnection, endpoint: &EndpointRow) -> Result<()> {
    if endpoint.failing_since.is_some() {
        diesel::update(we::table.filter(we::store_id.eq(endpoint.store_id)).filter(we::id.eq(endpoint.id)))
            .set(we::failing_since.eq(None::<DateTime<Utc>>))
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// Records a failed attempt; disables the endpoint when it has failed continuously for
/// `disable_after`. Answers whether it was disabled.
pub async fn record_failure(
    conn: &mut AsyncPgConnection,
    endpoint: &EndpointRow,
    disable_after: std::time::Duration,
) -> Result<bool> {
    let now = Utc::now();
    let Some(since) = endpoint.failing_since else {
        diesel::update(
            we::table
                .filter(we::store_id.eq(endpoint.store_id))
                .filter(we::id.eq(endpoint.id))
                .filter(we::failing_since.is_null()),
        )
        .set(we::failing_since.eq(Some(now)))
        .execute(conn)
        .await?;
        return Ok(false);
    };
    let limit = chrono::Duration::from_std(disable_after).unwrap_or(chrono::Duration::days(5));
    if now - since < limit {
        return Ok(false);
    }
    disable(conn, endpoint, FAILING).await
}

/// Disables an active endpoint for `reason` and emits `endpoint.disabled`, in one transaction.
/// Answers false when it was already inactive (nothing emitted).
pub async fn disable(conn: &mut AsyncPgConnection, endpoint: &EndpointRow, reason: &str) -> Result<bool> {
    let reason = reason.to_owned();
    conn.transaction(async |conn| {
        let now = Utc::now();
        let updated = diesel::update(
            we::table
                .filter(we::store_id.eq(endpoint.store_id))
                .filter(we::id.eq(endpoint.id))
                .filter(we::active.eq(true)),
        )
        .set((
            we::active.eq(false),
            we::disabled_reason.eq(Some(&reason)),
            we::disabled_at.eq(Some(now)),
            we::updated_at.eq(now),
        ))
        .execute(conn)
        .await?;
        if updated == 0 {
            return Ok(false);
        }
        let payload = EndpointDisabled {
            endpoint_id: endpoint.id,
            url: endpoint.url.clone(),
            reason: reason.clone(),
            failing_since: endpoint.failing_since,
            disabled_at: now,
        };
        events::emit(conn, Some(StoreId(endpoint.store_id)), &ENDPOINT_DISABLED, &payload).await?;
        tracing::warn!(endpoint = %endpoint.id, store = %endpoint.store_id, %reason, "webhook endpoint disabled");
        Ok(true)
    })
    .await
}
