//! What every seeding step stands on: the app's services on the demo store, and whole lists.

use std::collections::BTreeMap;

use balcao_core::Result;
use balcao_core::pagination::{Page, PageParams};

use crate::AppState;

/// The services the seed goes through, on the demo store.
pub struct Demo {
    /// Every service of the app.
    pub state: AppState,
    /// The demo store.
    pub store: balcao_core::id::StoreId,
    /// The demo user.
    pub user: balcao_core::id::UserId,
    /// Ids seeded so far.
    pub ids: BTreeMap<&'static str, Vec<String>>,
}

impl Demo {
    /// Records the id of something seeded (or found from an earlier run).
    pub fn record(&mut self, kind: &'static str, id: impl ToString) {
        self.ids.entry(kind).or_default().push(id.to_string());
    }
}

/// Every item of a paged list, following `next_cursor` to the end.
pub async fn all<T>(mut fetch: impl AsyncFnMut(PageParams) -> Result<Page<T>>) -> Result<Vec<T>> {
    let mut items = Vec::new();
    let mut cursor = None;
    loop {
        let page = fetch(PageParams { limit: Some(100), cursor }).await?;
        items.extend(page.data);
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => return Ok(items),
        }
    }
}
