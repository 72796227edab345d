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

-- Automated exports: a view exported daily or weekly into a folder while the app runs.
CREATE TABLE schedules (
    id          INTEGER PRIMARY KEY,
    -- A built-in view's id (`failed_pushes`) or a saved one's (`saved:3`).
    view_id     TEXT NOT NULL,
    every       TEXT NOT NULL CHECK (every IN ('daily', 'weekly')),
    -- Local time of day, minutes after midnight; weekly runs on `weekday` (0 = Monday).
    at_minute   INTEGER NOT NULL CHECK (at_minute BETWEEN 0 AND 1439),
    weekday     INTEGER CHECK (weekday BETWEEN 0 AND 6),
    folder      TEXT NOT NULL,
    format      TEXT NOT NULL CHECK (format IN ('csv', 'xlsx')),
    created_at  INTEGER NOT NULL,
    last_run_at INTEGER,
    next_run_at INTEGER NOT NULL
);
ALTER TABLE exports ADD COLUMN schedule_id INTEGER;
