-- Every entry's identity (see `identity`): the store holds each real event once, however often
-- it is exported and imported. Beside the entries, in a narrow table of their own: appended in
-- id order as rows come, its index is built from ~30 bytes a row, not from the wide rows.
-- Not unique: a store that imported the same rows twice before identities existed keeps both,
-- for `invlog doctor` to report rather than merge silently.
CREATE TABLE identities (
    entry_id INTEGER PRIMARY KEY REFERENCES entries(id) ON DELETE CASCADE,
    -- The identity's first 64 bits, what the index sorts (integers sort faster than blobs);
    -- the whole 128-bit identity beside it decides.
    key      INTEGER NOT NULL,
    identity BLOB NOT NULL,
    -- A hash of all the entry's facts as last imported; NULL when unknown (computed by the
    -- migration from what the store held), so the next sighting compares column by column.
    facts    INTEGER
);
CREATE INDEX identities_by_key ON identities(key);

-- The imports that brought an entry besides its first (entries.import_id): removing an import
-- deletes only what no other import brought.
CREATE TABLE entry_imports (
    entry_id  INTEGER NOT NULL,
    import_id INTEGER NOT NULL,
    PRIMARY KEY (entry_id, import_id)
) WITHOUT ROWID;
CREATE INDEX entry_imports_by_import ON entry_imports(import_id);

-- An entry's history: facts a later import updated, imports removed that had brought it.
CREATE TABLE entry_changes (
    id        INTEGER PRIMARY KEY,
    entry_id  INTEGER NOT NULL,
    -- No foreign key: the history outlives a removed import; file_name says which it was.
    import_id INTEGER,
    file_name TEXT,
    at        INTEGER NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN ('updated', 'import_removed')),
    -- [{column, from, to}] for an update.
    changes   TEXT
);
CREATE INDEX entry_changes_by_entry ON entry_changes(entry_id, id);

-- Per file: entries new to the store, already there, and updated.
ALTER TABLE imports ADD COLUMN rows_new INTEGER;
ALTER TABLE imports ADD COLUMN rows_existing INTEGER;
ALTER TABLE imports ADD COLUMN rows_updated INTEGER;
-- The time zone assumed for times without an offset, and the text encoding assumed.
ALTER TABLE imports ADD COLUMN time_zone TEXT;
ALTER TABLE imports ADD COLUMN encoding TEXT;
