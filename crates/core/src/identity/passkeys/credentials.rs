//! Stored passkeys: their rows, the view their owner sees, and the webauthn-rs credential
//! each keeps.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use webauthn_rs::prelude::Passkey as Credential;

use super::ceremony::encode_id;
use super::model::Passkey;
use crate::context::Core;
use crate::error::{Error, Result};
use crate::schema::passkeys;

/// The most passkeys one user may register.
pub const MAX_PASSKEYS: i64 = 20;

/// Id, user, name, credential, creation, last use.
pub(super) type PasskeyRow = (uuid::Uuid, uuid::Uuid, String, serde_json::Value, DateTime<Utc>, Option<DateTime<Utc>>);

/// The columns of a [`PasskeyRow`].
pub(super) fn columns()
-> (passkeys::id, passkeys::user_id, passkeys::name, passkeys::credential, passkeys::created_at, passkeys::last_used_at)
{
    (
        passkeys::id,
        passkeys::user_id,
        passkeys::name,
        passkeys::credential,
        passkeys::created_at,
        passkeys::last_used_at,
    )
}

/// What the owner sees of a passkey.
pub(super) fn view(row: &PasskeyRow) -> Passkey {
    Passkey { id: row.0, name: row.2.clone(), created_at: row.4, last_used_at: row.5 }
}

/// The webauthn-rs credential a row keeps.
pub(super) fn credential(row: &PasskeyRow) -> Result<Credential> {
    serde_json::from_value(row.3.clone()).map_err(|e| Error::internal(format!("stored passkey {}: {e}", row.0)))
}

/// A user's passkeys, oldest first.
pub(super) async fn user_passkeys(conn: &mut AsyncPgConnection, user: uuid::Uuid) -> Result<Vec<PasskeyRow>> {
    Ok(passkeys::table
        .filter(passkeys::user_id.eq(user))
        .order((passkeys::created_at.asc(), passkeys::id.asc()))
        .select(columns())
        .load(conn)
        .await?)
}

/// The credential id shown for an email that has no passkeys: derived from the email under the
/// server's key, so it is the same on every request, as a real account's would be.
pub(super) fn decoy_credential_id(core: &Core, email: &str) -> Result<String> {
    let (_, tag) = core.config.keyring.sign("passkey-decoy", email.as_bytes())?;
    Ok(encode_id(&tag))
}
