//! Bank boletos (boletos de cobrança): the 44-digit barcode and the 47-digit linha digitável.
//!
//! Pure functions, no I/O. balcao uses them to validate what a provider (EFI) returns, and the
//! sandbox provider uses [`build`] to hand a test merchant a line that any bank would accept.
//!
//! # Layout (FEBRABAN)
//!
//! | barcode positions | 1-3  | 4            | 5                   | 6-9             | 10-19             | 20-44      |
//! |-------------------|------|--------------|---------------------|-----------------|-------------------|------------|
//! | content           | bank | currency `9` | general check digit | due-date factor | amount (centavos) | free field |
//!
//! The general check digit is modulo 11 over the other 43 digits, weights 2..=9 repeating from
//! the right; a result of 0, 10 or 11 becomes 1.
//!
//! The line regroups the same digits in five fields, printed
//! `AAAAA.AAAAA BBBBB.BBBBBB CCCCC.CCCCCC D EEEEEEEEEEEEEE`: (1) bank, currency and free field
//! 1-5, (2) free field 6-15 and (3) free field 16-25, each plus a check digit; (4) the general
//! check digit; (5) factor and amount. Field check digits are modulo 10: weights 2, 1 repeating
//! from the right, the digits of each product summed, the digit completing the next multiple of 10.
//!
//! # Due-date factor
//!
//! The factor counts days from the base date 1997-10-07; it reached 9999 on 2025-02-21 and,
//! by FEBRABAN's rule, restarted at 1000 on 2025-02-22 (next restart: 1000 on 2049-10-14).
//! A factor thus names one date per 9000-day cycle; the cycle is the one inside FEBRABAN's
//! payment window, 3000 days before to 5500 days after the current date ([`due_date`]).
//! Factor `0000` means the boleto carries no due date.
//!
//! Sources: FEBRABAN, *Manual Operacional do Fator de Vencimento da Cobrança Bancária* v01
//! (2012-06-01): 9999 is the limit on 2025-02-21, then the factor restarts at 1000; the window,
//! "3.000 fatores de vencimento anteriores e 5.500 fatores futuros, ambos em relação à data
//! atual", as quoted in brcobranca 8.0.0 (`calculo_data.rb`); Itaú's developer portal table
//! (1000 = 2025-02-22, 9999 = 2049-10-13), as quoted in eduardocereto/pyboleto#75.

use std::fmt;

use chrono::{NaiveDate, TimeDelta};

const BARCODE_LEN: usize = 44;
const LINE_LEN: usize = 47;
/// Currency code for the real; `0` ("other currencies") is not supported.
const CURRENCY_REAL: u8 = 9;
/// The largest amount the 10-digit field holds, in centavos.
const MAX_AMOUNT: i64 = 9_999_999_999;
const FIRST_FACTOR: u16 = 1000;
const LAST_FACTOR: u16 = 9999;
/// Days in one factor cycle (1000..=9999).
const CYCLE_DAYS: i64 = 9000;
/// FEBRABAN's payment window around the reference date, in days.
const WINDOW_PAST_DAYS: i64 = 3000;
const WINDOW_FUTURE_DAYS: i64 = 5500;
/// Line fields 1-3: where each body sits in the line, and where its check digit sits.
const FIELDS: [(std::ops::Range<usize>, usize); 3] = [(0..9, 9), (10..20, 20), (21..31, 31)];
/// 2000-07-03: factor 1000 of the first cycle (1000 days after the base date 1997-10-07).
const FIRST_CYCLE_START: NaiveDate = match NaiveDate::from_ymd_opt(2000, 7, 3) {
    Some(date) => date,
    None => panic!("2000-07-03 is a valid date"),
};

/// A validated bank boleto: barcode, line and the values they carry.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Boleto {
    barcode: String,
    line: String,
    bank: String,
    amount: i64,
    due_date: Option<NaiveDate>,
}

impl Boleto {
    /// The 44-digit barcode.
    pub fn barcode(&self) -> &str {
        &self.barcode
    }

    /// The 47-digit linha digitável, digits only.
    pub fn line(&self) -> &str {
        &self.line
    }

