//! Passkeys (WebAuthn credentials): registered by a signed-in user, then used to log in without a
//! password (a passkey verifies its user, so it counts as both factors) or, beside the password,
//! in place of a TOTP code.
//!
//! Every ceremony has two calls. The start stores webauthn-rs's state in `passkey_challenges`
//! for [`CEREMONY_TTL`]; the finish deletes that row as it reads it, so a challenge works once
//! (a replayed or failed finish cannot be retried). A login also checks the authenticator's
//! signature counter against the stored one in the same `UPDATE` that records it: a counter
//! that does not rise (other than a counter that is always 0) is refused as a possible clone.

mod ceremony;
mod credentials;
mod model;
mod verify;

use async_trait::async_trait;
use chrono::Utc;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use webauthn_rs::prelude::PasskeyRegistration;

use self::ceremony::{
    DECOY, DISCOVERABLE, LOGIN, REGISTRATION, encode_id, invalid_passkey, relying_party, save_ceremony, state,
    take_ceremony, to_json,
};
use self::credentials::{PasskeyRow, columns, credential, decoy_credential_id, user_passkeys, view};
use self::verify::verify_login;
use crate::context::Core;
use crate::error::{Error, Result, Validator, is_unique_violation};
use crate::id::UserId;
use crate::identity::model::{LoginResponse, UserRow};
use crate::identity::sessions::{self, ClientInfo};
use crate::identity::validate::{email_is_valid, normalize_email};
use crate::schema::{passkeys, users};

pub use self::ceremony::CEREMONY_TTL;
pub use self::credentials::MAX_PASSKEYS;
pub use self::model::{Passkey, PasskeyChallenge, PasskeyList, PasskeyLoginStart, PasskeyRegistrationFinish};
pub use self::verify::second_factor;
pub use crate::identity::model::PasskeyProof;

/// Registering, listing and removing passkeys, and logging in with one.
#[async_trait]
pub trait PasskeyService: Send + Sync {
    /// Starts registering a passkey for `user`.
    async fn start_registration(&self, user: UserId) -> Result<PasskeyChallenge>;
    /// Checks the authenticator's answer and stores the passkey.
    async fn finish_registration(&self, user: UserId, req: PasskeyRegistrationFinish) -> Result<Passkey>;
    /// The user's passkeys, oldest first.
    async fn list(&self, user: UserId) -> Result<PasskeyList>;
    /// Removes one of the user's passkeys (404 for anyone else's).
    async fn delete(&self, user: UserId, id: uuid::Uuid) -> Result<()>;
    /// Starts a login, for one account's passkeys or (without an email) any discoverable one.
    async fn start_login(&self, req: PasskeyLoginStart) -> Result<PasskeyChallenge>;
    /// Checks the answer and opens a session; 401 `invalid_passkey` on any failure.
    async fn finish_login(&self, proof: PasskeyProof, client: &ClientInfo) -> Result<LoginResponse>;
}

/// [`PasskeyService`] on PostgreSQL.
pub struct PgPasskeyService {
    core: Core,
}

impl PgPasskeyService {
    /// A service on the shared handles.
    pub fn new(core: Core) -> Self {
        Self { core }
    }
}

#[async_trait]
impl PasskeyService for PgPasskeyService {
    async fn start_registration(&self, user: UserId) -> Result<PasskeyChallenge> {
        let webauthn = relying_party(&self.core)?;
        let mut conn = self.core.pool.get().await?;
        let row: UserRow = users::table
            .find(user.uuid())
            .select(UserRow::as_select())
            .first(&mut conn)
            .await
            .optional()?
            .ok_or_else(|| Error::not_found("user"))?;
        let existing = user_passkeys(&mut conn, row.id).await?;
        if i64::try_from(existing.len()).unwrap_or(i64::MAX) >= MAX_PASSKEYS {
            return Err(Error::Rule {
                code: crate::problems::TOO_MANY_PASSKEYS,
                detail: format!("An account holds at most {MAX_PASSKEYS} passkeys; delete one first."),
                field: None,
            });
        }
        let exclude =
            existing.iter().map(|r| credential(r).map(|c| c.cred_id().clone())).collect::<Result<Vec<_>>>()?;
        // The user handle is the user's id: a discoverable login names the account by it.
        let (options, registration): (_, PasskeyRegistration) = webauthn
            .start_passkey_registration(row.id, &row.email, &row.name, Some(exclude))
            .map_err(|e| Error::internal(format!("start passkey registration: {e}")))?;
        let mut options = to_json(&options)?;
        // Ask for a discoverable credential where the authenticator can make one, so the
        // passkey can also log in without an email; webauthn-rs's default discourages it.
        if let Some(selection) =
            options.pointer_mut("/publicKey/authenticatorSelection").and_then(|s| s.as_object_mut())
        {
            selection.insert("residentKey".into(), serde_json::json!("preferred"));
        }
        let challenge_id = save_ceremony(&mut conn, REGISTRATION, Some(row.id), to_json(&registration)?).await?;
        Ok(PasskeyChallenge { challenge_id, options })
    }

