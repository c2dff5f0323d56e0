//! PATCH semantics: tell "absent" (leave as is) from `null` (clear) for optional fields, and
//! let an empty PATCH change nothing.

use serde::{Deserialize, Deserializer};

/// Whether a PATCH body gave no field at all: the resource stays as it is, `updated_at` too.
pub fn is_empty<T: Default + PartialEq>(req: &T) -> bool {
    *req == T::default()
}

/// The result of an UPDATE whose changeset is built from optional fields: `Ok(None)` when no
/// field was given (diesel refuses such an UPDATE with "There are no changes to save"), so the
/// caller answers the resource as it is.
///
/// ```ignore
/// let row = patch::changed(diesel::update(target).set(changes).get_result(conn).await)?;
/// let row = match row { Some(row) => row, None => load(conn, id).await? };
/// ```
pub fn changed<T>(result: diesel::QueryResult<T>) -> diesel::QueryResult<Option<T>> {
    use diesel::result::OptionalEmptyChangesetExtension;
    result.optional_empty_changeset()
}

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
    fn an_empty_changeset_is_no_change() {
        use diesel::result::{EmptyChangeset, Error};
        assert!(matches!(super::changed::<i32>(Err(Error::QueryBuilderError(Box::new(EmptyChangeset)))), Ok(None)));
        assert!(matches!(super::changed(Ok(3)), Ok(Some(3))));
        assert!(super::changed::<i32>(Err(Error::NotFound)).is_err());
    }

    #[test]
    fn absent_null_and_value_differ() {
        let parse = |s: &str| serde_json::from_str::<Patch>(s).unwrap().field;
        assert_eq!(parse("{}"), None);
        assert_eq!(parse(r#"{"field": null}"#), Some(None));
        assert_eq!(parse(r#"{"field": 3}"#), Some(Some(3)));
    }
}