    /// The linha digitável as printed: `00190.00009 02880.310004 00001.176171 3 68610000005000`.
    pub fn formatted_line(&self) -> String {
        let mut out = String::with_capacity(LINE_LEN + 7);
        for (i, c) in self.line.chars().enumerate() {
            match i {
                5 | 15 | 26 => out.push('.'),
                10 | 21 | 32 | 33 => out.push(' '),
                _ => {}
            }
            out.push(c);
        }
        out
    }

    /// The 3-digit bank code (`001` Banco do Brasil, `364` Efí, ...).
    pub fn bank(&self) -> &str {
        &self.bank
    }

    /// The amount in centavos; 0 when the boleto leaves it open.
    pub fn amount(&self) -> i64 {
        self.amount
    }

    /// The due date, or `None` when the factor is `0000`.
    pub fn due_date(&self) -> Option<NaiveDate> {
        self.due_date
    }

    /// The 25-digit free field, whose layout belongs to the issuing bank.
    pub fn free_field(&self) -> &str {
        self.barcode.get(19..).unwrap_or_default()
    }
}

impl fmt::Display for Boleto {
    /// Writes the [formatted line](Boleto::formatted_line).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.formatted_line())
    }
}

/// Why a barcode, line or set of boleto values was rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BoletoError {
    /// The input holds something other than digits, dots and whitespace.
    #[error("unexpected character {character:?}: a boleto holds only digits")]
    InvalidCharacter { character: char },
    /// The input does not have the expected number of digits.
    #[error("expected {expected} digits, found {found}")]
    InvalidLength { expected: usize, found: usize },
    /// The currency code is not `9` (real).
    #[error("unsupported currency code {code}: only 9 (real) is accepted")]
    UnsupportedCurrency { code: u8 },
    /// The check digit of field 1, 2 or 3 of the line does not match.
    #[error("the check digit of field {field} of the line does not match")]
    BadFieldCheckDigit { field: u8 },
    /// The general (modulo 11) check digit does not match.
    #[error("the general check digit does not match")]
    BadGeneralCheckDigit,
    /// The factor is below 1000, or names no date in the window around the reference date.
    #[error("due-date factor {factor} names no date within the payment window")]
    InvalidDueDateFactor { factor: u16 },
    /// The bank code for [`build`] is not 3 digits.
    #[error("a bank code has 3 digits")]
    InvalidBank,
    /// The amount for [`build`] is negative or over 10 digits of centavos.
    #[error("amount {amount} is out of range (0 to 9999999999 centavos)")]
    InvalidAmount { amount: i64 },
    /// The due date for [`build`] is before 2000-07-03, which has no factor.
    #[error("due date {due} has no due-date factor")]
    InvalidDueDate { due: NaiveDate },
    /// The free field for [`build`] is not 25 digits.
    #[error("the free field has 25 digits")]
    InvalidFreeField,
}

impl BoletoError {
    /// A stable machine-readable code for API responses.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidCharacter { .. } => "invalid_character",
            Self::InvalidLength { .. } => "invalid_length",
            Self::UnsupportedCurrency { .. } => "unsupported_currency",
            Self::BadFieldCheckDigit { .. } => "bad_field_check_digit",
            Self::BadGeneralCheckDigit => "bad_general_check_digit",
            Self::InvalidDueDateFactor { .. } => "invalid_due_date_factor",
            Self::InvalidBank => "invalid_bank",
            Self::InvalidAmount { .. } => "invalid_amount",
            Self::InvalidDueDate { .. } => "invalid_due_date",
            Self::InvalidFreeField => "invalid_free_field",
        }
    }
}

/// Parses and verifies a 44-digit barcode; dots and whitespace are ignored.
///
/// `reference` (usually today) picks the factor cycle of the due date, see [`due_date`].
pub fn from_barcode(barcode: &str, reference: NaiveDate) -> Result<Boleto, BoletoError> {
    let digits = parse_digits::<BARCODE_LEN>(barcode)?;
    verify_barcode(&digits)?;
    with_due_date(digits, reference)
}

/// Parses and verifies a 47-digit line, formatted or not; dots and whitespace are ignored.
///
/// Field check digits are verified before the general one. `reference` (usually today) picks
/// the factor cycle of the due date, see [`due_date`].
pub fn from_line(line: &str, reference: NaiveDate) -> Result<Boleto, BoletoError> {
    let digits = parse_digits::<LINE_LEN>(line)?;
    let barcode = barcode_of(&digits)?;
    verify_barcode(&barcode)?;
    with_due_date(barcode, reference)
}

