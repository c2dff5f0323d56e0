//! Category rows and API types.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::ids::CategoryId;
use crate::schema::categories;

/// A category row.
#[derive(Debug, Clone, Queryable, Selectable, QueryableByName)]
#[diesel(table_name = categories)]
pub struct CategoryRow {
    pub store_id: uuid::Uuid,
    pub id: uuid::Uuid,
    pub parent_id: Option<uuid::Uuid>,
    pub name: String,
    pub slug: String,
    pub description: String,
    pub position: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A category in the store's tree.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Category {
    /// The category's id.
    pub id: CategoryId,
    /// The parent category; null at the top level.
    pub parent_id: Option<CategoryId>,
    /// Display name.
    #[schema(example = "Camisetas")]
    pub name: String,
    /// URL name, unique in the store.
    #[schema(example = "camisetas")]
    pub slug: String,
    /// Description.
    pub description: String,
    /// Order among siblings (ascending).
    pub position: i32,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<CategoryRow> for Category {
    fn from(r: CategoryRow) -> Self {
        Self {
            id: CategoryId(r.id),
            parent_id: r.parent_id.map(CategoryId),
            name: r.name,
            slug: r.slug,
            description: r.description,
            position: r.position,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// `POST .../categories`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct CreateCategory {
    /// Display name, 1 to 100 characters.
    pub name: String,
    /// URL name (default: made from the name).
    pub slug: Option<String>,
    /// Parent category.
    pub parent_id: Option<CategoryId>,
    /// Description.
    pub description: Option<String>,
    /// Order among siblings.
    #[schema(minimum = -2_147_483_648, maximum = 2_147_483_647)]
    pub position: Option<i32>,
}

/// `PATCH .../categories/{id}`: only given fields change; `parent_id: null` moves it to the top.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, ToSchema)]
pub struct UpdateCategory {
    /// Display name.
    pub name: Option<String>,
    /// URL name.
    pub slug: Option<String>,
    /// New parent (null for the top level); a move that would create a cycle is refused.
    #[serde(default, deserialize_with = "balcao_core::patch::double_option")]
    #[schema(value_type = Option<CategoryId>)]
    pub parent_id: Option<Option<CategoryId>>,
    /// Description.
    pub description: Option<String>,
    /// Order among siblings.
    #[schema(minimum = -2_147_483_648, maximum = 2_147_483_647)]
    pub position: Option<i32>,
}
