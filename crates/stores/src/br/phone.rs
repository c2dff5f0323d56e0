//! Phone numbers: normalization to E.164 (`+<country><number>`), with Brazilian rules.
//!
//! Brazilian national numbers are a two-digit DDD (area code, from ANATEL's list) followed by
//! either 9 digits starting with `9` (mobile with the ninth digit) or 8 digits (a landline starting
//! `2`–`5`, or an old-style mobile starting `6`–`9`). The number is kept as entered: the ninth digit
//! is never added nor removed.

/// Minimum number of digits after `+` in an international number.
const E164_MIN_DIGITS: usize = 8;
/// Maximum number of digits after `+` in an international number (E.164).
const E164_MAX_DIGITS: usize = 15;

/// Why a phone number was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    /// The input contains characters other than digits, a leading `+` and separators
    /// (spaces, parentheses, dashes, dots), or a Brazilian number does not start as a mobile or
    /// landline number should.
    #[error("the phone number is not in a valid format")]
    InvalidFormat,
    /// The two-digit Brazilian area code (DDD) does not exist.
    #[error("the phone number's area code (DDD) does not exist")]
    InvalidAreaCode,
    /// The number has too few or too many digits.
    #[error("the phone number has an invalid number of digits")]
    InvalidLength,
}

impl PhoneError {
    /// A stable machine-readable code for API responses.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidFormat => "invalid_format",
            Self::InvalidAreaCode => "invalid_area_code",
            Self::InvalidLength => "invalid_length",
        }
    }
}

/// Normalizes a phone number to E.164 (`+5511987654321`).
///
/// Spaces, parentheses, dashes and dots are ignored.
///
/// - With a leading `+`, the rest must be 8–15 digits. `+55` numbers must then be valid Brazilian
///   numbers (DDD + 8 or 9 digits); other countries are accepted as `+<digits>`.
/// - Without `+`, the number is Brazilian. A leading `0` (trunk prefix) is allowed; if after
///   removing it 12 or 13 digits remain, the first two are a carrier code and are dropped
///   (`0 15 11 98765-4321`). Otherwise a `55` country prefix is dropped when the number is 12 or
///   13 digits long.
///
/// ```
/// use balcao_stores::br::normalize_phone;
///
/// assert_eq!(normalize_phone("(11) 98765-4321").as_deref(), Ok("+5511987654321"));
/// assert_eq!(normalize_phone("11 8765-4321").as_deref(), Ok("+551187654321"));
/// assert_eq!(normalize_phone("+1 (415) 555-2671").as_deref(), Ok("+14155552671"));
/// ```
pub fn normalize_phone(input: &str) -> Result<String, PhoneError> {
    let mut compact = String::with_capacity(input.len());
    for c in input.chars() {
        if c.is_whitespace() || matches!(c, '(' | ')' | '-' | '.') {
            continue;
        }
        compact.push(c);
    }

    if let Some(international) = compact.strip_prefix('+') {
        if !international.bytes().all(|b| b.is_ascii_digit()) {
            return Err(PhoneError::InvalidFormat);
        }
        if !(E164_MIN_DIGITS..=E164_MAX_DIGITS).contains(&international.len()) {
            return Err(PhoneError::InvalidLength);
        }
        if international.starts_with('0') {
            // No country calling code starts with 0.
            return Err(PhoneError::InvalidFormat);
        }
        return match international.strip_prefix("55") {
            Some(national) => brazilian(national),
            None => Ok(format!("+{international}")),
        };
    }

    if compact.is_empty() {
        return Err(PhoneError::InvalidLength);
    }
    if !compact.bytes().all(|b| b.is_ascii_digit()) {
        return Err(PhoneError::InvalidFormat);
    }

    let national = match compact.strip_prefix('0') {
        // Trunk prefix followed by a carrier code: 0 + XX + DDD + number.
        Some(rest) if matches!(rest.len(), 12 | 13) => &rest[2..],
        Some(rest) => rest,
        None if matches!(compact.len(), 12 | 13) && compact.starts_with("55") => &compact[2..],
        None => compact.as_str(),
    };
    brazilian(national)
}

/// Validates a Brazilian national number (DDD + subscriber number, digits only) and returns it in E.164.
fn brazilian(national: &str) -> Result<String, PhoneError> {
    let bytes = national.as_bytes();
    if !matches!(bytes.len(), 10 | 11) {
        return Err(PhoneError::InvalidLength);
    }
    if !is_valid_ddd(&national[..2]) {
        return Err(PhoneError::InvalidAreaCode);
    }
    let subscriber_ok = match bytes.len() {
        // Mobile with the ninth digit.
        11 => bytes[2] == b'9',
        // Landline (2-5) or old-style mobile without the ninth digit (6-9).
        _ => matches!(bytes[2], b'2'..=b'9'),
    };
    if !subscriber_ok {
        return Err(PhoneError::InvalidFormat);
    }
    Ok(format!("+55{national}"))
}

