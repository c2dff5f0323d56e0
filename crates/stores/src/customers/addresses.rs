//! Customer addresses: add, change and remove, with at most one default per customer.
//!
//! Every change locks the customer's row first, so two concurrent requests cannot both leave a
//! default address; making one address the default clears the others in the same transaction.

use async_trait::async_trait;
use balcao_core::Core;
use balcao_core::error::{Error, Result, Validator};
use balcao_core::id::StoreId;
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};

use super::load;
use super::model::{Address, AddressRow, NewAddress, UpdateAddress};
use super::validate::{self, MAX_ADDRESSES};
use crate::ids::{AddressId, CustomerId};
use crate::schema::customer_addresses;

/// A customer's addresses.
#[async_trait]
pub trait AddressService: Send + Sync {
    /// Adds an address; the customer's first address (or one asked to be) becomes the default.
    async fn add(&self, store: StoreId, customer: CustomerId, req: NewAddress) -> Result<Address>;
    /// Changes an address; `is_default: true` clears the other defaults.
    async fn update(&self, store: StoreId, customer: CustomerId, id: AddressId, req: UpdateAddress) -> Result<Address>;
    /// Removes an address.
    async fn delete(&self, store: StoreId, customer: CustomerId, id: AddressId) -> Result<()>;
}

/// [`AddressService`] on PostgreSQL.
pub struct PgAddressService {
    core: Core,
}

impl PgAddressService {
    /// A service on the shared handles.
    pub fn new(core: Core) -> Self {
        Self { core }
    }
}

/// The customer's addresses, filtered by store and customer.
macro_rules! of_customer {
    ($store:expr, $customer:expr) => {
        customer_addresses::table
            .filter(customer_addresses::store_id.eq($store.uuid()))
            .filter(customer_addresses::customer_id.eq($customer.uuid()))
    };
}

/// Clears the default flag of the customer's addresses other than `keep`.
async fn clear_defaults(
    conn: &mut AsyncPgConnection,
    store: StoreId,
    customer: CustomerId,
    keep: Option<AddressId>,
) -> Result<()> {
    let keep = keep.map(AddressId::uuid).unwrap_or_default();
    diesel::update(
        of_customer!(store, customer).filter(customer_addresses::is_default).filter(customer_addresses::id.ne(keep)),
    )
    .set(customer_addresses::is_default.eq(false))
    .execute(conn)
    .await?;
    Ok(())
}

#[async_trait]
impl AddressService for PgAddressService {
    async fn add(&self, store: StoreId, customer: CustomerId, req: NewAddress) -> Result<Address> {
        let mut v = Validator::new();
        let mut fields = validate::new_address(&mut v, "", &req);
        v.finish()?;
        let mut conn = self.core.pool.get().await?;
        conn.transaction::<_, Error, _>(async |conn| {
            load::lock(conn, store, customer).await?;
            let defaults: Vec<bool> =
                of_customer!(store, customer).select(customer_addresses::is_default).load(conn).await?;
            if defaults.len() >= MAX_ADDRESSES {
                return Err(Error::Rule {
                    code: crate::problems::TOO_MANY_ADDRESSES,
                    detail: format!("A customer can have at most {MAX_ADDRESSES} addresses."),
                    field: None,
                });
            }
            if fields.is_default {
                clear_defaults(conn, store, customer, None).await?;
            } else if !defaults.contains(&true) {
                fields.is_default = true;
            }
            let mut rows = load::insert_addresses(conn, store, customer, std::slice::from_ref(&fields)).await?;
            rows.pop().map(Address::from).ok_or_else(|| Error::internal("insert returned no address"))
        })
        .await
    }

    async fn update(&self, store: StoreId, customer: CustomerId, id: AddressId, req: UpdateAddress) -> Result<Address> {
        let mut v = Validator::new();
        let a = validate::address_update(&mut v, &req);
        v.finish()?;
        let mut conn = self.core.pool.get().await?;
        conn.transaction::<_, Error, _>(async |conn| {
            load::lock(conn, store, customer).await?;
            let current: AddressRow = of_customer!(store, customer)
                .filter(customer_addresses::id.eq(id.uuid()))
                .select(AddressRow::as_select())
                .first(conn)
                .await
                .optional()?
                .ok_or_else(|| Error::not_found("address"))?;
            if validate::is_empty(&a) {
                return Ok(current.into());
            }
            if a.is_default == Some(true) {
                clear_defaults(conn, store, customer, Some(id)).await?;
            }
            let row: AddressRow =
                diesel::update(of_customer!(store, customer).filter(customer_addresses::id.eq(id.uuid())))
                    .set((
                        a.label.map(|x| customer_addresses::label.eq(x)),
                        a.recipient.map(|x| customer_addresses::recipient.eq(x)),
                        a.cep.map(|x| customer_addresses::cep.eq(x)),
                        a.street.map(|x| customer_addresses::street.eq(x)),
                        a.number.map(|x| customer_addresses::number.eq(x)),
                        a.complement.map(|x| customer_addresses::complement.eq(x)),
                        a.neighborhood.map(|x| customer_addresses::neighborhood.eq(x)),
                        a.city.map(|x| customer_addresses::city.eq(x)),
                        a.state.map(|x| customer_addresses::state.eq(x)),
                        a.is_default.map(|x| customer_addresses::is_default.eq(x)),
                    ))
                    .returning(AddressRow::as_returning())
                    .get_result(conn)
                    .await?;
            Ok(row.into())
        })
        .await
    }

    async fn delete(&self, store: StoreId, customer: CustomerId, id: AddressId) -> Result<()> {
        let mut conn = self.core.pool.get().await?;
        conn.transaction::<_, Error, _>(async |conn| {
            load::lock(conn, store, customer).await?;
            let deleted = diesel::delete(of_customer!(store, customer).filter(customer_addresses::id.eq(id.uuid())))
                .execute(conn)
                .await?;
            if deleted == 0 { Err(Error::not_found("address")) } else { Ok(()) }
        })
        .await
    }
}
