//! The job that sends one delivery: signed per Standard Webhooks, to an address the
//! SSRF guard checked, without following redirects, retried on a Svix-like schedule.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use balcao_core::Core;
use balcao_core::error::Error;
use balcao_core::events;
use balcao_core::id::EventId;
use balcao_core::jobs::{JobContext, JobError, JobHandler, with_jitter};
use chrono::Utc;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use reqwest::Url;
use serde::{Deserialize, Serialize};

use super::model::{DEAD, Delivery, FAILED, SUCCEEDED};
use super::schema::{webhook_attempts as wa, webhook_deliveries as wd};
use crate::endpoints::service::secret_context;
use crate::endpoints::{EndpointId, EndpointRow};
use crate::guard;
use crate::schema::webhook_endpoints as we;
use crate::signing::{Secret, signature_header};

/// The job kind.
pub const DELIVER_JOB: &str = "webhooks.deliver";
/// Attempts per delivery job.
pub const MAX_ATTEMPTS: i32 = 8;
/// Delay before each attempt, in seconds: immediately, 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
pub const RETRY_SCHEDULE_SECS: [u64; 8] = [0, 5, 300, 1_800, 7_200, 18_000, 36_000, 36_000];
/// The jitter applied to each delay (±10 %).
pub const JITTER: f64 = 0.1;
/// The request timeout.
pub const TIMEOUT: Duration = Duration::from_secs(15);
/// The most response body bytes kept in the attempt log.
pub const MAX_LOGGED_BODY: usize = 2048;
/// The longest `Retry-After` honoured (a day).
pub const MAX_RETRY_AFTER_SECS: u64 = 86_400;

/// The job's payload.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DeliverPayload {
    /// The store.
    pub store_id: uuid::Uuid,
    /// The delivery.
    pub delivery_id: uuid::Uuid,
}

/// Sends deliveries.
pub struct DeliverJob {
    core: Core,
}

impl DeliverJob {
    /// A handler on the shared handles.
    pub fn new(core: Core) -> Self {
        Self { core }
    }
}

/// The scheduled delay after attempt `attempt` failed, scaled by `scale`, before jitter.
pub fn scheduled_delay(attempt: i32, scale: f64) -> Duration {
    let index = usize::try_from(attempt.max(1)).unwrap_or(1).min(RETRY_SCHEDULE_SECS.len() - 1);
    Duration::from_secs(RETRY_SCHEDULE_SECS[index]).mul_f64(scale.max(0.0))
}

/// What one attempt came to.
struct Outcome {
    status: Option<u16>,
    body: String,
    error: Option<String>,
    retry_after: Option<Duration>,
}

fn truncate(bytes: &[u8]) -> String {
    let cut = &bytes[..bytes.len().min(MAX_LOGGED_BODY)];
    let mut text = String::from_utf8_lossy(cut).into_owned();
    while text.len() > MAX_LOGGED_BODY {
        text.pop();
    }
    text
}

fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let secs: u64 = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?.trim().parse().ok()?;
    Some(Duration::from_secs(secs.min(MAX_RETRY_AFTER_SECS)))
}

async fn read_body(mut response: reqwest::Response) -> Vec<u8> {
    let mut body = Vec::new();
    while body.len() < MAX_LOGGED_BODY {
        match response.chunk().await {
            Ok(Some(chunk)) => body.extend_from_slice(&chunk),
            _ => break,
        }
    }
    body
}

impl DeliverJob {
    async fn send(&self, url: &Url, headers: &[(String, String)], body: Vec<u8>) -> Outcome {
        let failed =
            |error: String| Outcome { status: None, body: String::new(), error: Some(error), retry_after: None };
        let addrs = match guard::check_destination(url, self.core.config.webhooks_allow_private).await {
            Ok(addrs) => addrs,
            Err(e) => return failed(format!("destination refused: {e}")),
        };
        let mut builder = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).timeout(TIMEOUT);
        if let Some(host) = url.host_str() {
            builder = builder.resolve_to_addrs(host, &addrs);
        }
        let client = match builder.build() {
            Ok(client) => client,
            Err(e) => return failed(format!("client: {e}")),
        };
        let mut request = client.post(url.clone()).body(body);
        for (name, value) in headers {
            request = request.header(name.as_str(), value.as_str());
        }
        match request.send().await {
            Ok(response) => {
                let status = response.status().as_u16();
                let retry_after = retry_after(response.headers());
                let body = truncate(&read_body(response).await);
                Outcome { status: Some(status), body, error: None, retry_after }
            }
            Err(e) => failed(format!("request failed: {e}")),
        }
    }
}

