//! CEP (Código de Endereçamento Postal, the Brazilian postal code) and state (UF) codes.
//!
//! A CEP has 8 digits, conventionally written `01310-100`. [`Cep::as_u32`] gives the number for
//! range comparisons (delivery zones are usually defined as CEP ranges).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use utoipa::ToSchema;

/// Number of digits in a CEP.
const CEP_LEN: usize = 8;

/// The 27 federative units: 26 states and the Distrito Federal.
const UFS: [&str; 27] = [
    "AC", "AL", "AP", "AM", "BA", "CE", "DF", "ES", "GO", "MA", "MT", "MS", "MG", "PA", "PB", "PR", "PE", "PI", "RJ",
    "RN", "RS", "RO", "RR", "SC", "SP", "SE", "TO",
];

/// A validated CEP, holding its 8 digits.
///
/// Build one with [`parse_cep`] (or [`str::parse`]). It serializes as the formatted string
/// (`"01310-100"`) and deserializes from any form [`parse_cep`] accepts.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, ToSchema)]
#[schema(value_type = String, example = "01310-100")]
pub struct Cep(String);

impl Cep {
    /// The 8 digits, without punctuation: `01310100`.
    pub fn digits(&self) -> &str {
        &self.0
    }

    /// The conventional form `01310-100`.
    pub fn formatted(&self) -> String {
        match (self.0.get(..5), self.0.get(5..)) {
            (Some(head), Some(tail)) => format!("{head}-{tail}"),
            _ => self.0.clone(),
        }
    }

    /// The CEP as a number (`01310-100` → `1_310_100`), for range comparisons.
    pub fn as_u32(&self) -> u32 {
        self.0.bytes().fold(0, |acc, b| acc * 10 + u32::from(b.saturating_sub(b'0')))
    }
}

impl fmt::Display for Cep {
    /// Writes the [formatted](Cep::formatted) form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.formatted())
    }
}

impl FromStr for Cep {
    type Err = CepError;

    /// Same as [`parse_cep`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_cep(s)
    }
}

impl Serialize for Cep {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.formatted())
    }
}

impl<'de> Deserialize<'de> for Cep {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        parse_cep(&raw).map_err(serde::de::Error::custom)
    }
}

/// Why a CEP was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CepError {
    /// The input holds characters other than digits, `.`, `-` and whitespace.
    #[error("a CEP may only contain digits")]
    InvalidCharacters,
    /// The input does not have exactly 8 digits.
    #[error("a CEP must have 8 digits")]
    InvalidLength,
    /// The CEP is `00000-000`, which is never assigned.
    #[error("the CEP cannot be 00000-000")]
    AllZeros,
}

impl CepError {
    /// A stable machine-readable code for API responses.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidCharacters => "invalid_characters",
            Self::InvalidLength => "invalid_length",
            Self::AllZeros => "all_zeros",
        }
    }
}

/// Parses a CEP such as `01310-100`, `01310100` or ` 01.310-100 `.
///
/// Dots, dashes and whitespace are ignored; exactly 8 digits must remain, not all zero.
///
/// ```
/// use balcao_stores::br::parse_cep;
///
/// let cep = parse_cep(" 01.310-100 ").unwrap();
/// assert_eq!(cep.digits(), "01310100");
/// assert_eq!(cep.to_string(), "01310-100");
/// assert_eq!(cep.as_u32(), 1_310_100);
/// ```
pub fn parse_cep(input: &str) -> Result<Cep, CepError> {
    let mut digits = String::with_capacity(CEP_LEN);
    for c in input.chars() {
        if c.is_whitespace() || matches!(c, '.' | '-') {
            continue;
        }
        if !c.is_ascii_digit() {
            return Err(CepError::InvalidCharacters);
        }
        digits.push(c);
    }
    if digits.len() != CEP_LEN {
        return Err(CepError::InvalidLength);
    }
    if digits.bytes().all(|b| b == b'0') {
        return Err(CepError::AllZeros);
    }
    Ok(Cep(digits))
}

