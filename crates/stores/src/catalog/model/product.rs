//! Product, variant and image rows and API types.

use balcao_core::money::{Money, MoneyInput};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Inventory;
use crate::ids::{CategoryId, ImageId, ProductId, VariantId};
use crate::schema::{product_images, products, variants};

/// Where a product is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProductStatus {
    /// Being prepared; not on the storefront.
    Draft,
    /// For sale on the storefront.
    Active,
    /// Withdrawn; kept for history.
    Archived,
}

impl ProductStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Active => "active",
            Self::Archived => "archived",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "draft" => Some(Self::Draft),
            "active" => Some(Self::Active),
            "archived" => Some(Self::Archived),
            _ => None,
        }
    }
}

/// A product option such as size or color, with its values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ProductOption {
    /// The option's name.
    #[schema(example = "Tamanho")]
    pub name: String,
    /// The values variants choose from.
    #[schema(example = json!(["P", "M", "G"]))]
    pub values: Vec<String>,
}

/// A product row.
#[derive(Debug, Clone, Queryable, Selectable, QueryableByName)]
#[diesel(table_name = products)]
pub struct ProductRow {
    pub store_id: uuid::Uuid,
    pub id: uuid::Uuid,
    pub title: String,
    pub slug: String,
    pub description: String,
    pub status: String,
    pub tags: Vec<String>,
    pub options: serde_json::Value,
    pub currency: String,
    pub min_price_amount: i64,
    pub max_price_amount: i64,
    pub in_stock: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A variant row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = variants)]
pub struct VariantRow {
    pub store_id: uuid::Uuid,
    pub id: uuid::Uuid,
    pub product_id: uuid::Uuid,
    pub sku: String,
    pub title: String,
    pub option_values: Vec<String>,
    pub price_amount: i64,
    pub compare_at_amount: Option<i64>,
    pub cost_amount: Option<i64>,
    pub weight_grams: i32,
    pub barcode: Option<String>,
    pub position: i32,
    pub on_hand: i32,
    pub reserved: i32,
    pub low_stock_threshold: Option<i32>,
    pub low_stock_alerted: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An image row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = product_images)]
pub struct ImageRow {
    pub store_id: uuid::Uuid,
    pub id: uuid::Uuid,
    pub product_id: uuid::Uuid,
    pub url: String,
    pub alt: String,
    pub position: i32,
}

/// A product image by URL.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Image {
    /// The image's id.
    pub id: ImageId,
    /// Where the image is served from (http or https).
    pub url: String,
    /// Alternative text.
    pub alt: String,
    /// Display order (ascending).
    pub position: i32,
}

impl From<ImageRow> for Image {
    fn from(r: ImageRow) -> Self {
        Self { id: ImageId(r.id), url: r.url, alt: r.alt, position: r.position }
    }
}

/// An image to attach.
#[derive(Debug, Clone, PartialEq, Deserialize, ToSchema)]
pub struct NewImage {
    /// http(s) URL, up to 2048 characters.
    pub url: String,
    /// Alternative text.
    pub alt: Option<String>,
}

/// A variant as staff see it (with cost and stock).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Variant {
    /// The variant's id.
    pub id: VariantId,
    /// Its product.
    pub product_id: ProductId,
    /// Stock-keeping unit, unique in the store.
    pub sku: String,
    /// A label such as `M / Azul` (default: the option values).
    pub title: String,
    /// One value per product option, in the options' order.
    pub option_values: Vec<String>,
    /// Selling price.
    pub price: Money,
    /// The "from" price shown struck through.
    pub compare_at_price: Option<Money>,
    /// What the unit costs the store (private).
    pub cost: Option<Money>,
    /// Shipping weight in grams.
    pub weight_grams: i32,
    /// EAN/GTIN or another barcode.
    pub barcode: Option<String>,
    /// Display order.
    pub position: i32,
    /// Stock.
    pub inventory: Inventory,
}

