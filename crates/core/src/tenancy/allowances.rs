//! Countable resources a store's plan bounds (webhook endpoints, staff seats, products): checked
//! at creation, inside the creating transaction, under a per-store lock so concurrent creations
//! never pass the limit together.
//!
//! ```ignore
//! conn.transaction(async |conn| {
//!     let allowance = allowances::lock(conn, store, Countable::Products).await?;
//!     allowance.admit(count_products(conn, store).await?)?;
//!     insert(conn).await
//! })
//! ```

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::error::{Error, Result};
use crate::id::StoreId;
use crate::schema::{plans, stores};

/// A resource the plan counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Countable {
    /// Outbound webhook endpoints.
    WebhookEndpoints,
    /// Members and open invitations.
    StaffSeats,
    /// Catalog products.
    Products,
}

impl Countable {
    fn key(self) -> &'static str {
        match self {
            Self::WebhookEndpoints => "webhook_endpoints",
            Self::StaffSeats => "staff_seats",
            Self::Products => "products",
        }
    }

    fn noun(self, n: i64) -> String {
        let (one, many) = match self {
            Self::WebhookEndpoints => ("webhook endpoint", "webhook endpoints"),
            Self::StaffSeats => ("staff seat", "staff seats"),
            Self::Products => ("product", "products"),
        };
        format!("{n} {}", if n == 1 { one } else { many })
    }

    fn advice(self) -> &'static str {
        match self {
            Self::WebhookEndpoints => "delete an endpoint or move the store to a bigger plan",
            Self::StaffSeats => {
                "members and open invitations both take a seat: remove a member, revoke an invitation or move the store to a bigger plan"
            }
            Self::Products => "archive a product (archived ones do not count) or move the store to a bigger plan",
        }
    }
}

/// What the store's plan allows of one resource, held under the store's lock for that resource
/// until the transaction ends.
#[derive(Debug, Clone)]
pub struct Allowance {
    resource: Countable,
    plan: String,
    limit: Option<i64>,
}

impl Allowance {
    /// The most the plan allows; `None` is unlimited.
    pub fn limit(&self) -> Option<i64> {
        self.limit
    }

    /// Fails with 403 `plan_limit_reached`, naming the limit, when `used` leaves no room for one more.
    pub fn admit(&self, used: i64) -> Result<()> {
        match self.limit {
            Some(limit) if used >= limit => Err(Error::Denied {
                code: crate::problems::PLAN_LIMIT_REACHED,
                detail: format!(
                    "The {} plan allows {}; {}.",
                    self.plan,
                    self.resource.noun(limit),
                    self.resource.advice()
                ),
            }),
            _ => Ok(()),
        }
    }
}

/// A plan's name and its countable allowances: endpoints, seats, products.
type PlanCounts = (String, Option<i32>, Option<i32>, Option<i32>);

/// Takes the store's lock for `resource` until the surrounding transaction ends (call it inside
/// one) and reads what the store's plan allows, fresh from the database. 404 for an unknown store.
pub async fn lock(conn: &mut AsyncPgConnection, store: StoreId, resource: Countable) -> Result<Allowance> {
    let key = format!("balcao:allowance:{}:{}", resource.key(), store);
    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
        .bind::<Text, _>(key)
        .execute(conn)
        .await?;
    let found: Option<PlanCounts> = stores::table
        .inner_join(plans::table.on(plans::name.eq(stores::plan)))
        .filter(stores::id.eq(store.uuid()))
        .filter(stores::deleted_at.is_null())
        .select((plans::display_name, plans::webhook_endpoints, plans::staff_seats, plans::products))
        .first(conn)
        .await
        .optional()?;
    let (plan, endpoints, seats, products) = found.ok_or_else(|| Error::not_found("store"))?;
    let limit = match resource {
        Countable::WebhookEndpoints => endpoints,
        Countable::StaffSeats => seats,
        Countable::Products => products,
    };
    Ok(Allowance { resource, plan, limit: limit.map(i64::from) })
}

/// How a count query's result comes back from `sql_query`.
#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// The seats a store uses: its members and its open invitations (pending, unexpired), leaving out
/// an open invitation of `except_email` (about to be replaced).
pub async fn seats_used(conn: &mut AsyncPgConnection, store: StoreId, except_email: Option<&str>) -> Result<i64> {
    let count: Count = diesel::sql_query(
        "SELECT (SELECT count(*) FROM store_members WHERE store_id = $1) \
              + (SELECT count(*) FROM invitations WHERE store_id = $1 AND accepted_at IS NULL \
                 AND revoked_at IS NULL AND expires_at > now() AND lower(email) IS DISTINCT FROM lower($2)) AS n",
    )
    .bind::<diesel::sql_types::Uuid, _>(store.uuid())
    .bind::<diesel::sql_types::Nullable<Text>, _>(except_email)
    .get_result(conn)
    .await?;
    Ok(count.n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowance(resource: Countable, limit: Option<i64>) -> Allowance {
        Allowance { resource, plan: "Free".into(), limit }
    }

    #[test]
    fn the_limit_admits_up_to_it_and_names_itself_past_it() {
        let endpoints = allowance(Countable::WebhookEndpoints, Some(2));
        assert!(endpoints.admit(1).is_ok());
        let refused = endpoints.admit(2).err();
        assert_eq!(refused.as_ref().map(Error::code), Some("plan_limit_reached"));
        let detail = refused.map(|e| e.to_string()).unwrap_or_default();
        assert!(detail.starts_with("The Free plan allows 2 webhook endpoints; "), "{detail}");
        assert!(allowance(Countable::Products, None).admit(i64::MAX).is_ok());
        let one = allowance(Countable::StaffSeats, Some(1)).admit(1).err().map(|e| e.to_string());
        assert!(one.is_some_and(|d| d.contains("allows 1 staff seat;")));
    }
}
