use std::time::Duration;

use super::local::LocalLimiter;
use super::*;

const MS: i64 = 1_000;

/// `(at, allowed, remaining, retry_after)` in microseconds from the first request, for 10
/// requests a second with a burst of 5: emission 100 ms, tolerance 400 ms.
const TEN_PER_SECOND_BURST_FIVE: &[(i64, bool, u32, i64)] = &[
    (0, true, 4, 0),
    (0, true, 3, 0),
    (0, true, 2, 0),
    (0, true, 1, 0),
    (0, true, 0, 0),
    // The sixth at once is refused: exactly `burst` pass, not `burst + 1`.
    (0, false, 0, 100 * MS),
    (50 * MS, false, 0, 50 * MS),
    (100 * MS, true, 0, 0),
    (100 * MS, false, 0, 100 * MS),
    (250 * MS, true, 0, 0),
    (299 * MS, false, 0, MS),
    // Idle long enough, the bucket is full again, and no fuller.
    (5_000 * MS, true, 4, 0),
];

#[test]
fn gcra_follows_the_reference_table() {
    let rate = Rate::new(10, Duration::from_secs(1), 5);
    assert_eq!((rate.emission_us(), rate.tolerance_us()), (100 * MS, 400 * MS));
    let start = 1_764_000_000_000_000;
    let mut tat = None;
    for (i, &(at, allowed, remaining, retry)) in TEN_PER_SECOND_BURST_FIVE.iter().enumerate() {
        let (decision, next) = decide(tat, start + at, &rate);
        assert_eq!(
            (decision.allowed, decision.remaining, decision.retry_after),
            (allowed, remaining, Duration::from_micros(u64::try_from(retry).unwrap_or(0))),
            "row {i} at {at} us"
        );
        assert_eq!(next.is_some(), allowed, "row {i}");
        tat = next.or(tat);
    }
}

#[test]
fn a_burst_of_one_admits_one_at_a_time_and_the_reset_is_when_the_bucket_is_full() {
    let rate = Rate::new(100, Duration::from_secs(1), 1);
    let (first, tat) = decide(None, 0, &rate);
    assert!(first.allowed && first.remaining == 0);
    assert_eq!(first.reset, Duration::from_millis(10));
    let (second, _) = decide(tat, 0, &rate);
    assert!(!second.allowed);
    assert_eq!(second.retry_after, Duration::from_millis(10));
}

#[test]
fn a_divided_rate_keeps_at_least_one_request() {
    let rate = Rate::new(100, Duration::from_secs(1), 40);
    assert_eq!(rate.divided(4), Rate::new(25, Duration::from_secs(1), 10));
    assert_eq!(Rate::new(1, Duration::from_secs(1), 1).divided(8), Rate::new(1, Duration::from_secs(1), 1));
}

#[test]
fn the_local_limiter_follows_the_reference_table_too() {
    // governor on a fake clock, walked through the same table as the script's arithmetic.
    let clock = governor::clock::FakeRelativeClock::default();
    let limiter = LocalLimiter::with_clock(100, clock.clone());
    let rate = Rate::new(10, Duration::from_secs(1), 5);
    let mut now = 0;
    for (i, &(at, allowed, remaining, retry)) in TEN_PER_SECOND_BURST_FIVE.iter().enumerate() {
        clock.advance(Duration::from_micros(u64::try_from(at - now).unwrap_or(0)));
        now = at;
        let decision = limiter.check("k", &rate);
        assert_eq!(
            (decision.allowed, decision.remaining, decision.retry_after),
            (allowed, remaining, Duration::from_micros(u64::try_from(retry).unwrap_or(0))),
            "row {i} at {at} us"
        );
    }
}

#[test]
fn the_local_limiter_keeps_one_state_per_key_and_starts_afresh_when_the_rate_changes() {
    let limiter = LocalLimiter::with_clock(100, governor::clock::FakeRelativeClock::default());
    let rate = Rate::new(1, Duration::from_secs(3600), 2);
    let first = limiter.check("a", &rate);
    assert!(first.allowed && first.remaining == 1);
    assert_eq!(first.reset, Duration::from_secs(3600), "one cell spent: full again in one emission");
    assert!(limiter.check("a", &rate).allowed);
    let refused = limiter.check("a", &rate);
    assert!(!refused.allowed);
    assert_eq!((refused.retry_after, refused.reset), (Duration::from_secs(3600), Duration::from_secs(7200)));
    assert!(limiter.check("b", &rate).allowed, "another key has its own bucket");
    let upgraded = Rate::new(1, Duration::from_secs(3600), 10);
    let after = limiter.check("a", &upgraded);
    assert!(after.allowed && after.remaining == 9, "a new plan's rate applies at once: {after:?}");
}

fn redis_url() -> String {
    std::env::var("TEST_REDIS_URL")
        .or_else(|_| std::env::var("REDIS_URL"))
        .ok()
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| "redis://127.0.0.1:6379".to_owned())
}

