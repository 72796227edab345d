//! Stores for the crate's tests: more entries than a page reads as early (`pages::DEEP`), more
//! than keywords are counted by SQLite for (`columnar::worth_holding`).

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

/// The sample entries and `shirts` more of a product named "Linen Shirt", with 5 of one named
/// "Ceramic Mug": keywords that reach many entries through the products' index, and a few.
pub fn shirts(path: &std::path::Path, shirts: u32) -> Store {
    let mut store = Store::open(path).expect("a store");
    invlog_core::samples::load(&mut store).expect("the samples");
    store
        .conn()
        .execute_batch(
            "INSERT INTO products (identity, sku, product_name)
             VALUES ('SKU-S' || char(31) || char(31) || char(31) || 'Linen Shirt', 'SKU-S', 'Linen Shirt'),
                    ('SKU-M' || char(31) || char(31) || char(31) || 'Ceramic Mug', 'SKU-M', 'Ceramic Mug');
             INSERT INTO products_fts (rowid, sku, channel_sku, gtin, product_name)
             SELECT id, sku, channel_sku, gtin, product_name FROM products WHERE sku IN ('SKU-S', 'SKU-M');",
        )
        .expect("two products");
    store
        .conn()
        .execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?1 + 5)
             INSERT INTO entries (import_id, occurred_at, source, status, channel, product_id)
             SELECT (SELECT min(id) FROM imports), 1700000000000 + (i * 7919 % 5000) * 60000,
                    'konnect', CASE WHEN i % 10 = 0 THEN 'failed' ELSE 'success' END,
                    CASE WHEN i % 3 = 0 THEN 'Flipkart' ELSE 'Amazon' END,
                    (SELECT id FROM products WHERE sku = CASE WHEN i <= ?1 THEN 'SKU-S' ELSE 'SKU-M' END)
             FROM n",
            [shirts],
        )
        .expect("the entries");
    store
}