#[async_trait]
impl JobHandler for DeliverJob {
    async fn run(&self, job: &JobContext) -> Result<(), JobError> {
        let DeliverPayload { store_id, delivery_id } = job.payload()?;
        let mut conn = self.core.pool.get().await.map_err(Error::from)?;
        let delivery: Delivery = wd::table
            .filter(wd::store_id.eq(store_id))
            .filter(wd::id.eq(delivery_id))
            .select(Delivery::as_select())
            .first(&mut conn)
            .await
            .optional()
            .map_err(Error::from)?
            .ok_or_else(|| JobError::Permanent(format!("delivery {delivery_id} is gone")))?;
        let endpoint: EndpointRow = we::table
            .filter(we::store_id.eq(store_id))
            .filter(we::id.eq(delivery.endpoint_id))
            .select(EndpointRow::as_select())
            .first(&mut conn)
            .await
            .optional()
            .map_err(Error::from)?
            .ok_or_else(|| JobError::Permanent("webhook endpoint is gone".into()))?;
        let now = Utc::now();
        if !endpoint.active {
            diesel::update(wd::table.filter(wd::store_id.eq(store_id)).filter(wd::id.eq(delivery_id)))
                .set((
                    wd::status.eq(DEAD),
                    wd::next_attempt_at.eq(None::<chrono::DateTime<Utc>>),
                    wd::updated_at.eq(now),
                ))
                .execute(&mut conn)
                .await
                .map_err(Error::from)?;
            return Err(JobError::Permanent("webhook endpoint is disabled".into()));
        }
        let event = events::load(&mut conn, EventId(delivery.event_id)).await?;
        // Serialized once: these are the exact bytes signed and sent.
        let body = serde_json::to_vec(&event).map_err(Error::internal)?;
        let sealed = self.core.config.keyring.open(&endpoint.secrets, &secret_context(EndpointId(endpoint.id)))?;
        let secrets: Vec<Secret> = serde_json::from_slice(&sealed).map_err(Error::internal)?;
        let msg_id = event.id.to_string();
        let timestamp = now.timestamp();
        let signature = signature_header(&secrets, now, &msg_id, timestamp, &body)?;
        let custom: BTreeMap<String, String> = serde_json::from_value(endpoint.headers.clone()).unwrap_or_default();
        let mut headers: Vec<(String, String)> = vec![
            ("content-type".into(), "application/json".into()),
            ("webhook-id".into(), msg_id),
            ("webhook-timestamp".into(), timestamp.to_string()),
            ("webhook-signature".into(), signature),
        ];
        headers.extend(custom.iter().map(|(k, v)| (k.clone(), v.clone())));
        // The log keeps signatures but not custom header values, which often carry credentials.
        let logged: serde_json::Map<String, serde_json::Value> = headers
            .iter()
            .map(|(k, v)| {
                let value = if custom.contains_key(k) { "[redacted]".to_owned() } else { v.clone() };
                (k.to_ascii_lowercase(), serde_json::Value::String(value))
            })
            .collect();

        let started = Instant::now();
        let outcome = match Url::parse(&endpoint.url) {
            Ok(url) => self.send(&url, &headers, body).await,
            Err(e) => {
                Outcome { status: None, body: String::new(), error: Some(format!("bad url: {e}")), retry_after: None }
            }
        };
        let duration_ms = i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX);
        let attempt = delivery.attempts + 1;
        diesel::insert_into(wa::table)
            .values((
                wa::store_id.eq(store_id),
                wa::id.eq(uuid::Uuid::now_v7()),
                wa::delivery_id.eq(delivery_id),
                wa::attempt.eq(attempt),
                wa::request_headers.eq(serde_json::Value::Object(logged)),
                wa::response_status.eq(outcome.status.map(i32::from)),
                wa::response_body.eq(&outcome.body),
                wa::duration_ms.eq(duration_ms),
                wa::error.eq(&outcome.error),
                wa::created_at.eq(Utc::now()),
            ))
            .execute(&mut conn)
            .await
            .map_err(Error::from)?;
        let code = outcome.status.map(i32::from);
        tracing::info!(
            delivery = %delivery_id, endpoint = %endpoint.id, event = %event.id, attempt, status = ?outcome.status,
            error = ?outcome.error, duration_ms, "webhook delivery attempt"
        );

