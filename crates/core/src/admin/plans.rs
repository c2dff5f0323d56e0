//! What operators change: a plan's allowances, and the plan a store is on. Both forget what the
//! in-process plan cache ([`crate::tenancy::plans::PlanCache`]) holds, so the next request on this
//! instance sees the change.

use chrono::Utc;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::context::Core;
use crate::error::{Error, Result, Validator};
use crate::id::StoreId;
use crate::patch::double_option;
use crate::schema::{plans, stores};
use crate::tenancy::plans::Plan;
use crate::tenancy::{PgStoreService, Store, StoreRow, StoreService};

/// `PATCH /v1/admin/plans/{plan}`: only the fields given change; `null` makes an allowance
/// unlimited (where it may be).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, ToSchema)]
pub struct UpdatePlan {
    /// The name shown to people, 1 to 80 characters.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = String)]
    pub display_name: Option<Option<String>>,
    /// Sustained requests per second per credential, at least 1.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = i32, minimum = 1, maximum = 2_147_483_647)]
    pub requests_per_second: Option<Option<i32>>,
    /// Requests per credential allowed at once on top of the rate, at least 1.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = i32, minimum = 1, maximum = 2_147_483_647)]
    pub request_burst: Option<Option<i32>>,
    /// API calls a month (null: unlimited).
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 9_223_372_036_854_775_807_i64)]
    pub monthly_api_calls: Option<Option<i64>>,
    /// WhatsApp messages a month (null: unlimited).
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 9_223_372_036_854_775_807_i64)]
    pub monthly_whatsapp_messages: Option<Option<i64>>,
    /// Instagram messages a month (null: unlimited).
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 9_223_372_036_854_775_807_i64)]
    pub monthly_instagram_messages: Option<Option<i64>>,
    /// Emails a month (null: unlimited).
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 9_223_372_036_854_775_807_i64)]
    pub monthly_email_messages: Option<Option<i64>>,
    /// SMS a month (null: unlimited).
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 9_223_372_036_854_775_807_i64)]
    pub monthly_sms_messages: Option<Option<i64>>,
    /// Webhook deliveries a month (null: unlimited).
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 9_223_372_036_854_775_807_i64)]
    pub monthly_webhook_deliveries: Option<Option<i64>>,
    /// Webhook endpoints a store may have (null: unlimited).
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i32>, minimum = 0, maximum = 2_147_483_647)]
    pub webhook_endpoints: Option<Option<i32>>,
    /// Staff seats (members and open invitations) a store may have (null: unlimited).
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i32>, minimum = 0, maximum = 2_147_483_647)]
    pub staff_seats: Option<Option<i32>>,
    /// Products a store may have (null: unlimited).
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<i32>, minimum = 0, maximum = 2_147_483_647)]
    pub products: Option<Option<i32>>,
    /// The monthly quotas allowed past their allowance (reported as overage), by metric:
    /// `api_calls`, `whatsapp_messages`, `instagram_messages`, `email_messages`, `sms_messages`,
    /// `webhook_deliveries`. Replaces the list.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Vec<String>)]
    pub soft_quotas: Option<Option<Vec<String>>>,
}

/// The columns a [`UpdatePlan`] sets.
#[derive(AsChangeset)]
#[diesel(table_name = plans)]
struct PlanChanges {
    display_name: Option<String>,
    requests_per_second: Option<i32>,
    request_burst: Option<i32>,
    monthly_api_calls: Option<Option<i64>>,
    monthly_whatsapp_messages: Option<Option<i64>>,
    monthly_instagram_messages: Option<Option<i64>>,
    monthly_email_messages: Option<Option<i64>>,
    monthly_sms_messages: Option<Option<i64>>,
    monthly_webhook_deliveries: Option<Option<i64>>,
    webhook_endpoints: Option<Option<i32>>,
    staff_seats: Option<Option<i32>>,
    products: Option<Option<i32>>,
    soft_quotas: Option<Vec<String>>,
    updated_at: chrono::DateTime<Utc>,
}

/// A field that may not be null: its value, or an error naming it.
fn required<T: Clone>(v: &mut Validator, field: &str, value: &Option<Option<T>>) -> Option<T> {
    match value {
        Some(None) => {
            v.check(false, field, "required", "must not be null");
            None
        }
        Some(Some(value)) => Some(value.clone()),
        None => None,
    }
}

fn at_least<T: PartialOrd + Copy>(v: &mut Validator, field: &str, value: Option<Option<T>>, min: T, message: &str) {
    if let Some(Some(value)) = value {
        v.check(value >= min, field, "out_of_range", message);
    }
}