/// Builds a valid boleto from its values, computing every check digit.
///
/// `bank` is the 3-digit bank code, `amount` is in centavos and `free_field` is the bank's
/// 25 digits (agency, account, nosso número, ... in the bank's own layout).
pub fn build(bank: &str, amount: i64, due: NaiveDate, free_field: &str) -> Result<Boleto, BoletoError> {
    if !is_digits(bank, 3) {
        return Err(BoletoError::InvalidBank);
    }
    if !(0..=MAX_AMOUNT).contains(&amount) {
        return Err(BoletoError::InvalidAmount { amount });
    }
    let factor = factor(due).ok_or(BoletoError::InvalidDueDate { due })?;
    if !is_digits(free_field, 25) {
        return Err(BoletoError::InvalidFreeField);
    }
    let digits = format!("{bank}{CURRENCY_REAL}0{factor:04}{amount:010}{free_field}");
    let mut barcode = parse_digits::<BARCODE_LEN>(&digits)?;
    barcode[4] = general_check_digit(&barcode);
    Ok(assemble(&barcode, Some(due)))
}

/// Converts a barcode to its 47-digit line, verifying it (the due date is not resolved).
pub fn barcode_to_line(barcode: &str) -> Result<String, BoletoError> {
    let digits = parse_digits::<BARCODE_LEN>(barcode)?;
    verify_barcode(&digits)?;
    Ok(to_text(&line_of(&digits)))
}

/// Converts a line, formatted or not, to its 44-digit barcode, verifying every check digit
/// (the due date is not resolved).
pub fn line_to_barcode(line: &str) -> Result<String, BoletoError> {
    let digits = parse_digits::<LINE_LEN>(line)?;
    let barcode = barcode_of(&digits)?;
    verify_barcode(&barcode)?;
    Ok(to_text(&barcode))
}

/// The due date a factor names, taking the cycle that falls in FEBRABAN's payment window:
/// from 3000 days before to 5500 days after `reference`, both inclusive.
///
/// `None` for factors outside 1000..=9999 (including `0000`, "no due date") and for factors
/// whose dates all fall outside the window.
pub fn due_date(factor: u16, reference: NaiveDate) -> Option<NaiveDate> {
    if !(FIRST_FACTOR..=LAST_FACTOR).contains(&factor) {
        return None;
    }
    let offset = i64::from(factor - FIRST_FACTOR);
    let earliest = add_days(reference, -WINDOW_PAST_DAYS)?.max(FIRST_CYCLE_START);
    // The first date on or after `earliest` that is `offset` days into a cycle.
    let behind = (days_between(FIRST_CYCLE_START, earliest) - offset).rem_euclid(CYCLE_DAYS);
    let candidate = add_days(earliest, (CYCLE_DAYS - behind) % CYCLE_DAYS)?;
    (candidate <= add_days(reference, WINDOW_FUTURE_DAYS)?).then_some(candidate)
}

/// The due-date factor of a date: 1000..=9999, restarting at 1000 every 9000 days
/// (2025-02-22, 2049-10-14, ...). `None` before 2000-07-03, the first factor-1000 date.
pub fn factor(due: NaiveDate) -> Option<u16> {
    let days = days_between(FIRST_CYCLE_START, due);
    if days < 0 {
        return None;
    }
    u16::try_from(days % CYCLE_DAYS).ok().map(|offset| FIRST_FACTOR + offset)
}

/// Reads exactly `N` digits, skipping dots and whitespace.
fn parse_digits<const N: usize>(input: &str) -> Result<[u8; N], BoletoError> {
    let mut digits = [0; N];
    let mut found = 0;
    for character in input.chars() {
        if character.is_whitespace() || character == '.' {
            continue;
        }
        let byte = u8::try_from(character)
            .ok()
            .filter(u8::is_ascii_digit)
            .ok_or(BoletoError::InvalidCharacter { character })?;
        if let Some(slot) = digits.get_mut(found) {
            *slot = byte - b'0';
        }
        found += 1;
    }
    if found != N {
        return Err(BoletoError::InvalidLength { expected: N, found });
    }
    Ok(digits)
}

/// Whether `input` is exactly `len` ASCII digits.
fn is_digits(input: &str, len: usize) -> bool {
    input.len() == len && input.bytes().all(|b| b.is_ascii_digit())
}