    async fn finish_registration(&self, user: UserId, req: PasskeyRegistrationFinish) -> Result<Passkey> {
        Validator::new().length(&req.name, "name", 1, 100).finish()?;
        let webauthn = relying_party(&self.core)?;
        let mut conn = self.core.pool.get().await?;
        let expired = || Error::field("challenge_id", "expired", "is unknown, expired or already used");
        let Some((kind, owner, saved)) = take_ceremony(&mut conn, req.challenge_id).await? else {
            return Err(expired());
        };
        if kind != REGISTRATION || owner != Some(user.uuid()) {
            return Err(expired());
        }
        let registration: PasskeyRegistration = state(saved)?;
        let passkey = webauthn.finish_passkey_registration(&req.credential, &registration).map_err(|e| {
            tracing::info!(user = %user, error = %e, "passkey registration refused");
            Error::field(
                "credential",
                "invalid",
                "was not accepted: wrong challenge, origin or relying party, or a malformed attestation",
            )
        })?;
        let now = Utc::now();
        let row: PasskeyRow = diesel::insert_into(passkeys::table)
            .values((
                passkeys::id.eq(uuid::Uuid::now_v7()),
                passkeys::user_id.eq(user.uuid()),
                passkeys::name.eq(req.name.trim()),
                passkeys::credential.eq(to_json(&passkey)?),
                passkeys::credential_id.eq(encode_id(passkey.cred_id().as_ref())),
                passkeys::created_at.eq(now),
            ))
            .returning(columns())
            .get_result(&mut conn)
            .await
            .map_err(|e| {
                if is_unique_violation(&e, "passkeys_credential_id_key") {
                    Error::conflict(
                        crate::problems::PASSKEY_EXISTS,
                        "credential",
                        "This passkey is already registered.",
                    )
                } else {
                    e.into()
                }
            })?;
        Ok(view(&row))
    }

    async fn list(&self, user: UserId) -> Result<PasskeyList> {
        let mut conn = self.core.pool.get().await?;
        Ok(PasskeyList { data: user_passkeys(&mut conn, user.uuid()).await?.iter().map(view).collect() })
    }

    async fn delete(&self, user: UserId, id: uuid::Uuid) -> Result<()> {
        let mut conn = self.core.pool.get().await?;
        let deleted =
            diesel::delete(passkeys::table.filter(passkeys::id.eq(id)).filter(passkeys::user_id.eq(user.uuid())))
                .execute(&mut conn)
                .await?;
        if deleted == 0 { Err(Error::not_found("passkey")) } else { Ok(()) }
    }

    async fn start_login(&self, req: PasskeyLoginStart) -> Result<PasskeyChallenge> {
        let webauthn = relying_party(&self.core)?;
        let email = req.email.as_deref().map(normalize_email).filter(|e| !e.is_empty());
        let mut conn = self.core.pool.get().await?;
        let Some(email) = email else {
            let (options, discoverable) = webauthn
                .start_discoverable_authentication()
                .map_err(|e| Error::internal(format!("start discoverable login: {e}")))?;
            let challenge_id = save_ceremony(&mut conn, DISCOVERABLE, None, to_json(&discoverable)?).await?;
            return Ok(PasskeyChallenge { challenge_id, options: to_json(&options)? });
        };
        if !email_is_valid(&email) {
            return Err(Error::field("email", "invalid_format", "must be an email address"));
        }
        let found: Option<uuid::Uuid> = users::table
            .filter(crate::db::lower(users::email).eq(&email))
            .select(users::id)
            .first(&mut conn)
            .await
            .optional()?;
        let credentials = match found {
            Some(user) => user_passkeys(&mut conn, user).await?.iter().map(credential).collect::<Result<Vec<_>>>()?,
            None => Vec::new(),
        };
        if let (Some(user), false) = (found, credentials.is_empty()) {
            let (options, login) = webauthn
                .start_passkey_authentication(&credentials)
                .map_err(|e| Error::internal(format!("start passkey login: {e}")))?;
            let challenge_id = save_ceremony(&mut conn, LOGIN, Some(user), to_json(&login)?).await?;
            return Ok(PasskeyChallenge { challenge_id, options: to_json(&options)? });
        }
        // No account, or one without passkeys: the same shape as a real answer, listing one
        // credential no authenticator holds; its challenge can never finish.
        let (options, decoy) = webauthn
            .start_discoverable_authentication()
            .map_err(|e| Error::internal(format!("start passkey login: {e}")))?;
        let mut options = to_json(&options)?;
        if let Some(root) = options.as_object_mut() {
            root.remove("mediation");
        }
        if let Some(public_key) = options.get_mut("publicKey").and_then(|p| p.as_object_mut()) {
            public_key.remove("extensions");
            public_key.insert(
                "allowCredentials".into(),
                serde_json::json!([{"type": "public-key", "id": decoy_credential_id(&self.core, &email)?}]),
            );
        }
        let challenge_id = save_ceremony(&mut conn, DECOY, None, to_json(&decoy)?).await?;
        Ok(PasskeyChallenge { challenge_id, options })
    }

    async fn finish_login(&self, proof: PasskeyProof, client: &ClientInfo) -> Result<LoginResponse> {
        let mut conn = self.core.pool.get().await?;
        let (_, owner) = verify_login(&self.core, &mut conn, &proof, None).await?;
        let user: UserRow = users::table
            .find(owner)
            .select(UserRow::as_select())
            .first(&mut conn)
            .await
            .optional()?
            .ok_or_else(invalid_passkey)?;
        tracing::info!(user = %user.id, ip = ?client.ip, "passkey login");
        sessions::open(&self.core, &mut conn, &user, client).await
    }
}
