-- Who marked an entry resolved or unresolved, when, and why: the history behind
-- entries.resolved, newest last. The source's own resolved flag (Xoro) is the first value.
CREATE TABLE resolutions (
    id         INTEGER PRIMARY KEY,
    entry_id   INTEGER NOT NULL REFERENCES entries(id),
    resolved   INTEGER NOT NULL CHECK (resolved = 0 OR resolved = 1),
    note       TEXT,
    user_name  TEXT NOT NULL,
    at         INTEGER NOT NULL
);
CREATE INDEX resolutions_by_entry ON resolutions(entry_id, id);
