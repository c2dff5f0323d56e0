//! Notification bodies read and turned into settlements (the database side is covered end to
//! end in the gateway suites).

use chrono::{TimeZone, Utc};
use serde_json::{Value, json};

use super::*;

fn order(charges: Value) -> Order {
    let body = json!({"id": "ORDE_1", "reference_id": "pay_7", "charges": charges});
    match parse(body.to_string().as_bytes()).unwrap() {
        Notification::Order(order) => *order,
        Notification::Legacy => panic!("an order body read as legacy"),
    }
}

fn charge(id: &str, status: &str, paid: i64, refunded: i64, paid_at: Option<&str>) -> Value {
    json!({"id": id, "status": status, "paid_at": paid_at,
        "amount": {"value": 11480, "currency": "BRL", "summary": {"total": 11480, "paid": paid, "refunded": refunded}},
        "payment_response": {"code": if status == "DECLINED" { "10002" } else { "20000" },
            "message": if status == "DECLINED" { "NAO AUTORIZADA PELO EMISSOR" } else { "SUCESSO" }}})
}

#[test]
fn a_paid_charge_confirms_with_its_paid_amount_and_time() {
    let received = Utc.with_ymd_and_hms(2026, 11, 29, 15, 0, 0).unwrap();
    let paid = order(json!([charge("CHAR_1", "PAID", 11480, 0, Some("2026-11-29T10:05:00.000-03:00"))]));
    assert_eq!(
        settlements(&paid, received),
        [Settlement::Paid { amount: 11480, at: Utc.with_ymd_and_hms(2026, 11, 29, 13, 5, 0).unwrap() }]
    );
    // Without `paid_at` the notification's arrival stands for it.
    let paid = order(json!([charge("CHAR_1", "PAID", 11480, 0, None)]));
    assert_eq!(settlements(&paid, received), [Settlement::Paid { amount: 11480, at: received }]);
    // A declined attempt next to a paid charge fails nothing.
    let both = order(json!([charge("CHAR_1", "DECLINED", 0, 0, None), charge("CHAR_2", "PAID", 11480, 0, None)]));
    assert_eq!(settlements(&both, received), [Settlement::Paid { amount: 11480, at: received }]);
}

#[test]
fn declined_or_cancelled_before_payment_fails_with_pagbanks_code() {
    let now = Utc::now();
    let declined = order(json!([charge("CHAR_1", "DECLINED", 0, 0, None)]));
    assert_eq!(
        settlements(&declined, now),
        [Settlement::Failed { code: "10002".into(), message: "NAO AUTORIZADA PELO EMISSOR".into() }]
    );
    let cancelled = order(json!([charge("CHAR_1", "CANCELED", 0, 0, None)]));
    assert_eq!(settlements(&cancelled, now), [Settlement::Failed { code: "20000".into(), message: "SUCESSO".into() }]);
    // Cancelled after payment is a refund, not a failure; waiting and analysed charges wait.
    for charges in [
        json!([charge("CHAR_1", "CANCELED", 11480, 11480, Some("2026-11-29T10:05:00-03:00"))]),
        json!([charge("CHAR_1", "WAITING", 0, 0, None)]),
        json!([charge("CHAR_1", "IN_ANALYSIS", 0, 0, None)]),
        json!([charge("CHAR_1", "SOMETHING_NEW", 0, 0, None)]),
        json!([]),
    ] {
        assert!(settlements(&order(charges.clone()), now).is_empty(), "{charges}");
    }
}

#[test]
fn a_pix_order_without_charges_settles_nothing() {
    let body = json!({"id": "ORDE_1", "qr_codes": [{"id": "QRCO_1", "text": "000201", "amount": {"value": 11480}}]});
    let Notification::Order(order) = parse(body.to_string().as_bytes()).unwrap() else { panic!("not an order") };
    assert!(settlements(&order, Utc::now()).is_empty());
}

#[test]
fn legacy_forms_are_recognised_and_other_bodies_refused() {
    assert_eq!(
        parse(b"notificationCode=766B9C-AD4B044B04DA&notificationType=transaction").unwrap(),
        Notification::Legacy
    );
    for body in [&b"notificationType=transaction"[..], b"{\"charges\": []}", b"[]", b"", b"notificationCode="] {
        assert!(matches!(parse(body), Err(JobError::Permanent(_))), "{}", String::from_utf8_lossy(body));
    }
}
