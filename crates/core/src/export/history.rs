//! The export history: each export is recorded when it starts and ends Success, Failed (with
//! the error), Cancelled, or — when the app died first — Interrupted at the next start. The
//! app crate's task runner runs exports in the background; the CLI's export runs through it
//! too.

use std::path::Path;

use rusqlite::{params, OptionalExtension, Row};
use serde::Serialize;
use ts_rs::TS;

use super::{ExportFormat, ExportReport, ExportRequest};
use crate::error::{CoreError, Result};
use crate::owners::{mark_orphans, owner_gone, JobStatus};
use crate::query::{self, ViewSpec};
use crate::resolve::current_user;
use crate::store::Store;
use crate::time::{format_instant, now_millis};

/// One export in the history.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ExportRecord {
    pub id: i64,
    pub file_name: String,
    pub path: String,
    pub format: String,
    pub user_name: String,
    pub summary: String,
    pub status: JobStatus,
    pub rows_written: u64,
    pub rows_total: Option<u64>,
    pub bytes: Option<u64>,
    pub error: Option<String>,
    pub started_at: String,
    pub finished_at: Option<String>,
    /// What was exported, to run it again.
    pub request: ExportRequest,
    /// Whether the file the export wrote is still where it put it, unchanged (same size and
    /// modification time): only then is it served or deleted.
    pub file_exists: bool,
}

/// The view's filters, keywords and columns in a few words.
pub fn summary(view: &ViewSpec) -> String {
    let mut parts: Vec<String> = view
        .filters
        .iter()
        .map(|f| {
            format!("{} {} {}", f.column, f.op.symbol(), f.values.join(", "))
                .trim()
                .to_owned()
        })
        .collect();
    if let Some(kit) = &view.kit {
        let events = kit.events();
        parts.insert(
            0,
            format!(
                "kit {} log ({})",
                kit.kit_sku,
                if events.is_empty() {
                    "all events".to_owned()
                } else {
                    events.join(", ")
                }
            ),
        );
    }
    if let Some(s) = view
        .search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        parts.push(format!("search \"{s}\""));
    }
    if parts.is_empty() {
        parts.push("all entries".into());
    }
    let columns = query::view_columns(view).map(|c| c.len()).unwrap_or(0);
    parts.push(format!("{columns} columns"));
    parts.join(" · ")
}

pub fn format_of(req: &ExportRequest) -> Result<ExportFormat> {
    req.format
        .or_else(|| ExportFormat::of_path(&req.path))
        .ok_or_else(|| {
            CoreError::InvalidQuery(format!(
                "{}: choose CSV or XLSX, or name the file .csv or .xlsx",
                req.path.display()
            ))
        })
}

/// The destination as an absolute path with its folder's links resolved: the history must name
/// the file the export writes, whichever folder a later process (a server, the app) runs in.
pub fn absolute_destination(path: &Path) -> Result<std::path::PathBuf> {
    let absolute = std::path::absolute(path).map_err(|source| CoreError::Io {
        path: path.to_owned(),
        source,
    })?;
    let (Some(dir), Some(name)) = (absolute.parent(), absolute.file_name()) else {
        return Ok(absolute);
    };
    // A missing folder is reported by the export itself, naming the path as given.
    Ok(std::fs::canonicalize(dir)
        .map(|d| d.join(name))
        .unwrap_or(absolute))
}

/// The size and modification time (ns since the epoch) of the file at `path`.
fn fingerprint(path: &Path) -> Option<(u64, i64)> {
    let meta = std::fs::metadata(path).ok().filter(|m| m.is_file())?;
    let mtime = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    Some((meta.len(), i64::try_from(mtime.as_nanos()).ok()?))
}

pub fn record_start(store: &Store, req: &ExportRequest, format: ExportFormat) -> Result<i64> {
    let request = serde_json::to_string(req).map_err(|e| CoreError::InvalidQuery(e.to_string()))?;
    let file_name = req
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| req.path.display().to_string());
    store.conn().execute(
        "INSERT INTO exports (file_name, path, format, user_name, request, summary, status,
                              started_at, owner_pid)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'running', ?7, ?8)",
        params![
            file_name,
            req.path.display().to_string(),
            match format {
                ExportFormat::Csv => "csv",
                ExportFormat::Xlsx => "xlsx",
            },
            current_user(),
            request,
            req.view_name.clone().unwrap_or_else(|| summary(&req.view)),
            now_millis(),
            std::process::id()
        ],
    )?;
    Ok(store.conn().last_insert_rowid())
}

/// Records how export `id` ended; `rows_so_far` is what a failed or cancelled one had written.
pub fn record_end(
    store: &Store,
    id: i64,
    outcome: &Result<ExportReport>,
    rows_so_far: u64,
) -> Result<()> {
    let (status, bytes, error) = match outcome {
        Ok(r) => (JobStatus::Success, Some(r.bytes), None),
        Err(CoreError::Cancelled { .. }) => (JobStatus::Cancelled, None, None),
        Err(e) => (JobStatus::Failed, None, Some(e.to_string())),
    };
    let rows = match outcome {
        Ok(r) => r.rows,
        Err(_) => rows_so_far,
    };
    let mtime = match outcome {
        Ok(r) => fingerprint(Path::new(&r.path)).map(|(_, m)| m),
        Err(_) => None,
    };
    store.conn().execute(
        "UPDATE exports SET status = ?2, rows_written = ?3, bytes = ?4, error = ?5, finished_at = ?6,
                            mtime_ns = ?7
         WHERE id = ?1",
        params![id, status.as_db(), rows, bytes, error, now_millis(), mtime],
    )?;
    Ok(())
}

