-- Import history: one row per accepted file. A refused file leaves no row (its transaction
-- is rolled back), so the store is exactly as it was.
CREATE TABLE imports (
    id            INTEGER PRIMARY KEY,
    file_name     TEXT NOT NULL,
    path          TEXT NOT NULL,
    sha256        TEXT NOT NULL UNIQUE,
    format        TEXT NOT NULL,
    started_at    INTEGER NOT NULL,
    finished_at   INTEGER,
    rows_total    INTEGER NOT NULL DEFAULT 0,
    rows_imported INTEGER NOT NULL DEFAULT 0,
    rows_failed   INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE import_errors (
    import_id   INTEGER NOT NULL REFERENCES imports(id) ON DELETE CASCADE,
    row         INTEGER,
    column_name TEXT,
    message     TEXT NOT NULL
);
CREATE INDEX import_errors_by_import ON import_errors(import_id);

-- Distinct product identities seen in the logs. Entries point here, so keyword search and
-- "SKU contains" filters work on a few thousand rows instead of millions.
CREATE TABLE products (
    id           INTEGER PRIMARY KEY,
    -- sku, channel_sku, gtin, product_name joined by U+001F: a NULL-safe identity.
    identity     TEXT NOT NULL UNIQUE,
    sku          TEXT,
    channel_sku  TEXT,
    gtin         TEXT,
    product_name TEXT
);

-- One row per log entry, typed canonical columns. Times are UTC epoch milliseconds. The
-- columns most filtered on come first: SQLite decodes a row only up to the column it needs.
CREATE TABLE entries (
    id                    INTEGER PRIMARY KEY,
    import_id             INTEGER NOT NULL REFERENCES imports(id) ON DELETE CASCADE,
    occurred_at           INTEGER NOT NULL,
    source                TEXT NOT NULL,
    -- Checks spelled as comparisons: an IN list would build a temporary table on every insert.
    status                TEXT CHECK (status = 'success' OR status = 'failed' OR status = 'pending'),
    channel               TEXT,
    account               TEXT,
    location_code         TEXT,
    event_type            TEXT,
    -- sku, channel_sku, gtin and product_name live in products, once per identity.
    product_id            INTEGER REFERENCES products(id),
    tab                   TEXT,
    sync_type             TEXT,
    resolved              INTEGER CHECK (resolved = 0 OR resolved = 1),
    -- The source's own record time (Ordoro); otherwise the import's started_at stands for it.
    imported_at           INTEGER,
    entity_type           TEXT,
    external_id           TEXT,
    location_name         TEXT,
    location_type         TEXT,
    inventory_sent        INTEGER,
    buffer_stock          INTEGER,
    committed             INTEGER,
    damaged               INTEGER,
    mfg_date              TEXT,
    exp_date              TEXT,
    quantity              INTEGER,
    available_on_hand     INTEGER,
    physical_on_hand      INTEGER,
    cart_type             TEXT,
    cart_id               TEXT,
    cart_name             TEXT,
    warehouse_name        TEXT,
    warehouse_locations   TEXT,
    buffer_level          TEXT,
    inbound               INTEGER,
    in_stock              INTEGER,
    available             INTEGER,
    reserved              INTEGER,
    on_hold               INTEGER,
    expected_quantity     INTEGER,
    received_quantity     INTEGER,
    restocked_quantity    INTEGER,
    error                 TEXT,
    batch_id              TEXT,
    row                   INTEGER,
    retry_count           INTEGER,
    last_retry_at         INTEGER,
    last_retry_details    TEXT,
    inventory_update_time INTEGER,
    event_id              TEXT,
    user_name             TEXT,
    sending_warehouse     TEXT,
    receiving_warehouse   TEXT,
    transfer_notes        TEXT,
    line_notes            TEXT,
    reason                TEXT,
    start_at              INTEGER,
    end_at                INTEGER,
    best_before           TEXT,
    -- Source columns Invlog does not know, as a JSON object {header: value}: kept, never dropped.
    extra                 TEXT
);

-- API request/response documents, kept out of the hot table so scans stay small.
CREATE TABLE payloads (
    entry_id INTEGER PRIMARY KEY REFERENCES entries(id) ON DELETE CASCADE,
    request  TEXT,
    response TEXT
);

-- Logitrail best-before lots of a snapshot entry.
CREATE TABLE lots (
    id            INTEGER PRIMARY KEY,
    entry_id      INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
    lot_id        TEXT,
    lot_number    TEXT,
    best_before   TEXT,
    inbound       INTEGER,
    in_stock      INTEGER,
    available     INTEGER,
    reserved      INTEGER,
    on_hold       INTEGER,
    last_movement INTEGER
);
CREATE INDEX lots_by_entry ON lots(entry_id);

-- Sync batch records (ShipHero inventory_sync_status); the latest import of a batch wins.
CREATE TABLE batches (
    id             INTEGER PRIMARY KEY,
    import_id      INTEGER NOT NULL REFERENCES imports(id) ON DELETE CASCADE,
    source         TEXT NOT NULL,
    batch_id       TEXT NOT NULL,
    url            TEXT,
    warehouse_id   TEXT,
    user_id        TEXT,
    account_id     TEXT,
    total_count    INTEGER,
    status         TEXT,
    error          TEXT,
    success_count  INTEGER,
    error_count    INTEGER,
    finished_count INTEGER,
    created_at     INTEGER,
    updated_at     INTEGER,
    UNIQUE (source, batch_id)
);

CREATE TABLE kits (
    kit_sku       TEXT NOT NULL,
    component_sku TEXT NOT NULL,
    quantity      INTEGER NOT NULL CHECK (quantity > 0),
    import_id     INTEGER REFERENCES imports(id) ON DELETE SET NULL,
    PRIMARY KEY (kit_sku, component_sku)
) WITHOUT ROWID;

-- Saved views: a JSON definition (columns, order, widths, filters, sort).
CREATE TABLE views (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    definition TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

-- Long work (imports, exports), persisted so a restart can tell what was interrupted.
CREATE TABLE jobs (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('running', 'success', 'failed', 'cancelled', 'interrupted')),
    params     TEXT NOT NULL,
    done       INTEGER NOT NULL DEFAULT 0,
    total      INTEGER,
    error      TEXT,
    result     TEXT,
    created_at INTEGER NOT NULL,
    finished_at INTEGER
);

-- Keyword search, in two small indexes rather than one per entry:
-- products_fts over the distinct product identities (sku, channel_sku, gtin, product_name),
CREATE VIRTUAL TABLE products_fts USING fts5(
    sku, channel_sku, gtin, product_name,
    content = 'products',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2'
);
-- and events_fts over the per-event text (batch_id, event_id, error, reason) of the entries
-- that have any (rowid = entries.id).
CREATE VIRTUAL TABLE events_fts USING fts5(
    body,
    content = '',
    contentless_delete = 1,
    tokenize = 'unicode61 remove_diacritics 2'
);
