//! The passkey types of the API: a registered passkey, a started ceremony and the requests
//! that finish one ([`crate::identity::model::PasskeyProof`], the answer to a login challenge,
//! is with the login types it is part of).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use webauthn_rs::prelude::RegisterPublicKeyCredential;

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
