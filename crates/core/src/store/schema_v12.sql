-- The error signature of failed and errored entries (what went wrong, with the values that vary
-- taken out), computed at import so that grouping failures never re-reads response bodies.
-- Every failure has one, so this index holds exactly the failures, with what Failures counts
-- (and the filters a view puts on them most) read from the index alone.
ALTER TABLE entries ADD COLUMN error_signature TEXT;
CREATE INDEX entries_by_signature ON entries(error_signature, occurred_at, product_id, channel, account, location_code, resolved, status) WHERE error_signature IS NOT NULL;

-- What each channel last received (see channel_state.rs): per SKU x channel x account x
-- location ('' for none), kept by imports in the same transaction as the entries.
CREATE TABLE push_pairs (
    sku              TEXT NOT NULL,
    channel          TEXT NOT NULL,
    account          TEXT NOT NULL,
    location_code    TEXT NOT NULL,
    last_success_at  INTEGER,
    last_success_id  INTEGER,
    last_sent        INTEGER,
    buffer_stock     INTEGER,
    last_push_at     INTEGER NOT NULL,
    last_push_id     INTEGER NOT NULL,
    last_push_status TEXT NOT NULL,
    failures_since   INTEGER NOT NULL,
    last_failure_at  INTEGER,
    last_failure_id  INTEGER,
    PRIMARY KEY (sku, channel, account, location_code)
) WITHOUT ROWID;
-- Each system of record's newest stock figure of a SKU.
CREATE TABLE record_stock (
    sku        TEXT NOT NULL,
    source     TEXT NOT NULL,
    at         INTEGER NOT NULL,
    entry_id   INTEGER NOT NULL,
    quantity   INTEGER NOT NULL,
    PRIMARY KEY (sku, source)
) WITHOUT ROWID;
