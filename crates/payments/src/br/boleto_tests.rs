//! Tests for the boleto module, with published example boletos.

use super::*;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// A published example line, its barcode, amount, due date and a reference date near its issue.
struct Example {
    source: &'static str,
    line: &'static str,
    barcode: &'static str,
    amount: i64,
    due: Option<NaiveDate>,
    reference: NaiveDate,
}

fn examples() -> Vec<Example> {
    vec![
        Example {
            source: "Banco do Brasil boleto, impactro/Boleto-Test (Boleto.50.pdf)",
            line: "00190.00009 02880.310004 00001.176171 3 68610000005000",
            barcode: "00193686100000050000000002880310000000117617",
            amount: 5_000,
            due: Some(date(2016, 7, 20)),
            reference: date(2016, 7, 11),
        },
        Example {
            source: "Bradesco boleto, Efí API docs (pagamento de contas, webhook example)",
            line: "23794150096000005550330090100006796240000021320",
            barcode: "23797962400000213204150060000055503009010000",
            amount: 21_320,
            due: Some(date(2024, 2, 12)),
            reference: date(2024, 2, 7),
        },
        Example {
            source: "Efí (bank 364) boleto without due date, Efí API docs (webhook example)",
            line: "36490000760001433420500000000661100000000002000",
            barcode: "36491000000000020000000700014334200000000066",
            amount: 2_000,
            due: None,
            reference: date(2024, 1, 23),
        },
        Example {
            source: "Banco do Brasil API Cobrança response example",
            line: "00190000090312855707500000300178498400000010000",
            barcode: "00194984000000100000000003128557070000030017",
            amount: 10_000,
            due: Some(date(2024, 9, 15)),
            reference: date(2024, 9, 1),
        },
        Example {
            source: "Banco Inter boleto, boleto_parser README",
            line: "07790.00116 12064.449908 08159.365561 7 90020000015130",
            barcode: "07797900200000151300001112064449900815936556",
            amount: 15_130,
            due: Some(date(2022, 5, 31)),
            reference: date(2022, 5, 20),
        },
        Example {
            source: "boleto_utils (pub.dev) test suite, before the rollover",
            line: "32090074201080049084849760000023994480000071327",
            barcode: "32099944800000713270074210800490844976000002",
            amount: 71_327,
            due: Some(date(2023, 8, 20)),
            reference: date(2023, 8, 1),
        },
        Example {
            source: "boleto_utils (pub.dev) test suite, factor 1001 after the rollover",
            line: "32090074201080049084849760000023610010000071327",
            barcode: "32096100100000713270074210800490844976000002",
            amount: 71_327,
            due: Some(date(2025, 2, 23)),
            reference: date(2025, 2, 20),
        },
    ]
}

#[test]
fn published_lines_decode_and_convert_both_ways() {
    for ex in examples() {
        let by_line = from_line(ex.line, ex.reference).unwrap_or_else(|e| panic!("{}: {e}", ex.source));
        let by_barcode = from_barcode(ex.barcode, ex.reference).unwrap();
        assert_eq!(by_line, by_barcode, "{}", ex.source);
        assert_eq!(by_line.barcode(), ex.barcode, "{}", ex.source);
        assert_eq!(by_line.line(), ex.line.replace(['.', ' '], ""), "{}", ex.source);
        assert_eq!(by_line.bank(), &ex.barcode[..3], "{}", ex.source);
        assert_eq!(by_line.amount(), ex.amount, "{}", ex.source);
        assert_eq!(by_line.due_date(), ex.due, "{}", ex.source);
        assert_eq!(by_line.free_field(), &ex.barcode[19..], "{}", ex.source);
        assert_eq!(line_to_barcode(ex.line).unwrap(), ex.barcode, "{}", ex.source);
        assert_eq!(barcode_to_line(ex.barcode).unwrap(), by_line.line(), "{}", ex.source);
        // The formatted line parses back to the same boleto.
        assert_eq!(from_line(&by_line.formatted_line(), ex.reference).unwrap(), by_line, "{}", ex.source);
    }
}

#[test]
fn formats_with_dots_and_spaces() {
    let boleto = from_line("00190000090288031000400001176171368610000005000", date(2016, 7, 11)).unwrap();
    assert_eq!(boleto.formatted_line(), "00190.00009 02880.310004 00001.176171 3 68610000005000");
    assert_eq!(boleto.to_string(), boleto.formatted_line());
}

