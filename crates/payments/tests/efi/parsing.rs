//! Amount strings, txids and EFI's documented webhook bodies.

use std::collections::HashSet;

use balcao_payments::providers::efi::{
    DevolucaoStatus, PixDirection, WebhookError, format_amount, new_txid, parse_amount, parse_pix_webhook,
    valid_refund_id, valid_txid,
};

#[test]
fn amounts_need_exactly_two_decimals() {
    for (text, cents) in [("0.01", 1), ("10.50", 1050), ("110.00", 11000), ("0.00", 0), ("007.10", 710)] {
        assert_eq!(parse_amount(text), Ok(cents), "{text}");
    }
    assert_eq!(parse_amount("9999999999.99"), Ok(999_999_999_999));
    // "10" and "10.5" are refused: EFI always sends two decimals, and money is not guessed.
    for text in [
        "10",
        "10.5",
        "10.505",
        "10.",
        ".50",
        "-1.00",
        "+1.00",
        " 1.00",
        "1.00 ",
        "1,00",
        "1e2",
        "",
        ".",
        "1.0a",
        "１.00",
        "10000000000.00",
        "NaN",
        "1_000.00",
    ] {
        assert!(parse_amount(text).is_err(), "{text:?} must be refused");
    }
}

#[test]
fn centavos_are_written_with_two_decimals() {
    for (cents, text) in
        [(0, "0.00"), (5, "0.05"), (1000, "10.00"), (12345, "123.45"), (999_999_999_999, "9999999999.99")]
    {
        assert_eq!(format_amount(cents).as_deref(), Some(text));
        assert_eq!(parse_amount(text), Ok(cents), "round trip of {text}");
    }
    assert_eq!(format_amount(-1), None);
    assert_eq!(format_amount(1_000_000_000_000), None);
}

#[test]
fn txids_are_random_and_within_efis_rules() {
    let txids: HashSet<String> = (0..200).map(|_| new_txid()).collect();
    assert_eq!(txids.len(), 200);
    assert!(txids.iter().all(|t| valid_txid(t) && t.len() == 32));
    assert!(valid_txid(&"a".repeat(26)) && valid_txid(&"Z9".repeat(17)) && valid_txid(&"a".repeat(35)));
    for bad in ["a".repeat(25), "a".repeat(36), format!("{}-", "a".repeat(30)), format!("{}ç", "a".repeat(30))] {
        assert!(!valid_txid(&bad), "{bad}");
    }
    assert!(valid_refund_id("1") && valid_refund_id("123ABC") && valid_refund_id(&"x".repeat(35)));
    assert!(!valid_refund_id("") && !valid_refund_id(&"x".repeat(36)) && !valid_refund_id("a/b"));
}

#[test]
fn efis_received_pix_example() {
    let body = br#"{
      "pix": [{
        "endToEndId": "E1803615022211340s08793XPJ",
        "txid": "fc9a43k6ff384ryP5f41719",
        "chave": "2c3c7441-b91e-4982-3c25-6105581e18ae",
        "valor": "0.01",
        "horario": "2020-12-21T13:40:34.000Z",
        "infoPagador": "pagando o pix"
      }]
    }"#;
    let [pix] = parse_pix_webhook(body).unwrap().try_into().unwrap();
    assert_eq!(pix.end_to_end_id, "E1803615022211340s08793XPJ");
    assert_eq!(pix.txid.as_deref(), Some("fc9a43k6ff384ryP5f41719"));
    assert_eq!(pix.pix_key.as_deref(), Some("2c3c7441-b91e-4982-3c25-6105581e18ae"));
    assert_eq!(pix.amount_cents, 1);
    assert_eq!(pix.paid_at.to_rfc3339(), "2020-12-21T13:40:34+00:00");
    assert_eq!(pix.payer_info.as_deref(), Some("pagando o pix"));
    assert_eq!((pix.direction, pix.fee_cents, pix.refunds.len()), (PixDirection::Received, None, 0));
}

