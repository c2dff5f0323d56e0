//! Keyset pagination with opaque cursors.
//!
//! A cursor encodes the sort key of the last row of a page (with the row id as
//! a tie-breaker), so pages stay stable while rows are inserted.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{Error, Result};

/// Default page size.
pub const DEFAULT_LIMIT: i64 = 20;
/// Largest page size.
pub const MAX_LIMIT: i64 = 100;

/// `?limit=&cursor=` as every list endpoint takes them.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Page size, 1..=100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// Validated page request.
#[derive(Debug, Clone)]
pub struct PageRequest<K> {
    /// Rows wanted.
    pub limit: i64,
    /// The key after which this page starts.
    pub after: Option<K>,
}

impl PageParams {
    /// Validates the limit and decodes the cursor into the list's key type.
    pub fn parse<K: DeserializeOwned>(&self) -> Result<PageRequest<K>> {
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(Error::field("limit", "out_of_range", format!("must be between 1 and {MAX_LIMIT}")));
        }
        let after = self.cursor.as_deref().filter(|c| !c.is_empty()).map(decode_cursor).transpose()?;
        Ok(PageRequest { limit, after })
    }
}

impl<K> PageRequest<K> {
    /// Rows to fetch: one more than the limit, to learn whether another page follows.
    pub fn fetch_limit(&self) -> i64 {
        self.limit + 1
    }

    /// Builds the page from up to `limit + 1` rows, with the cursor made from the last row kept.
    pub fn page<T, F>(&self, mut rows: Vec<T>, key: F) -> Result<Page<T>>
    where
        F: Fn(&T) -> K,
        K: Serialize,
    {
        let limit = usize::try_from(self.limit).unwrap_or(usize::MAX);
        let more = rows.len() > limit;
        rows.truncate(limit);
        let next_cursor = match (more, rows.last()) {
            (true, Some(last)) => Some(encode_cursor(&key(last))?),
            _ => None,
        };
        Ok(Page { data: rows, next_cursor })
    }
}

/// One page of a list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Page<T> {
    /// The items.
    pub data: Vec<T>,
    /// Pass as `cursor` to get the next page; null on the last page.
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// Maps the items, keeping the cursor.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page { data: self.data.into_iter().map(f).collect(), next_cursor: self.next_cursor }
    }
}

/// Encodes a keyset position as an opaque cursor.
pub fn encode_cursor<K: Serialize>(key: &K) -> Result<String> {
    let json = serde_json::to_vec(key).map_err(Error::internal)?;
    Ok(URL_SAFE_NO_PAD.encode(json))
}

/// Decodes a cursor, answering 422 naming `cursor` when it is not one of ours.
pub fn decode_cursor<K: DeserializeOwned>(cursor: &str) -> Result<K> {
    let invalid = || Error::field("cursor", "invalid", "is not a cursor this list returned");
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
    // A forged cursor must not carry what the database cannot take (NUL, a year before 0).
    if crate::storable::json(&bytes).is_some() {
        return Err(invalid());
    }
    serde_json::from_slice(&bytes).map_err(|_| invalid())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_and_cursors() {
        let req: PageRequest<(i64, String)> = PageParams { limit: Some(2), cursor: None }.parse().unwrap();
        let page = req.page(vec![1, 2, 3], |n| (*n as i64, format!("id{n}"))).unwrap();
        assert_eq!(page.data, vec![1, 2]);
        let cursor = page.next_cursor.unwrap();
        let next: PageRequest<(i64, String)> = PageParams { limit: Some(2), cursor: Some(cursor) }.parse().unwrap();
        assert_eq!(next.after, Some((2, "id2".to_owned())));
        let last = next.page(vec![3], |n| (*n as i64, String::new())).unwrap();
        assert!(last.next_cursor.is_none());
    }

    #[test]
    fn bad_limit_and_cursor_name_the_field() {
        let err = PageParams { limit: Some(0), cursor: None }.parse::<i64>().unwrap_err();
        assert_eq!(err.problem().errors[0].field, "limit");
        let err = PageParams { limit: None, cursor: Some("!!".into()) }.parse::<i64>().unwrap_err();
        assert_eq!(err.problem().errors[0].field, "cursor");
    }
}
