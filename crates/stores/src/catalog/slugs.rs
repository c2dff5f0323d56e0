//! URL names for categories and products.

use balcao_core::error::Validator;

/// Whether `slug` is 1 to 120 lowercase letters, digits and single inner hyphens.
pub fn is_valid(slug: &str) -> bool {
    (1..=120).contains(&slug.len())
        && slug.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !slug.starts_with('-')
        && !slug.ends_with('-')
        && !slug.contains("--")
}

/// The given slug, or one made from `name` ("Camiseta de Algodão" -> "camiseta-de-algodao").
pub fn choose(given: Option<&str>, name: &str) -> String {
    match given {
        Some(slug) => slug.to_owned(),
        None => {
            let mut made = slug::slugify(name);
            made.truncate(120);
            made.trim_end_matches('-').to_owned()
        }
    }
}

/// Records a field error when `slug` is not valid.
pub fn check(v: &mut Validator, field: &str, slug: &str) {
    v.check(is_valid(slug), field, "invalid_format", "must be lowercase letters, digits and single hyphens (1-120)");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_fold_accents() {
        assert_eq!(choose(None, "Camiseta de Algodão"), "camiseta-de-algodao");
        assert_eq!(choose(None, "Pão & Café!"), "pao-cafe");
        assert_eq!(choose(Some("x"), "ignored"), "x");
        assert!(is_valid("camiseta-p"));
        assert!(!is_valid("Camiseta"));
        assert!(!is_valid(""));
    }
}
