//! Exports as tasks: recorded in the history when they start, their rows written pushed while
//! they run, cancellable, and ended Success, Failed, Cancelled — or Interrupted at the next
//! start when the process died first (the record's owner is gone).

use std::path::Path;

use invlog_core::export::history::{self, ExportRecord};
use invlog_core::export::{export, Control, ExportReport, ExportRequest};
use invlog_core::owners::JobStatus;
use invlog_core::query;
use invlog_core::store::Store;
use invlog_core::{kits, CoreError, Result};
use std::sync::{Arc, Mutex, PoisonError};

use crate::engine::Engine;
use crate::runner::{Task, TaskCtx, TaskKind};

/// Where a caller waiting for an export gets its report.
type Outcome = Arc<Mutex<Option<Result<ExportReport>>>>;

/// Starts an export in the background; watch it with `tasks` (or `exports`), stop it with
/// `cancel_task` (or `cancel_export`).
pub fn start(engine: &Engine, req: ExportRequest, kind: TaskKind) -> Result<(Task, ExportRecord)> {
    start_with(engine, req, kind, None)
}

/// Exports as a task and waits for it (the CLI's `invlog export`).
pub fn run_and_wait(engine: &Engine, req: ExportRequest) -> Result<ExportReport> {
    let slot: Outcome = Arc::default();
    let (task, _) = start_with(engine, req, TaskKind::Export, Some(slot.clone()))?;
    engine.tasks().wait(task.id);
    let outcome = slot.lock().unwrap_or_else(PoisonError::into_inner).take();
    outcome.unwrap_or_else(|| {
        Err(CoreError::InvalidQuery(
            "the export ended without a result".into(),
        ))
    })
}

fn start_with(
    engine: &Engine,
    req: ExportRequest,
    kind: TaskKind,
    keep: Option<Outcome>,
) -> Result<(Task, ExportRecord)> {
    let req = ExportRequest {
        path: history::absolute_destination(&req.path)?,
        ..req
    };
    let format = history::format_of(&req)?;
    // A bad column or filter is refused now, not reported later as a failed export.
    query::view_columns(&req.view)?;
    if let Some(kit) = &req.view.kit {
        kits::get(&*engine.store()?, &kit.kit_sku)?;
    }
    let id = history::record_start(&engine.writer(), &req, format)?;
    let record = history::get(&*engine.store()?, id)?;
    let mut task = Task::new(kind, format!("Export {}", record.file_name), "rows");
    task.record_id = Some(id);
    task.export = Some(record.clone());
    let engine2 = engine.clone();
    let task = engine.tasks().spawn(task, false, move |ctx| {
        let outcome = run(&engine2, id, &req, ctx);
        let error = outcome.as_ref().err().map(ToString::to_string);
        let cancelled = matches!(outcome, Err(CoreError::Cancelled { .. }));
        let rows = ctx.snapshot().progress.done;
        let ended = history::record_end(&engine2.writer(), id, &outcome, rows);
        if let Err(e) = ended {
            eprintln!("invlog: could not record the end of export {id}: {e}");
        }
        if let Some(keep) = &keep {
            *keep.lock().unwrap_or_else(PoisonError::into_inner) = Some(outcome);
        }
        let record = engine2.store().and_then(|s| history::get(&s, id)).ok();
        ctx.update(|t| t.export = record.or(t.export.take()));
        ctx.end_as(cancelled, error);
    })?;
    Ok((task, record))
}

fn run(engine: &Engine, id: i64, req: &ExportRequest, ctx: &TaskCtx) -> Result<ExportReport> {
    let on_progress = |rows: u64| {
        ctx.update(|t| {
            t.progress.done = rows;
            if let Some(e) = t.export.as_mut() {
                e.rows_written = rows;
            }
        })
    };
    let control = Control {
        cancel: Some(ctx.cancel_flag()),
        on_progress: Some(&on_progress),
        ..Control::default()
    };
    // A store in a file gets a connection of the export's own, so the table stays usable
    // meanwhile; an in-memory store (tests) is shared.
    match engine.path() {
        Some(p) => {
            let mut s = Store::open(p)?;
            let total = crate::counts::total(engine, &req.view)?;
            history::record_total(&mut s, id, total);
            ctx.update(|t| {
                t.progress.total = Some(total);
                if let Some(e) = t.export.as_mut() {
                    e.rows_total = Some(total);
                }
            });
            export(&s, req, &control)
        }
        None => export(&*engine.store()?, req, &control),
    }
}

/// The live progress of an export this process runs, over its stored record.
fn with_live(engine: &Engine, mut rec: ExportRecord) -> ExportRecord {
    if rec.status == JobStatus::Running {
        let kinds = [TaskKind::Export, TaskKind::ScheduledExport];
        if let Some(task) = engine.tasks().by_record(&kinds, rec.id) {
            rec.rows_written = task.progress.done;
        }
    }
    rec
}

pub fn get(engine: &Engine, id: i64) -> Result<ExportRecord> {
    let rec = history::get(&*engine.store()?, id)?;
    Ok(with_live(engine, rec))
}

/// The history, newest first.
pub fn list(engine: &Engine) -> Result<Vec<ExportRecord>> {
    // An export of another process that died is recorded as interrupted and its partial file
    // removed, when that can be done now without waiting for a writer.
    if let Some(mut writer) = engine.try_writer() {
        history::mark_interrupted(&mut writer)?;
    }
    let recs = history::list(&*engine.store()?)?;
    Ok(recs.into_iter().map(|r| with_live(engine, r)).collect())
}

/// Asks a running export to stop; its partial file is removed, nothing reaches the destination.
pub fn cancel(engine: &Engine, id: i64) -> Result<ExportRecord> {
    let kinds = [TaskKind::Export, TaskKind::ScheduledExport];
    if let Some(task) = engine.tasks().by_record(&kinds, id) {
        engine.tasks().cancel(task.id);
    }
    get(engine, id)
}

/// Removes an export from the history, and its file too when asked.
pub fn remove(engine: &Engine, id: i64, delete_file: bool) -> Result<()> {
    let rec = get(engine, id)?;
    history::remove(&engine.writer(), &rec, delete_file)
}

/// Whether `path` is the file of an export in the history that is still as it wrote it.
pub fn is_exported_file(engine: &Engine, path: &Path) -> Result<bool> {
    Ok(list(engine)?
        .iter()
        .any(|e| e.file_exists && Path::new(&e.path) == path))
}
