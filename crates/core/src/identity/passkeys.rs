//! Passkeys (WebAuthn credentials): registered by a signed-in user, then used to log in without a
//! password (a passkey verifies its user, so it counts as both factors) or, beside the password,
//! in place of a TOTP code.
//!
//! Every ceremony has two calls. The start stores webauthn-rs's state in `passkey_challenges`
//! for [`CEREMONY_TTL`]; the finish deletes that row as it reads it, so a challenge works once
//! (a replayed or failed finish cannot be retried). A login also checks the authenticator's
//! signature counter against the stored one in the same `UPDATE` that records it: a counter
//! that does not rise (other than a counter that is always 0) is refused as a possible clone.

use async_trait::async_trait;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration as ChronoDuration, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use webauthn_rs::Webauthn;
use webauthn_rs::prelude::{
    DiscoverableAuthentication, DiscoverableKey, Passkey as Credential, PasskeyAuthentication, PasskeyRegistration,
    PublicKeyCredential, RegisterPublicKeyCredential,
};

use super::model::{LoginResponse, UserRow};
use super::service::{email_is_valid, normalize_email};
use super::sessions::ClientInfo;
use crate::context::Core;
use crate::error::{Error, Result, Validator, is_unique_violation};
use crate::id::UserId;
use crate::schema::{passkey_challenges, passkeys, users};

/// How long a started ceremony may be finished.
pub const CEREMONY_TTL: std::time::Duration = std::time::Duration::from_secs(300);

/// The most passkeys one user may register.
pub const MAX_PASSKEYS: i64 = 20;

const REGISTRATION: &str = "registration";
const LOGIN: &str = "login";
const DISCOVERABLE: &str = "discoverable";
const DECOY: &str = "decoy";

/// A registered passkey, as its owner sees it (never the key itself).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Passkey {
    /// The passkey's id.
    pub id: uuid::Uuid,
    /// The name its owner gave it.
    #[schema(example = "Ana's phone")]
    pub name: String,
    /// When it was registered.
    pub created_at: DateTime<Utc>,
    /// When it last logged in (or confirmed a login), if ever.
    pub last_used_at: Option<DateTime<Utc>>,
}

/// A user's passkeys.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PasskeyList {
    /// Oldest first; at most 20.
    pub data: Vec<Passkey>,
}

/// A started ceremony: pass `options` to the browser and send `challenge_id` back with its answer.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PasskeyChallenge {
    /// Names this ceremony in the finish call; works once, for 5 minutes.
    pub challenge_id: uuid::Uuid,
    /// The WebAuthn options as webauthn-rs produces them: `{"publicKey": {...}}` for
    /// `navigator.credentials.create()` (registration) or `.get()` (login, with
    /// `"mediation": "conditional"` for a login without an email). Binary fields are base64url.
    #[schema(value_type = Object)]
    pub options: serde_json::Value,
}

/// `POST /v1/me/passkeys/register/finish`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct PasskeyRegistrationFinish {
    /// The `challenge_id` from `register/start`.
    pub challenge_id: uuid::Uuid,
    /// A name to tell the passkey apart, 1 to 100 characters.
    #[schema(example = "Ana's phone")]
    pub name: String,
    /// The `PublicKeyCredential` from `navigator.credentials.create()`, as JSON (binary fields
    /// base64url, as in webauthn-rs's `RegisterPublicKeyCredential`).
    #[schema(value_type = Object)]
    pub credential: RegisterPublicKeyCredential,
}

/// `POST /v1/auth/passkeys/login/start`.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct PasskeyLoginStart {
    /// The account's email, to offer that account's passkeys; without it the browser offers
    /// the passkeys it holds for this site (conditional UI). The answer looks the same whether
    /// or not an account has this email.
    #[serde(default)]
    #[schema(example = "ana@example.com")]
    pub email: Option<String>,
}

/// An answer to a login challenge: `POST /v1/auth/passkeys/login/finish`, or `passkey` in
/// `POST /v1/auth/login` in place of a TOTP code.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct PasskeyProof {
    /// The `challenge_id` from `POST /v1/auth/passkeys/login/start`.
    pub challenge_id: uuid::Uuid,
    /// The `PublicKeyCredential` from `navigator.credentials.get()`, as JSON (binary fields
    /// base64url, as in webauthn-rs's `PublicKeyCredential`).
    #[schema(value_type = Object)]
    pub credential: PublicKeyCredential,
}

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

fn invalid_passkey() -> Error {
    Error::unauthenticated(
        "invalid_passkey",
        "The passkey could not be verified, or the challenge expired or was used.",
    )
}

/// The relying party, from the configuration checked at start.
fn relying_party(core: &Core) -> Result<Webauthn> {
    let Some(settings) = &core.config.webauthn else {
        return Err(Error::Rule {
            code: "passkeys_not_configured",
            detail: "Passkeys are off: set BALCAO_WEBAUTHN_RP_ID and BALCAO_WEBAUTHN_ORIGIN.".into(),
            field: None,
        });
    };
    settings.build(&core.config.totp_issuer).map_err(Error::internal)
}

fn encode_id(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn ttl() -> ChronoDuration {
    ChronoDuration::from_std(CEREMONY_TTL).unwrap_or(ChronoDuration::minutes(5))
}

type PasskeyRow = (uuid::Uuid, uuid::Uuid, String, serde_json::Value, DateTime<Utc>, Option<DateTime<Utc>>);

fn columns()
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

fn view(row: &PasskeyRow) -> Passkey {
    Passkey { id: row.0, name: row.2.clone(), created_at: row.4, last_used_at: row.5 }
}

fn credential(row: &PasskeyRow) -> Result<Credential> {
    serde_json::from_value(row.3.clone()).map_err(|e| Error::internal(format!("stored passkey {}: {e}", row.0)))
}

async fn user_passkeys(conn: &mut AsyncPgConnection, user: uuid::Uuid) -> Result<Vec<PasskeyRow>> {
    Ok(passkeys::table
        .filter(passkeys::user_id.eq(user))
        .order((passkeys::created_at.asc(), passkeys::id.asc()))
        .select(columns())
        .load(conn)
        .await?)
}

/// Stores a ceremony's state; also clears expired ones.
async fn save_ceremony(
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
async fn take_ceremony(
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

fn to_json<T: Serialize>(value: &T) -> Result<serde_json::Value> {
    serde_json::to_value(value).map_err(Error::internal)
}

fn state<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> Result<T> {
    serde_json::from_value(value).map_err(|e| Error::internal(format!("passkey ceremony state: {e}")))
}

/// The credential id shown for an email that has no passkeys: derived from the email under the
/// server's key, so it is the same on every request, as a real account's would be.
fn decoy_credential_id(core: &Core, email: &str) -> Result<String> {
    let (_, tag) = core.config.keyring.sign("passkey-decoy", email.as_bytes())?;
    Ok(encode_id(&tag))
}

/// Checks an answer to a login challenge and records the use: the passkey's row id and user.
/// `expected_user`, when given, is the only user whose passkey is accepted. Every failure
/// (unknown, expired or used challenge, foreign credential, bad signature, origin or RP,
/// counter that did not rise) is 401 `invalid_passkey`.
async fn verify_login(
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
                code: "too_many_passkeys",
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
                    Error::conflict("passkey_exists", "credential", "This passkey is already registered.")
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
        super::sessions::open(&self.core, &mut conn, &user, client).await
    }
}
