//! Customer and address rows and API types.

use balcao_core::pagination::PageParams;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::br::{DocumentKind, parse_cep};
use crate::ids::{AddressId, CustomerId};
use crate::schema::{customer_addresses, customers};

/// A customer row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = customers)]
pub struct CustomerRow {
    pub store_id: uuid::Uuid,
    pub id: uuid::Uuid,
    pub name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub document_kind: Option<String>,
    pub document: Option<String>,
    pub tags: Vec<String>,
    pub notes: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An address row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = customer_addresses)]
pub struct AddressRow {
    pub store_id: uuid::Uuid,
    pub id: uuid::Uuid,
    pub customer_id: uuid::Uuid,
    pub label: String,
    pub recipient: String,
    pub cep: String,
    pub street: String,
    pub number: String,
    pub complement: String,
    pub neighborhood: String,
    pub city: String,
    pub state: String,
    pub is_default: bool,
    pub created_at: DateTime<Utc>,
}

/// A customer's CPF or CNPJ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CustomerDocument {
    /// `cpf` (people) or `cnpj` (companies).
    pub kind: DocumentKind,
    /// Normalized: digits (and, for an alphanumeric CNPJ, uppercase letters) without punctuation.
    #[schema(example = "52998224725")]
    pub value: String,
    /// The conventional written form.
    #[schema(example = "529.982.247-25")]
    pub formatted: String,
}

/// A delivery address in Brazil.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Address {
    /// The address's id.
    pub id: AddressId,
    /// A name such as `Casa` or `Trabalho`.
    pub label: String,
    /// Who receives deliveries.
    pub recipient: String,
    /// CEP, formatted.
    #[schema(example = "01310-100")]
    pub cep: String,
    /// Street (logradouro).
    #[schema(example = "Avenida Paulista")]
    pub street: String,
    /// Number (`S/N` when there is none).
    #[schema(example = "1578")]
    pub number: String,
    /// Apartment, block, reference.
    pub complement: String,
    /// Neighborhood (bairro).
    #[schema(example = "Bela Vista")]
    pub neighborhood: String,
    /// City.
    #[schema(example = "São Paulo")]
    pub city: String,
    /// State (UF), two uppercase letters.
    #[schema(example = "SP")]
    pub state: String,
    /// Whether this is the customer's default address (at most one is).
    pub is_default: bool,
    /// When it was added.
    pub created_at: DateTime<Utc>,
}

impl From<AddressRow> for Address {
    fn from(r: AddressRow) -> Self {
        Self {
            id: AddressId(r.id),
            label: r.label,
            recipient: r.recipient,
            cep: parse_cep(&r.cep).map(|c| c.formatted()).unwrap_or(r.cep),
            street: r.street,
            number: r.number,
            complement: r.complement,
            neighborhood: r.neighborhood,
            city: r.city,
            state: r.state,
            is_default: r.is_default,
            created_at: r.created_at,
        }
    }
}

/// A customer of the store, with their addresses.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Customer {
    /// The customer's id.
    pub id: CustomerId,
    /// Full name.
    #[schema(example = "Maria da Silva")]
    pub name: String,
    /// Email, lowercase; unique in the store.
    #[schema(example = "maria@example.com")]
    pub email: Option<String>,
    /// Phone in E.164.
    #[schema(example = "+5511987654321")]
    pub phone: Option<String>,
    /// CPF or CNPJ; unique in the store.
    pub document: Option<CustomerDocument>,
    /// Lowercase tags.
    #[schema(example = json!(["vip", "atacado"]))]
    pub tags: Vec<String>,
    /// Private notes of the staff.
    pub notes: String,
    /// Addresses, the default first.
    pub addresses: Vec<Address>,
    /// When the customer was created.
    pub created_at: DateTime<Utc>,
    /// When the customer last changed.
    pub updated_at: DateTime<Utc>,
}

/// An address to add.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct NewAddress {
    /// A name such as `Casa` (up to 50 characters).
    pub label: Option<String>,
    /// Who receives deliveries (1 to 200 characters).
    pub recipient: String,
    /// CEP: 8 digits, punctuation ignored.
    #[schema(example = "01310-100")]
    pub cep: String,
    /// Street (1 to 200 characters).
    pub street: String,
    /// Number (1 to 20 characters).
    pub number: String,
    /// Complement (up to 200 characters).
    pub complement: Option<String>,
    /// Neighborhood (1 to 100 characters).
    pub neighborhood: String,
    /// City (1 to 100 characters).
    pub city: String,
    /// State (UF) such as `SP`, any case.
    #[schema(example = "SP")]
    pub state: String,
    /// Make it the default address (the others stop being default). The customer's first address
    /// becomes the default whatever this says.
    #[serde(default)]
    pub is_default: bool,
}

/// `PATCH` an address: only given fields change.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct UpdateAddress {
    /// Label (empty clears).
    pub label: Option<String>,
    /// Recipient.
    pub recipient: Option<String>,
    /// CEP.
    pub cep: Option<String>,
    /// Street.
    pub street: Option<String>,
    /// Number.
    pub number: Option<String>,
    /// Complement (empty clears).
    pub complement: Option<String>,
    /// Neighborhood.
    pub neighborhood: Option<String>,
    /// City.
    pub city: Option<String>,
    /// State (UF).
    pub state: Option<String>,
    /// `true` makes it the default (the others stop being default); `false` leaves the customer
    /// without a default address.
    pub is_default: Option<bool>,
}

/// `POST .../customers`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct CreateCustomer {
    /// Full name, 1 to 200 characters.
    pub name: String,
    /// Email; stored lowercase; unique in the store.
    pub email: Option<String>,
    /// Phone in any common Brazilian form, or international with `+`; stored in E.164.
    #[schema(example = "(11) 98765-4321")]
    pub phone: Option<String>,
    /// CPF or CNPJ (numeric or alphanumeric), punctuation optional; unique in the store.
    #[schema(example = "529.982.247-25")]
    pub document: Option<String>,
    /// Tags (at most 30, each up to 50 characters); stored lowercase without repeats.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Private notes (up to 5000 characters).
    pub notes: Option<String>,
    /// Addresses to add (at most 50; at most one default).
    #[serde(default)]
    pub addresses: Vec<NewAddress>,
}

/// `PATCH .../customers/{id}`: only given fields change; `null` (or an empty string) clears
/// `email`, `phone` and `document`. Addresses change through their own routes.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, ToSchema)]
pub struct UpdateCustomer {
    /// Full name.
    pub name: Option<String>,
    /// Email (null clears).
    #[serde(default, deserialize_with = "balcao_core::patch::double_option")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    /// Phone (null clears).
    #[serde(default, deserialize_with = "balcao_core::patch::double_option")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    /// CPF or CNPJ (null clears).
    #[serde(default, deserialize_with = "balcao_core::patch::double_option")]
    #[schema(value_type = Option<String>)]
    pub document: Option<Option<String>>,
    /// Tags (replace the list).
    pub tags: Option<Vec<String>>,
    /// Notes.
    pub notes: Option<String>,
}

/// Search, filters and paging for the customer list (ordered by creation).
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CustomerFilter {
    /// Matches name, email, phone or document; case- and accent-insensitive.
    pub q: Option<String>,
    /// Only customers with this tag.
    pub tag: Option<String>,
    /// Page size, 1..=100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl CustomerFilter {
    /// The paging part.
    pub fn page(&self) -> PageParams {
        PageParams { limit: self.limit, cursor: self.cursor.clone() }
    }
}
