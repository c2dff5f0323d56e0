//! The public storefront, by store slug, served from the cache.
//!
//! Every answer is cached under the store's storefront version, which catalog
//! writes bump after they commit: a change is visible on the very next request.
//! Without Redis the cache is in-process; with Redis down every read goes to
//! PostgreSQL.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use balcao_core::Core;
use balcao_core::crypto::sha256_hex;
use balcao_core::error::{Error, Result};
use balcao_core::id::StoreId;
use balcao_core::pagination::Page;
use balcao_core::tenancy::StoreService;

use super::model::{StorefrontCategory, StorefrontProduct};
use crate::catalog::{Audience, CategoryService, ProductFilter, ProductService, cache};
use crate::ids::ProductId;

/// How long a cached answer may live (a change replaces it sooner).
const ANSWER_TTL: Duration = Duration::from_secs(300);

/// A JSON answer, ready to send.
#[derive(Debug, Clone)]
pub struct JsonBody(pub Vec<u8>);

/// The storefront's reads.
#[async_trait]
pub trait StorefrontService: Send + Sync {
    /// The store a slug names (404 when there is none).
    async fn store(&self, slug: &str) -> Result<StoreId>;
    /// Active products matching a filter: a `Page<StorefrontProduct>`.
    async fn products(&self, slug: &str, filter: ProductFilter) -> Result<JsonBody>;
    /// One active product: a `StorefrontProduct`.
    async fn product(&self, slug: &str, id: ProductId) -> Result<JsonBody>;
    /// Every category: a list of `StorefrontCategory`.
    async fn categories(&self, slug: &str) -> Result<JsonBody>;
}

/// [`StorefrontService`] over the catalog services and the cache.
pub struct CachedStorefront {
    core: Core,
    stores: Arc<dyn StoreService>,
    products: Arc<dyn ProductService>,
    categories: Arc<dyn CategoryService>,
}

impl CachedStorefront {
    /// A storefront over the given services.
    pub fn new(
        core: Core,
        stores: Arc<dyn StoreService>,
        products: Arc<dyn ProductService>,
        categories: Arc<dyn CategoryService>,
    ) -> Self {
        Self { core, stores, products, categories }
    }

    /// The cached answer for `what` in the store, or the one `load` makes (then cached).
    async fn cached<F>(&self, store: StoreId, what: &str, load: F) -> Result<JsonBody>
    where
        F: std::future::Future<Output = Result<Vec<u8>>>,
    {
        let version = cache::version(&self.core, store).await;
        let key = format!("storefront:{store}:{version}:{}", sha256_hex(what.as_bytes()));
        if let Some(bytes) = self.core.cache.get(&key).await {
            return Ok(JsonBody(bytes));
        }
        let bytes = load.await?;
        self.core.cache.set(&key, &bytes, ANSWER_TTL).await;
        Ok(JsonBody(bytes))
    }
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<Vec<u8>> {
    serde_json::to_vec(value).map_err(Error::internal)
}

#[async_trait]
impl StorefrontService for CachedStorefront {
    async fn store(&self, slug: &str) -> Result<StoreId> {
        // Tenancy caches slugs and forgets one when its store is renamed or deleted.
        Ok(self.stores.get_by_slug(slug).await?.id)
    }

    async fn products(&self, slug: &str, filter: ProductFilter) -> Result<JsonBody> {
        let store = self.store(slug).await?;
        let filter = ProductFilter { status: None, ..filter };
        let what = format!("products:{}", serde_json::to_string(&filter).map_err(Error::internal)?);
        self.cached(store, &what, async {
            let page = self.products.list(store, filter.clone(), Audience::Storefront).await?;
            let page: Page<StorefrontProduct> = Page {
                data: page.data.into_iter().filter_map(StorefrontProduct::from_product).collect(),
                next_cursor: page.next_cursor,
            };
            to_json(&page)
        })
        .await
    }

    async fn product(&self, slug: &str, id: ProductId) -> Result<JsonBody> {
        let store = self.store(slug).await?;
        self.cached(store, &format!("product:{id}"), async {
            let product = self.products.get(store, id).await?;
            let public = StorefrontProduct::from_product(product).ok_or_else(|| Error::not_found("product"))?;
            to_json(&public)
        })
        .await
    }

    async fn categories(&self, slug: &str) -> Result<JsonBody> {
        let store = self.store(slug).await?;
        self.cached(store, "categories", async {
            let all: Vec<StorefrontCategory> = self
                .categories
                .all(store)
                .await?
                .into_iter()
                .map(|c| StorefrontCategory {
                    id: c.id,
                    parent_id: c.parent_id,
                    name: c.name,
                    slug: c.slug,
                    description: c.description,
                    position: c.position,
                })
                .collect();
            to_json(&all)
        })
        .await
    }
}
