//! What shoppers see: no costs, no stock counts, no drafts.

use balcao_core::money::Money;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::catalog::model::{Image, Product, ProductOption, ProductStatus, Variant};
use crate::ids::{CategoryId, ProductId, VariantId};

/// A product on the storefront.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StorefrontProduct {
    /// The product's id.
    pub id: ProductId,
    /// Title.
    pub title: String,
    /// URL name.
    pub slug: String,
    /// Description.
    pub description: String,
    /// Tags.
    pub tags: Vec<String>,
    /// Options (size, color, ...).
    pub options: Vec<ProductOption>,
    /// Categories.
    pub category_ids: Vec<CategoryId>,
    /// Images in display order.
    pub images: Vec<Image>,
    /// Variants in display order.
    pub variants: Vec<StorefrontVariant>,
    /// Lowest price.
    pub min_price: Money,
    /// Highest price.
    pub max_price: Money,
    /// Whether any variant can be bought now.
    pub in_stock: bool,
}

/// A variant on the storefront.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StorefrontVariant {
    /// The variant's id.
    pub id: VariantId,
    /// SKU.
    pub sku: String,
    /// Label.
    pub title: String,
    /// One value per option.
    pub option_values: Vec<String>,
    /// Price.
    pub price: Money,
    /// Struck-through "from" price.
    pub compare_at_price: Option<Money>,
    /// Weight in grams (for shipping quotes).
    pub weight_grams: i32,
    /// Whether it can be bought now.
    pub available: bool,
    /// Whether only a few units are left.
    pub low_stock: bool,
}

impl From<Variant> for StorefrontVariant {
    fn from(v: Variant) -> Self {
        let available = v.inventory.available > 0;
        let low_stock = available && v.inventory.low_stock_threshold.is_some_and(|t| v.inventory.available <= t);
        Self {
            id: v.id,
            sku: v.sku,
            title: v.title,
            option_values: v.option_values,
            price: v.price,
            compare_at_price: v.compare_at_price,
            weight_grams: v.weight_grams,
            available,
            low_stock,
        }
    }
}

impl StorefrontProduct {
    /// The public view of an active product; `None` for drafts and archived products.
    pub fn from_product(p: Product) -> Option<Self> {
        (p.status == ProductStatus::Active).then(|| Self {
            id: p.id,
            title: p.title,
            slug: p.slug,
            description: p.description,
            tags: p.tags,
            options: p.options,
            category_ids: p.category_ids,
            images: p.images,
            variants: p.variants.into_iter().map(StorefrontVariant::from).collect(),
            min_price: p.min_price,
            max_price: p.max_price,
            in_stock: p.in_stock,
        })
    }
}

/// A category on the storefront.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StorefrontCategory {
    /// The category's id.
    pub id: CategoryId,
    /// Its parent; null at the top.
    pub parent_id: Option<CategoryId>,
    /// Name.
    pub name: String,
    /// URL name.
    pub slug: String,
    /// Description.
    pub description: String,
    /// Order among siblings.
    pub position: i32,
}
