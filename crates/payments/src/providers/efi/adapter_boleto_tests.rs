//! The boleto pieces of the EFI provider: due dates and expiry, the payer as EFI's customer,
//! EFI's line verified before anyone sees it, and EFI's charge states.

use std::time::Duration;

use chrono::NaiveDate;

use super::*;
use crate::providers::efi::ChargeStatus;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn payer(document: Option<&str>) -> Payer {
    Payer {
        name: " Ana Souza ".into(),
        email: "ana@example.com".into(),
        phone: Some("+5511987654321".into()),
        document: document.map(str::to_owned),
    }
}

fn issued(line: String, expire_at: Option<NaiveDate>) -> IssuedBoleto {
    IssuedBoleto {
        charge_id: 90001,
        line,
        expire_at,
        status: ChargeStatus::Waiting,
        total: 11480,
        pix_code: None,
        link: None,
        pdf_url: None,
    }
}

#[test]
fn the_due_date_rounds_the_window_up_to_whole_days_and_expiry_is_midnight_in_sao_paulo() {
    let today = day(2026, 11, 29);
    assert_eq!(due_date(today, Duration::from_secs(3 * 86_400)), day(2026, 12, 2));
    assert_eq!(due_date(today, Duration::from_secs(3 * 86_400 + 1)), day(2026, 12, 3));
    assert_eq!(due_date(today, Duration::from_secs(3600)), day(2026, 11, 30));
    assert_eq!(due_date(today, Duration::ZERO), today);
    assert_eq!(end_of_due_date(day(2026, 12, 31)).to_rfc3339(), "2027-01-01T03:00:00+00:00");
}

#[test]
fn the_payer_becomes_a_person_or_a_company() {
    let person = customer(&payer(Some("52998224725"))).unwrap();
    assert_eq!(person.document, PayerDocument::Cpf("52998224725".into()));
    assert_eq!(person.name, "Ana Souza");
    assert_eq!(
        (person.email.as_deref(), person.phone_number.as_deref()),
        (Some("ana@example.com"), Some("11987654321"))
    );
    let company = customer(&payer(Some("11222333000181"))).unwrap();
    assert_eq!(company.document, PayerDocument::Cnpj("11222333000181".into()));

    // A number outside Brazil or an empty email is left out, not refused.
    let abroad = Payer { phone: Some("+14155550100".into()), email: String::new(), ..payer(Some("52998224725")) };
    let abroad = customer(&abroad).unwrap();
    assert_eq!((abroad.phone_number, abroad.email), (None, None));

    let missing = customer(&payer(None)).unwrap_err();
    assert_eq!((missing.code.as_str(), missing.retryable), ("payer_document_required", false));
    let malformed = customer(&payer(Some("529982247"))).unwrap_err();
    assert_eq!(malformed.code, "invalid_payer_document");
}

#[test]
fn a_valid_line_becomes_the_instructions() {
    let due = day(2026, 12, 2);
    let built = boleto::build("364", 11480, due, "0000100000000000000000001").unwrap();
    let today = day(2026, 11, 29);
    let charge = charge(issued(built.formatted_line(), Some(due)), 11480, today).unwrap();
    assert_eq!(charge.provider_payment_id, "90001");
    assert_eq!(charge.instructions.boleto_line, Some(built.formatted_line()));
    assert_eq!(charge.instructions.boleto_barcode.as_deref(), Some(built.barcode()));
    assert_eq!(charge.instructions.due_date, Some(due));
    assert_eq!(charge.instructions.pix_code, None);
    assert_eq!(charge.expires_at.unwrap().to_rfc3339(), "2026-12-03T03:00:00+00:00");
    assert_eq!(charge.status, Remote::Pending);
    // EFI may send the line unformatted; the due date then comes from the line alone.
    let plain = charge_of(built.line(), None, 11480);
    assert_eq!(plain.unwrap().instructions.boleto_line, Some(built.formatted_line()));
}

fn charge_of(line: &str, expire_at: Option<NaiveDate>, amount: i64) -> Result<Charge, ProviderError> {
    charge(issued(line.to_owned(), expire_at), amount, day(2026, 11, 29))
}

#[test]
fn a_line_that_does_not_hold_is_refused() {
    let due = day(2026, 12, 2);
    let line = boleto::build("364", 11480, due, "0000100000000000000000001").unwrap().line().to_owned();
    // One digit of the free field changed: field 2's check digit no longer matches.
    let mut corrupted = line.clone().into_bytes();
    corrupted[12] = if corrupted[12] == b'9' { b'0' } else { corrupted[12] + 1 };
    let corrupted = String::from_utf8(corrupted).unwrap();
    let refusals = [
        charge_of(&corrupted, Some(due), 11480),
        charge_of(&line[..46], Some(due), 11480),
        charge_of(&line, Some(due), 11481),
        charge_of(&line, Some(day(2026, 12, 3)), 11480),
    ];
    for refused in refusals {
        let error = refused.unwrap_err();
        assert_eq!((error.code.as_str(), error.retryable), ("invalid_response", false), "{error}");
    }
}

#[test]
fn efis_charge_states_map_to_paid_gone_or_pending() {
    let now = chrono::Utc::now();
    let with = |status: &str| BillingCharge {
        charge_id: 1,
        total: 11480,
        status: ChargeStatus::parse(status),
        custom_id: None,
    };
    for paid in ["paid", "settled"] {
        assert_eq!(remote(&with(paid), now), Remote::Paid { amount: 11480, at: now });
    }
    for gone in ["canceled", "expired"] {
        assert_eq!(remote(&with(gone), now), Remote::Gone);
    }
    for waiting in ["new", "waiting", "unpaid", "link", "contested"] {
        assert_eq!(remote(&with(waiting), now), Remote::Pending, "{waiting}");
    }
    assert_eq!(charge_id("90001"), Ok(90001));
    assert_eq!(charge_id("sbx_1").unwrap_err().code, "invalid_charge_id");
    assert_eq!(refund_unsupported().code, "refund_unsupported");
}