        match outcome.status {
            Some(s) if (200..300).contains(&s) => {
                mark(&mut conn, &delivery, SUCCEEDED, code, None).await?;
                Ok(())
            }
            Some(410) => {
                diesel::update(we::table.filter(we::store_id.eq(store_id)).filter(we::id.eq(endpoint.id)))
                    .set((we::active.eq(false), we::updated_at.eq(Utc::now())))
                    .execute(&mut conn)
                    .await
                    .map_err(Error::from)?;
                mark(&mut conn, &delivery, DEAD, code, None).await?;
                tracing::warn!(endpoint = %endpoint.id, "webhook endpoint answered 410 Gone; disabled");
                Ok(())
            }
            _ if outcome
                .error
                .as_deref()
                .is_some_and(|e| e.starts_with("destination refused") || e.starts_with("bad url")) =>
            {
                mark(&mut conn, &delivery, DEAD, code, None).await?;
                Err(JobError::Permanent(outcome.error.unwrap_or_default()))
            }
            _ => {
                let message = match (&outcome.status, &outcome.error) {
                    (_, Some(e)) => e.clone(),
                    (Some(s), None) => format!("endpoint answered {s}"),
                    (None, None) => "no response".to_owned(),
                };
                if job.attempt >= job.max_attempts.min(MAX_ATTEMPTS) {
                    mark(&mut conn, &delivery, DEAD, code, None).await?;
                    return Err(JobError::Permanent(message));
                }
                let mut after = self.backoff(job.attempt);
                if let Some(retry_after) = outcome.retry_after {
                    after = after.max(retry_after);
                }
                let next = Utc::now() + chrono::Duration::from_std(after).unwrap_or(chrono::Duration::hours(10));
                mark(&mut conn, &delivery, FAILED, code, Some(next)).await?;
                Err(JobError::Retry { message, after: Some(after) })
            }
        }
    }

    fn backoff(&self, attempt: i32) -> Duration {
        with_jitter(scheduled_delay(attempt, self.core.config.webhooks_retry_scale), JITTER)
    }
}

async fn mark(
    conn: &mut diesel_async::AsyncPgConnection,
    delivery: &Delivery,
    status: &str,
    code: Option<i32>,
    next_attempt_at: Option<chrono::DateTime<Utc>>,
) -> Result<(), Error> {
    diesel::update(wd::table.filter(wd::store_id.eq(delivery.store_id)).filter(wd::id.eq(delivery.id)))
        .set((
            wd::status.eq(status),
            wd::attempts.eq(wd::attempts + 1),
            code.map(|c| wd::last_status_code.eq(Some(c))),
            wd::next_attempt_at.eq(next_attempt_at),
            wd::updated_at.eq(Utc::now()),
        ))
        .execute(conn)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedule_follows_svix() {
        assert_eq!(scheduled_delay(1, 1.0), Duration::from_secs(5));
        assert_eq!(scheduled_delay(2, 1.0), Duration::from_secs(300));
        assert_eq!(scheduled_delay(7, 1.0), Duration::from_secs(36_000));
        assert_eq!(scheduled_delay(20, 1.0), Duration::from_secs(36_000));
        assert_eq!(scheduled_delay(1, 0.01), Duration::from_millis(50));
    }

    #[test]
    fn logged_bodies_are_truncated() {
        assert_eq!(truncate(&[b'a'; 5000]).len(), MAX_LOGGED_BODY);
        assert_eq!(truncate(b"ok"), "ok");
    }
}
