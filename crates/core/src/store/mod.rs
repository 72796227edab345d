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
}
