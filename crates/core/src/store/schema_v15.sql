-- schema v15: products found by SKU. What each channel last received is merged per pair after
-- an import into a store that holds pushes, and each pair asks for its SKU's products: without
-- this index every ask scanned the products table (a 1M-row re-import: 167 s).
CREATE INDEX IF NOT EXISTS products_by_sku ON products(sku);
