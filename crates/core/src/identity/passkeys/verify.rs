//! Checking an answer to a login challenge, for a passkey login or as the second factor of a
//! password login.

use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use webauthn_rs::prelude::{DiscoverableAuthentication, DiscoverableKey, PasskeyAuthentication};

use super::ceremony::{DISCOVERABLE, LOGIN, encode_id, invalid_passkey, relying_party, state, take_ceremony, to_json};
use super::credentials::{PasskeyRow, columns, credential};
use crate::context::Core;
use crate::error::{Error, Result};
use crate::identity::model::{PasskeyProof, UserRow};
use crate::schema::passkeys;

/// Checks an answer to a login challenge and records the use: the passkey's row id and user.
/// `expected_user`, when given, is the only user whose passkey is accepted. Every failure
/// (unknown, expired or used challenge, foreign credential, bad signature, origin or RP,
/// counter that did not rise) is 401 `invalid_passkey`.
pub(super) async fn verify_login(
    core: &Core,
    conn: &mut AsyncPgConnection,
    proof: &PasskeyProof,
    expected_user: Option<uuid::Uuid>,
) -> Result<(uuid::Uuid, uuid::Uuid)> {
    let webauthn = relying_party(core)?;
    // Taken before anything is checked: a failed answer burns the challenge too.
    let Some((kind, ceremony_user, saved)) = take_ceremony(conn, proof.challenge_id).await? else {
        return Err(invalid_passkey());
    };
    let raw_id: &[u8] = proof.credential.raw_id.as_ref();
    let row: Option<PasskeyRow> = passkeys::table
        .filter(passkeys::credential_id.eq(encode_id(raw_id)))
        .select(columns())
        .first(conn)
        .await
        .optional()?;
    let Some(row) = row else { return Err(invalid_passkey()) };
    let owner = row.1;
    if expected_user.is_some_and(|u| u != owner) {
        return Err(invalid_passkey());
    }
    let mut stored = credential(&row)?;
    let result = match kind.as_str() {
        LOGIN => {
            if ceremony_user != Some(owner) {
                return Err(invalid_passkey());
            }
            let saved: PasskeyAuthentication = state(saved)?;
            webauthn.finish_passkey_authentication(&proof.credential, &saved)
        }
        DISCOVERABLE => {
            // A discoverable credential names its user (the user handle given at registration):
            // it must be there and be the passkey's owner.
            let handle: Option<&[u8]> = proof.credential.response.user_handle.as_ref().map(|h| h.as_ref());
            if handle != Some(owner.as_bytes().as_slice()) {
                return Err(invalid_passkey());
            }
            let saved: DiscoverableAuthentication = state(saved)?;
            webauthn.finish_discoverable_authentication(&proof.credential, saved, &[DiscoverableKey::from(&stored)])
        }
        _ => return Err(invalid_passkey()),
    };
    let result = result.map_err(|e| {
        tracing::info!(passkey = %row.0, error = %e, "passkey assertion refused");
        invalid_passkey()
    })?;
    stored.update_credential(&result);
    let counter = i64::from(result.counter());
    // Record the use only if the counter rose (or the authenticator keeps none: 0 and 0), in one
    // statement, so two logins racing with the same counter cannot both pass.
    let target = passkeys::table.filter(passkeys::id.eq(row.0));
    let changes = (
        passkeys::credential.eq(to_json(&stored)?),
        passkeys::sign_count.eq(counter),
        passkeys::last_used_at.eq(Utc::now()),
    );
    let updated = if counter == 0 {
        diesel::update(target.filter(passkeys::sign_count.eq(0))).set(changes).execute(conn).await?
    } else {
        diesel::update(target.filter(passkeys::sign_count.lt(counter))).set(changes).execute(conn).await?
    };
    if updated != 1 {
        tracing::warn!(passkey = %row.0, counter, "passkey counter did not rise: possible cloned authenticator");
        return Err(invalid_passkey());
    }
    Ok((row.0, owner))
}

/// Checks a passkey as the second factor of a password login by `user`: true when it is one
/// of theirs and answers a live login challenge. Malformed proofs never reach here (the body
/// is typed); any other failure is `false`.
pub async fn second_factor(
    core: &Core,
    conn: &mut AsyncPgConnection,
    user: &UserRow,
    proof: &PasskeyProof,
) -> Result<bool> {
    match verify_login(core, conn, proof, Some(user.id)).await {
        Ok(_) => Ok(true),
        Err(Error::Unauthenticated { .. }) => Ok(false),
        Err(other) => Err(other),
    }
}
