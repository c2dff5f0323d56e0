//! `balcao demo`: a believable Brazilian store, seeded through the product's own services.
//!
//! | module | what it seeds |
//! |---|---|
//! | [`account`] | the demo user, store and API key |
//! | [`context`] | [`Demo`], the services every step seeds through, and [`all`] to read whole lists |
//! | [`catalog`] | categories and 30 products with variants, images and stock ([`catalog_data`]) |
//! | [`customers`] | customers with valid CPFs, addresses in several CEP ranges, consents |
//! | [`selling`] | delivery zones and coupons |
//! | [`orders`] | orders in every status over the last 60 days, paid through the sandbox |
//! | [`channels`] | a sandbox WhatsApp channel with a conversation, a template, a webhook endpoint |
//!
//! Every step finds what an earlier run made (by slug, email, code, name or note) before it
//! creates anything, so running the seed again duplicates nothing.

pub mod account;
pub mod catalog;
pub mod catalog_data;
pub mod channels;
pub mod context;
pub mod customers;
pub mod orders;
pub mod selling;

use std::collections::BTreeMap;

use balcao_core::{Core, Error, Result};
use serde::Serialize;

use crate::AppState;

pub use account::{DEMO_EMAIL, DEMO_PASSWORD, DEMO_SLUG};
pub use context::{Demo, all};

/// What the demo seeded: credentials and the id of everything it made.
#[derive(Debug, Clone, Serialize)]
pub struct Seeded {
    /// A session token for the demo user.
    pub token: String,
    /// The demo user's id.
    pub user_id: String,
    /// The demo store's id.
    pub store_id: String,
    /// The demo store's slug (the storefront's path).
    pub slug: String,
    /// A new API key for the demo store (earlier demo keys are revoked).
    pub api_key: String,
    /// The API key's id.
    pub api_key_id: String,
    /// Ids by kind: `categories`, `products`, `variants`, `customers`, `addresses`, `coupons`,
    /// `delivery_zones`, `orders`, `payments`, `refunds`, `channels`, `conversations`, `messages`,
    /// `message_templates`, `webhook_endpoints`.
    pub ids: BTreeMap<&'static str, Vec<String>>,
    /// Order ids by status (`pending_payment`, `paid`, ...).
    pub orders_by_status: BTreeMap<String, Vec<String>>,
}

/// Seeds the demo store; running it again reuses what exists and mints a new API key.
pub async fn seed(core: Core) -> Result<Seeded> {
    let state = AppState::new(core).map_err(Error::internal)?;
    let account = account::seed(&state).await?;
    let mut demo = Demo { state, store: account.store_id, user: account.user_id, ids: BTreeMap::new() };
    channels::seed_webhook_endpoint(&mut demo).await?;
    let categories = catalog::seed_categories(&mut demo).await?;
    let products = catalog::seed_products(&mut demo, &categories).await?;
    let customers = customers::seed(&mut demo).await?;
    let zones = selling::seed_zones(&mut demo).await?;
    selling::seed_coupons(&mut demo, &categories).await?;
    let orders_by_status = orders::seed(&mut demo, &products, &customers, &zones).await?;
    channels::seed_messaging(&mut demo, &customers).await?;
    Ok(Seeded {
        token: account.token,
        user_id: account.user_id.to_string(),
        store_id: account.store_id.to_string(),
        slug: DEMO_SLUG.to_owned(),
        api_key: account.api_key,
        api_key_id: account.api_key_id,
        ids: demo.ids,
        orders_by_status,
    })
}
