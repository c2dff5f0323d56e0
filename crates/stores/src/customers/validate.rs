//! Validation and normalization of customer input: email, phone, document, tags and addresses.
//!
//! Each function records field errors in a [`Validator`] (so one response names every bad field)
//! and returns the normalized value when the input is good. A blank optional value counts as absent.

use balcao_core::error::{FieldError, Validator};
use balcao_core::identity::service::{email_is_valid, normalize_email};

use super::model::{NewAddress, UpdateAddress};
use crate::br::{Document, is_valid_uf, normalize_phone, parse_cep, parse_document};

/// Most tags a customer may have.
pub const MAX_TAGS: usize = 30;
/// Longest tag, in characters.
pub const MAX_TAG_LEN: usize = 50;
/// Longest notes, in characters.
pub const MAX_NOTES: usize = 5000;
/// Most addresses a customer may have.
pub const MAX_ADDRESSES: usize = 50;

/// `prefix.name`, or `name` without a prefix.
pub fn at(prefix: &str, name: &str) -> String {
    if prefix.is_empty() { name.to_owned() } else { format!("{prefix}.{name}") }
}

/// The trimmed value, or `None` when absent or blank.
pub fn present(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|s| !s.is_empty())
}

/// A lowercase email with one `@`, a dotted domain and no spaces.
pub fn email(v: &mut Validator, field: &str, raw: &str) -> Option<String> {
    let email = normalize_email(raw);
    let ok = email_is_valid(&email);
    v.check(ok, field, "invalid_format", "must be an email address");
    ok.then_some(email)
}

/// A phone in E.164.
pub fn phone(v: &mut Validator, field: &str, raw: &str) -> Option<String> {
    normalize_phone(raw).map_err(|e| v.push(FieldError::new(field, e.code(), e.to_string()))).ok()
}

/// A valid CPF or CNPJ.
pub fn document(v: &mut Validator, field: &str, raw: &str) -> Option<Document> {
    parse_document(raw).map_err(|e| v.push(FieldError::new(field, e.code(), e.to_string()))).ok()
}

/// Tags trimmed, lowercased and without repeats (first occurrence kept).
pub fn tags(v: &mut Validator, field: &str, raw: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(raw.len());
    for (i, tag) in raw.iter().enumerate() {
        let tag = tag.trim().to_lowercase();
        let item = format!("{field}[{i}]");
        if tag.is_empty() {
            v.push(FieldError::new(item, "required", "must not be blank"));
        } else if tag.chars().count() > MAX_TAG_LEN {
            v.push(FieldError::new(item, "too_long", format!("must be at most {MAX_TAG_LEN} characters")));
        } else if !out.contains(&tag) {
            out.push(tag);
        }
    }
    v.check(out.len() <= MAX_TAGS, field, "too_many", "at most 30 tags");
    out
}

/// Notes up to [`MAX_NOTES`] characters.
pub fn notes(v: &mut Validator, field: &str, raw: &str) {
    v.length(raw, field, 0, MAX_NOTES);
}

/// An address's columns, validated and normalized (CEP as 8 digits, UF uppercase).
#[derive(Debug, Clone, Default)]
pub struct AddressFields {
    /// Label.
    pub label: String,
    /// Recipient.
    pub recipient: String,
    /// CEP digits.
    pub cep: String,
    /// Street.
    pub street: String,
    /// Number.
    pub number: String,
    /// Complement.
    pub complement: String,
    /// Neighborhood.
    pub neighborhood: String,
    /// City.
    pub city: String,
    /// UF, uppercase.
    pub state: String,
    /// Asked to be the default.
    pub is_default: bool,
}

fn text(v: &mut Validator, prefix: &str, name: &str, value: &str, min: usize, max: usize) -> String {
    v.length(value, &at(prefix, name), min, max);
    value.trim().to_owned()
}

fn cep(v: &mut Validator, prefix: &str, raw: &str) -> String {
    match parse_cep(raw) {
        Ok(cep) => cep.digits().to_owned(),
        Err(e) => {
            v.push(FieldError::new(at(prefix, "cep"), e.code(), e.to_string()));
            String::new()
        }
    }
}

