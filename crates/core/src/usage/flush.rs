//! The idempotent flush of the day hashes from Redis to `usage_daily`.
//!
//! Each day hash `usage:{<store>}:<day>` is taken away atomically by renaming it to
//! `<key>:flush:<uuid>` (the same hash tag, so the same cluster slot); its counts are added to
//! PostgreSQL in one transaction that also records the uuid in `usage_flushes`, and only a
//! transaction that recorded it adds anything; the taken key is deleted after the commit. A key
//! left taken by a crash is picked up first on the next run and applied again: before the commit
//! nothing was added, after it the recorded uuid makes it add nothing. The steps are public so a
//! test can stop between any two of them.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use deadpool_redis::redis;
use diesel::sql_types::{Bool, Date, Int8, Text, Uuid as SqlUuid};
use diesel_async::{AsyncConnection, RunQueryDsl};

use crate::context::Core;
use crate::db::DbPool;
use crate::error::{Error, Result};
use crate::id::StoreId;

/// The marker between a day key and the flush id of a taken hash.
const TAKEN: &str = ":flush:";

/// A day hash, fresh or taken by a flush.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayKey {
    /// The full Redis key, prefix included.
    pub key: String,
    /// The store it counts for.
    pub store: StoreId,
    /// The day it counts.
    pub day: NaiveDate,
    /// The flush that took it, when taken.
    pub flush: Option<uuid::Uuid>,
}

impl DayKey {
    /// Reads `key` (under `prefix`): `usage:{<store>}:<YYYY-MM-DD>[:flush:<uuid>]`.
    pub fn parse(prefix: &str, key: &str) -> Option<Self> {
        let rest = key.strip_prefix(prefix)?.strip_prefix("usage:{")?;
        let (store, rest) = rest.split_once("}:")?;
        let (day, flush) = match rest.split_once(TAKEN) {
            Some((day, flush)) => (day, Some(flush.parse().ok()?)),
            None => (rest, None),
        };
        if day.len() != 10 {
            return None;
        }
        Some(Self {
            key: key.to_owned(),
            store: StoreId(store.parse().ok()?),
            day: NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()?,
            flush,
        })
    }
}

/// What one flush did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Flushed {
    /// Hashes whose counts were added (a retried one already added is not counted).
    pub applied: usize,
    /// Hashes of stores that no longer exist, dropped.
    pub skipped: usize,
    /// The stores and months (first day) whose counts changed.
    pub touched: BTreeSet<(StoreId, NaiveDate)>,
}

/// Escapes Redis glob characters in `text`.
fn glob_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

async fn connection(core: &Core) -> Result<Option<deadpool_redis::Connection>> {
    match core.limiter.redis() {
        Some(pool) => Ok(Some(pool.get().await.map_err(|e| Error::Unavailable(format!("redis: {e}")))?)),
        None => Ok(None),
    }
}

fn redis_error(e: redis::RedisError) -> Error {
    Error::Unavailable(format!("redis: {e}"))
}

/// The day hashes under the limiter's prefix: fresh ones, or (`taken`) those a flush took and
/// did not finish.
pub async fn scan(core: &Core, taken: bool) -> Result<Vec<DayKey>> {
    let Some(mut conn) = connection(core).await? else { return Ok(Vec::new()) };
    let prefix = core.limiter.prefix();
    let suffix = if taken { ":flush:*" } else { "" };
    let pattern = format!("{}usage:{{*}}:????-??-??{suffix}", glob_escape(prefix));
    let mut cursor: u64 = 0;
    let mut found = BTreeSet::new();
    loop {
        let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
            .arg(cursor)
            .arg("MATCH")
            .arg(&pattern)
            .arg("COUNT")
            .arg(1000)
            .query_async(&mut conn)
            .await
            .map_err(redis_error)?;
        found.extend(keys);
        if next == 0 {
            break;
        }
        cursor = next;
    }
    Ok(found.iter().filter_map(|k| DayKey::parse(prefix, k)).filter(|k| k.flush.is_some() == taken).collect())
}

/// Takes a fresh day hash away under a new flush id; `None` when another flush took it first.
pub async fn take(core: &Core, key: &DayKey) -> Result<Option<DayKey>> {
    let Some(mut conn) = connection(core).await? else { return Ok(None) };
    let flush = uuid::Uuid::now_v7();
    let taken = format!("{}{TAKEN}{flush}", key.key);
    let renamed: bool = redis::cmd("RENAMENX").arg(&key.key).arg(&taken).query_async(&mut conn).await.or_else(|e| {
        // The key is gone: another flush renamed it between the scan and now.
        if e.to_string().contains("no such key") { Ok(false) } else { Err(redis_error(e)) }
    })?;
    Ok(renamed.then(|| DayKey { key: taken, flush: Some(flush), ..key.clone() }))
}

