//! PATCH semantics: tell "absent" (leave as is) from `null` (clear) for optional fields.

use serde::{Deserialize, Deserializer};

/// Deserialises a field into `Some(None)` for `null` and `Some(Some(v))` for a value;
/// with `#[serde(default)]` an absent field stays `None`.
///
/// ```ignore
/// #[serde(default, deserialize_with = "balcao_core::patch::double_option")]
/// parent_id: Option<Option<Uuid>>,
/// ```
pub fn double_option<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

#[cfg(test)]
mod tests {
    #[derive(serde::Deserialize)]
    struct Patch {
        #[serde(default, deserialize_with = "super::double_option")]
        field: Option<Option<i32>>,
    }

    #[test]
    fn absent_null_and_value_differ() {
        let parse = |s: &str| serde_json::from_str::<Patch>(s).unwrap().field;
        assert_eq!(parse("{}"), None);
        assert_eq!(parse(r#"{"field": null}"#), Some(None));
        assert_eq!(parse(r#"{"field": 3}"#), Some(Some(3)));
    }
}
