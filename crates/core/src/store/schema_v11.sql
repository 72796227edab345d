-- Connections: the API sources Invlog pulls from itself. Secrets are not here: `secret_place`
-- says where they are (the OS keyring, or a file readable only by the user).
CREATE TABLE connections (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    kind          TEXT NOT NULL,
    base_url      TEXT NOT NULL,
    merchant_id   TEXT,
    client_id     TEXT,
    token_url     TEXT,
    scope         TEXT,
    products_path TEXT,
    since         INTEGER NOT NULL,
    every_minutes INTEGER,
    next_run_at   INTEGER,
    secret_place  TEXT NOT NULL,
    -- Where the next pull starts (JSON, the kind's own shape); written in the transaction of
    -- the page it follows.
    cursor        TEXT,
    created_at    INTEGER NOT NULL
);

-- One pull of a connection: its rows are an import (`import_id`), its pages and counts here.
CREATE TABLE pulls (
    id            INTEGER PRIMARY KEY,
    connection_id INTEGER NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
    import_id     INTEGER REFERENCES imports(id) ON DELETE SET NULL,
    status        TEXT NOT NULL,
    scheduled     INTEGER NOT NULL DEFAULT 0,
    owner_pid     INTEGER,
    started_at    INTEGER NOT NULL,
    finished_at   INTEGER,
    pages         INTEGER NOT NULL DEFAULT 0,
    records       INTEGER NOT NULL DEFAULT 0,
    rows_new      INTEGER NOT NULL DEFAULT 0,
    rows_existing INTEGER NOT NULL DEFAULT 0,
    rows_updated  INTEGER NOT NULL DEFAULT 0,
    rows_failed   INTEGER NOT NULL DEFAULT 0,
    error         TEXT
);
CREATE INDEX pulls_by_connection ON pulls(connection_id, id);
