//! What the usage suites share: metering a store directly through the limiter, plans changed in
//! the test's own database, and the store's usage report.

use balcao_core::id::StoreId;
use balcao_core::ratelimit::Charge;
use balcao_core::usage::Metric;
use balcao_tests::TestApp;
use diesel::sql_types::{BigInt, Text, Uuid as SqlUuid};
use diesel_async::RunQueryDsl;
use serde_json::Value;

pub fn store_id(store: &str) -> StoreId {
    StoreId(store.parse().unwrap())
}

/// Counts `n` units of `metric` (split by `detail`) for `store`, as the request path does.
pub async fn meter(app: &TestApp, store: StoreId, metric: Metric, detail: Option<&'static str>, n: u32) {
    let plan = app.core.plans.for_store(&app.core.pool, store).await.unwrap().expect("the store's plan");
    for _ in 0..n {
        let outcome = app.core.limiter.check(None, Some(&Charge::new(store, metric, detail, 1, &plan))).await;
        assert!(!outcome.fallback, "Redis answered");
        assert!(outcome.quota.is_some_and(|q| !q.refused), "metered: {outcome:?}");
    }
}

/// Sets `plan`'s allowance column `column` to `value` (the test's database only).
pub async fn allow(app: &TestApp, plan: &str, column: &str, value: i64) {
    let mut conn = app.core.pool.get().await.unwrap();
    diesel::sql_query(format!("UPDATE plans SET {column} = $1 WHERE name = $2"))
        .bind::<BigInt, _>(value)
        .bind::<Text, _>(plan)
        .execute(&mut conn)
        .await
        .unwrap();
    drop(conn);
    app.core.plans.forget_all();
}

/// Moves `store` to `plan`.
pub async fn move_to(app: &TestApp, store: StoreId, plan: &str) {
    let mut conn = app.core.pool.get().await.unwrap();
    diesel::sql_query("UPDATE stores SET plan = $1 WHERE id = $2")
        .bind::<Text, _>(plan)
        .bind::<SqlUuid, _>(store.uuid())
        .execute(&mut conn)
        .await
        .unwrap();
    drop(conn);
    app.core.plans.forget(store);
}

/// The store's usage report (200).
pub async fn usage(app: &TestApp, token: &str, store: &str) -> Value {
    // Through the report's own function: a GET would itself be an API call, metered as one.
    let _ = token;
    let id = StoreId(store.parse().expect("a store id"));
    let report = balcao_core::usage::report::report(&app.core, id, &Default::default()).await.expect("report");
    serde_json::to_value(report).expect("report json")
}

/// One metric's entry in a usage report.
pub fn metric<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["metrics"].as_array().unwrap().iter().find(|m| m["metric"] == name).unwrap_or_else(|| panic!("{report}"))
}

/// Today's counts in a usage report's daily series.
pub fn today(report: &Value) -> &Value {
    let day = chrono::Utc::now().date_naive().to_string();
    report["daily"].as_array().unwrap().iter().find(|d| d["day"] == day.as_str()).unwrap_or_else(|| panic!("{report}"))
}
