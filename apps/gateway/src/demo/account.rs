//! The demo user, store and API key.

use balcao_core::Result;
use balcao_core::id::{StoreId, UserId};
use balcao_core::identity::{ClientInfo, LoginRequest, Principal, SignupRequest};
use balcao_core::tenancy::{CreateApiKey, CreateStore};

use super::all;
use crate::AppState;

/// Demo login email.
pub const DEMO_EMAIL: &str = "demo@balcao.dev";
/// Demo login password.
pub const DEMO_PASSWORD: &str = "balcao-demo-123";
/// Demo store slug.
pub const DEMO_SLUG: &str = "loja-demo";
/// The name of the demo store's API key.
const KEY_NAME: &str = "demo";

/// The account part of the seed.
pub struct Account {
    /// A session token for the demo user.
    pub token: String,
    /// The demo user.
    pub user_id: UserId,
    /// The demo store.
    pub store_id: StoreId,
    /// The new API key's secret.
    pub api_key: String,
    /// The new API key's id.
    pub api_key_id: String,
}

/// Signs the demo user up (once), logs in, creates the store (once) and a fresh API key,
/// revoking the demo keys of earlier runs.
pub async fn seed(state: &AppState) -> Result<Account> {
    let services = &state.services;
    let signup = SignupRequest {
        email: DEMO_EMAIL.into(),
        password: DEMO_PASSWORD.into(),
        name: "Ana Demo".into(),
        locale: None,
    };
    // Signing up again answers the same and leaves the account as it is.
    services.identity.signup(signup).await?;
    // The demo address receives no mail: the seed verifies it itself.
    balcao_core::identity::service::mark_verified(&services.core, DEMO_EMAIL).await?;
    let login = services
        .identity
        .login(
            LoginRequest { email: DEMO_EMAIL.into(), password: DEMO_PASSWORD.into(), totp_code: None, passkey: None },
            &ClientInfo::default(),
        )
        .await?;
    let user = login.user.id;
    let mine = all(async |page| services.stores.list_for_user(user, &page).await).await?;
    let store = match mine.into_iter().find(|s| s.slug == DEMO_SLUG) {
        Some(store) => store,
        None => {
            let req = CreateStore {
                name: "Empório Balcão".into(),
                slug: DEMO_SLUG.into(),
                timezone: Some("America/Sao_Paulo".into()),
                currency: None,
            };
            services.stores.create(user, req).await?
        }
    };
    let principal = Principal::User { user_id: user, session_id: uuid::Uuid::nil() };
    let access = balcao_core::auth::store_access(&services.core, &principal, store.id).await?;
    let keys = all(async |page| services.api_keys.list(store.id, &page).await).await?;
    for old in keys.into_iter().filter(|k| k.name == KEY_NAME) {
        services.api_keys.revoke(store.id, old.id).await?;
    }
    let req = CreateApiKey { name: KEY_NAME.into(), scopes: None, expires_at: None };
    let key = services.api_keys.create(store.id, &access, Some(user), req).await?;
    Ok(Account {
        token: login.token,
        user_id: user,
        store_id: store.id,
        api_key: key.secret,
        api_key_id: key.key.id.to_string(),
    })
}