fn changes(req: &UpdatePlan) -> Result<PlanChanges> {
    let mut v = Validator::new();
    let display_name = required(&mut v, "display_name", &req.display_name).map(|n| n.trim().to_owned());
    if let Some(name) = &display_name {
        v.length(name, "display_name", 1, 80);
    }
    let requests_per_second = required(&mut v, "requests_per_second", &req.requests_per_second);
    at_least(&mut v, "requests_per_second", req.requests_per_second, 1, "must be at least 1");
    let request_burst = required(&mut v, "request_burst", &req.request_burst);
    at_least(&mut v, "request_burst", req.request_burst, 1, "must be at least 1");
    for (field, value) in [
        ("monthly_api_calls", req.monthly_api_calls),
        ("monthly_whatsapp_messages", req.monthly_whatsapp_messages),
        ("monthly_instagram_messages", req.monthly_instagram_messages),
        ("monthly_email_messages", req.monthly_email_messages),
        ("monthly_sms_messages", req.monthly_sms_messages),
        ("monthly_webhook_deliveries", req.monthly_webhook_deliveries),
    ] {
        at_least(&mut v, field, value, 0, "must be 0 or more (null: unlimited)");
    }
    for (field, value) in
        [("webhook_endpoints", req.webhook_endpoints), ("staff_seats", req.staff_seats), ("products", req.products)]
    {
        at_least(&mut v, field, value, 0, "must be 0 or more (null: unlimited)");
    }
    let soft_quotas = required(&mut v, "soft_quotas", &req.soft_quotas).map(|mut metrics| {
        for (i, metric) in metrics.iter().enumerate() {
            let known = crate::usage::Metric::from_name(metric).is_some();
            v.check(known, &format!("soft_quotas[{i}]"), "invalid", "is not a metric with a monthly quota");
        }
        metrics.sort();
        metrics.dedup();
        metrics
    });
    v.finish()?;
    Ok(PlanChanges {
        display_name,
        requests_per_second,
        request_burst,
        monthly_api_calls: req.monthly_api_calls,
        monthly_whatsapp_messages: req.monthly_whatsapp_messages,
        monthly_instagram_messages: req.monthly_instagram_messages,
        monthly_email_messages: req.monthly_email_messages,
        monthly_sms_messages: req.monthly_sms_messages,
        monthly_webhook_deliveries: req.monthly_webhook_deliveries,
        webhook_endpoints: req.webhook_endpoints,
        staff_seats: req.staff_seats,
        products: req.products,
        soft_quotas,
        updated_at: Utc::now(),
    })
}

/// Changes the allowances of the plan named `name` (404 for an unknown plan; an empty patch
/// changes nothing, `updated_at` included), then forgets every cached store plan.
pub async fn update_plan(core: &Core, name: &str, req: UpdatePlan) -> Result<Plan> {
    let mut conn = core.pool.get().await?;
    let load = async |conn: &mut diesel_async::AsyncPgConnection| -> Result<Plan> {
        let plan = plans::table.find(name).select(Plan::as_select()).first(conn).await.optional()?;
        plan.ok_or_else(|| Error::not_found("plan"))
    };
    if crate::patch::is_empty(&req) {
        return load(&mut conn).await;
    }
    let changes = changes(&req)?;
    let plan = diesel::update(plans::table.find(name))
        .set(changes)
        .returning(Plan::as_returning())
        .get_result(&mut conn)
        .await
        .optional()?;
    let Some(plan) = plan else { return Err(Error::not_found("plan")) };
    core.plans.forget_all();
    Ok(plan)
}

/// `PATCH /v1/admin/stores/{store_id}`: the plan to move the store to (absent: no change).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct SetStorePlan {
    /// The plan's name, as `GET /v1/admin/plans` lists it.
    #[schema(example = "pro")]
    pub plan: Option<String>,
}

/// Moves `store` to another plan (404 for an unknown store, 422 naming `plan` for an unknown
/// plan), then forgets the store's cached plan.
pub async fn set_store_plan(core: &Core, store: StoreId, req: SetStorePlan) -> Result<Store> {
    let Some(plan) = req.plan.as_deref().map(str::trim) else {
        return PgStoreService::new(core.clone()).get(store).await;
    };
    let unknown = || Error::field("plan", "invalid", "is not a plan");
    if plan.is_empty() || plan.len() > 32 {
        return Err(unknown());
    }
    let mut conn = core.pool.get().await?;
    let exists: Option<String> = plans::table.find(plan).select(plans::name).first(&mut conn).await.optional()?;
    if exists.is_none() {
        return Err(unknown());
    }
    let target = stores::table.find(store.uuid()).filter(stores::deleted_at.is_null());
    let row: Option<StoreRow> = diesel::update(target)
        .set((stores::plan.eq(plan), stores::updated_at.eq(Utc::now())))
        .returning(StoreRow::as_returning())
        .get_result(&mut conn)
        .await
        .optional()?;
    let store_row = row.ok_or_else(|| Error::not_found("store"))?;
    let store = Store::from(store_row);
    core.plans.forget(store.id);
    core.cache.delete(&crate::tenancy::stores::slug_key(&store.slug)).await;
    Ok(store)
}
