//! Customer profiles: create (with addresses), read, change, and a searchable list.

use async_trait::async_trait;
use balcao_core::Core;
use balcao_core::error::{Error, Result, Validator};
use balcao_core::events;
use balcao_core::id::StoreId;
use balcao_core::pagination::Page;
use chrono::Utc;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Nullable};
use diesel_async::{AsyncConnection, RunQueryDsl};

use super::events::{CUSTOMER_CREATED, CUSTOMER_UPDATED};
use super::load::{self, kind_name};
use super::model::{CreateCustomer, Customer, CustomerFilter, CustomerRow, UpdateCustomer};
use super::validate::{self, AddressFields, MAX_ADDRESSES, present};
use crate::br::Document;
use crate::ids::CustomerId;
use crate::schema::{balcao_fold, customers};

/// Longest search text, in characters.
const MAX_QUERY: usize = 200;

/// A store's customers.
#[async_trait]
pub trait CustomerService: Send + Sync {
    /// Customers by creation, filtered by search text and tag; two queries whatever the page size.
    async fn list(&self, store: StoreId, filter: CustomerFilter) -> Result<Page<Customer>>;
    /// One customer with their addresses.
    async fn get(&self, store: StoreId, id: CustomerId) -> Result<Customer>;
    /// Creates a customer and their addresses, emitting `customer.created`.
    async fn create(&self, store: StoreId, req: CreateCustomer) -> Result<Customer>;
    /// Changes a customer, emitting `customer.updated`.
    async fn update(&self, store: StoreId, id: CustomerId, req: UpdateCustomer) -> Result<Customer>;
}

/// [`CustomerService`] on PostgreSQL.
pub struct PgCustomerService {
    core: Core,
}

impl PgCustomerService {
    /// A service on the shared handles.
    pub fn new(core: Core) -> Self {
        Self { core }
    }
}

/// A create request, validated and normalized.
struct NewCustomer {
    name: String,
    email: Option<String>,
    phone: Option<String>,
    document: Option<Document>,
    tags: Vec<String>,
    notes: String,
    addresses: Vec<AddressFields>,
}

fn check_create(req: &CreateCustomer) -> Result<NewCustomer> {
    let mut v = Validator::new();
    v.length(&req.name, "name", 1, 200);
    let email = present(req.email.as_deref()).and_then(|e| validate::email(&mut v, "email", e));
    let phone = present(req.phone.as_deref()).and_then(|p| validate::phone(&mut v, "phone", p));
    let document = present(req.document.as_deref()).and_then(|d| validate::document(&mut v, "document", d));
    let tags = validate::tags(&mut v, "tags", &req.tags);
    let notes = req.notes.clone().unwrap_or_default();
    validate::notes(&mut v, "notes", &notes);
    v.check(req.addresses.len() <= MAX_ADDRESSES, "addresses", "too_many", "at most 50 addresses");
    let mut addresses: Vec<AddressFields> = req
        .addresses
        .iter()
        .enumerate()
        .map(|(i, a)| validate::new_address(&mut v, &format!("addresses[{i}]"), a))
        .collect();
    let defaults: Vec<usize> = addresses.iter().enumerate().filter(|(_, a)| a.is_default).map(|(i, _)| i).collect();
    if let Some(second) = defaults.get(1) {
        v.check(
            false,
            &format!("addresses[{second}].is_default"),
            "multiple_defaults",
            "only one address can be the default",
        );
    }
    v.finish()?;
    if let (true, Some(first)) = (defaults.is_empty(), addresses.first_mut()) {
        first.is_default = true;
    }
    Ok(NewCustomer { name: req.name.trim().to_owned(), email, phone, document, tags, notes, addresses })
}

/// A change request, validated and normalized; `Some(None)` clears.
struct Changes {
    name: Option<String>,
    email: Option<Option<String>>,
    phone: Option<Option<String>>,
    document: Option<Option<Document>>,
    tags: Option<Vec<String>>,
    notes: Option<String>,
}