#[test]
fn accepts_formatted_and_padded_input() {
    let reference = date(2022, 5, 20);
    let plain = from_line("07790001161206444990808159365561790020000015130", reference).unwrap();
    for input in [
        "07790.00116 12064.449908 08159.365561 7 90020000015130",
        "  07790.00116  12064.449908\t08159.365561 7 90020000015130\n",
        "07790.00116.12064.449908.08159.365561.7.90020000015130",
    ] {
        assert_eq!(from_line(input, reference).unwrap(), plain, "{input:?}");
    }
    assert_eq!(from_barcode(" 0779 7900 2000 0015 1300 0011 1206 4449 9008 1593 6556 ", reference).unwrap(), plain);
}

#[test]
fn a_general_check_digit_left_over_from_the_old_factor_is_rejected() {
    // boleto_utils' test suite changed field 5 to factor 1001 but kept the general check digit 9
    // of the original line; the right one is 6.
    let err = from_line("32090074201080049084849760000023910010000071327", date(2025, 2, 20)).unwrap_err();
    assert_eq!(err, BoletoError::BadGeneralCheckDigit);
    assert_eq!(err.code(), "bad_general_check_digit");
}

#[test]
fn every_single_digit_change_in_a_line_is_rejected_and_located() {
    // Skips the examples whose general check digit is 1: see `the_modulo_11_rule_has_a_blind_spot`.
    for ex in examples().into_iter().filter(|ex| ex.barcode.as_bytes()[4] != b'1') {
        let line = ex.line.replace(['.', ' '], "");
        for (position, original) in line.char_indices() {
            for replacement in ('0'..='9').filter(|&c| c != original) {
                let mut typo = line.clone();
                typo.replace_range(position..=position, &replacement.to_string());
                let expected = match position {
                    0..=9 => BoletoError::BadFieldCheckDigit { field: 1 },
                    10..=20 => BoletoError::BadFieldCheckDigit { field: 2 },
                    21..=31 => BoletoError::BadFieldCheckDigit { field: 3 },
                    _ => BoletoError::BadGeneralCheckDigit,
                };
                let err = from_line(&typo, ex.reference).unwrap_err();
                assert_eq!(err, expected, "{}: {typo}", ex.source);
                assert_eq!(line_to_barcode(&typo).unwrap_err(), expected, "{}: {typo}", ex.source);
            }
        }
    }
}

#[test]
fn every_single_digit_change_in_a_barcode_is_rejected() {
    let barcode = "23797962400000213204150060000055503009010000";
    for (position, original) in barcode.char_indices() {
        for replacement in ('0'..='9').filter(|&c| c != original) {
            let mut typo = barcode.to_owned();
            typo.replace_range(position..=position, &replacement.to_string());
            let err = from_barcode(&typo, date(2024, 2, 7)).unwrap_err();
            let expected = if position == 3 {
                BoletoError::UnsupportedCurrency { code: replacement.to_digit(10).unwrap() as u8 }
            } else {
                BoletoError::BadGeneralCheckDigit
            };
            assert_eq!(err, expected, "{typo}");
            assert_eq!(barcode_to_line(&typo).unwrap_err(), expected, "{typo}");
        }
    }
}

#[test]
fn the_modulo_11_rule_has_a_blind_spot() {
    // Remainders 0 and 1 both give the check digit 1, so when it is 1 a typo in field 5 that moves
    // the remainder between them goes unnoticed (field 5 has no check digit of its own). Here the
    // Efí example's amount 20.00 typed as 20.03 still passes, as it does under any implementation of the rule.
    let typo = from_line("36490000760001433420500000000661100000000002003", date(2024, 1, 23)).unwrap();
    assert_eq!(typo.amount(), 2_003);
    // The same kind of typo is caught when the check digit is not 1.
    let err = from_line("23794150096000005550330090100006796240000021323", date(2024, 2, 7)).unwrap_err();
    assert_eq!(err, BoletoError::BadGeneralCheckDigit);
}

/// A barcode with the given currency and factor and a correct general check digit.
fn barcode_with(currency: u8, factor: &str) -> String {
    let mut digits = parse_digits::<BARCODE_LEN>("23797962400000213204150060000055503009010000").unwrap();
    digits[3] = currency;
    for (slot, d) in digits[5..9].iter_mut().zip(factor.bytes()) {
        *slot = d - b'0';
    }
    digits[4] = general_check_digit(&digits);
    to_text(&digits)
}

#[test]
fn rejects_other_currencies_even_with_valid_check_digits() {
    let barcode = barcode_with(0, "9624");
    let err = from_barcode(&barcode, date(2024, 2, 7)).unwrap_err();
    assert_eq!(err, BoletoError::UnsupportedCurrency { code: 0 });
    assert_eq!(err.code(), "unsupported_currency");
}