/// The Brazilian area codes (DDD) assigned by ANATEL.
const DDDS: [&str; 67] = [
    "11", "12", "13", "14", "15", "16", "17", "18", "19", // SP
    "21", "22", "24", // RJ
    "27", "28", // ES
    "31", "32", "33", "34", "35", "37", "38", // MG
    "41", "42", "43", "44", "45", "46", // PR
    "47", "48", "49", // SC
    "51", "53", "54", "55", // RS
    "61", // DF
    "62", "64", // GO
    "63", // TO
    "65", "66", // MT
    "67", // MS
    "68", // AC
    "69", // RO
    "71", "73", "74", "75", "77", // BA
    "79", // SE
    "81", "87", // PE
    "82", // AL
    "83", // PB
    "84", // RN
    "85", "88", // CE
    "86", "89", // PI
    "91", "93", "94", // PA
    "92", "97", // AM
    "95", // RR
    "96", // AP
    "98", "99", // MA
];

/// Whether `ddd` is one of the two-digit Brazilian area codes assigned by ANATEL (`"11"`, `"21"`, …).
pub fn is_valid_ddd(ddd: &str) -> bool {
    DDDS.contains(&ddd)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(input: &str) -> String {
        match normalize_phone(input) {
            Ok(p) => p,
            Err(e) => panic!("{input:?} should be valid, got {e:?}"),
        }
    }

    fn err(input: &str) -> PhoneError {
        match normalize_phone(input) {
            Ok(p) => panic!("{input:?} should be invalid, got {p:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn brief_examples() {
        assert_eq!(ok("(11) 98765-4321"), "+5511987654321");
        assert_eq!(ok("11 8765-4321"), "+551187654321");
        assert_eq!(ok("+55 21 2345-6789"), "+552123456789");
        assert_eq!(ok("011 98765-4321"), "+5511987654321");
        assert_eq!(ok("0 15 11 98765 4321"), "+5511987654321");
    }

    #[test]
    fn brazilian_mobile_and_landline() {
        for (input, expected) in [
            ("11987654321", "+5511987654321"),
            ("11 9 8765 4321", "+5511987654321"),
            ("11.98765.4321", "+5511987654321"),
            ("(21) 2345-6789", "+552123456789"),
            ("(31) 3333-4444", "+553133334444"),
            ("(41) 4004-0001", "+554140040001"),
            ("(51) 5555-1234", "+555155551234"),
            // Old mobile without the ninth digit is kept as is.
            ("(61) 8123-4567", "+556181234567"),
            ("(71) 6123-4567", "+557161234567"),
            ("(91) 9123-4567", "+559191234567"),
            ("(99) 99999-9999", "+5599999999999"),
        ] {
            assert_eq!(ok(input), expected, "{input}");
        }
    }

    #[test]
    fn ninth_digit_is_not_touched() {
        assert_eq!(ok("11 8765-4321"), "+551187654321");
        assert_eq!(ok("11 98765-4321"), "+5511987654321");
        assert_eq!(ok("11 9876-5432"), "+551198765432");
    }

    #[test]
    fn country_prefix_without_plus() {
        assert_eq!(ok("55 11 98765-4321"), "+5511987654321");
        assert_eq!(ok("5511987654321"), "+5511987654321");
        assert_eq!(ok("55 21 2345-6789"), "+552123456789");
        // 55 is also a DDD (RS): 10/11 digits starting with 55 are national numbers.
        assert_eq!(ok("55 98765-4321"), "+5555987654321");
        assert_eq!(ok("55 3222-1234"), "+555532221234");
    }

    #[test]
    fn trunk_and_carrier_prefixes() {
        assert_eq!(ok("0 11 98765-4321"), "+5511987654321");
        assert_eq!(ok("021 2345-6789"), "+552123456789");
        assert_eq!(ok("0 21 11 98765-4321"), "+5511987654321");
        assert_eq!(ok("0 41 21 2345-6789"), "+552123456789");
        assert_eq!(ok("(015) 11 98765-4321"), "+5511987654321");
        assert_eq!(ok("0 14 (47) 3333-4444"), "+554733334444");
    }

    #[test]
    fn international_numbers() {
        for (input, expected) in [
            ("+1 (415) 555-2671", "+14155552671"),
            ("+44 20 7946 0958", "+442079460958"),
            ("+351 912 345 678", "+351912345678"),
            ("+86 138 0013 8000", "+8613800138000"),
            ("+12345678", "+12345678"),
            ("+123456789012345", "+123456789012345"),
        ] {
            assert_eq!(ok(input), expected, "{input}");
        }
    }

    #[test]
    fn plus_55_follows_brazilian_rules() {
        assert_eq!(ok("+55 (11) 98765-4321"), "+5511987654321");
        assert_eq!(ok("+551187654321"), "+551187654321");
        assert_eq!(err("+55 20 2345-6789"), PhoneError::InvalidAreaCode);
        assert_eq!(err("+55 11 8765-432"), PhoneError::InvalidLength);
        assert_eq!(err("+55 11 88765-4321"), PhoneError::InvalidFormat);
        assert_eq!(err("+55 11 1234-5678"), PhoneError::InvalidFormat);
    }

    #[test]
    fn international_length_limits() {
        assert_eq!(err("+1234567"), PhoneError::InvalidLength);
        assert_eq!(err("+1234567890123456"), PhoneError::InvalidLength);
        assert_eq!(err("+"), PhoneError::InvalidLength);
        assert_eq!(err("+ ( ) -"), PhoneError::InvalidLength);
    }

    #[test]
    fn invalid_format() {
        for input in [
            "+1 415 555 267a",
            "+0 123 456 789",
            "++5511987654321",
            "11 98765-432l",
            "11/98765-4321",
            "11+987654321",
            "abc",
            "tel:11987654321",
            "+55 11 98765-4321 ext 2",
        ] {
            assert_eq!(err(input), PhoneError::InvalidFormat, "{input:?}");
        }
    }

    #[test]
    fn invalid_subscriber_prefix() {
        // 11 digits must start with 9 after the DDD.
        assert_eq!(err("11 88765-4321"), PhoneError::InvalidFormat);
        assert_eq!(err("11 28765-4321"), PhoneError::InvalidFormat);
        // 8 digits cannot start with 0 or 1.
        assert_eq!(err("11 0765-4321"), PhoneError::InvalidFormat);
        assert_eq!(err("11 1765-4321"), PhoneError::InvalidFormat);
    }

    #[test]
    fn invalid_area_codes() {
        for ddd in ["10", "20", "23", "25", "26", "29", "30", "36", "39", "40", "50", "52", "56", "57", "58", "59"] {
            let input = format!("({ddd}) 98765-4321");
            assert_eq!(err(&input), PhoneError::InvalidAreaCode, "{input}");
        }
        for ddd in ["60", "70", "72", "76", "78", "80", "90"] {
            let input = format!("{ddd}23456789");
            assert_eq!(normalize_phone(&input), Err(PhoneError::InvalidAreaCode), "{input}");
        }
        for ddd in ["00", "01", "09", "10"] {
            let input = format!("+55 {ddd} 2345-6789");
            assert_eq!(normalize_phone(&input), Err(PhoneError::InvalidAreaCode), "{input}");
        }
    }

    #[test]
    fn invalid_lengths() {
        for input in [
            "",
            "   ",
            "()-.",
            "0",
            "123",
            "11 8765-432",
            "11 98765-43210",
            "987654321",
            "55 11 98765-43210",
            "011 98765-43210 12",
            "0015 11 98765-4321",
        ] {
            assert_eq!(err(input), PhoneError::InvalidLength, "{input:?}");
        }
    }

    #[test]
    fn ddd_list() {
        let valid: Vec<u32> = (0..100).filter(|n| is_valid_ddd(&format!("{n:02}"))).collect();
        assert_eq!(valid.len(), 67);
        for n in &valid {
            assert_ne!(n % 10, 0, "{n}");
            assert!(*n >= 11, "{n}");
        }
        for ddd in ["11", "21", "27", "38", "49", "55", "61", "69", "79", "89", "99"] {
            assert!(is_valid_ddd(ddd), "{ddd}");
        }
        assert!(!is_valid_ddd("1"));
        assert!(!is_valid_ddd("111"));
        assert!(!is_valid_ddd(""));
    }

    #[test]
    fn error_codes_and_messages() {
        for (e, code) in [
            (PhoneError::InvalidFormat, "invalid_format"),
            (PhoneError::InvalidAreaCode, "invalid_area_code"),
            (PhoneError::InvalidLength, "invalid_length"),
        ] {
            assert_eq!(e.code(), code);
            assert!(!e.to_string().is_empty());
        }
    }
}
