//! Query counts: credentials are cached, and lists cost the same whatever their size.

use balcao_tests::TestApp;
use reqwest::StatusCode;

#[tokio::test]
async fn an_authenticated_request_reuses_the_cached_principal() {
    let app = TestApp::spawn().await;
    let user = app.user().await;
    let store = app.store(&user.token).await;
    let path = format!("/v1/stores/{store}");
    let (cold, (status, _)) = app.count_queries(app.get(&path, &user.token)).await;
    assert_eq!(status, StatusCode::OK);
    let (warm, (status, _)) = app.count_queries(app.get(&path, &user.token)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(warm, 1, "only the store read itself (cold: {cold})");
    assert!(cold > warm);

    let key = app.api_key(&user.token, &store, Some(&["store:read"])).await;
    app.get(&path, &key).await;
    let (warm_key, _) = app.count_queries(app.get(&path, &key)).await;
    assert_eq!(warm_key, 1, "API keys are cached too");
}

#[tokio::test]
async fn lists_run_a_fixed_number_of_queries() {
    let app = TestApp::spawn().await;
    let user = app.user().await;
    let store = app.store(&user.token).await;
    app.set_plan(&store, "pro").await; // more seats than free's 3
    for _ in 0..25 {
        app.api_key(&user.token, &store, None).await;
    }
    for _ in 0..3 {
        let other = app.user().await;
        app.add_member(&user.token, &store, &other.email, "staff").await;
    }
    for list in ["api-keys", "members"] {
        let small_path = format!("/v1/stores/{store}/{list}?limit=1");
        let large_path = format!("/v1/stores/{store}/{list}?limit=100");
        app.get(&small_path, &user.token).await; // warm the credential cache
        let (small, (_, page)) = app.count_queries(app.get(&small_path, &user.token)).await;
        assert_eq!(page["data"].as_array().map(Vec::len), Some(1));
        let (large, (_, page)) = app.count_queries(app.get(&large_path, &user.token)).await;
        assert!(page["data"].as_array().map(Vec::len).unwrap_or(0) >= 4, "{page}");
        assert_eq!(small, large, "{list}: page size does not change the query count");
        assert_eq!(large, 1, "{list}: one query per page");
    }
}
