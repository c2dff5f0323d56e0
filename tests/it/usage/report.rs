//! The usage report's range checks and access, and the operator ranking.

use balcao_core::usage::ranking::{Order, ranking};
use balcao_core::usage::{Metric, flush};
use balcao_tests::TestApp;
use reqwest::StatusCode;

use super::support::{meter, store_id, usage};

#[tokio::test]
async fn the_report_covers_the_period_and_its_range_is_checked_naming_the_parameter() {
    let (app, token, store) = TestApp::shop().await;
    let report = usage(&app, &token, &store).await;
    let now = chrono::Utc::now();
    assert_eq!(
        report["period"]["start"],
        balcao_core::usage::period_start(now).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    );
    assert_eq!(report["plan"], "free");
    let names: Vec<&str> = report["metrics"].as_array().unwrap().iter().filter_map(|m| m["metric"].as_str()).collect();
    assert_eq!(names, Metric::ALL.map(Metric::name));
    let days = report["daily"].as_array().unwrap();
    assert!((28..=31).contains(&days.len()), "every day of the period: {report}");
    assert_eq!(days[0]["day"], report["from"]);

    let today = chrono::Utc::now().date_naive();
    let day = |ago: i64| (today - chrono::Duration::days(ago)).format("%Y-%m-%d").to_string();
    let path = format!("/v1/stores/{store}/usage?from={}&to={}", day(12), day(10));
    let (status, body) = app.get(&path, &token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["daily"].as_array().map(Vec::len), Some(3), "{body}");

    let backwards = format!("from={}&to={}", day(1), day(2));
    let too_long = format!("from={}&to={}", day(401), day(0));
    for (query, field) in
        [("from=yesterday", "from"), ("to=2026-02-30", "to"), (backwards.as_str(), "to"), (too_long.as_str(), "to")]
    {
        let (status, body) = app.get(&format!("/v1/stores/{store}/usage?{query}"), &token).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {body}");
        assert_eq!(body["errors"][0]["field"], field, "{query}: {body}");
    }

    let stranger = app.user().await;
    let (status, _) = app.get(&format!("/v1/stores/{store}/usage"), &stranger.token).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "another store's usage is not there");
    let (_, store_b, viewer) = app.store_with_member("viewer").await;
    let (status, body) = app.get(&format!("/v1/stores/{store_b}/usage"), &viewer.token).await;
    assert_eq!(status, StatusCode::OK, "store:read is enough: {body}");
}

#[tokio::test]
async fn every_stores_usage_ranks_by_a_metric_both_ways_in_pages() {
    let app = TestApp::spawn().await;
    let owner = app.user().await;
    let mut stores = Vec::new();
    for n in [3, 1, 2] {
        let store = app.store(&owner.token).await;
        meter(&app, store_id(&store), Metric::WhatsappMessages, None, n).await;
        stores.push(store);
    }
    let quiet = app.store(&owner.token).await;
    flush::run(&app.core).await.unwrap();

    let desc = ranking(&app.core, Metric::WhatsappMessages, Order::Desc, 10, 0).await.unwrap();
    let order: Vec<String> = desc.data.iter().map(|s| s.store_id.to_string()).collect();
    assert_eq!(order, [stores[0].clone(), stores[2].clone(), stores[1].clone(), quiet.clone()]);
    assert_eq!(desc.data[0].usage.used, 3);
    assert_eq!(desc.data[0].usage.limit, Some(1000), "free's allowance");
    assert_eq!(desc.next_offset, None);
    let asc = ranking(&app.core, Metric::WhatsappMessages, Order::Asc, 2, 0).await.unwrap();
    let order: Vec<String> = asc.data.iter().map(|s| s.store_id.to_string()).collect();
    assert_eq!(order, [quiet.clone(), stores[1].clone()]);
    assert_eq!(asc.next_offset, Some(2));
    let rest = ranking(&app.core, Metric::WhatsappMessages, Order::Asc, 2, 2).await.unwrap();
    assert_eq!(rest.data.len(), 2);
    assert_eq!(rest.next_offset, None);
    let other = ranking(&app.core, Metric::ApiCalls, Order::Desc, 10, 0).await.unwrap();
    assert!(other.data.iter().all(|s| s.usage.used == 0), "by another metric, nothing");
}
