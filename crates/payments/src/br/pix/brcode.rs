//! BR Code: the text behind a PIX QR code, also pasted as "Pix copia e cola".
//!
//! The layout is EMV QRCPS-MPM as profiled by the BCB "Manual de Padrões para Iniciação do Pix":
//! fields are `ID` (2 digits) + length (2 digits) + value, in this order:
//! `00` payload format `01`; `01` point of initiation `12` (dynamic, single use; absent in a static
//! code); `26` merchant account with GUI `br.gov.bcb.pix` and either the key (`01`) plus an optional
//! description (`02`) or, for a dynamic code, the payload location URL without `https://` (`25`);
//! `52` MCC `0000`; `53` currency `986`; `54` amount (static codes only: a dynamic code's amount
//! lives in the JSON served at its location); `58` `BR`; `59` name (≤ 25); `60` city (≤ 15);
//! `62`/`05` txid (`***` when none); `63` CRC-16/CCITT-FALSE over everything before its value.

use balcao_stores::br::{DocumentKind, normalize_phone, parse_document};
use crc::{CRC_16_IBM_3740, Crc};

/// The Global Unique Identifier of the PIX arrangement (sub-field `00` of field `26`).
pub const PIX_GUI: &str = "br.gov.bcb.pix";
/// Longest merchant name (field `59`).
pub const MERCHANT_NAME_MAX: usize = 25;
/// Longest merchant city (field `60`).
pub const MERCHANT_CITY_MAX: usize = 15;
/// Longest txid (field `62`, sub-field `05`).
pub const TXID_MAX: usize = 25;
/// The reference label of a code without a txid.
const NO_TXID: &str = "***";
/// Longest value of any field: the length has two digits.
const FIELD_MAX: usize = 99;
/// Longest amount (field `54`), in characters.
const AMOUNT_MAX: usize = 13;
/// CRC-16/CCITT-FALSE: poly 0x1021, init 0xFFFF, no reflection, no final xor.
const CRC16: Crc<u16> = Crc::<u16>::new(&CRC_16_IBM_3740);

type Result<T, E = BrCodeError> = std::result::Result<T, E>;

/// Why a BR Code could not be built or read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BrCodeError {
    /// The key is not a CPF, CNPJ, e-mail, `+55` phone or random (EVP) key.
    #[error("invalid PIX key: expected a CPF, CNPJ, e-mail, +55 phone or random (EVP) key")]
    InvalidKey,
    /// A required text is empty once normalized.
    #[error("{0} is empty")]
    Empty(&'static str),
    /// A value does not fit its field.
    #[error("{field} is longer than {max} characters")]
    TooLong { field: &'static str, max: usize },
    /// The txid is not 1 to 25 characters of `[A-Za-z0-9]`.
    #[error("txid must be 1 to 25 characters of [A-Za-z0-9]")]
    InvalidTxid,
    /// The amount is not positive or does not fit the field.
    #[error("amount must be positive and at most 13 characters as reais")]
    InvalidAmount,
    /// The location is not an `https` URL without spaces.
    #[error("location URL must be an https URL without spaces")]
    InvalidLocationUrl,
    /// The text is not a well-formed BR Code.
    #[error("malformed BR Code: {0}")]
    Malformed(&'static str),
    /// The CRC at the end does not match the content.
    #[error("CRC mismatch: the code says {found:04X}, its content gives {computed:04X}")]
    CrcMismatch { found: u16, computed: u16 },
    /// A field the PIX profile requires is absent.
    #[error("missing field {0}")]
    MissingField(&'static str),
}

/// The kind of a PIX key (the DICT's formats).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PixKeyKind {
    /// 11 digits with valid check digits.
    Cpf,
    /// 14 characters (12 digits or uppercase letters, then 2 check digits).
    Cnpj,
    /// An e-mail address, at most 77 characters.
    Email,
    /// `+55` followed by a valid area code (DDD) and number.
    Phone,
    /// A random key: a lowercase or uppercase UUID with hyphens.
    Evp,
}

/// A static (reusable) PIX code that carries the receiver's key.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StaticBrCode {
    /// The PIX key, in DICT format (CPF/CNPJ without punctuation, `+55…`, e-mail or EVP).
    pub key: String,
    /// Fixed amount in centavos; `None` lets the payer type it.
    pub amount: Option<i64>,
    /// Receiver's name; accents are stripped and it is cut to 25 characters.
    pub merchant_name: String,
    /// Receiver's city; accents are stripped and it is cut to 15 characters.
    pub merchant_city: String,
    /// Reconciliation id, 1 to 25 of `[A-Za-z0-9]`; `None` encodes `***`.
    pub txid: Option<String>,
    /// Free text shown to the payer (sub-field `26`/`02`); accents are stripped.
    pub description: Option<String>,
}

/// A dynamic (single-use) PIX code that points at the payload served by our PSP.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DynamicBrCode {
    /// The payload location, with or without its `https://` prefix.
    pub location_url: String,
    /// Receiver's name; accents are stripped and it is cut to 25 characters.
    pub merchant_name: String,
    /// Receiver's city; accents are stripped and it is cut to 15 characters.
    pub merchant_city: String,
}