#[test]
fn rejects_factors_without_a_date_in_the_window() {
    for factor in ["0001", "0999"] {
        let err = from_barcode(&barcode_with(9, factor), date(2024, 2, 7)).unwrap_err();
        assert_eq!(err.code(), "invalid_due_date_factor", "{factor}");
    }
    // 2016-07-20 is more than 3000 days before 2026-01-01, and the next cycle's date for the
    // same factor (2041-03-08) more than 5500 days after.
    let err = from_line("00190000090288031000400001176171368610000005000", date(2026, 1, 1)).unwrap_err();
    assert_eq!(err, BoletoError::InvalidDueDateFactor { factor: 6861 });
    // Conversions do not resolve the due date.
    assert!(line_to_barcode("00190000090288031000400001176171368610000005000").is_ok());
}

#[test]
fn rejects_bad_lengths_and_characters() {
    let reference = date(2024, 2, 7);
    let err = from_line("2379415009600000555033009010000679624000002132", reference).unwrap_err();
    assert_eq!(err, BoletoError::InvalidLength { expected: 47, found: 46 });
    assert_eq!(err.code(), "invalid_length");
    let err = from_line("23797962400000213204150060000055503009010000", reference).unwrap_err();
    assert_eq!(err, BoletoError::InvalidLength { expected: 47, found: 44 });
    let err = from_barcode("23794150096000005550330090100006796240000021320", reference).unwrap_err();
    assert_eq!(err, BoletoError::InvalidLength { expected: 44, found: 47 });
    assert_eq!(from_barcode("", reference).unwrap_err(), BoletoError::InvalidLength { expected: 44, found: 0 });
    let err = from_line("23794-15009 60000.055503 30090.100006 7 96240000021320", reference).unwrap_err();
    assert_eq!(err, BoletoError::InvalidCharacter { character: '-' });
    assert_eq!(err.code(), "invalid_character");
    let err = from_barcode("2379796240000021320415006000005550300901000٠", reference).unwrap_err();
    assert_eq!(err, BoletoError::InvalidCharacter { character: '٠' });
}

#[test]
fn factor_restarts_at_1000_on_2025_02_22() {
    assert_eq!(factor(date(2000, 7, 3)), Some(1000));
    assert_eq!(factor(date(2000, 7, 4)), Some(1001));
    assert_eq!(factor(date(2012, 4, 27)), Some(5316));
    assert_eq!(factor(date(2025, 2, 20)), Some(9998));
    assert_eq!(factor(date(2025, 2, 21)), Some(9999));
    assert_eq!(factor(date(2025, 2, 22)), Some(1000));
    assert_eq!(factor(date(2025, 2, 26)), Some(1004));
    assert_eq!(factor(date(2049, 10, 13)), Some(9999));
    assert_eq!(factor(date(2049, 10, 14)), Some(1000));
    assert_eq!(factor(date(2000, 7, 2)), None);
}

#[test]
fn due_date_picks_the_cycle_in_the_febraban_window() {
    // Reference 2020-01-01 (factor 8121): the window runs from 2011-10-15 to 2035-01-22.
    let reference = date(2020, 1, 1);
    assert_eq!(due_date(5120, reference), None);
    assert_eq!(due_date(5121, reference), Some(date(2011, 10, 15)));
    assert_eq!(due_date(8121, reference), Some(reference));
    assert_eq!(due_date(9999, reference), Some(date(2025, 2, 21)));
    assert_eq!(due_date(1000, reference), Some(date(2025, 2, 22)));
    assert_eq!(due_date(4000, reference), Some(date(2033, 5, 11)));
    assert_eq!(due_date(4621, reference), Some(date(2035, 1, 22)));
    assert_eq!(due_date(4622, reference), None);
    // Reference 2050-01-01, two restarts later.
    let reference = date(2050, 1, 1);
    assert_eq!(due_date(7078, reference), None);
    assert_eq!(due_date(7079, reference), Some(date(2041, 10, 15)));
    assert_eq!(due_date(1079, reference), Some(reference));
    assert_eq!(due_date(6579, reference), Some(date(2065, 1, 22)));
    assert_eq!(due_date(6580, reference), None);
    // Around the rollover itself.
    assert_eq!(due_date(9999, date(2025, 3, 1)), Some(date(2025, 2, 21)));
    assert_eq!(due_date(1000, date(2025, 2, 1)), Some(date(2025, 2, 22)));
    // Not factors of any date.
    for not_a_factor in [0, 1, 999, 10_000, u16::MAX] {
        assert_eq!(due_date(not_a_factor, reference), None, "{not_a_factor}");
    }
}

