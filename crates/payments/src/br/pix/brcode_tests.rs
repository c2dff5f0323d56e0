//! Tests for the BR Code encoder and parser, starting from the BCB manual's examples.

use super::*;

/// The static example of the BCB "Manual de Padrões para Iniciação do Pix" (EVP key, no amount).
const MANUAL_STATIC: &str = "00020126580014br.gov.bcb.pix0136123e4567-e12b-12d1-a456-4266554400005204000053039865802BR5913Fulano de Tal6008BRASILIA62070503***63041D3D";
/// The manual's dynamic example (its GUI written in uppercase).
const MANUAL_DYNAMIC: &str = "00020101021226770014BR.GOV.BCB.PIX2555pix.example.com/qr/93598be0-1bd0-4997-8318-81776a1d8a995204000053039865802BR5907EMPRESA6009SAO PAULO62070503***6304EEAB";
const EVP: &str = "123e4567-e12b-12d1-a456-426655440000";

fn static_code() -> StaticBrCode {
    StaticBrCode {
        key: EVP.into(),
        merchant_name: "Fulano de Tal".into(),
        merchant_city: "BRASILIA".into(),
        ..StaticBrCode::default()
    }
}

#[test]
fn crc_is_ccitt_false() {
    assert_eq!(crc16(b"123456789"), 0x29B1);
    assert_eq!(crc16(b""), 0xFFFF);
}

#[test]
fn encodes_the_manual_static_example() {
    assert_eq!(static_code().encode().unwrap(), MANUAL_STATIC);
}

#[test]
fn parses_the_manual_static_example() {
    let parsed = parse(MANUAL_STATIC).unwrap();
    assert_eq!(parsed.account, PixAccount::Key { key: EVP.into(), description: None });
    assert!(!parsed.single_use);
    assert_eq!(parsed.merchant_category_code, "0000");
    assert_eq!(parsed.amount, None);
    assert_eq!(parsed.country, "BR");
    assert_eq!(parsed.merchant_name, "Fulano de Tal");
    assert_eq!(parsed.merchant_city, "BRASILIA");
    assert_eq!(parsed.txid, None);
}

#[test]
fn parses_the_manual_dynamic_example() {
    let parsed = parse(MANUAL_DYNAMIC).unwrap();
    let url = "pix.example.com/qr/93598be0-1bd0-4997-8318-81776a1d8a99";
    assert_eq!(parsed.account, PixAccount::Location { url: url.into() });
    assert!(parsed.single_use);
    assert_eq!(parsed.merchant_name, "EMPRESA");
    assert_eq!(parsed.merchant_city, "SAO PAULO");
    assert_eq!(parsed.txid, None);
}

#[test]
fn encodes_a_dynamic_code_like_the_manual() {
    let code = DynamicBrCode {
        location_url: "https://pix.example.com/qr/93598be0-1bd0-4997-8318-81776a1d8a99".into(),
        merchant_name: "EMPRESA".into(),
        merchant_city: "São Paulo".into(),
    };
    // The manual's example with the GUI in lowercase (as in its static example), so another CRC.
    let expected = "00020101021226770014br.gov.bcb.pix2555pix.example.com/qr/93598be0-1bd0-4997-8318-81776a1d8a995204000053039865802BR5907EMPRESA6009Sao Paulo62070503***6304";
    let encoded = code.encode().unwrap();
    assert_eq!(&encoded[..encoded.len() - 4], expected);
    assert_eq!(parse(&encoded).unwrap().account, parse(MANUAL_DYNAMIC).unwrap().account);
}

#[test]
fn round_trips_every_static_field() {
    let code = StaticBrCode {
        key: "52998224725".into(),
        amount: Some(123_456),
        merchant_name: "Padaria Pão de Açúcar".into(),
        merchant_city: "Florianópolis".into(),
        txid: Some("PEDIDO123abc".into()),
        description: Some("Pedido nº 123".into()),
    };
    let encoded = code.encode().unwrap();
    assert!(encoded.contains("54071234.56"), "{encoded}");
    assert!(encoded.contains("62160512PEDIDO123abc"), "{encoded}");
    let parsed = parse(&encoded).unwrap();
    assert_eq!(
        parsed.account,
        PixAccount::Key { key: "52998224725".into(), description: Some("Pedido no 123".into()) }
    );
    assert_eq!(parsed.amount, Some(123_456));
    assert_eq!(parsed.merchant_name, "Padaria Pao de Acucar");
    assert_eq!(parsed.merchant_city, "Florianopolis");
    assert_eq!(parsed.txid.as_deref(), Some("PEDIDO123abc"));
}

#[test]
fn a_tampered_code_fails_its_crc() {
    let tampered = MANUAL_STATIC.replace("Fulano", "Fulana");
    assert!(matches!(parse(&tampered), Err(BrCodeError::CrcMismatch { found: 0x1D3D, .. })));
    let wrong_crc = MANUAL_STATIC.replace("63041D3D", "63041D3E");
    assert!(matches!(parse(&wrong_crc), Err(BrCodeError::CrcMismatch { .. })));
    let lowercase_crc = MANUAL_STATIC.replace("63041D3D", "63041d3d");
    assert!(parse(&lowercase_crc).is_ok());
}

#[test]
fn rejects_malformed_codes() {
    assert!(matches!(parse(""), Err(BrCodeError::Malformed(_))));
    assert!(matches!(parse("000201"), Err(BrCodeError::Malformed(_))));
    assert!(matches!(parse(&MANUAL_STATIC[..MANUAL_STATIC.len() - 8]), Err(BrCodeError::Malformed(_))));
    // A field whose length runs past the end, with a valid CRC.
    let body = "00020126990014br.gov.bcb.pix6304";
    let code = format!("{body}{:04X}", crc16(body.as_bytes()));
    assert!(matches!(parse(&code), Err(BrCodeError::Malformed(_))));
    // Well formed, but not PIX.
    let body = "0002012614001012345678905204000053039865802BR5901A6001B6304";
    let code = format!("{body}{:04X}", crc16(body.as_bytes()));
    assert!(matches!(parse(&code), Err(BrCodeError::MissingField(_))));
}

