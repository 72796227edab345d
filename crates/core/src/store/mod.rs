//! The local store: one SQLite file (WAL), schema managed by migrations.

pub mod bulk;
mod migrations;
mod scoped;
pub mod stops;
pub mod turns;

use std::path::{Path, PathBuf};

use rusqlite::Connection;

use crate::error::{CoreError, Result};

pub use migrations::{
    index_sql, schema_of, BULK_REBUILT_INDEXES, ENTRY_INDEXES, ENTRY_INDEX_NAMES, MIGRATIONS,
    SCHEMA_VERSION,
};

/// Reads through a memory map: scans split across the read connections (counts, facets,
/// timelines no summary answers) run up to ~25% faster than through read() calls at 10M
/// entries. Imports and exports turn it off while they run (see `ingest`, `export`), and the
/// table's pages and the writer read without it ([`Store::read_without_map`]).
///
/// Big enough for any store: SQLite maps no more than the file. A map that ends inside the
/// file (it was 1 GiB, and SQLite's own cap is 2 GiB unless built with a higher
/// `SQLITE_MAX_MMAP_SIZE`, as `.cargo/config.toml` does) leaves the pages past it to read()
/// calls into each reader's page cache: a 10M-entry store is 2.4 GB.
pub const MMAP_BYTES: i64 = 1 << 40;

/// The page size of a new store.
pub const PAGE_BYTES: i64 = 16_384;

/// The page cache, as SQLite's negative KiB count: 64 MiB.
pub const CACHE_KIB: i64 = -65_536;

/// What the write-ahead log is cut back to once its pages are in the store file. Left alone it
/// keeps the size of the biggest write since the store was opened: a 10M-row import's 2.4 GB,
/// beside a store of the same size, until the app closes.
pub const LOG_KEPT_BYTES: i64 = 64 << 20;

/// How long closing waits for readers to let the log go before leaving it to the next run.
const CLOSING_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

pub struct Store {
    conn: Connection,
    path: Option<PathBuf>,
    /// The memory map this connection reads through (0: none); see [`MMAP_BYTES`].
    map_bytes: i64,
}