/// Where a parsed code sends the payer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PixAccount {
    /// A static code: the receiver's key and the optional description.
    Key { key: String, description: Option<String> },
    /// A dynamic code: the payload location, without `https://`.
    Location { url: String },
}

/// The fields of a BR Code whose CRC was verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedBrCode {
    /// Key or location.
    pub account: PixAccount,
    /// Whether field `01` is `12` (the code may be paid once).
    pub single_use: bool,
    /// Field `52`.
    pub merchant_category_code: String,
    /// Field `54` in centavos, when present.
    pub amount: Option<i64>,
    /// Field `58`.
    pub country: String,
    /// Field `59`.
    pub merchant_name: String,
    /// Field `60`.
    pub merchant_city: String,
    /// Field `62`/`05`; `None` for `***` or when absent.
    pub txid: Option<String>,
}

impl StaticBrCode {
    /// The "copia e cola" text, CRC included.
    pub fn encode(&self) -> Result<String> {
        let key = self.key.trim();
        key_kind(key)?;
        let mut account = String::new();
        push_field(&mut account, "00", PIX_GUI, "gui")?;
        push_field(&mut account, "01", key, "key")?;
        let description = self.description.as_deref().map(|d| normalize_text(d, FIELD_MAX)).unwrap_or_default();
        if !description.is_empty() {
            push_field(&mut account, "02", &description, "description")?;
        }
        let valid_txid =
            |t: &&str| !t.is_empty() && t.len() <= TXID_MAX && t.bytes().all(|b| b.is_ascii_alphanumeric());
        let txid = match self.txid.as_deref() {
            Some(txid) => Some(txid).filter(valid_txid).ok_or(BrCodeError::InvalidTxid)?,
            None => NO_TXID,
        };
        assemble(false, &account, self.amount, &self.merchant_name, &self.merchant_city, txid)
    }
}

impl DynamicBrCode {
    /// The "copia e cola" text, CRC included.
    pub fn encode(&self) -> Result<String> {
        let raw = self.location_url.trim();
        let url = raw.strip_prefix("https://").unwrap_or(raw);
        if url.is_empty() || url.contains("://") || !url.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(BrCodeError::InvalidLocationUrl);
        }
        let mut account = String::new();
        push_field(&mut account, "00", PIX_GUI, "gui")?;
        push_field(&mut account, "25", url, "location_url")?;
        assemble(true, &account, None, &self.merchant_name, &self.merchant_city, NO_TXID)
    }
}

/// CRC-16/CCITT-FALSE of `payload`, as field `63` carries it.
pub fn crc16(payload: &[u8]) -> u16 {
    CRC16.checksum(payload)
}

/// Strips accents to ASCII, drops what has no ASCII form, collapses whitespace and cuts to `max`.
pub fn normalize_text(s: &str, max: usize) -> String {
    let mut out = String::with_capacity(s.len().min(max));
    let mut pending_space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        let Some(folded) = fold_to_ascii(c) else { continue };
        if pending_space {
            // A space is kept only when a character can follow it.
            if out.len() + 2 > max {
                break;
            }
            out.push(' ');
            pending_space = false;
        }
        if out.len() >= max {
            break;
        }
        out.push(folded);
    }
    out
}

