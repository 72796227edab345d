//! A store for the crate's tests with more entries than a page reads as early (`pages::DEEP`).

use invlog_core::store::Store;

/// The sample entries and 30,000 more, at minutes with many ties, ids out of time order, each
/// with an `inventory_sent` of 0-499 (a column the summary does not count).
pub fn many_entries(path: &std::path::Path) -> Store {
    let mut store = Store::open(path).expect("a store");
    invlog_core::samples::load(&mut store).expect("the samples");
    store
        .conn()
        .execute_batch(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 30000)
             INSERT INTO entries (import_id, occurred_at, source, inventory_sent)
             SELECT (SELECT min(id) FROM imports), 1700000000000 + (i * 7919 % 5000) * 60000,
                    'konnect', i % 500 FROM n",
        )
        .expect("30,000 entries");
    store
}
