//! Vectors for CPF and CNPJ (numeric and alphanumeric) parsing.

use super::*;

fn ok(input: &str) -> Document {
    match parse_document(input) {
        Ok(doc) => doc,
        Err(e) => panic!("{input:?} should be valid, got {e:?}"),
    }
}

fn err(input: &str) -> DocumentError {
    match parse_document(input) {
        Ok(doc) => panic!("{input:?} should be invalid, got {doc:?}"),
        Err(e) => e,
    }
}

#[test]
fn valid_cpfs() {
    for (input, value) in [
        ("529.982.247-25", "52998224725"),
        ("52998224725", "52998224725"),
        ("111.444.777-35", "11144477735"),
        ("11144477735", "11144477735"),
        (" 529 982 247 25 ", "52998224725"),
        ("529/982/247-25", "52998224725"),
        ("123.456.789-09", "12345678909"),
        ("000.000.001-91", "00000000191"),
    ] {
        let doc = ok(input);
        assert_eq!(doc.kind, DocumentKind::Cpf, "{input}");
        assert_eq!(doc.value, value, "{input}");
    }
}

#[test]
fn cpf_formatting() {
    assert_eq!(ok("52998224725").formatted(), "529.982.247-25");
    assert_eq!(ok("12345678909").formatted(), "123.456.789-09");
    assert_eq!(ok("11144477735").to_string(), "111.444.777-35");
}

#[test]
fn cpf_wrong_check_digits() {
    for input in ["529.982.247-24", "529.982.247-15", "111.444.777-36", "111.444.777-53", "12345678900"] {
        assert_eq!(err(input), DocumentError::InvalidCheckDigits, "{input}");
    }
}

#[test]
fn cpf_repeated_digits() {
    for d in '0'..='9' {
        let input: String = std::iter::repeat_n(d, 11).collect();
        assert_eq!(err(&input), DocumentError::RepeatedDigits, "{input}");
    }
    assert_eq!(err("111.111.111-11"), DocumentError::RepeatedDigits);
}

#[test]
fn cpf_with_letters() {
    assert_eq!(err("529.982.247-2A"), DocumentError::InvalidCharacters);
    assert_eq!(err("A29.982.247-25"), DocumentError::InvalidCharacters);
    assert_eq!(err("529.98x.247-25"), DocumentError::InvalidCharacters);
}

#[test]
fn valid_numeric_cnpjs() {
    for (input, value) in [
        ("11.222.333/0001-81", "11222333000181"),
        ("11222333000181", "11222333000181"),
        ("11444777000161", "11444777000161"),
        ("11.444.777/0001-61", "11444777000161"),
        ("  11 444 777 0001 61\t", "11444777000161"),
    ] {
        let doc = ok(input);
        assert_eq!(doc.kind, DocumentKind::Cnpj, "{input}");
        assert_eq!(doc.value, value, "{input}");
    }
}

#[test]
fn valid_alphanumeric_cnpjs() {
    for input in ["12.ABC.345/01DE-35", "12ABC34501DE35", "12.abc.345/01de-35", "12aBc34501dE35"] {
        let doc = ok(input);
        assert_eq!(doc.kind, DocumentKind::Cnpj, "{input}");
        assert_eq!(doc.value, "12ABC34501DE35", "{input}");
    }
}

#[test]
fn cnpj_check_digit_algorithm() {
    // Published example from the Receita Federal.
    assert_eq!(cnpj_check_digits(b"12ABC34501DE"), (b'3', b'5'));
    assert_eq!(cnpj_check_digits(b"112223330001"), (b'8', b'1'));
    assert_eq!(cnpj_check_digits(b"114447770001"), (b'6', b'1'));
    // Letter values: ASCII code minus 48.
    assert_eq!(char_value(b'0'), 0);
    assert_eq!(char_value(b'9'), 9);
    assert_eq!(char_value(b'A'), 17);
    assert_eq!(char_value(b'B'), 18);
    assert_eq!(char_value(b'Z'), 42);
}

#[test]
fn cpf_check_digit_algorithm() {
    assert_eq!(cpf_check_digits(b"529982247"), (b'2', b'5'));
    assert_eq!(cpf_check_digits(b"111444777"), (b'3', b'5'));
    assert_eq!(cpf_check_digits(b"123456789"), (b'0', b'9'));
}

#[test]
fn cnpj_round_trip_with_letters_everywhere() {
    // Build CNPJs from various bases and check that parsing accepts them with their computed DVs.
    for base in ["ABCDEFGHIJKL", "ZZZZZZZZZZZ1", "A00000000000", "00000000000Z", "1234567890AB", "MNOPQRSTUVWX"] {
        let (dv1, dv2) = cnpj_check_digits(base.as_bytes());
        let full = format!("{base}{}{}", dv1 as char, dv2 as char);
        let doc = ok(&full);
        assert_eq!(doc.value, full);
        assert_eq!(ok(&doc.formatted()), doc);
        assert_eq!(ok(&full.to_ascii_lowercase()), doc);
    }
}