#[tokio::test]
async fn the_lua_script_gives_the_same_answers_on_the_redis_clock_shared_by_every_client() {
    use deadpool_redis::redis;
    let Ok(client) = redis::Client::open(redis_url()) else { panic!("redis url") };
    let mut one = client.get_multiplexed_async_connection().await.unwrap_or_else(|e| panic!("redis: {e}"));
    let mut two = client.get_multiplexed_async_connection().await.unwrap_or_else(|e| panic!("redis: {e}"));
    let script = redis::Script::new(SCRIPT);
    let key = format!("test:rl:{{{}}}:gcra", uuid::Uuid::now_v7());
    // One an hour with a burst of 3: no cell drains while the test runs.
    let rate = Rate::new(1, Duration::from_secs(3600), 3);
    let mut answers = Vec::new();
    for i in 0..4 {
        let conn = if i % 2 == 0 { &mut one } else { &mut two };
        let reply: Vec<i64> = script
            .key(&key)
            .key(&key)
            .key(&key)
            .arg(rate.emission_us())
            .arg(rate.tolerance_us())
            .arg("")
            .arg("")
            .arg(0)
            .arg(-1)
            .arg(0)
            .arg(60)
            .arg(60)
            .invoke_async(conn)
            .await
            .unwrap_or_else(|e| panic!("script: {e}"));
        answers.push(Decision::from_reply(reply.get(..4).unwrap_or(&[])).unwrap_or_else(|| panic!("reply {reply:?}")));
    }
    let seen: Vec<(bool, u32)> = answers.iter().map(|d| (d.allowed, d.remaining)).collect();
    assert_eq!(seen, [(true, 2), (true, 1), (true, 0), (false, 0)], "two clients share one limit");
    let retry = answers[3].retry_after;
    assert!(retry > Duration::from_secs(3590) && retry <= Duration::from_secs(3600), "{retry:?}");
    let stored: String = redis::cmd("GET").arg(&key).query_async(&mut one).await.unwrap_or_default();
    assert!(stored.chars().all(|c| c.is_ascii_digit()) && stored.len() >= 16, "the TAT is stored exactly: {stored}");
    let ttl: i64 = redis::cmd("PTTL").arg(&key).query_async(&mut one).await.unwrap_or(-1);
    assert!(ttl > 0 && ttl <= 3 * 3_600_000, "the key expires once the bucket is full: {ttl}");
    let _: () = redis::cmd("DEL").arg(&key).query_async(&mut one).await.unwrap_or(());
}

#[tokio::test]
async fn the_limiter_meters_in_the_same_call_and_refuses_past_a_hard_allowance_without_counting() {
    use crate::id::StoreId;
    use crate::usage::{self, Metric};
    use deadpool_redis::redis;
    let prefix = format!("test:{}:", uuid::Uuid::now_v7());
    let Ok(limiter) = super::Limiter::new(Some(&redis_url()), &prefix, 1) else { panic!("limiter") };
    let store = StoreId::new();
    let charge = super::Charge {
        store,
        metric: Metric::ApiCalls,
        detail: Some("read"),
        units: 1,
        allowance: Some(3),
        hard: true,
    };
    let rate = Rate::new(1000, Duration::from_secs(1), 1000);
    let key = super::limiter_key(&store.uuid().to_string(), "cred", "read");
    let mut used = Vec::new();
    for _ in 0..5 {
        let outcome = limiter.check(Some((&key, rate)), Some(&charge)).await;
        assert!(!outcome.fallback, "redis answers");
        let quota = outcome.quota.unwrap_or_else(|| panic!("metered: {outcome:?}"));
        used.push((outcome.allowed(), quota.used));
    }
    assert_eq!(used, [(true, 1), (true, 2), (true, 3), (false, 3), (false, 3)], "refused calls are not counted");
    let Ok(client) = redis::Client::open(redis_url()) else { panic!("redis url") };
    let mut conn = client.get_multiplexed_async_connection().await.unwrap_or_else(|e| panic!("redis: {e}"));
    let today = chrono::Utc::now().date_naive();
    let day: std::collections::HashMap<String, i64> = redis::cmd("HGETALL")
        .arg(format!("{prefix}{}", usage::day_key(store, today)))
        .query_async(&mut conn)
        .await
        .unwrap_or_default();
    assert_eq!(day.get("api_calls.read"), Some(&3), "the day's hash counts by route class: {day:?}");
    let soft = super::Charge { hard: false, ..charge };
    let outcome = limiter.check(None, Some(&soft)).await;
    assert!(outcome.allowed() && outcome.quota.is_some_and(|q| q.used == 4), "a soft quota runs over: {outcome:?}");
}

#[tokio::test]
async fn without_redis_each_instance_limits_alone_at_its_share_and_counts_the_fallback() {
    // Nothing listens on port 1: every call fails fast and the breaker opens.
    let Ok(limiter) = super::Limiter::new(Some("redis://127.0.0.1:1"), "", 4) else { panic!("limiter") };
    let rate = Rate::new(1, Duration::from_secs(3600), 8);
    let mut allowed = 0;
    for _ in 0..10 {
        let outcome = limiter.check(Some(("rl:{x}:k:read", rate)), None).await;
        assert!(outcome.fallback);
        allowed += u32::from(outcome.allowed());
    }
    assert_eq!(allowed, 2, "a quarter of the burst of 8");
    assert_eq!(limiter.fallbacks(), 10);
}