/// What kind of PIX key `key` is, or [`BrCodeError::InvalidKey`].
///
/// CPF, CNPJ and phone keys must already be in their DICT form (no punctuation, `+55…`).
pub fn key_kind(key: &str) -> Result<PixKeyKind> {
    let b = key.as_bytes();
    let kind = if matches!(b.len(), 11 | 14) && b.iter().all(|c| c.is_ascii_digit() || c.is_ascii_uppercase()) {
        match parse_document(key) {
            Ok(doc) if doc.value == key => match doc.kind {
                DocumentKind::Cpf => Some(PixKeyKind::Cpf),
                DocumentKind::Cnpj => Some(PixKeyKind::Cnpj),
            },
            _ => None,
        }
    } else if key.starts_with("+55") {
        normalize_phone(key).is_ok_and(|phone| phone == key).then_some(PixKeyKind::Phone)
    } else if let Some((local, domain)) = key.split_once('@') {
        let email = key.len() <= 77
            && !local.is_empty()
            && domain.contains('.')
            && domain.split('.').all(|part| !part.is_empty() && !part.contains('@'))
            && key.bytes().all(|c| c.is_ascii_graphic());
        email.then_some(PixKeyKind::Email)
    } else {
        let groups = key.split('-').map(str::len).eq([8, 4, 4, 4, 12]);
        let evp = groups && b.iter().all(|&c| c == b'-' || c.is_ascii_hexdigit());
        evp.then_some(PixKeyKind::Evp)
    };
    kind.ok_or(BrCodeError::InvalidKey)
}

/// Reads a BR Code, verifying its CRC and the fields the PIX profile requires.
pub fn parse(code: &str) -> Result<ParsedBrCode> {
    let code = code.trim();
    let split = code.len().checked_sub(4).ok_or(BrCodeError::Malformed("too short"))?;
    let (body, crc_hex) = match (code.get(..split), code.get(split..)) {
        (Some(body), Some(crc)) if body.ends_with("6304") => (body, crc),
        _ => return Err(BrCodeError::Malformed("the code must end with the CRC field 6304")),
    };
    let found = Some(crc_hex).filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit())).map(|h| u16::from_str_radix(h, 16));
    let found = found.and_then(Result::ok).ok_or(BrCodeError::Malformed("the CRC is not 4 hex digits"))?;
    let computed = crc16(body.as_bytes());
    if found != computed {
        return Err(BrCodeError::CrcMismatch { found, computed });
    }

    let fields = split_fields(code)?;
    if fields.first() != Some(&("00", "01")) {
        return Err(BrCodeError::Malformed("the payload format indicator 01 must come first"));
    }
    if fields.last().map(|f| f.0) != Some("63") {
        return Err(BrCodeError::Malformed("the CRC must be the last field"));
    }
    if fields.iter().enumerate().any(|(i, (id, _))| fields[..i].iter().any(|(seen, _)| seen == id)) {
        return Err(BrCodeError::Malformed("a field appears twice"));
    }
    let get = |id: &str| fields.iter().find(|f| f.0 == id).map(|f| f.1);
    let require = |id: &'static str| get(id).ok_or(BrCodeError::MissingField(id));

    let account = fields
        .iter()
        .filter(|(id, _)| ("26"..="51").contains(id))
        .filter_map(|(_, value)| split_fields(value).ok())
        .find(|sub| sub.iter().any(|&(id, v)| id == "00" && v.eq_ignore_ascii_case(PIX_GUI)))
        .ok_or(BrCodeError::MissingField("26 (br.gov.bcb.pix)"))?;
    let sub = |id: &str| account.iter().find(|f| f.0 == id).map(|f| f.1.to_owned());
    let account = if let Some(url) = sub("25") {
        PixAccount::Location { url }
    } else if let Some(key) = sub("01") {
        key_kind(&key)?;
        PixAccount::Key { key, description: sub("02") }
    } else {
        return Err(BrCodeError::MissingField("26/01 (key) or 26/25 (location)"));
    };

    if require("53")? != "986" {
        return Err(BrCodeError::Malformed("the currency must be 986 (BRL)"));
    }
    let additional = get("62").map(split_fields).transpose()?.unwrap_or_default();
    let txid = additional.iter().find(|f| f.0 == "05").map(|f| f.1).filter(|t| *t != NO_TXID);
    Ok(ParsedBrCode {
        account,
        single_use: get("01") == Some("12"),
        merchant_category_code: require("52")?.to_owned(),
        amount: get("54").map(parse_amount).transpose()?,
        country: require("58")?.to_owned(),
        merchant_name: require("59")?.to_owned(),
        merchant_city: require("60")?.to_owned(),
        txid: txid.map(str::to_owned),
    })
}

