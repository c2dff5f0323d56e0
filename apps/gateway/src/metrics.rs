//! Prometheus metrics.

use prometheus::{Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGaugeVec, Opts, Registry, TextEncoder};

use balcao_core::{Core, Error};

/// The metrics the gateway exports.
pub struct Metrics {
    registry: Registry,
    /// Requests by method, route pattern and status.
    pub requests: IntCounterVec,
    /// Request latency by method and route pattern.
    pub latency: HistogramVec,
    /// Rate limiter decisions by policy (`read`, `write`, `expensive`, `storefront`, ...) and
    /// decision (`allowed`, `limited`, `fallback`: decided in process while Redis is down).
    pub rate_limits: IntCounterVec,
    pool: IntGaugeVec,
    jobs: IntGaugeVec,
}

impl Metrics {
    /// Registers every metric.
    pub fn new() -> prometheus::Result<Self> {
        let registry = Registry::new_custom(Some("balcao".into()), None)?;
        let requests = IntCounterVec::new(
            Opts::new("http_requests_total", "HTTP requests by method, route and status"),
            &["method", "route", "status"],
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new("http_request_duration_seconds", "HTTP request latency by method and route")
                .buckets(vec![0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0]),
            &["method", "route"],
        )?;
        let rate_limits = IntCounterVec::new(
            Opts::new("rate_limit_decisions_total", "Rate limiter decisions by policy and decision"),
            &["policy", "decision"],
        )?;
        let pool =
            IntGaugeVec::new(Opts::new("db_pool_connections", "Database pool connections by state"), &["state"])?;
        let jobs = IntGaugeVec::new(Opts::new("jobs", "Jobs in the queue by status"), &["status"])?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        registry.register(Box::new(rate_limits.clone()))?;
        registry.register(Box::new(pool.clone()))?;
        registry.register(Box::new(jobs.clone()))?;
        Ok(Self { registry, requests, latency, rate_limits, pool, jobs })
    }

    /// Refreshes the gauges and renders the text format.
    pub async fn render(&self, core: &Core) -> Result<String, Error> {
        let status = core.pool.status();
        self.pool.with_label_values(&["size"]).set(i64::try_from(status.size).unwrap_or(i64::MAX));
        self.pool.with_label_values(&["available"]).set(i64::try_from(status.available).unwrap_or(i64::MAX));
        self.pool.with_label_values(&["waiting"]).set(i64::try_from(status.waiting).unwrap_or(i64::MAX));
        self.pool.with_label_values(&["max"]).set(i64::try_from(status.max_size).unwrap_or(i64::MAX));
        // Queue sizes are best effort: metrics stay available while the database is not.
        if let Ok(stats) = balcao_core::jobs::queue_stats(&core.pool).await {
            self.jobs.with_label_values(&["queued"]).set(stats.queued);
            self.jobs.with_label_values(&["running"]).set(stats.running);
            self.jobs.with_label_values(&["dead"]).set(stats.dead);
        }
        let mut out = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut out).map_err(Error::internal)?;
        String::from_utf8(out).map_err(Error::internal)
    }
}
