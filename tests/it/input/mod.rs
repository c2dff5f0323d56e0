//! Input PostgreSQL would refuse is refused first, with a 4xx naming the field: NUL characters,
//! numbers past a column's range, empty PATCHes, oversized strings and timestamps.

mod bounds;
mod nul;
mod patch;
mod timestamps;