/// Builds the whole code around a ready merchant account template.
fn assemble(dynamic: bool, account: &str, amount: Option<i64>, name: &str, city: &str, txid: &str) -> Result<String> {
    let name = normalize_text(name, MERCHANT_NAME_MAX);
    let city = normalize_text(city, MERCHANT_CITY_MAX);
    for (text, field) in [(&name, "merchant_name"), (&city, "merchant_city")] {
        if text.is_empty() {
            return Err(BrCodeError::Empty(field));
        }
    }
    let mut out = String::with_capacity(200);
    push_field(&mut out, "00", "01", "payload_format")?;
    if dynamic {
        push_field(&mut out, "01", "12", "point_of_initiation")?;
    }
    push_field(&mut out, "26", account, "merchant account (key and description)")?;
    push_field(&mut out, "52", "0000", "mcc")?;
    push_field(&mut out, "53", "986", "currency")?;
    if let Some(centavos) = amount {
        push_field(&mut out, "54", &format_amount(centavos)?, "amount")?;
    }
    push_field(&mut out, "58", "BR", "country")?;
    push_field(&mut out, "59", &name, "merchant_name")?;
    push_field(&mut out, "60", &city, "merchant_city")?;
    let mut additional = String::new();
    push_field(&mut additional, "05", txid, "txid")?;
    push_field(&mut out, "62", &additional, "additional data")?;
    out.push_str("6304");
    out.push_str(&format!("{:04X}", crc16(out.as_bytes())));
    Ok(out)
}

/// Appends one field; values are ASCII here, so bytes are characters.
fn push_field(out: &mut String, id: &str, value: &str, field: &'static str) -> Result<()> {
    if value.len() > FIELD_MAX {
        return Err(BrCodeError::TooLong { field, max: FIELD_MAX });
    }
    out.push_str(&format!("{id}{:02}{value}", value.len()));
    Ok(())
}

/// Splits a run of fields into `(id, value)`; lengths count characters.
fn split_fields(mut rest: &str) -> Result<Vec<(&str, &str)>> {
    let mut fields = Vec::new();
    while !rest.is_empty() {
        let header = rest.get(..4).filter(|h| h.bytes().all(|b| b.is_ascii_digit()));
        let header = header.ok_or(BrCodeError::Malformed("a field must start with a 2-digit id and length"))?;
        let len: usize = header[2..].parse().map_err(|_| BrCodeError::Malformed("bad field length"))?;
        let tail = &rest[4..];
        let end = match tail.char_indices().nth(len) {
            Some((i, _)) => i,
            None if tail.chars().count() == len => tail.len(),
            None => return Err(BrCodeError::Malformed("a field runs past the end")),
        };
        fields.push((&header[..2], &tail[..end]));
        rest = &tail[end..];
    }
    Ok(fields)
}

/// Centavos as field `54` wants them: `123.45`, no thousands separator.
fn format_amount(centavos: i64) -> Result<String> {
    if centavos <= 0 {
        return Err(BrCodeError::InvalidAmount);
    }
    let text = format!("{}.{:02}", centavos / 100, centavos % 100);
    if text.len() > AMOUNT_MAX { Err(BrCodeError::InvalidAmount) } else { Ok(text) }
}

/// Field `54` back to centavos: digits, then optionally `.` and one or two digits.
fn parse_amount(text: &str) -> Result<i64> {
    let (units, cents) = text.split_once('.').unwrap_or((text, "00"));
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if text.len() > AMOUNT_MAX || !digits(units) || !digits(cents) || cents.len() > 2 {
        return Err(BrCodeError::Malformed("the amount must look like 123.45"));
    }
    let units: i64 = units.parse().map_err(|_| BrCodeError::InvalidAmount)?;
    let cents: i64 = format!("{cents:0<2}").parse().map_err(|_| BrCodeError::InvalidAmount)?;
    Ok(units * 100 + cents)
}

/// Characters with an ASCII stand-in: accented Latin letters, ordinals, typographic punctuation.
#[rustfmt::skip]
const FOLDS: [(&str, char); 19] = [
    ("áàâãäåª", 'a'), ("ÁÀÂÃÄÅ", 'A'), ("éèêë", 'e'), ("ÉÈÊË", 'E'), ("íìîï", 'i'), ("ÍÌÎÏ", 'I'),
    ("óòôõöøº", 'o'), ("ÓÒÔÕÖØ", 'O'), ("úùûü", 'u'), ("ÚÙÛÜ", 'U'), ("ç", 'c'), ("Ç", 'C'), ("ñ", 'n'),
    ("Ñ", 'N'), ("ýÿ", 'y'), ("Ý", 'Y'), ("‘’´", '\''), ("“”", '"'), ("–—", '-'),
];

/// The ASCII form of `c`: itself when printable ASCII, its stand-in from [`FOLDS`], else nothing.
fn fold_to_ascii(c: char) -> Option<char> {
    if c.is_ascii_graphic() {
        return Some(c);
    }
    FOLDS.iter().find(|(from, _)| from.contains(c)).map(|&(_, to)| to)
}

#[cfg(test)]
#[path = "brcode_tests.rs"]
mod tests;
