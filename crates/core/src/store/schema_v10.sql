-- The identities kept in their key's order (a table without rowid, keyed by key and entry id)
-- instead of in entry order with an index on the key: one B-tree instead of two, and a first
-- import into an empty store appends its identities already sorted rather than having SQLite
-- sort them into an index. Without the foreign key: a cascade would look an entry id up in a
-- table ordered by key; the one place entries are deleted (removing an import) deletes their
-- identities itself.
CREATE TABLE identities_v10 (
    key      INTEGER NOT NULL,
    entry_id INTEGER NOT NULL,
    identity BLOB NOT NULL,
    facts    INTEGER,
    PRIMARY KEY (key, entry_id)
) WITHOUT ROWID;
INSERT INTO identities_v10 (key, entry_id, identity, facts)
SELECT key, entry_id, identity, facts FROM identities ORDER BY key, entry_id;
DROP TABLE identities;
ALTER TABLE identities_v10 RENAME TO identities;
