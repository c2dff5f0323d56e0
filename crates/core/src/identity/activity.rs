//! Session activity: when a session was last used, recorded as its token is resolved.
//!
//! Kept apart from [`crate::identity::sessions`] so that [`crate::auth`], which resolves tokens,
//! and the sessions, which use the token prefix and cache of [`crate::auth`], do not depend on
//! each other.

use chrono::{DateTime, Duration as ChronoDuration, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::error::Result;
use crate::schema::sessions;

/// Records that a session was used, at most once a minute (called when a token is resolved).
pub async fn touch(
    conn: &mut AsyncPgConnection,
    session: uuid::Uuid,
    last_used_at: Option<DateTime<Utc>>,
) -> Result<()> {
    if last_used_at.is_some_and(|at| Utc::now() - at < ChronoDuration::seconds(60)) {
        return Ok(());
    }
    diesel::update(sessions::table.find(session))
        .set(sessions::last_used_at.eq(Some(Utc::now())))
        .execute(conn)
        .await?;
    Ok(())
}
