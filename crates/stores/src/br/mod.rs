//! Brazilian identifiers: CPF and CNPJ (numeric and alphanumeric), phone numbers, CEP.
//!
//! Everything here is pure validation and normalization, with no I/O:
//! - [`document`]: [`parse_document`] for CPF and CNPJ ([`cpf_from_base`] completes a CPF) (including the alphanumeric CNPJ of
//!   IN RFB 2.229/2024), giving a [`Document`].
//! - [`phone`]: [`normalize_phone`] to E.164, with Brazilian area-code (DDD) rules.
//! - [`cep`]: [`parse_cep`] for postal codes, giving a [`Cep`], and [`is_valid_uf`] for state codes.

pub mod cep;
pub mod document;
pub mod phone;

pub use cep::{Cep, CepError, is_valid_uf, parse_cep};
pub use document::{Document, DocumentError, DocumentKind, cpf_from_base, parse_document};
pub use phone::{PhoneError, is_valid_ddd, normalize_phone};
