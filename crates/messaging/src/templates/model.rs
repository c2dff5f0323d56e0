//! Template rows and API types.

use balcao_core::id::StoreId;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use crate::channels::ChannelKind;
use crate::schema::message_templates;

balcao_core::id_type!(
    /// A message template.
    TemplateId
);

/// What a template is for, in WhatsApp's terms (it decides the price and the review).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum TemplateCategory {
    /// Promotions: needs the contact's consent.
    Marketing,
    /// Order and account updates.
    Utility,
    /// One-time passwords.
    Authentication,
}

impl TemplateCategory {
    /// Every category.
    pub const ALL: [TemplateCategory; 3] = [Self::Marketing, Self::Utility, Self::Authentication];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Marketing => "marketing",
            Self::Utility => "utility",
            Self::Authentication => "authentication",
        }
    }

    /// Parses a wire name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == name)
    }
}

/// A `message_templates` row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = message_templates)]
pub struct TemplateRow {
    pub store_id: uuid::Uuid,
    pub id: uuid::Uuid,
    pub kind: String,
    pub name: String,
    pub language: String,
    pub category: String,
    pub components: Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A message template.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MessageTemplate {
    /// The template.
    pub id: TemplateId,
    /// The store.
    pub store_id: StoreId,
    /// The channel kind it is for.
    pub kind: ChannelKind,
    /// Its name: lowercase letters, digits and underscores (WhatsApp's rule).
    #[schema(example = "pedido_enviado")]
    pub name: String,
    /// Its language code.
    #[schema(example = "pt_BR")]
    pub language: String,
    /// Its category.
    pub category: TemplateCategory,
    /// Its components, each with a `type` of `header`, `body`, `footer` or `buttons`.
    #[schema(value_type = Vec<Object>, example = json!([{"type": "body", "text": "Olá {{1}}, seu pedido {{2}} saiu para entrega."}]))]
    pub components: Vec<Value>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<TemplateRow> for MessageTemplate {
    fn from(r: TemplateRow) -> Self {
        Self {
            id: TemplateId(r.id),
            store_id: StoreId(r.store_id),
            kind: ChannelKind::parse(&r.kind).unwrap_or(ChannelKind::Whatsapp),
            name: r.name,
            language: r.language,
            category: TemplateCategory::parse(&r.category).unwrap_or(TemplateCategory::Utility),
            components: match r.components {
                Value::Array(items) => items,
                _ => Vec::new(),
            },
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// `POST .../message-templates`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct CreateTemplate {
    /// The channel kind it is for.
    pub kind: ChannelKind,
    /// Lowercase letters, digits and underscores, at most 512 characters.
    #[schema(example = "pedido_enviado")]
    pub name: String,
    /// A language code such as `pt_BR` or `en`.
    #[schema(example = "pt_BR")]
    pub language: String,
    /// Its category.
    pub category: TemplateCategory,
    /// One to ten components, each an object with a `type` of `header`, `body`, `footer` or
    /// `buttons` (each type at most once, a `body` required).
    #[schema(value_type = Vec<Object>, example = json!([{"type": "body", "text": "Olá {{1}}, seu pedido {{2}} saiu para entrega."}]))]
    pub components: Vec<Value>,
}

/// `PATCH .../message-templates/{id}`: only given fields change.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, ToSchema)]
pub struct UpdateTemplate {
    /// A new name.
    pub name: Option<String>,
    /// A new language code.
    pub language: Option<String>,
    /// A new category.
    pub category: Option<TemplateCategory>,
    /// New components (replace them all).
    #[schema(value_type = Option<Vec<Object>>)]
    pub components: Option<Vec<Value>>,
}

/// `GET .../message-templates` filters.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TemplateFilter {
    /// Only this channel kind.
    pub kind: Option<ChannelKind>,
    /// Only templates with this name.
    pub name: Option<String>,
    /// Only this language.
    pub language: Option<String>,
}