#[test]
fn factor_and_due_date_round_trip_across_the_window() {
    for reference in [date(2010, 5, 5), date(2025, 2, 22), date(2026, 6, 1), date(2049, 10, 14)] {
        for offset in -WINDOW_PAST_DAYS..=WINDOW_FUTURE_DAYS {
            let due = add_days(reference, offset).unwrap();
            let Some(f) = factor(due) else { continue };
            assert_eq!(due_date(f, reference), Some(due), "{due} from {reference}");
        }
    }
}

#[test]
fn build_produces_lines_that_from_line_accepts() {
    // Expected digits computed independently (a separate Python implementation of the layout).
    let due = date(2026, 3, 10);
    let boleto = build("364", 12_345, due, "0000000000000000000000001").unwrap();
    assert_eq!(boleto.barcode(), "36497138100000123450000000000000000000000001");
    assert_eq!(boleto.line(), "36490000010000000000000000000018713810000012345");
    assert_eq!(boleto.formatted_line(), "36490.00001 00000.000000 00000.000018 7 13810000012345");
    assert_eq!(boleto.due_date(), Some(due));
    assert_eq!(from_line(boleto.line(), date(2026, 3, 1)).unwrap(), boleto);
    assert_eq!(from_barcode(boleto.barcode(), date(2026, 3, 1)).unwrap(), boleto);

    // The Banco do Brasil example's free field, due on the first day of the new cycle.
    let boleto = build("001", 150, date(2025, 2, 22), "0000002880310000000117617").unwrap();
    assert_eq!(boleto.line(), "00190000090288031000400001176171210000000000150");
    assert_eq!(from_line(boleto.line(), date(2025, 2, 10)).unwrap(), boleto);

    for (amount, due) in [(0, date(2000, 7, 3)), (MAX_AMOUNT, date(2049, 10, 13)), (1, date(2031, 12, 31))] {
        let built = build("237", amount, due, "4150060000055503009010000").unwrap();
        let parsed = from_line(&built.formatted_line(), due).unwrap();
        assert_eq!(parsed, built);
        assert_eq!((parsed.amount(), parsed.due_date()), (amount, Some(due)));
    }
}

#[test]
fn build_rejects_bad_values() {
    let due = date(2026, 3, 10);
    let free = "0000000000000000000000001";
    for bank in ["", "01", "0011", "0a1", " 01"] {
        assert_eq!(build(bank, 1, due, free).unwrap_err(), BoletoError::InvalidBank, "{bank:?}");
    }
    for amount in [-1, MAX_AMOUNT + 1, i64::MIN, i64::MAX] {
        assert_eq!(build("001", amount, due, free).unwrap_err(), BoletoError::InvalidAmount { amount });
    }
    let early = date(2000, 7, 2);
    assert_eq!(build("001", 1, early, free).unwrap_err(), BoletoError::InvalidDueDate { due: early });
    for free_field in ["", "000000000000000000000001", "00000000000000000000000001", "00000.00000000000000000001"] {
        assert_eq!(build("001", 1, due, free_field).unwrap_err(), BoletoError::InvalidFreeField, "{free_field:?}");
    }
}

#[test]
fn codes_are_stable() {
    let codes = [
        (BoletoError::InvalidCharacter { character: 'x' }, "invalid_character"),
        (BoletoError::InvalidLength { expected: 47, found: 1 }, "invalid_length"),
        (BoletoError::UnsupportedCurrency { code: 0 }, "unsupported_currency"),
        (BoletoError::BadFieldCheckDigit { field: 2 }, "bad_field_check_digit"),
        (BoletoError::BadGeneralCheckDigit, "bad_general_check_digit"),
        (BoletoError::InvalidDueDateFactor { factor: 1 }, "invalid_due_date_factor"),
        (BoletoError::InvalidBank, "invalid_bank"),
        (BoletoError::InvalidAmount { amount: -1 }, "invalid_amount"),
        (BoletoError::InvalidDueDate { due: date(2000, 1, 1) }, "invalid_due_date"),
        (BoletoError::InvalidFreeField, "invalid_free_field"),
    ];
    for (error, code) in codes {
        assert_eq!(error.code(), code);
    }
}

#[test]
fn check_digit_algorithms() {
    // Remainders 0 and 1 both give 1 (FEBRABAN cobrança rule).
    assert_eq!(general_check_digit(&[0; BARCODE_LEN]), 1);
    assert_eq!(mod10(&[0, 0, 1, 9, 0, 0, 0, 0, 0]), 9);
    assert_eq!(mod10(&[0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), 0);
}
