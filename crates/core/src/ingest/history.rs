//! The import history: each imported file with its row counts, and the row errors of each.

use rusqlite::params;
use serde::Serialize;
use ts_rs::TS;

use super::RowError;
use crate::error::Result;
use crate::store::Store;
use crate::time;

#[derive(Debug, Clone, Serialize, TS)]
pub struct ImportRecord {
    pub id: i64,
    pub file_name: String,
    pub path: String,
    pub sha256: String,
    pub format: String,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub rows_total: u64,
    pub rows_imported: u64,
    pub rows_failed: u64,
    /// Entries new to the store, already there, and updated (unknown for imports made before
    /// Invlog counted them).
    pub rows_new: Option<u64>,
    pub rows_existing: Option<u64>,
    pub rows_updated: Option<u64>,
}

/// Import history, newest first.
pub fn imports(store: &Store) -> Result<Vec<ImportRecord>> {
    let mut st = store.conn().prepare(
        "SELECT id, file_name, path, sha256, format, started_at, finished_at, rows_total,
                rows_imported, rows_failed, rows_new, rows_existing, rows_updated
         FROM imports ORDER BY id DESC",
    )?;
    let rows = st
        .query_map([], |r| {
            Ok(ImportRecord {
                id: r.get(0)?,
                file_name: r.get(1)?,
                path: r.get(2)?,
                sha256: r.get(3)?,
                format: r.get(4)?,
                started_at: time::format_instant(r.get(5)?),
                finished_at: r.get::<_, Option<i64>>(6)?.map(time::format_instant),
                rows_total: r.get::<_, i64>(7)? as u64,
                rows_imported: r.get::<_, i64>(8)? as u64,
                rows_failed: r.get::<_, i64>(9)? as u64,
                rows_new: r.get::<_, Option<i64>>(10)?.map(|n| n as u64),
                rows_existing: r.get::<_, Option<i64>>(11)?.map(|n| n as u64),
                rows_updated: r.get::<_, Option<i64>>(12)?.map(|n| n as u64),
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// The row errors recorded for one import.
pub fn import_errors(store: &Store, import_id: i64) -> Result<Vec<RowError>> {
    let mut st = store.conn().prepare(
        "SELECT row, column_name, message FROM import_errors WHERE import_id = ?1 ORDER BY rowid",
    )?;
    let rows = st
        .query_map(params![import_id], |r| {
            Ok(RowError {
                row: r.get::<_, i64>(0)? as u64,
                column: r.get(1)?,
                message: r.get(2)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}