fn state(v: &mut Validator, prefix: &str, raw: &str) -> String {
    let uf = raw.trim().to_ascii_uppercase();
    v.check(is_valid_uf(&uf), &at(prefix, "state"), "invalid_uf", "must be a Brazilian state code such as SP");
    uf
}

/// Validates a new address; fields are named under `prefix` (such as `addresses[0]`).
pub fn new_address(v: &mut Validator, prefix: &str, a: &NewAddress) -> AddressFields {
    AddressFields {
        label: text(v, prefix, "label", a.label.as_deref().unwrap_or(""), 0, 50),
        recipient: text(v, prefix, "recipient", &a.recipient, 1, 200),
        cep: cep(v, prefix, &a.cep),
        street: text(v, prefix, "street", &a.street, 1, 200),
        number: text(v, prefix, "number", &a.number, 1, 20),
        complement: text(v, prefix, "complement", a.complement.as_deref().unwrap_or(""), 0, 200),
        neighborhood: text(v, prefix, "neighborhood", &a.neighborhood, 1, 100),
        city: text(v, prefix, "city", &a.city, 1, 100),
        state: state(v, prefix, &a.state),
        is_default: a.is_default,
    }
}

/// Validates the given fields of an address change and returns them normalized.
pub fn address_update(v: &mut Validator, a: &UpdateAddress) -> UpdateAddress {
    let opt = |v: &mut Validator, name: &str, value: &Option<String>, min: usize, max: usize| {
        value.as_deref().map(|s| text(v, "", name, s, min, max))
    };
    UpdateAddress {
        label: opt(v, "label", &a.label, 0, 50),
        recipient: opt(v, "recipient", &a.recipient, 1, 200),
        cep: a.cep.as_deref().map(|c| cep(v, "", c)),
        street: opt(v, "street", &a.street, 1, 200),
        number: opt(v, "number", &a.number, 1, 20),
        complement: opt(v, "complement", &a.complement, 0, 200),
        neighborhood: opt(v, "neighborhood", &a.neighborhood, 1, 100),
        city: opt(v, "city", &a.city, 1, 100),
        state: a.state.as_deref().map(|s| state(v, "", s)),
        is_default: a.is_default,
    }
}

/// Whether an address change touches no field.
pub fn is_empty(a: &UpdateAddress) -> bool {
    a.label.is_none()
        && a.recipient.is_none()
        && a.cep.is_none()
        && a.street.is_none()
        && a.number.is_none()
        && a.complement.is_none()
        && a.neighborhood.is_none()
        && a.city.is_none()
        && a.state.is_none()
        && a.is_default.is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        let mut v = Validator::new();
        assert_eq!(email(&mut v, "email", " Maria@Example.COM ").as_deref(), Some("maria@example.com"));
        for bad in ["maria", "maria@", "@x.com", "a@b", "a b@c.com", "a@b@c.com", "a@.com", "a@b..com"] {
            assert!(email(&mut v, "email", bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn tags_are_normalized() {
        let mut v = Validator::new();
        let raw = vec!["VIP".to_owned(), " vip ".to_owned(), "Atacado".to_owned()];
        assert_eq!(tags(&mut v, "tags", &raw), vec!["vip", "atacado"]);
        assert!(v.finish().is_ok());
        let many: Vec<String> = (0..31).map(|i| format!("t{i}")).collect();
        tags(&mut v, "tags", &many);
        assert!(v.finish().is_err());
    }

    #[test]
    fn addresses_name_nested_fields() {
        let mut v = Validator::new();
        let a = NewAddress {
            label: None,
            recipient: "Maria".into(),
            cep: "0131-100".into(),
            street: "Av. Paulista".into(),
            number: "1578".into(),
            complement: None,
            neighborhood: "Bela Vista".into(),
            city: "São Paulo".into(),
            state: "XX".into(),
            is_default: false,
        };
        new_address(&mut v, "addresses[1]", &a);
        let Err(balcao_core::error::Error::Validation(errors)) = v.finish() else { panic!("expected errors") };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["addresses[1].cep", "addresses[1].state"]);
    }
}
