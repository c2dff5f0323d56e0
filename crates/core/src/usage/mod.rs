//! Monthly usage per store and metric: counted in Redis on the hot path (by the limiter's script,
//! [`crate::ratelimit::SCRIPT`]), flushed to PostgreSQL by a job, rolled up per day.
//!
//! Two Redis hashes per store, both hash-tagged by the store so a Redis Cluster keeps them on the
//! limiter's shard:
//! - `usage:{<store>}:<YYYY-MM-DD>` ([`day_key`]): what the day counted since the last flush, one
//!   field per [`Metric::field`] (API calls by route class: `api_calls.read`, ...). The flush
//!   takes it away atomically and adds it to PostgreSQL's daily rows.
//! - `quota:{<store>}:<YYYY-MM>` ([`month_key`]): the month's running total per [`Metric::name`],
//!   what a hard quota is checked against; never flushed, it expires after the month.

pub mod alerts;
pub mod daily;
pub mod events;
pub mod flush;
pub mod job;
pub mod notify;
pub mod ranking;
pub mod report;

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};

pub mod charge;

use crate::id::StoreId;
use crate::tenancy::plan_cache::Plan;

/// A metered quantity with a monthly allowance in the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Metric {
    /// API calls with a store's credentials on its routes, every route class together.
    ApiCalls,
    /// WhatsApp messages sent.
    WhatsappMessages,
    /// Instagram messages sent.
    InstagramMessages,
    /// Emails sent.
    EmailMessages,
    /// SMS sent.
    SmsMessages,
    /// Webhook deliveries made.
    WebhookDeliveries,
}

impl Metric {
    /// Every metric, in the order reports list them.
    pub const ALL: [Metric; 6] = [
        Metric::ApiCalls,
        Metric::WhatsappMessages,
        Metric::InstagramMessages,
        Metric::EmailMessages,
        Metric::SmsMessages,
        Metric::WebhookDeliveries,
    ];

    /// The metric's name, as plans' `soft_quotas` and usage reports name it.
    pub fn name(self) -> &'static str {
        match self {
            Metric::ApiCalls => "api_calls",
            Metric::WhatsappMessages => "whatsapp_messages",
            Metric::InstagramMessages => "instagram_messages",
            Metric::EmailMessages => "email_messages",
            Metric::SmsMessages => "sms_messages",
            Metric::WebhookDeliveries => "webhook_deliveries",
        }
    }

    /// The metric named `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.name() == name)
    }

    /// The metric counting messages of a channel kind (`whatsapp`, `instagram`, `email`, `sms`).
    pub fn messages(kind: &str) -> Option<Self> {
        match kind {
            "whatsapp" => Some(Metric::WhatsappMessages),
            "instagram" => Some(Metric::InstagramMessages),
            "email" => Some(Metric::EmailMessages),
            "sms" => Some(Metric::SmsMessages),
            _ => None,
        }
    }

    /// The daily field counting this metric, split by `detail` where given (`api_calls.read`).
    pub fn field(self, detail: Option<&str>) -> String {
        match detail {
            Some(detail) => format!("{}.{detail}", self.name()),
            None => self.name().to_owned(),
        }
    }

    /// The metric a daily field counts (`api_calls.read` counts [`Metric::ApiCalls`]).
    pub fn of_field(field: &str) -> Option<Self> {
        Self::from_name(field.split('.').next().unwrap_or(field))
    }

    /// The plan's monthly allowance, `None` when unlimited.
    pub fn allowance(self, plan: &Plan) -> Option<i64> {
        match self {
            Metric::ApiCalls => plan.monthly_api_calls,
            Metric::WhatsappMessages => plan.monthly_whatsapp_messages,
            Metric::InstagramMessages => plan.monthly_instagram_messages,
            Metric::EmailMessages => plan.monthly_email_messages,
            Metric::SmsMessages => plan.monthly_sms_messages,
            Metric::WebhookDeliveries => plan.monthly_webhook_deliveries,
        }
    }

    /// Whether the plan lets this quota run over (reported as overage) rather than refusing.
    pub fn is_soft(self, plan: &Plan) -> bool {
        plan.soft_quotas.iter().any(|m| m == self.name())
    }
}

/// The Redis hash of what `store` counted on `day` since the last flush.
pub fn day_key(store: StoreId, day: NaiveDate) -> String {
    format!("usage:{{{}}}:{}", store.uuid(), day.format("%Y-%m-%d"))
}

/// The Redis hash of `store`'s running totals in the month holding `day`.
pub fn month_key(store: StoreId, day: NaiveDate) -> String {
    format!("quota:{{{}}}:{}", store.uuid(), day.format("%Y-%m"))
}

/// The first day of the month holding `day`.
pub fn month_of(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

/// The first instant of the month holding `at` (a usage period starts there, in UTC).
pub fn period_start(at: DateTime<Utc>) -> DateTime<Utc> {
    let first = NaiveDate::from_ymd_opt(at.year(), at.month(), 1).unwrap_or(at.date_naive());
    Utc.from_utc_datetime(&first.and_time(chrono::NaiveTime::MIN))
}

/// The first instant of the month after the one holding `at` (when a monthly quota resets).
pub fn period_end(at: DateTime<Utc>) -> DateTime<Utc> {
    let start = period_start(at);
    start.checked_add_months(chrono::Months::new(1)).unwrap_or(start + chrono::Duration::days(31))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_tagged_by_store_and_fields_name_their_metric() {
        let store = StoreId(uuid::Uuid::nil());
        let Some(day) = NaiveDate::from_ymd_opt(2026, 2, 28) else { panic!("date") };
        assert_eq!(day_key(store, day), "usage:{00000000-0000-0000-0000-000000000000}:2026-02-28");
        assert_eq!(month_key(store, day), "quota:{00000000-0000-0000-0000-000000000000}:2026-02");
        assert_eq!(Metric::ApiCalls.field(Some("read")), "api_calls.read");
        assert_eq!(Metric::of_field("api_calls.read"), Some(Metric::ApiCalls));
        assert_eq!(Metric::of_field("sms_messages"), Some(Metric::SmsMessages));
        assert_eq!(Metric::of_field("nothing"), None);
        assert_eq!(Metric::messages("whatsapp"), Some(Metric::WhatsappMessages));
    }

    #[test]
    fn a_period_is_a_calendar_month_in_utc() {
        let at = Utc.with_ymd_and_hms(2026, 12, 31, 23, 59, 59).single();
        let Some(at) = at else { panic!("time") };
        assert_eq!(period_start(at), Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).single().unwrap_or(at));
        assert_eq!(period_end(at), Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).single().unwrap_or(at));
    }
}
