-- The file an export wrote, as it was written (modification time, ns since the epoch): the
-- history serves or deletes a file only while it is still that one.
ALTER TABLE exports ADD COLUMN mtime_ns INTEGER;

-- A re-run's attempt is recorded before its request is sent ('sending') and completed after;
-- one still 'sending' whose process is gone shows as 'unknown' (it may have reached the
-- server). SQLite cannot alter a CHECK constraint, so the table is rebuilt.
CREATE TABLE attempts_v8 (
    id           INTEGER PRIMARY KEY,
    entry_id     INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
    at           INTEGER NOT NULL,
    duration_ms  INTEGER,
    method       TEXT NOT NULL,
    url          TEXT NOT NULL,
    http_status  INTEGER,
    outcome      TEXT NOT NULL CHECK (outcome IN ('sending', 'success', 'failed', 'unknown')),
    reason       TEXT,
    response     TEXT,
    user_name    TEXT NOT NULL,
    owner_pid    INTEGER
);
INSERT INTO attempts_v8 (id, entry_id, at, duration_ms, method, url, http_status, outcome,
                         reason, response, user_name)
    SELECT id, entry_id, at, duration_ms, method, url, http_status, outcome, reason, response,
           user_name FROM attempts;
DROP TABLE attempts;
ALTER TABLE attempts_v8 RENAME TO attempts;
CREATE INDEX attempts_by_entry ON attempts(entry_id, id);
