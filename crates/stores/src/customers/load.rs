//! Shared reads and writes of customers: one row, the addresses of a page in one query, assembly,
//! and the mapping of unique violations to 409s naming the field.

use std::collections::HashMap;

use balcao_core::error::{Error, Result};
use balcao_core::id::StoreId;
use chrono::Utc;
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::model::{Address, AddressRow, Customer, CustomerDocument, CustomerRow};
use super::validate::AddressFields;
use crate::br::{Document, DocumentKind};
use crate::ids::{AddressId, CustomerId};
use crate::schema::{customer_addresses, customers};

/// Maps a unique violation on email or document to a 409 naming the field.
pub fn taken(e: diesel::result::Error) -> Error {
    use balcao_core::error::is_unique_violation;
    if is_unique_violation(&e, "customers_store_email_key") {
        Error::conflict(crate::problems::EMAIL_TAKEN, "email", "Another customer of this store has this email.")
    } else if is_unique_violation(&e, "customers_store_document_key") {
        Error::conflict(
            crate::problems::DOCUMENT_TAKEN,
            "document",
            "Another customer of this store has this CPF or CNPJ.",
        )
    } else {
        e.into()
    }
}

/// Loads one customer row of the store.
pub async fn row(conn: &mut AsyncPgConnection, store: StoreId, id: CustomerId) -> Result<CustomerRow> {
    customers::table
        .filter(customers::store_id.eq(store.uuid()))
        .filter(customers::id.eq(id.uuid()))
        .select(CustomerRow::as_select())
        .first(conn)
        .await
        .optional()?
        .ok_or_else(|| Error::not_found("customer"))
}

/// Bumps `updated_at` of a customer, locking its row for the rest of the transaction
/// (address changes hold it so two of them cannot both leave a default); 404 when missing.
pub async fn lock(conn: &mut AsyncPgConnection, store: StoreId, id: CustomerId) -> Result<()> {
    diesel::update(customers::table.filter(customers::store_id.eq(store.uuid())).filter(customers::id.eq(id.uuid())))
        .set(customers::updated_at.eq(Utc::now()))
        .returning(customers::id)
        .get_result::<uuid::Uuid>(conn)
        .await
        .optional()?
        .map(|_| ())
        .ok_or_else(|| Error::not_found("customer"))
}

/// The addresses of `customers`, by customer, the default first (one query).
pub async fn addresses(
    conn: &mut AsyncPgConnection,
    store: StoreId,
    customers: &[uuid::Uuid],
) -> Result<HashMap<uuid::Uuid, Vec<AddressRow>>> {
    let mut out: HashMap<uuid::Uuid, Vec<AddressRow>> = HashMap::new();
    if customers.is_empty() {
        return Ok(out);
    }
    let rows: Vec<AddressRow> = customer_addresses::table
        .filter(customer_addresses::store_id.eq(store.uuid()))
        .filter(customer_addresses::customer_id.eq_any(customers))
        .order((customer_addresses::is_default.desc(), customer_addresses::id.asc()))
        .select(AddressRow::as_select())
        .load(conn)
        .await?;
    for row in rows {
        out.entry(row.customer_id).or_default().push(row);
    }
    Ok(out)
}

/// The API document of stored kind and value.
pub fn document(kind: Option<&str>, value: Option<String>) -> Option<CustomerDocument> {
    let kind = match kind? {
        "cpf" => DocumentKind::Cpf,
        "cnpj" => DocumentKind::Cnpj,
        _ => return None,
    };
    let doc = Document { kind, value: value? };
    Some(CustomerDocument { kind, formatted: doc.formatted(), value: doc.value })
}

/// The stored name of a document kind.
pub fn kind_name(kind: DocumentKind) -> &'static str {
    match kind {
        DocumentKind::Cpf => "cpf",
        DocumentKind::Cnpj => "cnpj",
    }
}

/// Assembles a customer from its row and address rows.
pub fn customer(row: CustomerRow, addresses: Vec<AddressRow>) -> Customer {
    Customer {
        id: CustomerId(row.id),
        document: document(row.document_kind.as_deref(), row.document),
        name: row.name,
        email: row.email,
        phone: row.phone,
        tags: row.tags,
        notes: row.notes,
        addresses: addresses.into_iter().map(Address::from).collect(),
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

/// One customer with their addresses (two queries).
pub async fn full(conn: &mut AsyncPgConnection, store: StoreId, id: CustomerId) -> Result<Customer> {
    let row = row(conn, store, id).await?;
    let mut addresses = addresses(conn, store, &[row.id]).await?;
    let own = addresses.remove(&row.id).unwrap_or_default();
    Ok(customer(row, own))
}

/// Inserts addresses for a customer (one query); `is_default` is taken as given.
pub async fn insert_addresses(
    conn: &mut AsyncPgConnection,
    store: StoreId,
    customer: CustomerId,
    fields: &[AddressFields],
) -> Result<Vec<AddressRow>> {
    if fields.is_empty() {
        return Ok(Vec::new());
    }
    let now = Utc::now();
    let values: Vec<_> = fields
        .iter()
        .map(|a| {
            (
                customer_addresses::store_id.eq(store.uuid()),
                customer_addresses::id.eq(AddressId::new().uuid()),
                customer_addresses::customer_id.eq(customer.uuid()),
                customer_addresses::label.eq(a.label.clone()),
                customer_addresses::recipient.eq(a.recipient.clone()),
                customer_addresses::cep.eq(a.cep.clone()),
                customer_addresses::street.eq(a.street.clone()),
                customer_addresses::number.eq(a.number.clone()),
                customer_addresses::complement.eq(a.complement.clone()),
                customer_addresses::neighborhood.eq(a.neighborhood.clone()),
                customer_addresses::city.eq(a.city.clone()),
                customer_addresses::state.eq(a.state.clone()),
                customer_addresses::is_default.eq(a.is_default),
                customer_addresses::created_at.eq(now),
            )
        })
        .collect();
    let mut rows: Vec<AddressRow> = diesel::insert_into(customer_addresses::table)
        .values(values)
        .returning(AddressRow::as_returning())
        .get_results(conn)
        .await?;
    rows.sort_by_key(|r| (!r.is_default, r.id));
    Ok(rows)
}
