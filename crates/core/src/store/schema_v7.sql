-- Export history (Konnect's "Export History"): one row per export, whatever its outcome.
CREATE TABLE exports (
    id           INTEGER PRIMARY KEY,
    file_name    TEXT NOT NULL,
    path         TEXT NOT NULL,
    format       TEXT NOT NULL,
    user_name    TEXT NOT NULL,
    -- What was exported: the ExportRequest as JSON ("run again" replays it).
    request      TEXT NOT NULL,
    -- The view's filters in words, for the history list.
    summary      TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('running', 'success', 'failed', 'cancelled', 'interrupted')),
    rows_written INTEGER NOT NULL DEFAULT 0,
    rows_total   INTEGER,
    bytes        INTEGER,
    error        TEXT,
    started_at   INTEGER NOT NULL,
    finished_at  INTEGER,
    owner_pid    INTEGER
);
