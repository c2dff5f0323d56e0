//! CPF and CNPJ: parsing, check-digit validation and formatting.
//!
//! A CPF (Cadastro de Pessoas Físicas) has 11 digits, the last two being mod-11 check digits.
//! A CNPJ (Cadastro Nacional da Pessoa Jurídica) has 14 characters. From July 2026 the
//! Receita Federal issues *alphanumeric* CNPJs (IN RFB 2.229/2024): the first 12 positions may be
//! digits or uppercase letters `A`–`Z`, the last 2 (the check digits) are always digits. Classic
//! numeric CNPJs remain valid under the same algorithm, since each character is valued as its
//! ASCII code minus 48 (`'0'`–`'9'` → 0–9, `'A'` → 17, …, `'Z'` → 42).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Length of a normalized CPF.
const CPF_LEN: usize = 11;
/// Length of a normalized CNPJ.
const CNPJ_LEN: usize = 14;

/// Weights for the first CNPJ check digit, over the first 12 characters.
const CNPJ_DV1_WEIGHTS: [u32; 12] = [5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];
/// Weights for the second CNPJ check digit, over the first 13 characters.
const CNPJ_DV2_WEIGHTS: [u32; 13] = [6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2];

/// Which Brazilian taxpayer document a [`Document`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// CPF: an individual's taxpayer number (11 digits).
    Cpf,
    /// CNPJ: a legal entity's taxpayer number (14 characters, numeric or alphanumeric).
    Cnpj,
}

/// A validated CPF or CNPJ.
///
/// Build one with [`parse_document`] (or [`str::parse`]); the check digits have then been verified.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, ToSchema)]
pub struct Document {
    /// Whether this is a CPF or a CNPJ.
    pub kind: DocumentKind,
    /// Normalized value without punctuation: 11 digits for a CPF, 14 uppercase alphanumeric
    /// characters (the last two digits) for a CNPJ.
    #[schema(example = "52998224725")]
    pub value: String,
}

impl Document {
    /// The conventional punctuated form: `123.456.789-09` for a CPF, `12.ABC.345/01DE-35` for a CNPJ.
    ///
    /// If `value` does not have the expected length for `kind` (possible only when the struct was
    /// built by hand), it is returned unchanged.
    pub fn formatted(&self) -> String {
        let v = self.value.as_str();
        match self.kind {
            DocumentKind::Cpf if v.len() == CPF_LEN && v.is_ascii() => {
                format!("{}.{}.{}-{}", &v[0..3], &v[3..6], &v[6..9], &v[9..11])
            }
            DocumentKind::Cnpj if v.len() == CNPJ_LEN && v.is_ascii() => {
                format!("{}.{}.{}/{}-{}", &v[0..2], &v[2..5], &v[5..8], &v[8..12], &v[12..14])
            }
            _ => self.value.clone(),
        }
    }
}

impl fmt::Display for Document {
    /// Writes the [formatted](Document::formatted) form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.formatted())
    }
}

impl FromStr for Document {
    type Err = DocumentError;

    /// Same as [`parse_document`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_document(s)
    }
}

/// Why a CPF or CNPJ was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DocumentError {
    /// After removing punctuation, the input is neither 11 (CPF) nor 14 (CNPJ) characters long.
    #[error("a CPF must have 11 digits and a CNPJ 14 characters")]
    InvalidLength,
    /// The input holds characters not allowed where they are: anything but digits, letters and
    /// punctuation; letters in a CPF; letters in a CNPJ's check digits.
    #[error("the document contains invalid characters")]
    InvalidCharacters,
    /// The check digits do not match the rest of the number.
    #[error("the document's check digits are invalid")]
    InvalidCheckDigits,
    /// Every character is the same (e.g. `111.111.111-11`, `00.000.000/0000-00`).
    #[error("the document cannot consist of one repeated digit")]
    RepeatedDigits,
}

impl DocumentError {
    /// A stable machine-readable code for API responses.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidLength => "invalid_length",
            Self::InvalidCharacters => "invalid_characters",
            Self::InvalidCheckDigits => "invalid_check_digits",
            Self::RepeatedDigits => "repeated_digits",
        }
    }
}