/// The counts of a taken hash, by daily field (unparseable or non-positive values left out).
pub async fn read(core: &Core, taken: &DayKey) -> Result<BTreeMap<String, i64>> {
    let Some(mut conn) = connection(core).await? else { return Ok(BTreeMap::new()) };
    let all: BTreeMap<String, String> =
        redis::cmd("HGETALL").arg(&taken.key).query_async(&mut conn).await.map_err(redis_error)?;
    Ok(all.into_iter().filter_map(|(field, v)| v.parse::<i64>().ok().filter(|n| *n > 0).map(|n| (field, n))).collect())
}

/// What [`apply`] did with a taken hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applied {
    /// The counts were added.
    Added,
    /// This flush was applied before (a retry): nothing was added.
    AlreadyApplied,
    /// The store no longer exists: recorded as done, nothing added.
    StoreGone,
}

/// Adds a taken hash's `counts` to `usage_daily` in one transaction, unless its flush id is
/// recorded already.
pub async fn apply(pool: &DbPool, taken: &DayKey, counts: &BTreeMap<String, i64>) -> Result<Applied> {
    let Some(flush) = taken.flush else { return Err(Error::internal("applying a day hash no flush took")) };
    let mut conn = pool.get().await?;
    conn.transaction::<_, Error, _>(async |conn| {
        let recorded = diesel::sql_query("INSERT INTO usage_flushes (id) VALUES ($1) ON CONFLICT (id) DO NOTHING")
            .bind::<SqlUuid, _>(flush)
            .execute(conn)
            .await?;
        if recorded == 0 {
            return Ok(Applied::AlreadyApplied);
        }
        #[derive(diesel::QueryableByName)]
        struct Exists {
            #[diesel(sql_type = Bool)]
            exists: bool,
        }
        let store = diesel::sql_query("SELECT EXISTS (SELECT 1 FROM stores WHERE id = $1) AS exists")
            .bind::<SqlUuid, _>(taken.store.uuid())
            .get_result::<Exists>(conn)
            .await?;
        if !store.exists {
            return Ok(Applied::StoreGone);
        }
        for (field, count) in counts {
            diesel::sql_query(
                "INSERT INTO usage_daily (store_id, day, metric, count) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (store_id, day, metric) DO UPDATE SET count = usage_daily.count + excluded.count",
            )
            .bind::<SqlUuid, _>(taken.store.uuid())
            .bind::<Date, _>(taken.day)
            .bind::<Text, _>(field)
            .bind::<Int8, _>(*count)
            .execute(conn)
            .await?;
        }
        Ok(Applied::Added)
    })
    .await
}

/// Deletes a taken hash once its counts are committed.
pub async fn finish(core: &Core, taken: &DayKey) -> Result<()> {
    let Some(mut conn) = connection(core).await? else { return Ok(()) };
    let _: i64 = redis::cmd("DEL").arg(&taken.key).query_async(&mut conn).await.map_err(redis_error)?;
    Ok(())
}

/// Reads, applies and deletes one taken hash, noting what it did in `out`.
async fn settle(core: &Core, taken: &DayKey, out: &mut Flushed) -> Result<()> {
    let counts = read(core, taken).await?;
    if !counts.is_empty() {
        match apply(&core.pool, taken, &counts).await {
            Ok(Applied::Added) => {
                out.applied += 1;
                out.touched.insert((taken.store, super::month_of(taken.day)));
            }
            Ok(Applied::AlreadyApplied) => {}
            Ok(Applied::StoreGone) => out.skipped += 1,
            // A store deleted while the transaction ran: the next run finds it gone and skips.
            Err(error) => {
                tracing::warn!(key = %taken.key, %error, "usage flush of one day hash failed; retried on the next run");
                return Ok(());
            }
        }
    }
    finish(core, taken).await
}

/// One flush: first the hashes a crashed flush left taken, then every fresh day hash.
pub async fn run(core: &Core) -> Result<Flushed> {
    let mut out = Flushed::default();
    for taken in scan(core, true).await? {
        settle(core, &taken, &mut out).await?;
    }
    for fresh in scan(core, false).await? {
        if let Some(taken) = take(core, &fresh).await? {
            settle(core, &taken, &mut out).await?;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_keys_are_read_with_and_without_a_flush_id() {
        let store = uuid::Uuid::nil();
        let fresh = DayKey::parse("p:", &format!("p:usage:{{{store}}}:2026-12-03"));
        assert_eq!(fresh.as_ref().map(|k| (k.store, k.flush)), Some((StoreId(store), None)));
        let flush = uuid::Uuid::now_v7();
        let taken = DayKey::parse("p:", &format!("p:usage:{{{store}}}:2026-12-03:flush:{flush}"));
        assert_eq!(taken.and_then(|k| k.flush), Some(flush));
        assert!(DayKey::parse("q:", &format!("p:usage:{{{store}}}:2026-12-03")).is_none());
        assert!(DayKey::parse("", "usage:{nope}:2026-12-03").is_none());
        assert_eq!(glob_escape("test:a*b?"), "test:a\\*b\\?");
    }
}
