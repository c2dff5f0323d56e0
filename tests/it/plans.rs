//! Plans as data: seeded by a migration, every store on one (`free` by default).

use balcao_core::id::StoreId;
use balcao_core::tenancy::plans::{DEFAULT_PLAN, PgPlanService, PlanService};
use balcao_tests::{SEEDED_PLAN_RATES, TestApp};
use reqwest::StatusCode;

#[tokio::test]
async fn every_store_starts_on_free_and_the_seeded_plans_rise_from_free_to_enterprise() {
    let app = TestApp::spawn_with(&[(SEEDED_PLAN_RATES, "1")]).await;
    let token = app.user().await.token;
    let store = app.store(&token).await;
    let (status, body) = app.get(&format!("/v1/stores/{store}"), &token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["plan"], DEFAULT_PLAN, "{body}");

    let plans = PgPlanService::new(app.core.clone());
    let id = StoreId(store.parse().unwrap_or_default());
    assert_eq!(plans.for_store(id).await.map(|p| p.name).ok().as_deref(), Some("free"));

    let all = plans.list().await.unwrap_or_default();
    let names: Vec<&str> = all.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["free", "pro", "enterprise"]);
    for pair in all.windows(2) {
        let (lower, higher) = (&pair[0], &pair[1]);
        assert!(lower.requests_per_second < higher.requests_per_second, "{} < {}", lower.name, higher.name);
        assert!(lower.request_burst < higher.request_burst, "{} < {}", lower.name, higher.name);
        let more = |a: Option<i64>, b: Option<i64>| b.is_none_or(|b| a.is_some_and(|a| a < b));
        assert!(more(lower.monthly_api_calls, higher.monthly_api_calls), "{} < {}", lower.name, higher.name);
        assert!(more(lower.monthly_whatsapp_messages, higher.monthly_whatsapp_messages), "{}", higher.name);
        assert!(
            more(lower.products.map(i64::from), higher.products.map(i64::from)),
            "{} < {}",
            lower.name,
            higher.name
        );
    }
    let enterprise = plans.get("enterprise").await.ok();
    assert_eq!(enterprise.and_then(|p| p.monthly_api_calls), None, "enterprise calls are unlimited");
    assert!(plans.get("gold").await.is_err(), "an unknown plan is not found");
}