/// Checks the currency and the general check digit of a barcode.
fn verify_barcode(barcode: &[u8; BARCODE_LEN]) -> Result<(), BoletoError> {
    if barcode[3] != CURRENCY_REAL {
        return Err(BoletoError::UnsupportedCurrency { code: barcode[3] });
    }
    if barcode[4] != general_check_digit(barcode) {
        return Err(BoletoError::BadGeneralCheckDigit);
    }
    Ok(())
}

/// Resolves the due date of a verified barcode and assembles the boleto.
fn with_due_date(barcode: [u8; BARCODE_LEN], reference: NaiveDate) -> Result<Boleto, BoletoError> {
    let factor = barcode[5..9].iter().fold(0, |acc, &d| acc * 10 + u16::from(d));
    let due = match factor {
        0 => None,
        _ => Some(due_date(factor, reference).ok_or(BoletoError::InvalidDueDateFactor { factor })?),
    };
    Ok(assemble(&barcode, due))
}

fn assemble(barcode: &[u8; BARCODE_LEN], due_date: Option<NaiveDate>) -> Boleto {
    Boleto {
        barcode: to_text(barcode),
        line: to_text(&line_of(barcode)),
        bank: to_text(&barcode[..3]),
        amount: barcode[9..19].iter().fold(0, |acc, &d| acc * 10 + i64::from(d)),
        due_date,
    }
}

/// Rearranges a barcode into a line, computing the field check digits.
fn line_of(barcode: &[u8; BARCODE_LEN]) -> [u8; LINE_LEN] {
    let mut line = [0; LINE_LEN];
    line[..4].copy_from_slice(&barcode[..4]);
    line[4..9].copy_from_slice(&barcode[19..24]);
    line[10..20].copy_from_slice(&barcode[24..34]);
    line[21..31].copy_from_slice(&barcode[34..]);
    line[32] = barcode[4];
    line[33..].copy_from_slice(&barcode[5..19]);
    for (body, check) in FIELDS {
        line[check] = mod10(&line[body]);
    }
    line
}

/// Verifies the field check digits of a line and rearranges it into a barcode.
fn barcode_of(line: &[u8; LINE_LEN]) -> Result<[u8; BARCODE_LEN], BoletoError> {
    for (field, (body, check)) in (1..).zip(FIELDS) {
        if line[check] != mod10(&line[body]) {
            return Err(BoletoError::BadFieldCheckDigit { field });
        }
    }
    let mut barcode = [0; BARCODE_LEN];
    barcode[..4].copy_from_slice(&line[..4]);
    barcode[4] = line[32];
    barcode[5..19].copy_from_slice(&line[33..]);
    barcode[19..24].copy_from_slice(&line[4..9]);
    barcode[24..34].copy_from_slice(&line[10..20]);
    barcode[34..].copy_from_slice(&line[21..31]);
    Ok(barcode)
}

/// Modulo 10 check digit: weights 2, 1 from the right, digits of each product summed.
fn mod10(digits: &[u8]) -> u8 {
    let sum: u32 = digits
        .iter()
        .rev()
        .zip([2, 1].into_iter().cycle())
        .map(|(&d, weight)| {
            let product = u32::from(d) * weight;
            product / 10 + product % 10
        })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

/// Modulo 11 general check digit over the barcode without position 5: weights 2..=9 from the
/// right; 0, 10 and 11 become 1.
fn general_check_digit(barcode: &[u8; BARCODE_LEN]) -> u8 {
    let sum: u32 = barcode[..4]
        .iter()
        .chain(&barcode[5..])
        .rev()
        .zip((2..=9).cycle())
        .map(|(&d, weight)| u32::from(d) * weight)
        .sum();
    match 11 - sum % 11 {
        0 | 10 | 11 => 1,
        digit => digit as u8,
    }
}

fn to_text(digits: &[u8]) -> String {
    digits.iter().map(|&d| char::from(b'0' + d)).collect()
}

fn add_days(date: NaiveDate, days: i64) -> Option<NaiveDate> {
    date.checked_add_signed(TimeDelta::try_days(days)?)
}

fn days_between(from: NaiveDate, to: NaiveDate) -> i64 {
    to.signed_duration_since(from).num_days()
}

#[cfg(test)]
#[path = "boleto_tests.rs"]
mod tests;
