//! The problem-code catalog: every crate's declared codes, concatenated, and published on the
//! OpenAPI document's `Problem` schema (its `code` enum and the `x-error-codes` list).
//!
//! Each crate declares the codes it answers once, in its `problems` module
//! (`balcao_core::error_codes!`: code, status, meaning); `Error` and `Problem` take a
//! declaration, never a string, so nothing answers a code that is not declared.

use serde_json::Value;
use utoipa::openapi::{OpenApi as OpenApiDoc, RefOr, Schema};

use balcao_core::error::ErrorCode;

/// Every problem code the product answers.
pub fn catalog() -> Vec<ErrorCode> {
    [
        balcao_core::error::BUILT_IN,
        balcao_core::problems::ALL,
        balcao_stores::problems::ALL,
        balcao_messaging::problems::ALL,
        balcao_payments::problems::ALL,
        balcao_webhooks::problems::ALL,
    ]
    .concat()
}

/// Lists the catalog on the `Problem` schema: `code` becomes an enum of every code, and the
/// schema's `x-error-codes` gives each code's status and meaning.
pub fn document(doc: &mut OpenApiDoc) {
    let codes = catalog();
    let Some(components) = doc.components.as_mut() else { return };
    let Some(RefOr::T(Schema::Object(problem))) = components.schemas.get_mut("Problem") else { return };
    if let Some(RefOr::T(Schema::Object(code))) = problem.properties.get_mut("code") {
        code.enum_values = Some(codes.iter().map(|c| Value::from(c.code())).collect());
        code.description = Some(
            "A stable machine-readable code. `x-error-codes` on this schema lists every code with the HTTP \
             status it comes with and what it means."
                .to_owned(),
        );
    }
    let entries: Vec<Value> = codes.iter().map(|c| serde_json::to_value(c.describe()).unwrap_or(Value::Null)).collect();
    problem.extensions.get_or_insert_with(Default::default).insert("x-error-codes".to_owned(), Value::from(entries));
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    #[test]
    fn every_code_is_declared_once_in_snake_case_with_an_error_status_and_a_meaning() {
        let codes = catalog();
        assert!(codes.len() > 100, "{} codes", codes.len());
        let mut seen = HashSet::new();
        for code in &codes {
            assert!(seen.insert(code.code()), "{code} is declared twice");
            assert!(
                code.code().chars().all(|c| c.is_ascii_lowercase() || c == '_') && !code.code().starts_with('_'),
                "{code} is not snake_case"
            );
            assert!((400..600).contains(&code.status()), "{code}: {}", code.status());
            assert!(code.meaning().ends_with('.') && code.meaning().len() > 10, "{code}: {:?}", code.meaning());
        }
    }
}