/// A variant to create.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewVariant {
    /// Stock-keeping unit, unique in the store (1 to 64 characters).
    pub sku: String,
    /// A label (default: the option values joined by ` / `).
    pub title: Option<String>,
    /// One value per product option.
    #[serde(default)]
    pub option_values: Vec<String>,
    /// Selling price in the store's currency.
    #[schema(value_type = MoneyInput)]
    pub price: Money,
    /// Struck-through "from" price; must exceed the price.
    #[schema(value_type = Option<MoneyInput>)]
    pub compare_at_price: Option<Money>,
    /// Unit cost (private).
    #[schema(value_type = Option<MoneyInput>)]
    pub cost: Option<Money>,
    /// Weight in grams.
    #[schema(minimum = 0, maximum = 2_147_483_647)]
    pub weight_grams: Option<i32>,
    /// Barcode.
    pub barcode: Option<String>,
    /// Starting stock (recorded as an `initial` adjustment).
    #[schema(minimum = 0, maximum = 1_000_000_000)]
    pub on_hand: Option<i32>,
    /// Low-stock threshold.
    #[schema(minimum = 0, maximum = 1_000_000_000)]
    pub low_stock_threshold: Option<i32>,
}

/// `PATCH` a variant: only given fields change; `null` clears an optional one.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, ToSchema)]
pub struct UpdateVariant {
    /// SKU.
    pub sku: Option<String>,
    /// Label.
    pub title: Option<String>,
    /// Option values.
    pub option_values: Option<Vec<String>>,
    /// Price.
    #[schema(value_type = Option<MoneyInput>)]
    pub price: Option<Money>,
    /// Compare-at price (null clears).
    #[serde(default, deserialize_with = "balcao_core::patch::double_option")]
    #[schema(value_type = Option<MoneyInput>)]
    pub compare_at_price: Option<Option<Money>>,
    /// Cost (null clears).
    #[serde(default, deserialize_with = "balcao_core::patch::double_option")]
    #[schema(value_type = Option<MoneyInput>)]
    pub cost: Option<Option<Money>>,
    /// Weight in grams.
    #[schema(minimum = 0, maximum = 2_147_483_647)]
    pub weight_grams: Option<i32>,
    /// Barcode (null clears).
    #[serde(default, deserialize_with = "balcao_core::patch::double_option")]
    #[schema(value_type = Option<String>)]
    pub barcode: Option<Option<String>>,
    /// Low-stock threshold (null clears).
    #[serde(default, deserialize_with = "balcao_core::patch::double_option")]
    #[schema(value_type = Option<i32>, minimum = 0, maximum = 1_000_000_000)]
    pub low_stock_threshold: Option<Option<i32>>,
    /// Display order.
    #[schema(minimum = -2_147_483_648, maximum = 2_147_483_647)]
    pub position: Option<i32>,
}

/// A product as staff see it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Product {
    /// The product's id.
    pub id: ProductId,
    /// Title.
    #[schema(example = "Camiseta de Algodão")]
    pub title: String,
    /// URL name, unique in the store.
    pub slug: String,
    /// Description.
    pub description: String,
    /// Draft, active or archived.
    pub status: ProductStatus,
    /// Free-form tags.
    pub tags: Vec<String>,
    /// Options (size, color, ...).
    pub options: Vec<ProductOption>,
    /// Categories the product is in.
    pub category_ids: Vec<CategoryId>,
    /// Images in display order.
    pub images: Vec<Image>,
    /// Variants in display order.
    pub variants: Vec<Variant>,
    /// Lowest variant price.
    pub min_price: Money,
    /// Highest variant price.
    pub max_price: Money,
    /// Whether any variant can be sold now.
    pub in_stock: bool,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// `POST .../products`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct CreateProduct {
    /// Title, 1 to 200 characters.
    pub title: String,
    /// URL name (default: made from the title).
    pub slug: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Status (default `draft`).
    pub status: Option<ProductStatus>,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Options (at most 3).
    #[serde(default)]
    pub options: Vec<ProductOption>,
    /// Categories.
    #[serde(default)]
    pub category_ids: Vec<CategoryId>,
    /// Images in display order.
    #[serde(default)]
    pub images: Vec<NewImage>,
    /// At least one variant; one per combination of option values.
    pub variants: Vec<NewVariant>,
}

/// `PATCH .../products/{id}`: only given fields change; `images` and `category_ids` replace the lists.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, ToSchema)]
pub struct UpdateProduct {
    /// Title.
    pub title: Option<String>,
    /// URL name.
    pub slug: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Status.
    pub status: Option<ProductStatus>,
    /// Tags.
    pub tags: Option<Vec<String>>,
    /// Options; existing variants must still match them.
    pub options: Option<Vec<ProductOption>>,
    /// Categories.
    pub category_ids: Option<Vec<CategoryId>>,
    /// Images.
    pub images: Option<Vec<NewImage>>,
}
