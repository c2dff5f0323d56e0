//! The cache: expiry and counting in-process, and Redis failures that neither fail nor slow
//! requests (a real Redis behind a loopback proxy that can be cut).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Mutex;
use std::sync::atomic::AtomicUsize;

use tokio::net::{TcpListener, TcpStream};
use tokio::task::AbortHandle;

use super::*;

#[tokio::test]
async fn local_cache_expires_and_counts() {
    let cache = LocalCache::default();
    cache.set("a", b"1", Duration::from_millis(30)).await;
    assert_eq!(cache.get("a").await, Some(b"1".to_vec()));
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert_eq!(cache.get("a").await, None);
    assert_eq!(cache.incr("n", Duration::from_secs(60)).await, 1);
    assert_eq!(cache.incr("n", Duration::from_secs(60)).await, 2);
    cache.delete("n").await;
    assert_eq!(cache.incr("n", Duration::from_secs(60)).await, 1);
}

#[tokio::test]
async fn redis_down_bypasses() {
    // Nothing listens on port 1: every call must degrade, not fail.
    let cache = RedisCache::new("redis://127.0.0.1:1", "t:").unwrap();
    cache.set("a", b"1", Duration::from_secs(5)).await;
    assert_eq!(cache.get("a").await, None);
    assert_eq!(cache.incr("n", Duration::from_secs(5)).await, 1);
    assert_eq!(cache.incr("n", Duration::from_secs(5)).await, 2);
    assert!(!cache.healthy().await);
}

/// A TCP proxy to the test Redis that can be cut (open connections dropped, new ones refused
/// at once) and restored, counting the connections it is asked for.
struct Proxy {
    url: String,
    up: Arc<AtomicBool>,
    links: Arc<Mutex<Vec<AbortHandle>>>,
    connections: Arc<AtomicUsize>,
}

impl Proxy {
    async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("redis://{}", listener.local_addr().unwrap());
        let target =
            std::env::var("REDIS_URL").ok().filter(|u| !u.is_empty()).unwrap_or("redis://127.0.0.1:6379".into());
        let target = target.trim_start_matches("redis://").trim_end_matches('/').to_owned();
        let (up, links, connections) = (Arc::new(AtomicBool::new(true)), Arc::default(), Arc::new(AtomicUsize::new(0)));
        let proxy = Self { url, up: up.clone(), links: Arc::clone(&links), connections: connections.clone() };
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                connections.fetch_add(1, Ordering::SeqCst);
                if !up.load(Ordering::SeqCst) {
                    continue;
                }
                let target = target.clone();
                let task = tokio::spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                links.lock().unwrap().push(task.abort_handle());
            }
        });
        proxy
    }

    fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        self.links.lock().unwrap().drain(..).for_each(|link| link.abort());
    }

    fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }

    fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }
}

#[tokio::test]
async fn a_redis_outage_opens_the_breaker_and_its_return_closes_it() {
    let proxy = Proxy::start().await;
    let prefix = format!("breaker-test:{}:", uuid::Uuid::now_v7());
    let cache = RedisCache::with_probe_interval(&proxy.url, &prefix, Duration::from_millis(200)).unwrap();
    cache.set("k", b"v", Duration::from_secs(30)).await;
    assert_eq!(cache.get("k").await, Some(b"v".to_vec()));
    assert!(cache.healthy().await);

    proxy.cut();
    assert_eq!(cache.get("k").await, None, "the first call after the cut misses and opens the breaker");
    let before = proxy.connections();
    for _ in 0..200 {
        cache.set("k", b"w", Duration::from_secs(30)).await;
        assert_eq!(cache.get("k").await, Some(b"w".to_vec()), "while open, the process keeps what was written");
    }
    cache.delete("k").await;
    assert_eq!(cache.get("k").await, None, "and forgets it when told");
    cache.set("k", b"w", Duration::from_secs(30)).await;
    assert_eq!(cache.incr("n", Duration::from_secs(30)).await, 1, "counters fall back to the process");
    assert_eq!(cache.incr("n", Duration::from_secs(30)).await, 2);
    assert!(!cache.healthy().await);
    // 400 calls while open reach for Redis not at all; only the probe does, every 200 ms.
    assert!(proxy.connections() - before < 20, "{} connections while open", proxy.connections() - before);

    proxy.restore();
    let mut back = false;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        if cache.healthy().await {
            back = true;
            break;
        }
    }
    assert!(back, "the probe closed the breaker once Redis answered");
    assert_eq!(cache.get("k").await, Some(b"v".to_vec()), "the value written before the outage is read again");
    cache.delete("k").await;
}