#[test]
fn efis_refund_example() {
    let body = br#"{"pix": [{
        "endToEndId": "E12345678202009091221syhgfgufg",
        "txid": "c3e0e7a4e7f1469a9f782d3d4999343c",
        "chave": "2c3c7441-b91e-4982-3c25-6105581e18ae",
        "valor": "110.00",
        "horario": "2020-09-09T20:15:00.358Z",
        "infoPagador": "0123456789",
        "devolucoes": [{
          "id": "123ABC",
          "rtrId": "D12345678202009091221abcdf098765",
          "valor": "110.00",
          "horario": { "solicitacao": "2020-09-09T20:15:00.358Z" },
          "status": "DEVOLVIDO"
        }]
    }]}"#;
    let [pix] = parse_pix_webhook(body).unwrap().try_into().unwrap();
    assert_eq!((pix.amount_cents, pix.direction), (11000, PixDirection::Received));
    let [refund] = pix.refunds.try_into().unwrap();
    assert_eq!(refund.id, "123ABC");
    assert_eq!(refund.rtr_id.as_deref(), Some("D12345678202009091221abcdf098765"));
    assert_eq!((refund.amount_cents, refund.status), (11000, DevolucaoStatus::Returned));
    assert_eq!(refund.requested_at.map(|t| t.timestamp_millis()), Some(1_599_682_500_358));
    assert_eq!(refund.settled_at, None);
}

#[test]
fn efis_sent_pix_and_fee_examples() {
    let sent = br#"{"pix": [{
        "endToEndId": "E090893562021030PIf25a7868",
        "chave": "2c3c7441-b91e-4982-3c25-6105581e18ae",
        "tipo": "SOLICITACAO",
        "status": "REALIZADO",
        "valor": "0.01",
        "horario": "2021-03-04T20:39:47.000Z",
        "gnExtras": { "idEnvio": "1" }
    }]}"#;
    let [pix] = parse_pix_webhook(sent).unwrap().try_into().unwrap();
    assert_eq!(pix.direction, PixDirection::Sent { status: "REALIZADO".into(), send_id: Some("1".into()) });
    assert_eq!((pix.txid, pix.amount_cents), (None, 1));

    let with_fee = br#"{"pix": [{
        "endToEndId": "E1803615022211340s08793XPJ", "txid": "fc9a43k6ff384ryP5f41719",
        "chave": "2c3c7441-b91e-4982-3c25-6105581e18ae", "valor": "0.10",
        "horario": "2020-12-21T13:40:34.000Z", "infoPagador": "pagando o pix",
        "gnExtras": { "tarifa": "0.01" }
    }]}"#;
    let [pix] = parse_pix_webhook(with_fee).unwrap().try_into().unwrap();
    assert_eq!((pix.amount_cents, pix.fee_cents, pix.direction), (10, Some(1), PixDirection::Received));
}

#[test]
fn several_pix_keep_their_order() {
    let body = br#"{"pix": [
        {"endToEndId": "E1", "valor": "1.00", "horario": "2024-01-01T00:00:00Z"},
        {"endToEndId": "E2", "txid": "", "valor": "2.00", "horario": "2024-01-01T00:00:01-03:00"}
    ]}"#;
    let pix = parse_pix_webhook(body).unwrap();
    assert_eq!(pix.iter().map(|p| p.end_to_end_id.as_str()).collect::<Vec<_>>(), ["E1", "E2"]);
    assert_eq!((pix[0].txid.clone(), pix[1].txid.clone()), (None, None), "no txid: a PIX straight to the key");
    assert_eq!(pix[1].paid_at.to_rfc3339(), "2024-01-01T03:00:01+00:00");
}

#[test]
fn test_pings_and_bad_bodies() {
    assert!(parse_pix_webhook(br#"{"evento": "teste_webhook"}"#).unwrap().is_empty());
    assert!(parse_pix_webhook(br#"{"pix": []}"#).unwrap().is_empty());
    for body in [&b"{}"[..], b"", b"not json", br#"{"pix": {}}"#, br#"{"evento": "outro"}"#] {
        assert!(
            matches!(parse_pix_webhook(body), Err(WebhookError::Malformed(_))),
            "{}",
            String::from_utf8_lossy(body)
        );
    }
    let loose_amount = br#"{"pix": [{"endToEndId": "E1", "valor": "10.5", "horario": "2024-01-01T00:00:00Z"}]}"#;
    assert!(matches!(parse_pix_webhook(loose_amount), Err(WebhookError::Amount(_))));
    let negative = br#"{"pix": [{"endToEndId": "E1", "valor": "-10.00", "horario": "2024-01-01T00:00:00Z"}]}"#;
    assert!(matches!(parse_pix_webhook(negative), Err(WebhookError::Amount(_))));
    let numeric = br#"{"pix": [{"endToEndId": "E1", "valor": 10.5, "horario": "2024-01-01T00:00:00Z"}]}"#;
    assert!(matches!(parse_pix_webhook(numeric), Err(WebhookError::Malformed(_))), "a JSON number is not EFI's shape");
}
