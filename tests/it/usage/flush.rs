//! The flush: N metered calls read N once flushed, also after a flush ran twice, was retried
//! after a crash past its commit, or crashed before it.

use balcao_core::id::StoreId;
use balcao_core::usage::Metric;
use balcao_core::usage::flush::{self, Applied};
use balcao_tests::TestApp;

use super::support::{meter, metric, store_id, today, usage};

#[tokio::test]
async fn n_calls_metered_read_n_once_flushed_also_after_a_double_flush_or_a_crash() {
    let (app, token, store) = TestApp::shop().await;
    let id = store_id(&store);
    meter(&app, id, Metric::ApiCalls, Some("read"), 5).await;
    meter(&app, id, Metric::ApiCalls, Some("write"), 2).await;
    meter(&app, id, Metric::SmsMessages, None, 1).await;

    let first = flush::run(&app.core).await.unwrap();
    assert_eq!(first.applied, 1, "one day hash: {first:?}");
    let report = usage(&app, &token, &store).await;
    assert_eq!(metric(&report, "api_calls")["used"], 7, "{report}");
    assert_eq!(metric(&report, "sms_messages")["used"], 1, "{report}");
    let counts = &today(&report)["counts"];
    assert_eq!((counts["api_calls.read"].as_i64(), counts["api_calls.write"].as_i64()), (Some(5), Some(2)), "{report}");

    // Flushing again adds nothing: the hash was taken away.
    let again = flush::run(&app.core).await.unwrap();
    assert_eq!(again.applied, 0, "{again:?}");
    assert_eq!(metric(&usage(&app, &token, &store).await, "api_calls")["used"], 7);

    // A crash after the commit, before the taken hash was deleted: the next run applies it
    // again, and the recorded flush makes that add nothing.
    meter(&app, id, Metric::ApiCalls, Some("read"), 3).await;
    let fresh = flush::scan(&app.core, false).await.unwrap();
    assert_eq!(fresh.len(), 1, "{fresh:?}");
    let taken = flush::take(&app.core, &fresh[0]).await.unwrap().expect("taken");
    assert!(flush::take(&app.core, &fresh[0]).await.unwrap().is_none(), "a hash is taken once");
    let counts = flush::read(&app.core, &taken).await.unwrap();
    assert_eq!(flush::apply(&app.core.pool, &taken, &counts).await.unwrap(), Applied::Added);
    assert_eq!(flush::apply(&app.core.pool, &taken, &counts).await.unwrap(), Applied::AlreadyApplied, "a retry");
    // (crash: no finish)
    assert_eq!(flush::scan(&app.core, true).await.unwrap(), std::slice::from_ref(&taken), "left taken");
    let retried = flush::run(&app.core).await.unwrap();
    assert_eq!(retried.applied, 0, "already applied: {retried:?}");
    assert!(flush::scan(&app.core, true).await.unwrap().is_empty(), "the leftover is gone");
    assert_eq!(metric(&usage(&app, &token, &store).await, "api_calls")["used"], 10);

    // A crash after taking the hash, before the commit: nothing is lost.
    meter(&app, id, Metric::ApiCalls, Some("expensive"), 4).await;
    let fresh = flush::scan(&app.core, false).await.unwrap();
    let taken = flush::take(&app.core, &fresh[0]).await.unwrap().expect("taken");
    // (crash: neither apply nor finish)
    meter(&app, id, Metric::ApiCalls, Some("read"), 1).await;
    let recovered = flush::run(&app.core).await.unwrap();
    assert_eq!(recovered.applied, 2, "the leftover and the new day hash: {recovered:?}");
    assert!(flush::scan(&app.core, true).await.unwrap().is_empty(), "{taken:?} was finished");
    let report = usage(&app, &token, &store).await;
    assert_eq!(metric(&report, "api_calls")["used"], 15, "{report}");
    let counts = &today(&report)["counts"];
    assert_eq!(counts["api_calls.read"], 9, "{report}");
    assert_eq!(counts["api_calls.expensive"], 4, "{report}");
}

#[tokio::test]
async fn a_store_that_no_longer_exists_is_skipped_and_never_blocks_the_flush() {
    let (app, token, store) = TestApp::shop().await;
    let id = store_id(&store);
    let plan = app.core.plans.for_store(&app.core.pool, id).await.unwrap().unwrap();
    let ghost = StoreId(uuid::Uuid::now_v7());
    let charge = balcao_core::ratelimit::Charge::new(ghost, Metric::ApiCalls, Some("read"), 2, &plan);
    app.core.limiter.check(None, Some(&charge)).await;
    meter(&app, id, Metric::ApiCalls, Some("read"), 1).await;

    let flushed = flush::run(&app.core).await.unwrap();
    assert_eq!((flushed.applied, flushed.skipped), (1, 1), "{flushed:?}");
    assert!(flush::scan(&app.core, true).await.unwrap().is_empty(), "nothing left taken");
    assert!(flush::scan(&app.core, false).await.unwrap().is_empty(), "nothing left fresh");
    assert_eq!(metric(&usage(&app, &token, &store).await, "api_calls")["used"], 1);
    let next = flush::run(&app.core).await.unwrap();
    assert_eq!((next.applied, next.skipped), (0, 0), "{next:?}");
}

#[tokio::test]
async fn the_worker_flushes_usage_on_its_own() {
    let app = TestApp::spawn_with(&[("BALCAO_JOB_POLL_MS", "100")]).await;
    let user = app.user().await;
    let store = app.store(&user.token).await;
    meter(&app, store_id(&store), Metric::ApiCalls, Some("read"), 3).await;
    // The job due at the next minute, run now rather than waiting for it.
    balcao_core::usage::job::schedule(&app.core).await.unwrap();
    {
        use diesel_async::RunQueryDsl;
        let mut conn = app.core.pool.get().await.unwrap();
        let pending = diesel::sql_query("UPDATE jobs SET run_at = now() WHERE kind = 'usage.flush'")
            .execute(&mut conn)
            .await
            .unwrap();
        assert_eq!(pending, 1, "one flush is pending, however often it is scheduled");
    }
    let worker = app.worker().await;
    let mut used = serde_json::Value::Null;
    for _ in 0..100 {
        used = metric(&usage(&app, &user.token, &store).await, "api_calls")["used"].clone();
        if used == 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(used, 3);
    worker.stop().await;
}
