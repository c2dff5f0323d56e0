//! The product list query: filters, Portuguese full-text and typo-tolerant search, sorting and
//! keyset pagination, shared by the staff list and the storefront.

use balcao_core::error::{Error, Result};
use balcao_core::id::StoreId;
use balcao_core::pagination::PageParams;
use diesel::QueryableByName;
use diesel::pg::Pg;
use diesel::query_builder::BoxedSqlQuery;
use diesel::sql_types::{BigInt, Bool, Double, Text, Uuid as SqlUuid};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::model::{ProductRow, ProductStatus};
use crate::ids::CategoryId;

/// How much a typo may cost: the trigram word similarity a title must reach to match.
pub const TYPO_SIMILARITY: f64 = 0.4;

/// Product list order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProductSort {
    /// Best match first (the default with `q`).
    Relevance,
    /// Newest first (the default without `q`).
    Newest,
    /// Oldest first.
    Oldest,
    /// Cheapest first.
    PriceAsc,
    /// Dearest first.
    PriceDesc,
    /// By title, A to Z.
    Title,
}

/// Filters, search and paging for product lists.
#[derive(Debug, Clone, Default, Serialize, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProductFilter {
    /// Search words, accent-insensitive and tolerant of typos.
    pub q: Option<String>,
    /// Only this status (staff lists only; the storefront shows active products).
    pub status: Option<ProductStatus>,
    /// Only products in this category or its subcategories.
    pub category_id: Option<CategoryId>,
    /// Only products with this tag.
    pub tag: Option<String>,
    /// Lowest price, in minor units.
    #[param(minimum = 0, maximum = 9_223_372_036_854_775_807_i64)]
    pub min_price: Option<i64>,
    /// Highest price, in minor units.
    #[param(minimum = 0, maximum = 9_223_372_036_854_775_807_i64)]
    pub max_price: Option<i64>,
    /// Only products that can (true) or cannot (false) be sold now.
    pub in_stock: Option<bool>,
    /// Order (default: relevance with `q`, newest otherwise).
    #[param(inline)]
    pub sort: Option<ProductSort>,
    /// Page size, 1..=100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// Where a list is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// Staff see every status.
    Staff,
    /// Shoppers see active products only.
    Storefront,
}

/// A keyset position: the sort value of the last row and its id.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SortKey {
    v: serde_json::Value,
    id: uuid::Uuid,
}

/// A product row with its search rank.
#[derive(Debug, Clone, QueryableByName)]
pub struct RankedRow {
    #[diesel(embed)]
    pub product: ProductRow,
    #[diesel(sql_type = Double)]
    pub rank: f64,
}

impl RankedRow {
    /// The keyset position of this row under `sort`.
    pub fn key(&self, sort: ProductSort) -> SortKey {
        let v = match sort {
            ProductSort::Relevance => serde_json::json!(self.rank),
            ProductSort::PriceAsc | ProductSort::PriceDesc => serde_json::json!(self.product.min_price_amount),
            ProductSort::Title => serde_json::json!(self.product.title),
            ProductSort::Newest | ProductSort::Oldest => serde_json::Value::Null,
        };
        SortKey { v, id: self.product.id }
    }
}

/// Builds SQL text and its binds together, numbering the placeholders.
struct Builder<'a> {
    sql: String,
    query: BoxedSqlQuery<'a, Pg, diesel::query_builder::SqlQuery>,
    binds: usize,
}

impl<'a> Builder<'a> {
    fn new() -> Self {
        Self { sql: String::new(), query: diesel::sql_query("").into_boxed(), binds: 0 }
    }

    fn push(&mut self, sql: &str) -> &mut Self {
        self.sql.push_str(sql);
        self
    }

