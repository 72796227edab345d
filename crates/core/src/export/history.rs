//! Exports as background jobs, and their history: each export is recorded when it starts,
//! shows its rows written while it runs, can be cancelled, and ends Success, Failed (with the
//! error), Cancelled, or — when the app died first — Interrupted at the next start.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use rusqlite::{params, OptionalExtension, Row};
use serde::Serialize;
use ts_rs::TS;

use super::{export, Control, ExportFormat, ExportReport, ExportRequest};
use crate::engine::Engine;
use crate::error::{CoreError, Result};
use crate::jobs::JobStatus;
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

/// Exports running in this process.
#[derive(Default)]
pub struct Running {
    live: Mutex<HashMap<i64, Arc<Control>>>,
}

impl Running {
    fn live(&self) -> MutexGuard<'_, HashMap<i64, Arc<Control>>> {
        self.live.lock().unwrap_or_else(PoisonError::into_inner)
    }
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

fn format_of(req: &ExportRequest) -> Result<ExportFormat> {
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

fn record_start(store: &Store, req: &ExportRequest, format: ExportFormat) -> Result<i64> {
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
            summary(&req.view),
            now_millis(),
            std::process::id()
        ],
    )?;
    Ok(store.conn().last_insert_rowid())
}

fn record_end(
    store: &Store,
    id: i64,
    outcome: &Result<ExportReport>,
    control: &Control,
) -> Result<()> {
    let (status, bytes, error) = match outcome {
        Ok(r) => (JobStatus::Success, Some(r.bytes), None),
        Err(CoreError::Cancelled { .. }) => (JobStatus::Cancelled, None, None),
        Err(e) => (JobStatus::Failed, None, Some(e.to_string())),
    };
    let rows = match outcome {
        Ok(r) => r.rows,
        Err(_) => control.rows_written.load(Ordering::Relaxed),
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

/// Exports in the caller's thread, recorded in the history (the CLI's `invlog export`).
pub fn run_now(store: &Store, req: &ExportRequest) -> Result<(i64, ExportReport)> {
    let req = &ExportRequest {
        path: absolute_destination(&req.path)?,
        ..req.clone()
    };
    let format = format_of(req)?;
    let control = Control::default();
    let id = record_start(store, req, format)?;
    let outcome = export(store, req, &control);
    record_end(store, id, &outcome, &control)?;
    outcome.map(|r| (id, r))
}

/// Starts an export in the background; watch it with `exports`, stop it with `cancel_export`.
pub fn start(engine: &Engine, req: ExportRequest) -> Result<ExportRecord> {
    let req = ExportRequest {
        path: absolute_destination(&req.path)?,
        ..req
    };
    let format = format_of(&req)?;
    // A bad column or filter is refused now, not reported later as a failed export.
    query::view_columns(&req.view)?;
    if let Some(kit) = &req.view.kit {
        crate::kits::get(&engine.store(), &kit.kit_sku)?;
    }
    let path = engine.path().map(Path::to_path_buf);
    let id = record_start(&engine.writer(), &req, format)?;
    let control = Arc::new(Control::default());
    engine.exports().live().insert(id, control.clone());
    let engine2 = engine.clone();
    let thread_req = req.clone();
    std::thread::Builder::new()
        .name(format!("invlog-export-{id}"))
        .spawn(move || {
            // A store in a file gets a connection of the export's own, so the table stays
            // usable meanwhile; an in-memory store (tests) is shared.
            let outcome = match &path {
                Some(p) => Store::open(p).and_then(|mut s| {
                    let total = query::count(
                        s.conn(),
                        &thread_req.view.filters,
                        thread_req.view.search.as_deref(),
                        thread_req.view.kit.as_ref(),
                    )?;
                    // Only for the progress shown; an export never waits for a writer.
                    let _ = s.try_write(|tx| {
                        tx.execute(
                            "UPDATE exports SET rows_total = ?2 WHERE id = ?1",
                            params![id, total],
                        )?;
                        Ok(())
                    });
                    export(&s, &thread_req, &control)
                }),
                None => export(&engine2.store(), &thread_req, &control),
            };
            if let Err(e) = record_end(&engine2.writer(), id, &outcome, &control) {
                eprintln!("invlog: could not record the end of export {id}: {e}");
            }
            engine2.exports().live().remove(&id);
        })
        .map_err(|e| CoreError::InvalidQuery(format!("cannot start the export: {e}")))?;
    get(engine, id)
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
    if status == JobStatus::Running && crate::jobs::owner_gone(r.get("owner_pid")?) {
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

/// Live progress over the stored record.
fn with_live(engine: &Engine, mut rec: ExportRecord) -> ExportRecord {
    if let Some(c) = engine.exports().live().get(&rec.id) {
        rec.rows_written = c.rows_written.load(Ordering::Relaxed);
    }
    rec
}

pub fn get(engine: &Engine, id: i64) -> Result<ExportRecord> {
    let rec = engine
        .store()
        .conn()
        .query_row(
            &format!("SELECT {COLUMNS} FROM exports WHERE id = ?1"),
            [id],
            from_row,
        )
        .optional()?
        .ok_or_else(|| CoreError::NotFound(format!("no export #{id}")))?;
    Ok(with_live(engine, rec))
}

/// The history, newest first.
pub fn list(engine: &Engine) -> Result<Vec<ExportRecord>> {
    // An export of another process that died is recorded as interrupted and its partial file
    // removed, when that can be done now without waiting for a writer.
    if let Some(mut writer) = engine.try_writer() {
        mark_interrupted(&mut writer)?;
    }
    let recs: Vec<ExportRecord> = {
        let store = engine.store();
        let mut st = store.conn().prepare(&format!(
            "SELECT {COLUMNS} FROM exports ORDER BY id DESC LIMIT 500"
        ))?;
        let rows = st.query_map([], from_row)?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    Ok(recs.into_iter().map(|r| with_live(engine, r)).collect())
}

/// Asks a running export to stop; its partial file is removed, nothing reaches the destination.
pub fn cancel(engine: &Engine, id: i64) -> Result<ExportRecord> {
    if let Some(c) = engine.exports().live().get(&id) {
        c.cancelled.store(true, Ordering::Relaxed);
    }
    get(engine, id)
}

/// Removes an export from the history, and its file too when asked.
pub fn remove(engine: &Engine, id: i64, delete_file: bool) -> Result<()> {
    let rec = get(engine, id)?;
    if rec.status == JobStatus::Running {
        return Err(CoreError::InvalidQuery(format!(
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
    engine
        .writer()
        .conn()
        .execute("DELETE FROM exports WHERE id = ?1", [id])?;
    Ok(())
}

/// Marks exports whose process is gone as interrupted, and removes the partial files they
/// left beside their destinations (a killed process cannot clean up after itself).
pub fn mark_interrupted(store: &mut Store) -> Result<usize> {
    let ids = crate::jobs::mark_orphans(store, "exports", INTERRUPTED)?;
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
