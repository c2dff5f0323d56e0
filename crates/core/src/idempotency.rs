//! Idempotency-Key storage: the first response to a key is kept for 24 hours and replayed.
//!
//! A key is scoped to the caller's credential and the request path; the same
//! key with another body is refused, and a key whose first request is still
//! running answers 409 until it finishes.

use diesel::prelude::*;
use diesel::sql_types::{Text, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};

use crate::db::DbPool;
use crate::error::Result;
use crate::schema::idempotency_keys;

/// Hours a stored response is replayed.
pub const RETENTION_HOURS: i32 = 24;
/// Seconds after which an unfinished claim is considered abandoned (its request crashed).
pub const ABANDONED_SECS: i32 = 60;

/// A response kept for replay.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredResponse {
    /// HTTP status.
    pub status: u16,
    /// Headers worth replaying (content type, location, ...).
    pub headers: Vec<(String, String)>,
    /// The body bytes.
    pub body: Vec<u8>,
}

/// What to do with a request carrying a key.
#[derive(Debug)]
pub enum Claim {
    /// First use: run the request, then [`complete`] or [`release`].
    Proceed,
    /// Seen and finished: send this response again.
    Replay(StoredResponse),
    /// Seen and still running.
    InProgress,
    /// Seen with a different request.
    Mismatch,
}

#[derive(QueryableByName)]
struct Claimed {
    #[diesel(sql_type = SqlUuid)]
    #[allow(dead_code)]
    marker: uuid::Uuid,
}

/// Request hash, status, headers and body of a stored key.
type Existing = (String, Option<i32>, Option<serde_json::Value>, Option<Vec<u8>>);

/// Claims `key` in `scope` for a request whose fingerprint is `request_hash`.
pub async fn claim(pool: &DbPool, scope: &str, key: &str, request_hash: &str) -> Result<Claim> {
    let mut conn = pool.get().await?;
    diesel::sql_query(format!(
        "DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND \
         (created_at < now() - interval '{RETENTION_HOURS} hours' \
          OR (completed_at IS NULL AND created_at < now() - interval '{ABANDONED_SECS} seconds'))"
    ))
    .bind::<Text, _>(scope)
    .bind::<Text, _>(key)
    .execute(&mut conn)
    .await?;
    let inserted: Vec<Claimed> = diesel::sql_query(
        "INSERT INTO idempotency_keys (scope, key, request_hash) VALUES ($1, $2, $3) \
         ON CONFLICT DO NOTHING RETURNING gen_random_uuid() AS marker",
    )
    .bind::<Text, _>(scope)
    .bind::<Text, _>(key)
    .bind::<Text, _>(request_hash)
    .load(&mut conn)
    .await?;
    if !inserted.is_empty() {
        return Ok(Claim::Proceed);
    }
    let existing: Option<Existing> = idempotency_keys::table
        .filter(idempotency_keys::scope.eq(scope))
        .filter(idempotency_keys::key.eq(key))
        .select((
            idempotency_keys::request_hash,
            idempotency_keys::response_status,
            idempotency_keys::response_headers,
            idempotency_keys::response_body,
        ))
        .first(&mut conn)
        .await
        .optional()?;
    Ok(match existing {
        // Deleted between our insert and read: treat as still running; the client retries.
        None => Claim::InProgress,
        Some((hash, _, _, _)) if hash != request_hash => Claim::Mismatch,
        Some((_, Some(status), headers, body)) => Claim::Replay(StoredResponse {
            status: u16::try_from(status).unwrap_or(200),
            headers: headers.and_then(|h| serde_json::from_value(h).ok()).unwrap_or_default(),
            body: body.unwrap_or_default(),
        }),
        Some(_) => Claim::InProgress,
    })
}

/// Stores the response of a claimed key.
pub async fn complete(pool: &DbPool, scope: &str, key: &str, response: &StoredResponse) -> Result<()> {
    let mut conn = pool.get().await?;
    diesel::update(
        idempotency_keys::table.filter(idempotency_keys::scope.eq(scope)).filter(idempotency_keys::key.eq(key)),
    )
    .set((
        idempotency_keys::response_status.eq(i32::from(response.status)),
        idempotency_keys::response_headers.eq(serde_json::to_value(&response.headers).ok()),
        idempotency_keys::response_body.eq(&response.body),
        idempotency_keys::completed_at.eq(chrono::Utc::now()),
    ))
    .execute(&mut conn)
    .await?;
    Ok(())
}

/// Frees a claimed key without a response (the request failed on our side; a retry may run).
pub async fn release(pool: &DbPool, scope: &str, key: &str) -> Result<()> {
    let mut conn = pool.get().await?;
    diesel::delete(
        idempotency_keys::table.filter(idempotency_keys::scope.eq(scope)).filter(idempotency_keys::key.eq(key)),
    )
    .execute(&mut conn)
    .await?;
    Ok(())
}

/// Removes expired keys; returns how many.
pub async fn purge_expired(pool: &DbPool) -> Result<usize> {
    let mut conn = pool.get().await?;
    Ok(diesel::sql_query(format!(
        "DELETE FROM idempotency_keys WHERE created_at < now() - interval '{RETENTION_HOURS} hours'"
    ))
    .execute(&mut conn)
    .await?)
}