    fn bind<T, V>(&mut self, value: V) -> String
    where
        T: Send + 'a,
        Pg: diesel::sql_types::HasSqlType<T>,
        V: diesel::serialize::ToSql<T, Pg> + Send + 'a,
    {
        self.binds += 1;
        let query = std::mem::replace(&mut self.query, diesel::sql_query("").into_boxed());
        self.query = query.bind::<T, V>(value);
        format!("${}", self.binds)
    }

    fn finish(self) -> BoxedSqlQuery<'a, Pg, diesel::query_builder::SqlQuery> {
        self.query.sql(self.sql)
    }
}

const COLUMNS: &str = "p.store_id, p.id, p.title, p.slug, p.description, p.status, p.tags, p.options, p.currency, \
     p.min_price_amount, p.max_price_amount, p.in_stock, p.created_at, p.updated_at";

/// The validated plan of one list request.
pub struct Plan {
    /// The order used.
    pub sort: ProductSort,
    /// Rows wanted.
    pub limit: i64,
    after: Option<SortKey>,
    filter: ProductFilter,
}

impl Plan {
    /// Validates a filter.
    pub fn new(filter: ProductFilter) -> Result<Self> {
        let page = PageParams { limit: filter.limit, cursor: filter.cursor.clone() }.parse::<SortKey>()?;
        let q = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty());
        if q.is_some_and(|q| q.chars().count() > 200) {
            return Err(Error::field("q", "too_long", "must be at most 200 characters"));
        }
        let sort = filter.sort.unwrap_or(if q.is_some() { ProductSort::Relevance } else { ProductSort::Newest });
        if sort == ProductSort::Relevance && q.is_none() {
            return Err(Error::field("sort", "requires_q", "relevance needs search words in `q`"));
        }
        if let (Some(min), Some(max)) = (filter.min_price, filter.max_price)
            && min > max
        {
            return Err(Error::field("min_price", "above_max_price", "must not exceed max_price"));
        }
        if filter.min_price.is_some_and(|p| p < 0) {
            return Err(Error::field("min_price", "negative", "must not be negative"));
        }
        Ok(Self { sort, limit: page.limit, after: page.after, filter })
    }

    fn q(&self) -> Option<String> {
        self.filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()).map(str::to_owned)
    }

    /// The SQL for this plan in `store`.
    pub fn query<'a>(
        &self,
        store: StoreId,
        audience: Audience,
    ) -> Result<BoxedSqlQuery<'a, Pg, diesel::query_builder::SqlQuery>> {
        let mut b = Builder::new();
        let rank = match self.q() {
            Some(q) => {
                let ts = b.bind::<Text, _>(q.clone());
                let fold = b.bind::<Text, _>(q);
                format!(
                    "(ts_rank(p.search_document, websearch_to_tsquery('balcao_pt', {ts})) \
                     + word_similarity(balcao_fold({fold}), balcao_fold(p.title)))::float8"
                )
            }
            None => "0::float8".to_owned(),
        };
        let store_param = b.bind::<SqlUuid, _>(store.uuid());
        b.push(&format!("SELECT {COLUMNS}, {rank} AS rank FROM products p WHERE p.store_id = {store_param}"));
        match audience {
            Audience::Storefront => {
                b.push(" AND p.status = 'active'");
            }
            Audience::Staff => {
                if let Some(status) = self.filter.status {
                    let s = b.bind::<Text, _>(status.as_str().to_owned());
                    b.push(&format!(" AND p.status = {s}"));
                }
            }
        }
        if let Some(q) = self.q() {
            let ts = b.bind::<Text, _>(q.clone());
            let fold = b.bind::<Text, _>(q);
            let threshold = b.bind::<Double, _>(TYPO_SIMILARITY);
            b.push(&format!(
                " AND (p.search_document @@ websearch_to_tsquery('balcao_pt', {ts}) \
                 OR word_similarity(balcao_fold({fold}), balcao_fold(p.title)) >= {threshold})"
            ));
        }
        if let Some(category) = self.filter.category_id {
            let s1 = b.bind::<SqlUuid, _>(store.uuid());
            let s2 = b.bind::<SqlUuid, _>(store.uuid());
            let s3 = b.bind::<SqlUuid, _>(store.uuid());
            let c = b.bind::<SqlUuid, _>(category.uuid());
            b.push(&format!(
                " AND p.id IN (SELECT pc.product_id FROM product_categories pc WHERE pc.store_id = {s1} AND pc.category_id IN ( \
                   WITH RECURSIVE tree AS ( \
                     SELECT id FROM categories WHERE store_id = {s2} AND id = {c} \
                     UNION ALL SELECT k.id FROM categories k JOIN tree t ON k.parent_id = t.id AND k.store_id = {s3}) \
                   SELECT id FROM tree))"
            ));
        }
        if let Some(tag) = self.filter.tag.clone() {
            let t = b.bind::<Text, _>(tag);
            b.push(&format!(" AND {t} = ANY(p.tags)"));
        }
        if let Some(min) = self.filter.min_price {
            let m = b.bind::<BigInt, _>(min);
            b.push(&format!(" AND p.min_price_amount >= {m}"));
        }
        if let Some(max) = self.filter.max_price {
            let m = b.bind::<BigInt, _>(max);
            b.push(&format!(" AND p.min_price_amount <= {m}"));
        }
        if let Some(in_stock) = self.filter.in_stock {
            let s = b.bind::<Bool, _>(in_stock);
            b.push(&format!(" AND p.in_stock = {s}"));
        }
        self.keyset(&mut b, &rank)?;
        let order = match self.sort {
            ProductSort::Relevance => "rank DESC, p.id ASC",
            ProductSort::Newest => "p.id DESC",
            ProductSort::Oldest => "p.id ASC",
            ProductSort::PriceAsc => "p.min_price_amount ASC, p.id ASC",
            ProductSort::PriceDesc => "p.min_price_amount DESC, p.id DESC",
            ProductSort::Title => "p.title ASC, p.id ASC",
        };
        let limit = b.bind::<BigInt, _>(self.limit + 1);
        b.push(&format!(" ORDER BY {order} LIMIT {limit}"));
        Ok(b.finish())
    }

    fn keyset(&self, b: &mut Builder<'_>, rank: &str) -> Result<()> {
        let Some(after) = &self.after else { return Ok(()) };
        let bad = || Error::field("cursor", "invalid", "is not a cursor of this list and order");
        let id = after.id;
        match self.sort {
            ProductSort::Newest => {
                let i = b.bind::<SqlUuid, _>(id);
                b.push(&format!(" AND p.id < {i}"));
            }
            ProductSort::Oldest => {
                let i = b.bind::<SqlUuid, _>(id);
                b.push(&format!(" AND p.id > {i}"));
            }
            ProductSort::Relevance => {
                let r = after.v.as_f64().ok_or_else(bad)?;
                let (r1, r2, i) = (b.bind::<Double, _>(r), b.bind::<Double, _>(r), b.bind::<SqlUuid, _>(id));
                b.push(&format!(" AND ({rank} < {r1} OR ({rank} = {r2} AND p.id > {i}))"));
            }
            ProductSort::PriceAsc | ProductSort::PriceDesc => {
                let price = after.v.as_i64().ok_or_else(bad)?;
                let op = if self.sort == ProductSort::PriceAsc { ">" } else { "<" };
                let (p, i) = (b.bind::<BigInt, _>(price), b.bind::<SqlUuid, _>(id));
                b.push(&format!(" AND (p.min_price_amount, p.id) {op} ({p}, {i})"));
            }
            ProductSort::Title => {
                let title = after.v.as_str().ok_or_else(bad)?.to_owned();
                let (t, i) = (b.bind::<Text, _>(title), b.bind::<SqlUuid, _>(id));
                b.push(&format!(" AND (p.title, p.id) > ({t}, {i})"));
            }
        }
        Ok(())
    }
}