/// Parses and validates a CPF or CNPJ.
///
/// Punctuation (`.`, `-`, `/`) and whitespace are ignored and lowercase letters are uppercased.
/// 11 remaining characters make a CPF (digits only); 14 make a CNPJ (alphanumeric, with numeric
/// check digits). Numbers made of one repeated character are rejected, as are wrong check digits.
///
/// ```
/// use balcao_stores::br::{parse_document, DocumentKind};
///
/// let doc = parse_document("12.abc.345/01de-35").unwrap();
/// assert_eq!(doc.kind, DocumentKind::Cnpj);
/// assert_eq!(doc.value, "12ABC34501DE35");
/// assert_eq!(doc.formatted(), "12.ABC.345/01DE-35");
/// ```
pub fn parse_document(input: &str) -> Result<Document, DocumentError> {
    let mut value = String::with_capacity(CNPJ_LEN);
    for c in input.chars() {
        if matches!(c, '.' | '-' | '/') || c.is_whitespace() {
            continue;
        }
        if !c.is_ascii_alphanumeric() {
            return Err(DocumentError::InvalidCharacters);
        }
        value.push(c.to_ascii_uppercase());
    }

    let kind = match value.len() {
        CPF_LEN => DocumentKind::Cpf,
        CNPJ_LEN => DocumentKind::Cnpj,
        _ => return Err(DocumentError::InvalidLength),
    };
    let bytes = value.as_bytes();

    match kind {
        DocumentKind::Cpf => {
            if !bytes.iter().all(u8::is_ascii_digit) {
                return Err(DocumentError::InvalidCharacters);
            }
            reject_repeated(bytes)?;
            if cpf_check_digits(&bytes[..9]) != (bytes[9], bytes[10]) {
                return Err(DocumentError::InvalidCheckDigits);
            }
        }
        DocumentKind::Cnpj => {
            if !bytes[12..].iter().all(u8::is_ascii_digit) {
                return Err(DocumentError::InvalidCharacters);
            }
            reject_repeated(bytes)?;
            if cnpj_check_digits(&bytes[..12]) != (bytes[12], bytes[13]) {
                return Err(DocumentError::InvalidCheckDigits);
            }
        }
    }

    Ok(Document { kind, value })
}

/// The CPF whose first nine digits are `base`, completed with its two check digits.
///
/// ```
/// use balcao_stores::br::cpf_from_base;
///
/// assert_eq!(cpf_from_base("529982247").unwrap().formatted(), "529.982.247-25");
/// assert!(cpf_from_base("12345678").is_err());
/// ```
pub fn cpf_from_base(base: &str) -> Result<Document, DocumentError> {
    if base.len() != CPF_LEN - 2 {
        return Err(DocumentError::InvalidLength);
    }
    if !base.bytes().all(|b| b.is_ascii_digit()) {
        return Err(DocumentError::InvalidCharacters);
    }
    let (dv1, dv2) = cpf_check_digits(base.as_bytes());
    parse_document(&format!("{base}{}{}", char::from(dv1), char::from(dv2)))
}

/// Fails with [`DocumentError::RepeatedDigits`] when every byte is the same.
fn reject_repeated(bytes: &[u8]) -> Result<(), DocumentError> {
    match bytes.split_first() {
        Some((first, rest)) if rest.iter().all(|b| b == first) => Err(DocumentError::RepeatedDigits),
        _ => Ok(()),
    }
}

/// Turns a weighted sum into a mod-11 check digit (as an ASCII digit).
fn mod11_digit(sum: u32) -> u8 {
    let remainder = sum % 11;
    let digit = if remainder < 2 { 0 } else { 11 - remainder };
    // `digit` is at most 9, so the cast cannot truncate.
    b'0' + digit as u8
}

/// Value of an ASCII character in the check-digit algorithms: its code minus 48.
fn char_value(b: u8) -> u32 {
    u32::from(b).saturating_sub(48)
}

/// Both CPF check digits (ASCII) for the 9-digit base.
fn cpf_check_digits(base: &[u8]) -> (u8, u8) {
    let weighted =
        |digits: &[u8], top: u32| -> u32 { digits.iter().zip((2..=top).rev()).map(|(&b, w)| char_value(b) * w).sum() };
    let dv1 = mod11_digit(weighted(base, 10));
    let mut with_dv1 = [0u8; 10];
    with_dv1[..9].copy_from_slice(&base[..9]);
    with_dv1[9] = dv1;
    let dv2 = mod11_digit(weighted(&with_dv1, 11));
    (dv1, dv2)
}

/// Both CNPJ check digits (ASCII) for the 12-character alphanumeric base.
fn cnpj_check_digits(base: &[u8]) -> (u8, u8) {
    let sum1: u32 = base.iter().zip(CNPJ_DV1_WEIGHTS).map(|(&b, w)| char_value(b) * w).sum();
    let dv1 = mod11_digit(sum1);
    let sum2: u32 =
        base.iter().chain(std::iter::once(&dv1)).zip(CNPJ_DV2_WEIGHTS).map(|(&b, w)| char_value(b) * w).sum();
    let dv2 = mod11_digit(sum2);
    (dv1, dv2)
}

#[cfg(test)]
#[path = "document_tests.rs"]
mod tests;
