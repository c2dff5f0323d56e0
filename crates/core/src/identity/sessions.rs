//! Login sessions: opened by a login, listed and ended by their user.
//!
//! A session remembers the address and user agent it was opened from and when it was last used
//! (refreshed at most once a minute, when the token is resolved past the auth cache), so a user
//! can tell their devices apart and end the ones they do not know.

use chrono::{DateTime, Duration as ChronoDuration, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::model::{LoginResponse, Session, User, UserRow};
use crate::auth;
use crate::context::Core;
use crate::crypto::{random_token, sha256_hex};
use crate::error::{Error, Result};
use crate::id::{SessionId, UserId};
use crate::schema::{sessions, users};

pub use super::activity::touch;

/// The longest user agent kept with a session; longer ones are cut.
const MAX_USER_AGENT: usize = 512;

/// Where a login comes from, kept with the session it opens.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientInfo {
    /// The caller's address (see [`crate::http::client_ip`]).
    pub ip: Option<std::net::IpAddr>,
    /// The `User-Agent` header, cut to 512 characters.
    pub user_agent: Option<String>,
}

impl ClientInfo {
    /// Client details from an address and a raw `User-Agent` value.
    pub fn new(ip: Option<std::net::IpAddr>, user_agent: Option<&str>) -> Self {
        let user_agent = user_agent
            .map(|ua| ua.chars().filter(|c| !c.is_control()).take(MAX_USER_AGENT).collect::<String>())
            .filter(|ua| !ua.trim().is_empty());
        Self { ip, user_agent }
    }
}

/// Opens a session for `user` (whose credentials were checked) and clears their failure count.
pub async fn open(
    core: &Core,
    conn: &mut AsyncPgConnection,
    user: &UserRow,
    client: &ClientInfo,
) -> Result<LoginResponse> {
    use diesel_async::AsyncConnection;
    let token = format!("{}{}", auth::SESSION_PREFIX, random_token(32));
    let ttl = ChronoDuration::from_std(core.config.session_ttl).unwrap_or(ChronoDuration::days(30));
    let now = Utc::now();
    let expires_at = now + ttl;
    conn.transaction::<_, Error, _>(async |conn| {
        diesel::update(users::table.find(user.id))
            .set((users::failed_logins.eq(0), users::locked_until.eq(None::<DateTime<Utc>>)))
            .execute(conn)
            .await?;
        diesel::insert_into(sessions::table)
            .values((
                sessions::id.eq(SessionId::new().uuid()),
                sessions::user_id.eq(user.id),
                sessions::token_hash.eq(sha256_hex(token.as_bytes())),
                sessions::created_at.eq(now),
                sessions::expires_at.eq(expires_at),
                sessions::ip.eq(client.ip.map(|ip| ip.to_string())),
                sessions::user_agent.eq(client.user_agent.as_deref()),
                sessions::last_used_at.eq(Some(now)),
            ))
            .execute(conn)
            .await?;
        Ok(())
    })
    .await?;
    Ok(LoginResponse { token, expires_at, user: User::from(user) })
}

/// A user's live sessions (not revoked, not expired), newest first; `current` marks the caller's.
pub async fn list(conn: &mut AsyncPgConnection, user: UserId, current: Option<uuid::Uuid>) -> Result<Vec<Session>> {
    type Row = (uuid::Uuid, DateTime<Utc>, DateTime<Utc>, Option<DateTime<Utc>>, Option<String>, Option<String>);
    let rows: Vec<Row> = sessions::table
        .filter(sessions::user_id.eq(user.uuid()))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(Utc::now()))
        .select((
            sessions::id,
            sessions::created_at,
            sessions::expires_at,
            sessions::last_used_at,
            sessions::ip,
            sessions::user_agent,
        ))
        .order((sessions::created_at.desc(), sessions::id.desc()))
        .limit(1000)
        .load(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, created_at, expires_at, last_used_at, ip, user_agent)| Session {
            id: SessionId(id),
            current: Some(id) == current,
            created_at,
            expires_at,
            last_used_at,
            ip,
            user_agent,
        })
        .collect())
}

/// Ends one of `user`'s sessions; another user's (or an ended one) is 404.
pub async fn end(core: &Core, conn: &mut AsyncPgConnection, user: UserId, session: SessionId) -> Result<()> {
    let hash: Option<String> = diesel::update(
        sessions::table
            .filter(sessions::id.eq(session.uuid()))
            .filter(sessions::user_id.eq(user.uuid()))
            .filter(sessions::revoked_at.is_null())
            .filter(sessions::expires_at.gt(Utc::now())),
    )
    .set(sessions::revoked_at.eq(Utc::now()))
    .returning(sessions::token_hash)
    .get_result(conn)
    .await
    .optional()?;
    let hash = hash.ok_or_else(|| Error::not_found("session"))?;
    auth::forget(core, &hash).await;
    Ok(())
}

/// Ends every live session of `user` but `except`; returns how many ended.
pub async fn end_all(
    core: &Core,
    conn: &mut AsyncPgConnection,
    user: UserId,
    except: Option<uuid::Uuid>,
) -> Result<usize> {
    let mut query = diesel::update(sessions::table)
        .filter(sessions::user_id.eq(user.uuid()))
        .filter(sessions::revoked_at.is_null())
        .into_boxed();
    if let Some(keep) = except {
        query = query.filter(sessions::id.ne(keep));
    }
    let hashes: Vec<String> =
        query.set(sessions::revoked_at.eq(Utc::now())).returning(sessions::token_hash).get_results(conn).await?;
    for hash in &hashes {
        auth::forget(core, hash).await;
    }
    Ok(hashes.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_info_drops_control_characters_and_blank_agents() {
        let info = ClientInfo::new(None, Some("curl/8.5\r\nX-Evil: 1"));
        assert_eq!(info.user_agent.as_deref(), Some("curl/8.5X-Evil: 1"));
        assert_eq!(ClientInfo::new(None, Some("   ")).user_agent, None);
        let long = "a".repeat(2000);
        assert_eq!(ClientInfo::new(None, Some(&long)).user_agent.map(|ua| ua.len()), Some(MAX_USER_AGENT));
    }
}