#[test]
fn strips_accents_and_cuts_names() {
    let code = StaticBrCode {
        merchant_name: "Lanchonete Coração de Estudante Ltda".into(),
        merchant_city: "São Gonçalo do Rio Abaixo".into(),
        ..static_code()
    };
    let parsed = parse(&code.encode().unwrap()).unwrap();
    assert_eq!(parsed.merchant_name, "Lanchonete Coracao de Est");
    assert_eq!(parsed.merchant_city, "Sao Goncalo do");
}

#[test]
fn normalize_text_folds_collapses_and_truncates() {
    assert_eq!(normalize_text("  Açaí \t do   Pará  ", 50), "Acai do Para");
    assert_eq!(normalize_text("Café ☕ e Pão", 50), "Cafe e Pao");
    assert_eq!(normalize_text("ÁÉÍÓÚ ÇÑ ãõ", 50), "AEIOU CN ao");
    assert_eq!(normalize_text("abc def", 4), "abc");
    assert_eq!(normalize_text("abc def", 5), "abc d");
    assert_eq!(normalize_text("☕☕", 5), "");
}

#[test]
fn formats_amounts_in_reais() {
    assert_eq!(format_amount(1).unwrap(), "0.01");
    assert_eq!(format_amount(100).unwrap(), "1.00");
    assert_eq!(format_amount(123_456).unwrap(), "1234.56");
    assert_eq!(format_amount(999_999_999_999).unwrap(), "9999999999.99");
    assert_eq!(format_amount(1_000_000_000_000), Err(BrCodeError::InvalidAmount));
    assert_eq!(format_amount(0), Err(BrCodeError::InvalidAmount));
    assert_eq!(format_amount(-5), Err(BrCodeError::InvalidAmount));
    assert_eq!(format_amount(i64::MAX), Err(BrCodeError::InvalidAmount));
    assert_eq!(parse_amount("10").unwrap(), 1000);
    assert_eq!(parse_amount("10.5").unwrap(), 1050);
    assert_eq!(parse_amount("0.01").unwrap(), 1);
    assert!(parse_amount("1,00").is_err());
    assert!(parse_amount("1.001").is_err());
    assert!(parse_amount(".50").is_err());
}

#[test]
fn classifies_keys() {
    assert_eq!(key_kind("52998224725"), Ok(PixKeyKind::Cpf));
    assert_eq!(key_kind("11222333000181"), Ok(PixKeyKind::Cnpj));
    assert_eq!(key_kind("12ABC34501DE35"), Ok(PixKeyKind::Cnpj));
    assert_eq!(key_kind("loja@example.com.br"), Ok(PixKeyKind::Email));
    assert_eq!(key_kind("+5561912345678"), Ok(PixKeyKind::Phone));
    assert_eq!(key_kind(EVP), Ok(PixKeyKind::Evp));
    for bad in [
        "",
        "52998224724",
        "11111111111",
        "11222333000182",
        "529.982.247-25",
        "+15551234567",
        "+556191234",
        "loja@",
        "@example.com",
        "loja@example",
        "lo ja@example.com",
        "123e4567e12b12d1a456426655440000",
        "123e4567-e12b-12d1-a456-42665544000g",
    ] {
        assert_eq!(key_kind(bad), Err(BrCodeError::InvalidKey), "{bad}");
    }
}

#[test]
fn rejects_bad_static_inputs() {
    let with = |f: fn(&mut StaticBrCode)| {
        let mut code = static_code();
        f(&mut code);
        code.encode()
    };
    assert_eq!(with(|c| c.key = "chave".into()), Err(BrCodeError::InvalidKey));
    assert_eq!(with(|c| c.txid = Some("pedido-123".into())), Err(BrCodeError::InvalidTxid));
    assert_eq!(with(|c| c.txid = Some("A".repeat(26))), Err(BrCodeError::InvalidTxid));
    assert_eq!(with(|c| c.txid = Some(String::new())), Err(BrCodeError::InvalidTxid));
    assert_eq!(with(|c| c.amount = Some(0)), Err(BrCodeError::InvalidAmount));
    assert_eq!(with(|c| c.merchant_name = " ☕ ".into()), Err(BrCodeError::Empty("merchant_name")));
    assert_eq!(with(|c| c.merchant_city = String::new()), Err(BrCodeError::Empty("merchant_city")));
    // Key and description share the 99 characters of field 26.
    assert!(matches!(with(|c| c.description = Some("x".repeat(60))), Err(BrCodeError::TooLong { .. })));
    assert!(with(|c| c.description = Some("x".repeat(37))).is_ok());
    assert!(with(|c| c.txid = Some("A".repeat(25))).is_ok());
}

#[test]
fn rejects_bad_locations() {
    let encode = |url: &str| {
        DynamicBrCode { location_url: url.into(), merchant_name: "Loja".into(), merchant_city: "Recife".into() }
            .encode()
    };
    assert!(encode("pix.example.com/qr/abc").is_ok());
    for bad in ["", "https://", "http://pix.example.com/qr/abc", "pix.example.com/qr/a b"] {
        assert_eq!(encode(bad), Err(BrCodeError::InvalidLocationUrl), "{bad}");
    }
    assert!(matches!(encode(&format!("pix.example.com/{}", "a".repeat(80))), Err(BrCodeError::TooLong { .. })));
}