fn check_update(req: &UpdateCustomer) -> Result<Changes> {
    let mut v = Validator::new();
    if let Some(name) = &req.name {
        v.length(name, "name", 1, 200);
    }
    let email = req.email.as_ref().map(|e| present(e.as_deref()).and_then(|e| validate::email(&mut v, "email", e)));
    let phone = req.phone.as_ref().map(|p| present(p.as_deref()).and_then(|p| validate::phone(&mut v, "phone", p)));
    let document =
        req.document.as_ref().map(|d| present(d.as_deref()).and_then(|d| validate::document(&mut v, "document", d)));
    let tags = req.tags.as_ref().map(|t| validate::tags(&mut v, "tags", t));
    if let Some(notes) = &req.notes {
        validate::notes(&mut v, "notes", notes);
    }
    v.finish()?;
    Ok(Changes {
        name: req.name.as_deref().map(|n| n.trim().to_owned()),
        email,
        phone,
        document,
        tags,
        notes: req.notes.clone(),
    })
}

/// Escapes `%`, `_` and `\` for a LIKE pattern.
fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

type Condition = Box<dyn BoxableExpression<customers::table, Pg, SqlType = Nullable<Bool>>>;

/// The search condition: name (accent-folded), email, phone digits, document characters.
fn search(q: &str) -> Condition {
    let pattern = format!("%{}%", escape_like(q));
    let mut cond: Condition = Box::new(
        balcao_fold(customers::name).like(balcao_fold(pattern.clone())).nullable().or(customers::email.ilike(pattern)),
    );
    let digits: String = q.chars().filter(char::is_ascii_digit).collect();
    if digits.len() >= 3 {
        cond = Box::new(cond.or(customers::phone.like(format!("%{digits}%"))));
    }
    let document: String = q.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_uppercase()).collect();
    if document.len() >= 3 && document.chars().any(|c| c.is_ascii_digit()) {
        cond = Box::new(cond.or(customers::document.like(format!("%{document}%"))));
    }
    cond
}

#[async_trait]
impl CustomerService for PgCustomerService {
    async fn list(&self, store: StoreId, filter: CustomerFilter) -> Result<Page<Customer>> {
        let req = filter.page().parse::<uuid::Uuid>()?;
        let q = present(filter.q.as_deref());
        if q.is_some_and(|q| q.chars().count() > MAX_QUERY) {
            return Err(Error::field("q", "too_long", "must be at most 200 characters"));
        }
        let mut conn = self.core.pool.get().await?;
        let mut query = customers::table
            .filter(customers::store_id.eq(store.uuid()))
            .select(CustomerRow::as_select())
            .order(customers::id.asc())
            .limit(req.fetch_limit())
            .into_boxed();
        if let Some(after) = req.after {
            query = query.filter(customers::id.gt(after));
        }
        if let Some(tag) = present(filter.tag.as_deref()) {
            query = query.filter(customers::tags.contains(vec![tag.to_lowercase()]));
        }
        if let Some(q) = q {
            query = query.filter(search(q));
        }
        let rows: Vec<CustomerRow> = query.load(&mut conn).await?;
        let page = req.page(rows, |r| r.id)?;
        let ids: Vec<uuid::Uuid> = page.data.iter().map(|r| r.id).collect();
        let mut addresses = load::addresses(&mut conn, store, &ids).await?;
        Ok(page.map(|row| {
            let own = addresses.remove(&row.id).unwrap_or_default();
            load::customer(row, own)
        }))
    }

    async fn get(&self, store: StoreId, id: CustomerId) -> Result<Customer> {
        let mut conn = self.core.pool.get().await?;
        load::full(&mut conn, store, id).await
    }

