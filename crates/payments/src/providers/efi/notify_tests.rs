//! Which charges a notification's history settles.

use chrono::{NaiveDate, TimeZone, Utc};

use super::*;
use crate::providers::efi::ChargeStatus;

fn entry(id: u64, kind: &str, charge_id: u64, status: &str, value: Option<i64>) -> NotificationEntry {
    NotificationEntry {
        id,
        kind: kind.into(),
        custom_id: None,
        charge_id: Some(charge_id),
        status: ChargeStatus::parse(status),
        previous: None,
        value,
        received_by_bank_at: None,
        created_at: Some(Utc.with_ymd_and_hms(2026, 11, 30, 10, 0, id as u32).unwrap()),
    }
}

#[test]
fn only_paid_single_charges_settle_once_each() {
    let now = Utc::now();
    let history = [
        entry(1, "charge", 7, "new", None),
        entry(2, "charge", 7, "waiting", None),
        entry(3, "charge", 7, "paid", Some(11480)),
        entry(4, "charge", 8, "settled", None),
        entry(5, "charge", 9, "canceled", None),
        entry(6, "carnet_charge", 10, "paid", Some(500)),
        entry(7, "charge", 7, "paid", Some(11480)),
    ];
    let settled = settlements(&history, now);
    let at = |second| Utc.with_ymd_and_hms(2026, 11, 30, 10, 0, second).unwrap();
    assert_eq!(
        settled,
        [
            Settlement { charge_id: 7, amount: Some(11480), at: at(7) },
            Settlement { charge_id: 8, amount: None, at: at(4) },
        ]
    );
}

#[test]
fn the_payment_time_falls_back_to_the_bank_day_then_now() {
    let now = Utc::now();
    let mut paid = entry(1, "charge", 7, "paid", Some(100));
    paid.created_at = None;
    paid.received_by_bank_at = NaiveDate::from_ymd_opt(2026, 11, 30);
    assert_eq!(settlements(std::slice::from_ref(&paid), now)[0].at.to_rfc3339(), "2026-11-30T03:00:00+00:00");
    paid.received_by_bank_at = None;
    assert_eq!(settlements(&[paid], now)[0].at, now);
    assert!(notification_token(b"notification=abc-123").is_some());
    assert!(notification_token(br#"{"pix":[]}"#).is_none());
}