/// Whether `uf` is one of the 27 Brazilian federative unit codes (`SP`, `rj`, `Df`, …), ignoring case.
///
/// The input is not trimmed: `" SP"` is not a valid UF.
pub fn is_valid_uf(uf: &str) -> bool {
    UFS.iter().any(|known| known.eq_ignore_ascii_case(uf))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(input: &str) -> Cep {
        match parse_cep(input) {
            Ok(cep) => cep,
            Err(e) => panic!("{input:?} should be valid, got {e:?}"),
        }
    }

    fn err(input: &str) -> CepError {
        match parse_cep(input) {
            Ok(cep) => panic!("{input:?} should be invalid, got {cep:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn valid_ceps() {
        for input in ["01310-100", "01310100", " 01.310-100 ", "01 310 100", "\t01310-100\n", "0.1.3.1.0.1.0.0"] {
            let cep = ok(input);
            assert_eq!(cep.digits(), "01310100", "{input:?}");
            assert_eq!(cep.formatted(), "01310-100", "{input:?}");
        }
        assert_eq!(ok("20040-020").digits(), "20040020");
        assert_eq!(ok("99999-999").digits(), "99999999");
        assert_eq!(ok("00000-001").digits(), "00000001");
    }

    #[test]
    fn display_and_from_str() {
        assert_eq!(ok("70040010").to_string(), "70040-010");
        assert_eq!("01310-100".parse::<Cep>(), Ok(ok("01310100")));
        assert_eq!("0131010".parse::<Cep>(), Err(CepError::InvalidLength));
    }

    #[test]
    fn as_u32_for_ranges() {
        assert_eq!(ok("01310-100").as_u32(), 1_310_100);
        assert_eq!(ok("00000-001").as_u32(), 1);
        assert_eq!(ok("99999-999").as_u32(), 99_999_999);
        assert_eq!(ok("20040-020").as_u32(), 20_040_020);
        // São Paulo capital range 01000-000..=05999-999.
        let range = ok("01000-000").as_u32()..=ok("05999-999").as_u32();
        assert!(range.contains(&ok("01310-100").as_u32()));
        assert!(!range.contains(&ok("20040-020").as_u32()));
        // Ordering of `Cep` matches numeric ordering.
        assert!(ok("01310-100") < ok("20040-020"));
    }

    #[test]
    fn all_zeros() {
        assert_eq!(err("00000000"), CepError::AllZeros);
        assert_eq!(err("00000-000"), CepError::AllZeros);
        assert_eq!(err(" 00.000-000 "), CepError::AllZeros);
    }

    #[test]
    fn invalid_lengths() {
        for input in ["", "   ", ".-", "0131010", "013101000", "01310-10", "01310-1000", "1"] {
            assert_eq!(err(input), CepError::InvalidLength, "{input:?}");
        }
    }

    #[test]
    fn invalid_characters() {
        for input in ["01310-10a", "01310/100", "CEP 01310-100", "01310_100", "０1310100", "+1310100"] {
            assert_eq!(err(input), CepError::InvalidCharacters, "{input:?}");
        }
    }

    #[test]
    fn serde_uses_formatted_string() {
        let cep = ok("01310100");
        assert_eq!(serde_json::to_string(&cep).ok().as_deref(), Some("\"01310-100\""));
        assert_eq!(serde_json::from_str::<Cep>("\"01310100\"").ok(), Some(cep.clone()));
        assert_eq!(serde_json::from_str::<Cep>("\" 01.310-100 \"").ok(), Some(cep));
        assert!(serde_json::from_str::<Cep>("\"00000-000\"").is_err());
        assert!(serde_json::from_str::<Cep>("1310100").is_err());
    }

    #[test]
    fn ufs() {
        assert_eq!(UFS.len(), 27);
        for uf in UFS {
            assert!(is_valid_uf(uf), "{uf}");
            assert!(is_valid_uf(&uf.to_ascii_lowercase()), "{uf}");
        }
        assert!(is_valid_uf("Sp"));
        assert!(is_valid_uf("dF"));
        for uf in ["", "S", "SPP", "XX", "BR", "GB", "FN", " SP", "SP ", "S P", "ÇE"] {
            assert!(!is_valid_uf(uf), "{uf:?}");
        }
    }

    #[test]
    fn ufs_are_unique() {
        let mut sorted = UFS.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), 27);
    }

    #[test]
    fn error_codes_and_messages() {
        for (e, code) in [
            (CepError::InvalidCharacters, "invalid_characters"),
            (CepError::InvalidLength, "invalid_length"),
            (CepError::AllZeros, "all_zeros"),
        ] {
            assert_eq!(e.code(), code);
            assert!(!e.to_string().is_empty());
        }
    }
}
