-- Re-runs of an entry's stored API request (Xoro's "Resolve and Run again"), one row per
-- attempt whatever its outcome. The entry itself keeps its original request and response.
CREATE TABLE attempts (
    id           INTEGER PRIMARY KEY,
    entry_id     INTEGER NOT NULL REFERENCES entries(id) ON DELETE CASCADE,
    at           INTEGER NOT NULL,
    duration_ms  INTEGER NOT NULL,
    method       TEXT NOT NULL,
    url          TEXT NOT NULL,
    http_status  INTEGER,
    outcome      TEXT NOT NULL CHECK (outcome = 'success' OR outcome = 'failed'),
    -- Why it failed: the HTTP status line, a timeout, a refused connection.
    reason       TEXT,
    response     TEXT,
    user_name    TEXT NOT NULL
);
CREATE INDEX attempts_by_entry ON attempts(entry_id, id);

-- Failed entries of sources without a resolved flag are open until someone resolves them
-- (imports do the same from now on), so the Unresolved view lists every failure.
UPDATE entries SET resolved = 0 WHERE status = 'failed' AND resolved IS NULL;
