//! `balcao demo`: a demo user, store and API key, so every endpoint has data to show.

use balcao_core::error::Error;
use balcao_core::http::CoreServices;
use balcao_core::identity::{LoginRequest, SignupRequest};
use balcao_core::tenancy::{CreateApiKey, CreateStore};
use balcao_core::{Core, Result};

/// Demo login email.
pub const DEMO_EMAIL: &str = "demo@balcao.dev";
/// Demo login password.
pub const DEMO_PASSWORD: &str = "balcao-demo-123";
/// Demo store slug.
pub const DEMO_SLUG: &str = "loja-demo";

/// What the demo seeded, to print.
pub struct Seeded {
    /// A session token for the demo user.
    pub token: String,
    /// The demo store's id.
    pub store_id: String,
    /// A new API key for the demo store.
    pub api_key: String,
}

/// Seeds the demo data; running it again reuses the user and store and mints a new key.
pub async fn seed(core: Core) -> Result<Seeded> {
    let services = CoreServices::new(core);
    match services
        .identity
        .signup(SignupRequest { email: DEMO_EMAIL.into(), password: DEMO_PASSWORD.into(), name: "Demo".into() })
        .await
    {
        Ok(_) | Err(Error::Conflict { code: "email_taken", .. }) => {}
        Err(other) => return Err(other),
    }
    let login = services
        .identity
        .login(LoginRequest { email: DEMO_EMAIL.into(), password: DEMO_PASSWORD.into(), totp_code: None })
        .await?;
    let user = login.user.id;
    let mine = services.stores.list_for_user(user, &Default::default()).await?;
    let store = match mine.data.into_iter().find(|s| s.slug == DEMO_SLUG) {
        Some(store) => store,
        None => {
            services
                .stores
                .create(
                    user,
                    CreateStore { name: "Loja Demo".into(), slug: DEMO_SLUG.into(), timezone: None, currency: None },
                )
                .await?
        }
    };
    let access = balcao_core::auth::store_access(
        &services.core,
        &balcao_core::identity::Principal::User { user_id: user, session_id: uuid::Uuid::nil() },
        store.id,
    )
    .await?;
    let key = services
        .api_keys
        .create(store.id, &access, Some(user), CreateApiKey { name: "demo".into(), scopes: None, expires_at: None })
        .await?;
    Ok(Seeded { token: login.token, store_id: store.id.to_string(), api_key: key.secret })
}
