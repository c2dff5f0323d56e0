//! Ceremony state: the relying party, and the webauthn-rs state a started ceremony keeps in
//! `passkey_challenges` until its finish takes it (once).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{Duration as ChronoDuration, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use webauthn_rs::Webauthn;

use crate::context::Core;
use crate::error::{Error, Result};
use crate::schema::passkey_challenges;

/// How long a started ceremony may be finished.
pub const CEREMONY_TTL: std::time::Duration = std::time::Duration::from_secs(300);

/// A ceremony registering a passkey.
pub(super) const REGISTRATION: &str = "registration";
/// A login offering one account's passkeys.
pub(super) const LOGIN: &str = "login";
/// A login offering any discoverable passkey (no email given).
pub(super) const DISCOVERABLE: &str = "discoverable";
/// A login for an email without passkeys: it can never finish.
pub(super) const DECOY: &str = "decoy";

/// 401 `invalid_passkey`: the one answer to every failed passkey login.
pub(super) fn invalid_passkey() -> Error {
    Error::unauthenticated(
        crate::problems::INVALID_PASSKEY,
        "The passkey could not be verified, or the challenge expired or was used.",
    )
}

/// The relying party, from the configuration checked at start.
pub(super) fn relying_party(core: &Core) -> Result<Webauthn> {
    let Some(settings) = &core.config.webauthn else {
        return Err(Error::Rule {
            code: crate::problems::PASSKEYS_NOT_CONFIGURED,
            detail: "Passkeys are off: set BALCAO_WEBAUTHN_RP_ID and BALCAO_WEBAUTHN_ORIGIN.".into(),
            field: None,
        });
    };
    settings.build(&core.config.totp_issuer).map_err(Error::internal)
}

/// A credential id (or any binary id) as stored and shown: base64url without padding.
pub(super) fn encode_id(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// [`CEREMONY_TTL`] as a database interval.
fn ttl() -> ChronoDuration {
    ChronoDuration::from_std(CEREMONY_TTL).unwrap_or(ChronoDuration::minutes(5))
}

/// Stores a ceremony's state; also clears expired ones.
pub(super) async fn save_ceremony(
    conn: &mut AsyncPgConnection,
    kind: &str,
    user: Option<uuid::Uuid>,
    state: serde_json::Value,
) -> Result<uuid::Uuid> {
    let now = Utc::now();
    diesel::delete(passkey_challenges::table.filter(passkey_challenges::expires_at.lt(now))).execute(conn).await?;
    let id = uuid::Uuid::now_v7();
    diesel::insert_into(passkey_challenges::table)
        .values((
            passkey_challenges::id.eq(id),
            passkey_challenges::kind.eq(kind),
            passkey_challenges::user_id.eq(user),
            passkey_challenges::state.eq(state),
            passkey_challenges::created_at.eq(now),
            passkey_challenges::expires_at.eq(now + ttl()),
        ))
        .execute(conn)
        .await?;
    Ok(id)
}

/// Takes (deletes) a live ceremony: `(kind, user, state)`. A second take of the same id finds nothing.
pub(super) async fn take_ceremony(
    conn: &mut AsyncPgConnection,
    id: uuid::Uuid,
) -> Result<Option<(String, Option<uuid::Uuid>, serde_json::Value)>> {
    Ok(diesel::delete(
        passkey_challenges::table
            .filter(passkey_challenges::id.eq(id))
            .filter(passkey_challenges::expires_at.gt(Utc::now())),
    )
    .returning((passkey_challenges::kind, passkey_challenges::user_id, passkey_challenges::state))
    .get_result(conn)
    .await
    .optional()?)
}

/// A value as JSON; failing is a bug, not bad input.
pub(super) fn to_json<T: Serialize>(value: &T) -> Result<serde_json::Value> {
    serde_json::to_value(value).map_err(Error::internal)
}

/// A stored ceremony state, read back.
pub(super) fn state<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> Result<T> {
    serde_json::from_value(value).map_err(|e| Error::internal(format!("passkey ceremony state: {e}")))
}