impl Store {
    /// Opens (creating if needed) the store at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Self> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| CoreError::OpenStore {
                path: path.to_owned(),
                reason: format!("cannot create {}: {e}", dir.display()),
            })?;
        }
        let conn = Connection::open(path).map_err(|e| CoreError::OpenStore {
            path: path.to_owned(),
            reason: e.to_string(),
        })?;
        Self::init(conn, Some(path.to_owned()))
    }

    pub fn open_in_memory() -> Result<Self> {
        Self::init(Connection::open_in_memory()?, None)
    }

    fn init(mut conn: Connection, path: Option<PathBuf>) -> Result<Self> {
        // Writers take turns however long the one before takes; see `turns`.
        conn.busy_handler(Some(turns::wait_turn))?;
        // Reads stop when their thread is asked to; see `stops`.
        stops::look_on(&conn);
        conn.set_transaction_behavior(rusqlite::TransactionBehavior::Immediate);
        // WAL always, whatever the work: readers (the table, `invlog query`, another app on the
        // same store) are never locked out by a writer, however large its import.
        // 16 KiB pages for a new store (an existing one keeps its own): a bulk import writes a
        // quarter of the pages, and so a quarter of the WAL frames its checkpoint copies, and
        // scans read fewer, larger pages (counts on 1M rows 35-45% faster, first pages no
        // slower: BENCHMARKS.md). Only possible before the first table exists.
        conn.pragma_update(None, "page_size", PAGE_BYTES)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // NORMAL is durable across application crashes in WAL mode; only a power loss can
        // drop the last transactions, which an import simply redoes.
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "journal_size_limit", LOG_KEPT_BYTES)?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // 64 MiB of page cache. An index build after a bulk import sorts in runs of a few MiB
        // (`ingest::rebuild_indexes`): memory stays bounded whatever the file size.
        conn.pragma_update(None, "cache_size", CACHE_KIB)?;
        conn.pragma_update(None, "mmap_size", MMAP_BYTES)?;
        MIGRATIONS.to_latest(&mut conn).map_err(|e| match e {
            rusqlite_migration::Error::MigrationDefinition(
                rusqlite_migration::MigrationDefinitionError::DatabaseTooFarAhead,
            ) => CoreError::OpenStore {
                path: path.clone().unwrap_or_default(),
                reason: "it was written by a newer version of Invlog; open it with that version"
                    .into(),
            },
            other => other.into(),
        })?;
        Ok(Store {
            conn,
            path,
            map_bytes: MMAP_BYTES,
        })
    }

    /// Reads by read() calls from now on, not through the memory map: for a connection that
    /// reads rows here and there (the table's pages, the writer's). A page touched through the
    /// map for the first time is read from the disk with the pages around it, as many as the
    /// device's read-ahead (`read_ahead_kb`: 8 MiB on the machine of BENCHMARKS.md), so the
    /// first page of a view whose 100 rows lie all over the file read hundreds of MB on a cold
    /// start (0.43-0.52 s in `sqlite3` for what read() calls fetch in 0.03-0.04 s).
    pub fn read_without_map(&mut self) -> Result<()> {
        self.map_bytes = 0;
        self.restore_map()
    }

    /// Puts back this connection's own memory map after work that read without it.
    pub(crate) fn restore_map(&self) -> Result<()> {
        Ok(self.conn.pragma_update(None, "mmap_size", self.map_bytes)?)
    }

    /// `~/.local/share/invlog/invlog.db` on Linux, the platform's data dir elsewhere.
    pub fn default_path() -> PathBuf {
        dirs::data_dir()
            .unwrap_or_else(|| PathBuf::from("."))
            .join("invlog")
            .join("invlog.db")
    }

    pub fn conn(&self) -> &Connection {
        &self.conn
    }

    pub fn conn_mut(&mut self) -> &mut Connection {
        &mut self.conn
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Copies the write-ahead log into the store file and empties it, for a process about to
    /// end: SQLite does so when the last connection closes, but a shell ends with connections
    /// still held by its threads, and the log it leaves is read whole by the next run's first
    /// connection before any page (+0.1 s at 1M entries from a cold disk, ~1 s at 10M).
    /// Returns whether it was emptied: not when another process writes or reads the store,
    /// or a read here goes on for longer than [`CLOSING_WAIT`].
    pub fn fold_log(&self) -> Result<bool> {
        let deadline = std::time::Instant::now() + CLOSING_WAIT;
        let folded = turns::while_waiting(
            || {},
            move || std::time::Instant::now() > deadline,
            || {
                self.conn
                    .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
                        r.get::<_, i64>(0)
                    })
            },
        );
        match folded {
            // 1: SQLite found the log busy.
            Ok(busy) => Ok(busy == 0),
            Err(e) if turns::is_busy(&e) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Runs `write` in one IMMEDIATE transaction if the store is free right now; `None`
    /// without waiting when another connection is writing (housekeeping that the next
    /// chance will do).
    pub fn try_write<T>(
        &mut self,
        write: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T>,
    ) -> Result<Option<T>> {
        let began = turns::while_waiting(|| {}, || true, || self.conn.transaction());
        let tx = match began {
            Ok(tx) => tx,
            Err(e) if turns::is_busy(&e) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let value = write(&tx)?;
        tx.commit()?;
        Ok(Some(value))
    }

    pub fn entry_count(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM entries", [], |r| r.get(0))?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Without the build's `SQLITE_MAX_MMAP_SIZE`, SQLite quietly maps 2 GiB at most, and a
    /// year of entries is bigger than that.
    #[test]
    fn a_reading_connection_maps_past_sqlites_two_gib_default() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("map.db")).unwrap();
        let map: i64 = store
            .conn()
            .query_row("PRAGMA mmap_size", [], |r| r.get(0))
            .unwrap();
        assert_eq!(map, MMAP_BYTES);
        assert!(map > 0x7fff_0000, "{map}");
    }

    /// The log is folded into the store and emptied; while another connection reads a
    /// snapshot it needs, it is left whole (and closing does not wait for that read).
    #[test]
    fn folding_the_log_empties_it_unless_a_read_still_needs_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.db");
        let store = Store::open(&path).unwrap();
        let log_bytes = || {
            std::fs::metadata(path.with_extension("db-wal"))
                .unwrap()
                .len()
        };
        let write = |n: i64| {
            store
                .conn()
                .execute(
                    "INSERT INTO settings (key, value, updated_at) VALUES (?1, 'x', 0)",
                    [n.to_string()],
                )
                .unwrap()
        };
        let mut reader = Store::open(&path).unwrap();
        write(1);
        // Deferred: a read, where the store begins every transaction as a write.
        let snapshot = reader
            .conn_mut()
            .transaction_with_behavior(rusqlite::TransactionBehavior::Deferred)
            .unwrap();
        let seen: i64 = snapshot
            .query_row("SELECT count(*) FROM settings", [], |r| r.get(0))
            .unwrap();
        write(2);
        assert!(log_bytes() > 0);
        assert!(!store.fold_log().unwrap(), "a read still needed the log");
        assert!(log_bytes() > 0);
        drop(snapshot);
        assert!(store.fold_log().unwrap());
        assert_eq!(log_bytes(), 0);
        let now: i64 = reader
            .conn()
            .query_row("SELECT count(*) FROM settings", [], |r| r.get(0))
            .unwrap();
        assert_eq!(now, seen + 1);
    }
}