#[test]
fn cnpj_formatting() {
    assert_eq!(ok("12ABC34501DE35").formatted(), "12.ABC.345/01DE-35");
    assert_eq!(ok("11222333000181").formatted(), "11.222.333/0001-81");
    assert_eq!(ok("11444777000161").to_string(), "11.444.777/0001-61");
}

#[test]
fn cnpj_wrong_check_digits() {
    for input in [
        "12.ABC.345/01DE-36",
        "12.ABC.345/01DE-53",
        "12.ABD.345/01DE-35",
        "11.222.333/0001-82",
        "11.222.333/0001-18",
        "11444777000160",
    ] {
        assert_eq!(err(input), DocumentError::InvalidCheckDigits, "{input}");
    }
}

#[test]
fn cnpj_letters_in_check_digits() {
    assert_eq!(err("12.ABC.345/01DE-3A"), DocumentError::InvalidCharacters);
    assert_eq!(err("12.ABC.345/01DE-A5"), DocumentError::InvalidCharacters);
    assert_eq!(err("AAAAAAAAAAAAAA"), DocumentError::InvalidCharacters);
}

#[test]
fn cnpj_repeated_characters() {
    assert_eq!(err("00.000.000/0000-00"), DocumentError::RepeatedDigits);
    assert_eq!(err("00000000000000"), DocumentError::RepeatedDigits);
    for d in '1'..='9' {
        let input: String = std::iter::repeat_n(d, 14).collect();
        assert_eq!(err(&input), DocumentError::RepeatedDigits, "{input}");
    }
}

#[test]
fn wrong_lengths() {
    for input in [
        "",
        "   ",
        ".-/",
        "5",
        "5299822472",
        "529982247250",
        "1122233300018",
        "112223330001811",
        "529.982.247-2",
        "12.ABC.345/01DE-355",
    ] {
        assert_eq!(err(input), DocumentError::InvalidLength, "{input:?}");
    }
}

#[test]
fn invalid_characters() {
    for input in ["529.982.247_25", "529#982#247#25", "11.222.333\\0001-81", "5299822472ç", "529.982.247-25!", "１２３"]
    {
        assert_eq!(err(input), DocumentError::InvalidCharacters, "{input:?}");
    }
}

#[test]
fn from_str_matches_parse_document() {
    assert_eq!("529.982.247-25".parse::<Document>(), parse_document("529.982.247-25"));
    assert_eq!("12.ABC.345/01DE-36".parse::<Document>(), Err(DocumentError::InvalidCheckDigits));
}

#[test]
fn formatted_falls_back_for_hand_built_values() {
    let doc = Document { kind: DocumentKind::Cpf, value: "123".to_owned() };
    assert_eq!(doc.formatted(), "123");
    let doc = Document { kind: DocumentKind::Cnpj, value: "52998224725".to_owned() };
    assert_eq!(doc.formatted(), "52998224725");
}

#[test]
fn error_codes_and_messages() {
    let all = [
        (DocumentError::InvalidLength, "invalid_length"),
        (DocumentError::InvalidCharacters, "invalid_characters"),
        (DocumentError::InvalidCheckDigits, "invalid_check_digits"),
        (DocumentError::RepeatedDigits, "repeated_digits"),
    ];
    for (e, code) in all {
        assert_eq!(e.code(), code);
        assert!(!e.to_string().is_empty());
    }
}

#[test]
fn kind_serde_is_snake_case() {
    assert_eq!(serde_json::to_string(&DocumentKind::Cpf).ok().as_deref(), Some("\"cpf\""));
    assert_eq!(serde_json::to_string(&DocumentKind::Cnpj).ok().as_deref(), Some("\"cnpj\""));
    assert_eq!(serde_json::from_str::<DocumentKind>("\"cnpj\"").ok(), Some(DocumentKind::Cnpj));
    let doc = ok("529.982.247-25");
    assert_eq!(serde_json::to_string(&doc).ok().as_deref(), Some(r#"{"kind":"cpf","value":"52998224725"}"#));
}

#[test]
fn cpf_from_base_completes_known_cpfs() {
    for (base, full) in [("529982247", "52998224725"), ("111444777", "11144477735"), ("000000001", "00000000191")] {
        let doc = cpf_from_base(base).unwrap_or_else(|e| panic!("{base}: {e:?}"));
        assert_eq!((doc.kind, doc.value.as_str()), (DocumentKind::Cpf, full));
    }
    assert_eq!(cpf_from_base("52998224"), Err(DocumentError::InvalidLength));
    assert_eq!(cpf_from_base("52998224a"), Err(DocumentError::InvalidCharacters));
    assert_eq!(cpf_from_base("111111111"), Err(DocumentError::RepeatedDigits));
}