const COLUMNS: &str =
    "id, file_name, path, format, user_name, request, summary, status, rows_written,
                       rows_total, bytes, error, started_at, finished_at, mtime_ns, owner_pid";

const INTERRUPTED: &str = "the app closed before the export finished; no file was written";

fn from_row(r: &Row<'_>) -> rusqlite::Result<ExportRecord> {
    let request: String = r.get("request")?;
    let path: String = r.get("path")?;
    let finished: Option<i64> = r.get("finished_at")?;
    let bytes = r.get::<_, Option<i64>>("bytes")?.map(|n| n as u64);
    let mtime: Option<i64> = r.get("mtime_ns")?;
    let mut status = JobStatus::from_db(&r.get::<_, String>("status")?);
    let mut error: Option<String> = r.get("error")?;
    // An export another process left running when it died shows as what it is, before any
    // write has recorded it.
    if status == JobStatus::Running && owner_gone(r.get("owner_pid")?) {
        status = JobStatus::Interrupted;
        error = Some(INTERRUPTED.into());
    }
    Ok(ExportRecord {
        id: r.get("id")?,
        file_name: r.get("file_name")?,
        file_exists: status == JobStatus::Success && is_as_written(Path::new(&path), bytes, mtime),
        path,
        format: r.get("format")?,
        user_name: r.get("user_name")?,
        summary: r.get("summary")?,
        status,
        rows_written: r.get::<_, i64>("rows_written")? as u64,
        rows_total: r.get::<_, Option<i64>>("rows_total")?.map(|n| n as u64),
        bytes,
        error,
        started_at: format_instant(r.get("started_at")?),
        finished_at: finished.map(format_instant),
        request: serde_json::from_str(&request).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
        })?,
    })
}

/// Whether `path` is still the file an export wrote: the same size and, where recorded (since
/// schema v8), the same modification time. Anything else there is not the export's to serve
/// or delete.
fn is_as_written(path: &Path, bytes: Option<u64>, mtime: Option<i64>) -> bool {
    match (fingerprint(path), bytes) {
        (Some((size, modified)), Some(b)) => size == b && mtime.is_none_or(|m| m == modified),
        _ => false,
    }
}

/// One export's record.
pub fn get(store: &Store, id: i64) -> Result<ExportRecord> {
    store
        .conn()
        .query_row(
            &format!("SELECT {COLUMNS} FROM exports WHERE id = ?1"),
            [id],
            from_row,
        )
        .optional()?
        .ok_or_else(|| CoreError::NotFound(format!("no export #{id}")))
}

/// The history, newest first.
pub fn list(store: &Store) -> Result<Vec<ExportRecord>> {
    let mut st = store.conn().prepare(&format!(
        "SELECT {COLUMNS} FROM exports ORDER BY id DESC LIMIT 500"
    ))?;
    let rows = st.query_map([], from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Removes an export from the history, and its file too when asked. `rec` is its record as
/// the caller sees it (a running export is refused).
pub fn remove(store: &Store, rec: &ExportRecord, delete_file: bool) -> Result<()> {
    let id = rec.id;
    if rec.status == JobStatus::Running {
        return Err(CoreError::Conflict(format!(
            "export #{id} is still running; cancel it first"
        )));
    }
    if delete_file && Path::new(&rec.path).exists() {
        if !rec.file_exists {
            return Err(CoreError::InvalidQuery(format!(
                "{} is not the file export #{id} wrote (its size or modification time \
                 changed, or another file took its place); it was not deleted, and the \
                 export stays in the history",
                rec.path
            )));
        }
        std::fs::remove_file(&rec.path).map_err(|source| CoreError::Io {
            path: rec.path.clone().into(),
            source,
        })?;
    }
    store
        .conn()
        .execute("DELETE FROM exports WHERE id = ?1", [id])?;
    Ok(())
}

/// Sets the total the progress of export `id` counts toward. Only for the progress shown: an
/// export never waits for a writer, so nothing is written while another writer has the store.
pub fn record_total(store: &mut Store, id: i64, total: u64) {
    let _ = store.try_write(|tx| {
        tx.execute(
            "UPDATE exports SET rows_total = ?2 WHERE id = ?1",
            params![id, total],
        )?;
        Ok(())
    });
}

/// Marks exports whose process is gone as interrupted, and removes the partial files they
/// left beside their destinations (a killed process cannot clean up after itself).
pub fn mark_interrupted(store: &mut Store) -> Result<usize> {
    let ids = mark_orphans(store, "exports", INTERRUPTED)?;
    for &id in &ids {
        let path: String =
            store
                .conn()
                .query_row("SELECT path FROM exports WHERE id = ?1", [id], |r| r.get(0))?;
        remove_partial_files(Path::new(&path));
    }
    Ok(ids.len())
}

/// `.NAME.*.part` beside `dest`: what an unfinished export of `dest` writes.
fn remove_partial_files(dest: &Path) {
    let (Some(dir), Some(name)) = (dest.parent(), dest.file_name()) else {
        return;
    };
    let prefix = format!(".{}.", name.to_string_lossy());
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let n = e.file_name().to_string_lossy().into_owned();
        if n.starts_with(&prefix) && n.ends_with(".part") {
            let _ = std::fs::remove_file(e.path());
        }
    }
}
