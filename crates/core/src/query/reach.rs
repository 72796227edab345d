//! How many entries a view's conditions on the product reach through the products' index
//! (`entries_by_product`): keywords, and filters on a product's column answered from the
//! products table. SQLite cannot tell how many products such a condition matches, so it always
//! takes that index: right for one product, ruinous for a tenth of them when the view also asks
//! of the entry's row (a quantity filter: 5M random row reads, 24 s at 10M). Counting the index
//! entries up to a bar tells the two apart for the cost of the bar.

use rusqlite::types::Value as SqlValue;
use rusqlite::Connection;

use super::filter::{self, Filter};
use crate::error::Result;

/// Whether the view's conditions on the product (`filter::on_products_index` and keywords)
/// reach at least `bar` entries; false when it has none.
pub fn reaches(
    conn: &Connection,
    filters: &[Filter],
    search: Option<&str>,
    bar: u64,
) -> Result<bool> {
    let on_products: Vec<Filter> = filters
        .iter()
        .filter(|f| filter::on_products_index(f))
        .cloned()
        .collect();
    let search = search.map(str::trim).filter(|s| !s.is_empty());
    if on_products.is_empty() && search.is_none() {
        return Ok(false);
    }
    let where_ = super::where_clause(&on_products, search, None)?;
    let bar = i64::try_from(bar).unwrap_or(i64::MAX);
    let mut params = where_.params;
    params.push(SqlValue::Integer(bar));
    let reached: i64 = conn.query_row(
        &format!(
            "SELECT count(*) FROM (SELECT 1 FROM entries e WHERE ({}) LIMIT ?)",
            where_.text
        ),
        rusqlite::params_from_iter(params),
        |r| r.get(0),
    )?;
    Ok(reached >= bar)
}

/// Whether a view's count is better read by scanning every entry than through the products'
/// index: its product conditions reach an eighth of the entries or more, and another condition
/// reads each entry's row, which the index has SQLite fetch one at a time, at random (6.6 s
/// for 5M of 10M entries, where a scan takes ~1.5 s on one connection).
pub fn count_scans(
    conn: &Connection,
    filters: &[Filter],
    search: Option<&str>,
    kit: Option<&super::KitScope>,
) -> Result<bool> {
    let reads_rows = filters
        .iter()
        .any(|f| f.column != "occurred_at" && !filter::on_products_index(f));
    if kit.is_some() || !reads_rows {
        return Ok(false);
    }
    let entries: i64 =
        conn.query_row("SELECT coalesce(max(id), 0) FROM entries", [], |r| r.get(0))?;
    let eighth = u64::try_from(entries / 8).unwrap_or(0).max(1);
    reaches(conn, filters, search, eighth)
}

/// The WHERE clause `text` with its conditions on the product kept from the products' index:
/// a unary `+` on the column changes SQLite's plan, never the rows.
pub fn without_products_index(text: &str) -> String {
    text.replace("e.product_id IN (", "+e.product_id IN (")
}

/// Entries reached through the products' index past which walking the time index finds a
/// page of `wanted` rows sooner than that index does: the walk steps over
/// `wanted × entries / reached` rows, the index reads `reached` (each about as dear as a
/// step), so the two meet near √(wanted × entries); twice that, as the index's reads of the
/// keys alone are cheaper.
pub fn walk_pays_from(wanted: u64, entries: u64) -> u64 {
    let meet = ((wanted as f64) * (entries as f64)).sqrt();
    (2.0 * meet) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bar_grows_with_the_store_and_the_page() {
        assert_eq!(walk_pays_from(100, 10_000_000), 63_245);
        assert_eq!(walk_pays_from(100, 1_000_000), 20_000);
        assert!(walk_pays_from(2_100, 10_000_000) > walk_pays_from(100, 10_000_000));
    }
}
