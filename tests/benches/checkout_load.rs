//! Load scenario: concurrent shoppers each open a cart, add an item and check out.
//!
//! Run with `cargo bench -p balcao-tests --bench checkout_load` (PostgreSQL and Redis running).
//! Settings: `LOAD_SHOPPERS` (default 8) concurrent shoppers for `LOAD_SECONDS` (default 10).
//! Prints orders per second and checkout latency percentiles.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::time::{Duration, Instant};

use balcao_tests::commerce::Commerce;
use reqwest::{Method, StatusCode};

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() {
    let shoppers = setting("LOAD_SHOPPERS", 8);
    let seconds = setting("LOAD_SECONDS", 10);
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    runtime.block_on(async move {
        let shop = Commerce::open_with(&[
            ("BALCAO_HTTP_WORKERS", "2"),
            ("BALCAO_DB_POOL_SIZE", "20"),
            // Every shopper comes from loopback: lift the per-address limits for the load.
            ("BALCAO_CARTS_PER_HOUR", "1000000"),
            ("BALCAO_CHECKOUTS_PER_HOUR", "1000000"),
        ])
        .await;
        let (_, variant) = shop.product("Produto de carga", "LOAD-1", 4990, 1_000_000).await;
        let shop = std::sync::Arc::new(shop);
        let deadline = Instant::now() + Duration::from_secs(seconds);
        let started = Instant::now();
        let tasks: Vec<_> = (0..shoppers)
            .map(|n| {
                let shop = shop.clone();
                let variant = variant.clone();
                tokio::spawn(async move {
                    let mut latencies = Vec::new();
                    let mut failures = 0u64;
                    let mut i = 0u64;
                    while Instant::now() < deadline {
                        i += 1;
                        let cart = shop.cart(&variant, 1).await;
                        let begun = Instant::now();
                        let (status, _) = shop
                            .checkout(&cart, &format!("load-{n}-{i}"), shop.pickup_checkout("load@example.com"))
                            .await;
                        if status == StatusCode::CREATED {
                            latencies.push(begun.elapsed());
                        } else {
                            failures += 1;
                        }
                    }
                    (latencies, failures)
                })
            })
            .collect();
        let mut latencies = Vec::new();
        let mut failures = 0;
        for task in tasks {
            let (mut l, f) = task.await.unwrap();
            latencies.append(&mut l);
            failures += f;
        }
        let elapsed = started.elapsed().as_secs_f64();
        latencies.sort();
        let pct = |p: f64| latencies.get(((latencies.len() as f64 - 1.0) * p) as usize).copied().unwrap_or_default();
        let (_, orders) = shop.staff(Method::GET, "/orders?limit=1", None).await;
        assert!(orders["data"].as_array().is_some_and(|d| !d.is_empty()));
        println!(
            "checkout load: {shoppers} shoppers, {elapsed:.1} s: {} orders ({:.1} orders/s), {failures} failed; \
             checkout latency p50 {:?}, p99 {:?} (each order also creates a cart and adds an item)",
            latencies.len(),
            latencies.len() as f64 / elapsed,
            pct(0.5),
            pct(0.99),
        );
    });
}
