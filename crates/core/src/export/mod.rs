//! Exports of a view — exactly its rows, in its order, with its visible columns under their
//! display labels — to CSV or XLSX. Written to a temporary file beside the destination and
//! renamed into place only when complete: a failed or cancelled export leaves nothing there.

mod cells;
mod csv;
pub mod history;
pub mod schedule;
mod xlsx;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{CoreError, Result};
use crate::query::{self, ViewSpec};
use crate::store::Store;
pub use cells::Zone;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    Csv,
    Xlsx,
}

impl ExportFormat {
    /// From the destination's extension.
    pub fn of_path(path: &Path) -> Option<ExportFormat> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "csv" => Some(ExportFormat::Csv),
            "xlsx" => Some(ExportFormat::Xlsx),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct ExportRequest {
    /// The view: visible columns in displayed order, filters, keywords, sort.
    #[serde(flatten)]
    pub view: ViewSpec,
    #[ts(as = "String")]
    pub path: PathBuf,
    /// From the file's extension when not given.
    #[serde(default)]
    pub format: Option<ExportFormat>,
    /// CSV: start with a UTF-8 byte order mark, which Excel needs to read UTF-8.
    #[serde(default)]
    pub bom: bool,
    /// Times in the local zone (default) or UTC; CSV writes the offset with each time.
    #[serde(default)]
    pub zone: Zone,
    /// Write secrets as stored instead of masked: an explicit choice for this export only.
    #[serde(default)]
    pub reveal_secrets: bool,
    /// The view's name as the user knows it (a view tab, a saved view, a kit log): what the
    /// export history shows rather than the filters' syntax.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub view_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct ExportReport {
    pub path: String,
    pub format: ExportFormat,
    pub rows: u64,
    pub bytes: u64,
    /// XLSX: worksheets written (a sheet holds at most 1,048,575 rows under its header).
    pub sheets: u32,
}

/// Progress and cancellation of an export, shared with whoever watches it.
#[derive(Default)]
pub struct Control<'a> {
    pub rows_written: AtomicU64,
    pub cancelled: AtomicBool,
    /// Another flag that stops the export (the task's that runs it).
    pub cancel: Option<&'a AtomicBool>,
    /// Called with the rows written so far, every few thousand rows.
    pub on_progress: Option<&'a (dyn Fn(u64) + Sync)>,
}

/// A file name for a view's export: `Failed-pushes-<stamp>.csv`.
pub fn file_name_for(view_name: &str, stamp: &str, format: ExportFormat) -> String {
    let stem: String = view_name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let ext = match format {
        ExportFormat::Csv => "csv",
        ExportFormat::Xlsx => "xlsx",
    };
    format!("{stem}-{stamp}.{ext}")
}

/// Data rows an XLSX sheet holds under its header row (Excel's 1,048,576 rows in all).
pub const XLSX_SHEET_ROWS: u32 = 1_048_575;

/// What the writers need to know beyond the request; tests shrink the sheet size.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub sheet_rows: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            sheet_rows: XLSX_SHEET_ROWS,
        }
    }
}

pub fn export(store: &Store, req: &ExportRequest, control: &Control) -> Result<ExportReport> {
    export_with(store, req, control, Limits::default())
}

pub fn export_with(
    store: &Store,
    req: &ExportRequest,
    control: &Control,
    limits: Limits,
) -> Result<ExportReport> {
    let format = match req.format {
        Some(f) => f,
        None => ExportFormat::of_path(&req.path).ok_or_else(|| {
            CoreError::InvalidQuery(format!(
                "{}: say --format csv or xlsx, or name the file .csv or .xlsx",
                req.path.display()
            ))
        })?,
    };
    let columns = query::view_columns(&req.view)?;
    let dir = match req.path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let io = |source: std::io::Error| CoreError::Io {
        path: req.path.clone(),
        source,
    };
    // Beside the destination, so the final rename stays on one file system; removed when
    // dropped unpersisted (an error, a cancel, a panic).
    let name = req
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "export".into());
    let temp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".part")
        .tempfile_in(&dir)
        .map_err(io)?;
    // An export reads the whole view once, in its order rather than the table's. Through a
    // memory map every page it touches would count as the process's memory (180 MB for a
    // million rows); a larger page cache instead keeps the revisits cheap and the memory
    // bounded (bench/export.sh: 5.4 s at 116 MB, against 3.6 s at 165 MB mapped and 6.9 s
    // with the usual 64 MB cache).
    let conn = store.conn();
    conn.pragma_update(None, "mmap_size", 0)?;
    conn.pragma_update(None, "cache_size", EXPORT_CACHE_KIB)?;
    let written = write(store, req, &columns, &temp, format, control, limits);
    conn.pragma_update(None, "cache_size", crate::store::CACHE_KIB)?;
    store.restore_map()?;
    let (rows, sheets) = written?;
    let file = temp.persist(&req.path).map_err(|e| io(e.error))?;
    let bytes = file.metadata().map_err(io)?.len();
    Ok(ExportReport {
        path: req.path.display().to_string(),
        format,
        rows,
        bytes,
        sheets,
    })
}

fn write(
    store: &Store,
    req: &ExportRequest,
    columns: &[&'static crate::columns::Column],
    temp: &tempfile::NamedTempFile,
    format: ExportFormat,
    control: &Control,
    limits: Limits,
) -> Result<(u64, u32)> {
    let opts = cells::Options {
        zone: req.zone,
        reveal: req.reveal_secrets,
    };
    Ok(match format {
        ExportFormat::Csv => (
            csv::write(store, req, columns, temp.as_file(), opts, control)?,
            0,
        ),
        ExportFormat::Xlsx => xlsx::write(
            store,
            &req.view,
            columns,
            temp.path(),
            opts,
            control,
            limits,
        )?,
    })
}

/// The page cache an export reads with, as SQLite's negative KiB count.
const EXPORT_CACHE_KIB: i64 = -98_304;

/// Rows between progress reports and cancel checks.
const TICK: u64 = 4096;

/// Stops an export between rows when asked to.
fn check(control: &Control, rows: u64) -> Result<()> {
    control.rows_written.store(rows, Ordering::Relaxed);
    if let Some(report) = &control.on_progress {
        report(rows);
    }
    if control.cancelled.load(Ordering::Relaxed)
        || control.cancel.is_some_and(|c| c.load(Ordering::Relaxed))
    {
        return Err(CoreError::Cancelled {
            file: "export".into(),
        });
    }
    Ok(())
}
