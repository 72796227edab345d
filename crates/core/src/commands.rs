//! The command table: every operation a shell (CLI, `invlog serve`, the desktop app) can call,
//! as typed requests and responses. Shells only adapt these; no logic lives in them.

use std::path::PathBuf;

use rusqlite::params;
use serde::{Deserialize, Serialize};

use crate::columns::{self, Column};
use crate::error::{CoreError, Result};
use crate::ingest::{self, Control, ImportOptions, ImportReport, RowError};
use crate::query::{self, Facet, Filter, QueryRequest, QueryResponse};
use crate::store::Store;
use crate::time;

#[derive(Debug, Clone, Deserialize)]
pub struct ImportRequest {
    pub paths: Vec<PathBuf>,
    #[serde(flatten)]
    pub options: ImportOptions,
}

/// Imports each file in its own transaction; a refused file is reported, not fatal.
pub fn import(
    store: &mut Store,
    req: &ImportRequest,
    control: &Control<'_>,
) -> Result<Vec<ImportReport>> {
    let mut reports = Vec::with_capacity(req.paths.len());
    for path in &req.paths {
        match ingest::import_file(store, path, &req.options, control) {
            Ok(r) => reports.push(r),
            Err(CoreError::FileRefused { file, reason }) => {
                reports.push(ImportReport::refused(&file, reason))
            }
            Err(e) => return Err(e),
        }
    }
    Ok(reports)
}

pub fn query(store: &Store, req: &QueryRequest) -> Result<QueryResponse> {
    query::run(store.conn(), req)
}

pub fn columns() -> &'static [Column] {
    columns::COLUMNS
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct FacetsRequest {
    #[serde(default)]
    pub filters: Vec<Filter>,
    #[serde(default)]
    pub search: Option<String>,
    /// Empty means every facet column of the registry.
    #[serde(default)]
    pub columns: Vec<String>,
}

pub fn facets(store: &Store, req: &FacetsRequest) -> Result<Vec<Facet>> {
    query::facets(
        store.conn(),
        &req.filters,
        req.search.as_deref(),
        &req.columns,
    )
}

#[derive(Debug, Clone, Serialize)]
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
}

/// Import history, newest first.
pub fn imports(store: &Store) -> Result<Vec<ImportRecord>> {
    let mut st = store.conn().prepare(
        "SELECT id, file_name, path, sha256, format, started_at, finished_at, rows_total,
                rows_imported, rows_failed FROM imports ORDER BY id DESC",
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