    async fn create(&self, store: StoreId, req: CreateCustomer) -> Result<Customer> {
        let new = check_create(&req)?;
        let id = CustomerId::new();
        let mut conn = self.core.pool.get().await?;
        conn.transaction::<_, Error, _>(async |conn| {
            let now = Utc::now();
            let row: CustomerRow = diesel::insert_into(customers::table)
                .values((
                    customers::store_id.eq(store.uuid()),
                    customers::id.eq(id.uuid()),
                    customers::name.eq(&new.name),
                    customers::email.eq(&new.email),
                    customers::phone.eq(&new.phone),
                    customers::document_kind.eq(new.document.as_ref().map(|d| kind_name(d.kind))),
                    customers::document.eq(new.document.as_ref().map(|d| d.value.clone())),
                    customers::tags.eq(&new.tags),
                    customers::notes.eq(&new.notes),
                    customers::created_at.eq(now),
                    customers::updated_at.eq(now),
                ))
                .returning(CustomerRow::as_returning())
                .get_result(conn)
                .await
                .map_err(load::taken)?;
            let addresses = load::insert_addresses(conn, store, id, &new.addresses).await?;
            let customer = load::customer(row, addresses);
            events::emit(conn, Some(store), &CUSTOMER_CREATED, &customer).await?;
            Ok(customer)
        })
        .await
    }

    async fn update(&self, store: StoreId, id: CustomerId, req: UpdateCustomer) -> Result<Customer> {
        if balcao_core::patch::is_empty(&req) {
            return self.get(store, id).await;
        }
        let c = check_update(&req)?;
        let mut conn = self.core.pool.get().await?;
        conn.transaction::<_, Error, _>(async |conn| {
            let document = c.document.as_ref().map(|d| d.as_ref().map(|d| (kind_name(d.kind), d.value.clone())));
            let row: CustomerRow = diesel::update(
                customers::table.filter(customers::store_id.eq(store.uuid())).filter(customers::id.eq(id.uuid())),
            )
            .set((
                c.name.clone().map(|n| customers::name.eq(n)),
                c.email.clone().map(|e| customers::email.eq(e)),
                c.phone.clone().map(|p| customers::phone.eq(p)),
                document.clone().map(|d| customers::document_kind.eq(d.as_ref().map(|(k, _)| *k))),
                document.map(|d| customers::document.eq(d.map(|(_, v)| v))),
                c.tags.clone().map(|t| customers::tags.eq(t)),
                c.notes.clone().map(|n| customers::notes.eq(n)),
                customers::updated_at.eq(Utc::now()),
            ))
            .returning(CustomerRow::as_returning())
            .get_result(conn)
            .await
            .optional()
            .map_err(load::taken)?
            .ok_or_else(|| Error::not_found("customer"))?;
            let mut addresses = load::addresses(conn, store, &[row.id]).await?;
            let own = addresses.remove(&row.id).unwrap_or_default();
            let customer = load::customer(row, own);
            events::emit(conn, Some(store), &CUSTOMER_UPDATED, &customer).await?;
            Ok(customer)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_patterns_are_escaped() {
        assert_eq!(escape_like(r"50%_off\"), r"50\%\_off\\");
    }

    #[test]
    fn a_second_default_address_is_refused() {
        let address = |default: bool| crate::customers::model::NewAddress {
            label: None,
            recipient: "Maria".into(),
            cep: "01310-100".into(),
            street: "Av. Paulista".into(),
            number: "1578".into(),
            complement: None,
            neighborhood: "Bela Vista".into(),
            city: "São Paulo".into(),
            state: "sp".into(),
            is_default: default,
        };
        let mut req = CreateCustomer {
            name: "Maria".into(),
            email: Some(" ".into()),
            phone: None,
            document: None,
            tags: Vec::new(),
            notes: None,
            addresses: vec![address(false), address(false)],
        };
        let new = check_create(&req).map_err(|e| e.to_string());
        let Ok(new) = new else { panic!("valid: {new:?}", new = new.err()) };
        assert!(new.email.is_none(), "blank email is absent");
        assert_eq!(new.addresses.iter().map(|a| a.is_default).collect::<Vec<_>>(), vec![true, false]);
        assert_eq!(new.addresses[0].state, "SP");
        req.addresses = vec![address(true), address(true)];
        let Err(Error::Validation(errors)) = check_create(&req) else { panic!("expected a validation error") };
        assert_eq!(errors[0].field, "addresses[1].is_default");
    }
}
