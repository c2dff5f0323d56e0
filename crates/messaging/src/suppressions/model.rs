//! Suppression rows and API types.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::channels::ChannelKind;
use crate::schema::suppressions;

/// A `suppressions` row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = suppressions)]
pub struct SuppressionRow {
    pub store_id: uuid::Uuid,
    pub kind: String,
    pub contact: String,
    pub source: String,
    pub created_at: DateTime<Utc>,
}

/// A contact who opted out of marketing on a channel kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Suppression {
    /// The channel kind.
    pub kind: ChannelKind,
    /// The contact: E.164 phone, Instagram-scoped id or email address.
    #[schema(example = "+5511987654321")]
    pub contact: String,
    /// How it was recorded: `keyword`, `unsubscribe`, `staff`, or what staff wrote.
    #[schema(example = "keyword")]
    pub source: String,
    /// When.
    pub created_at: DateTime<Utc>,
}

impl From<SuppressionRow> for Suppression {
    fn from(r: SuppressionRow) -> Self {
        Self {
            kind: ChannelKind::parse(&r.kind).unwrap_or(ChannelKind::Whatsapp),
            contact: r.contact,
            source: r.source,
            created_at: r.created_at,
        }
    }
}

/// `POST .../suppressions`: staff record an opt-out.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct CreateSuppression {
    /// The channel kind.
    pub kind: ChannelKind,
    /// The contact: E.164 phone (WhatsApp, SMS), Instagram-scoped id or email address.
    #[schema(example = "+5511987654321")]
    pub contact: String,
    /// How it was learned (default `staff`): 1 to 50 lowercase letters, digits, `_` or `-`.
    #[schema(example = "staff")]
    pub source: Option<String>,
}

/// `GET .../suppressions` filters.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SuppressionFilter {
    /// Only this channel kind.
    pub kind: Option<ChannelKind>,
    /// Only this contact.
    pub contact: Option<String>,
}
