//! Imports as tasks: started by one command, watched and cancelled while the store keeps
//! answering queries.
//!
//! A job writes through its own connection, so the table stays live during an import (WAL
//! lets readers go on beside the one writer). Its progress lives in memory: the import holds
//! the write transaction, so progress rows could not be written until it ends anyway. The
//! `jobs` table records each job's start and outcome.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use invlog_core::ingest::{self, Control, ImportReport, ImportRequest, Progress};
use invlog_core::jobs::{self, Job, WAITING_FOR_WRITER};
use invlog_core::store::{turns, Store};
use invlog_core::time::now_millis;
use invlog_core::{CoreError, Result};

use crate::engine::Engine;
use crate::runner::{Task, TaskCtx, TaskKind};

/// Starts importing `req.paths` in the background and returns the job as it starts. Nothing
/// is written yet: another writer may hold the store, and starting must not wait for it.
pub fn start(engine: &Engine, req: ImportRequest) -> Result<(Task, Job)> {
    start_with(engine, req, None)
}

/// Where a caller waiting for an import gets its whole outcome (reports with row errors).
type Outcome = Arc<Mutex<Option<Result<Vec<ImportReport>>>>>;

fn start_with(engine: &Engine, req: ImportRequest, keep: Option<Outcome>) -> Result<(Task, Job)> {
    if req.paths.is_empty() {
        return Err(CoreError::InvalidQuery(
            "choose at least one file to import".into(),
        ));
    }
    let created = now_millis();
    let id = engine.reserve_job_id()?;
    let job = Job::queued(id, &req, created);
    let mut task = Task::new(TaskKind::Import, title(&job), "bytes");
    task.record_id = Some(id);
    task.job = Some(job.clone());
    let engine2 = engine.clone();
    let task = engine.tasks().spawn(task, true, move |ctx| {
        run(&engine2, &req, ctx, created, keep.as_ref());
    })?;
    Ok((task, job))
}

fn title(job: &Job) -> String {
    let name = |f: &String| {
        std::path::Path::new(f)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| f.clone())
    };
    match job.files.as_slice() {
        [one] => format!("Import {}", name(one)),
        many => format!("Import {} files", many.len()),
    }
}

/// The job's connection: its own for a store in a file; the engine's writer (held for the
/// whole job) for a store in memory, which has only the one.
enum JobStore<'a> {
    Own(Box<Store>),
    Shared(MutexGuard<'a, Store>),
}

impl std::ops::Deref for JobStore<'_> {
    type Target = Store;
    fn deref(&self) -> &Store {
        match self {
            JobStore::Own(s) => s,
            JobStore::Shared(s) => s,
        }
    }
}

impl std::ops::DerefMut for JobStore<'_> {
    fn deref_mut(&mut self) -> &mut Store {
        match self {
            JobStore::Own(s) => s,
            JobStore::Shared(s) => s,
        }
    }
}

/// Changes the job the task carries.
fn update_job(ctx: &TaskCtx, change: impl FnOnce(&mut Job)) {
    ctx.update(|t| {
        if let Some(job) = t.job.as_mut() {
            change(job);
            job.status = t.status;
            job.waiting = t.waiting.clone();
            t.progress.done = job.progress.bytes;
            t.progress.total = Some(job.progress.total_bytes).filter(|n| *n > 0);
        }
    });
}

/// Says what the task waits for (another process writing), or that it no longer waits.
fn set_waiting(ctx: &TaskCtx, what: Option<&str>) {
    ctx.update(|t| {
        t.waiting = what.map(str::to_owned);
        if let Some(job) = t.job.as_mut() {
            job.waiting = t.waiting.clone();
        }
    });
}

fn run(engine: &Engine, req: &ImportRequest, ctx: &TaskCtx, created: i64, keep: Option<&Outcome>) {
    let mut full = Vec::new();
    let id = ctx.snapshot().record_id.unwrap_or_default();
    let cancelled = || CoreError::Cancelled {
        file: req
            .paths
            .first()
            .map(|p| p.display().to_string())
            .unwrap_or_default(),
    };
    let mut store = None;
    let mut row_id = id;
    let outcome = match ctx.wait_turn() {
        Some(turn) => {
            update_job(ctx, |_| {});
            let opened = match engine.path() {
                Some(p) => Store::open(p).map(|s| JobStore::Own(Box::new(s))),
                None => Ok(JobStore::Shared(engine.writer())),
            };
            let outcome = opened.and_then(|s| {
                let s = store.insert(s);
                // Another process may be writing (a CLI import): the job says it waits, and
                // can still be cancelled while it does.
                let (waiting, giving_up) = (ctx.clone(), ctx.clone());
                turns::while_waiting(
                    move || set_waiting(&waiting, Some(WAITING_FOR_WRITER)),
                    move || giving_up.is_cancelled(),
                    || {
                        row_id = jobs::insert_running(s, id, req, created)?;
                        set_waiting(ctx, None);
                        import_files(s, req, ctx, &mut full)
                    },
                )
                .map_err(|e| match e {
                    CoreError::Sqlite(ref s) if turns::is_busy(s) => cancelled(),
                    other => other,
                })
            });
            drop(turn);
            outcome
        }
        None => Err(cancelled()),
    };
    let finished = now_millis();
    let error = outcome.as_ref().err().map(ToString::to_string);
    let cancelled_now = matches!(outcome, Err(CoreError::Cancelled { .. }));
    if let Some(keep) = keep {
        *keep.lock().unwrap_or_else(PoisonError::into_inner) = Some(outcome.map(|()| full));
    }
    let task = ctx.end_as(cancelled_now, error);
    let mut job = task
        .job
        .clone()
        .unwrap_or_else(|| Job::queued(id, req, created));
    job.status = task.status;
    job.error = task.error.clone();
    job.waiting = None;
    job.finished_at = task.finished_at.clone();
    ctx.update(|t| t.job = Some(job.clone()));
    ctx.announce();
    // A job cancelled before it had its turn wrote nothing: it has no row.
    let Some(store) = store else {
        return;
    };
    if let Err(e) = jobs::record_end(&store, row_id, &job, finished) {
        // The outcome stays visible in memory for this run; the next start marks it
        // interrupted.
        eprintln!("invlog: could not record the end of job {}: {e}", job.id);
    }
}

fn import_files(
    store: &mut Store,
    req: &ImportRequest,
    ctx: &TaskCtx,
    full: &mut Vec<ImportReport>,
) -> Result<()> {
    let on_progress = |p: Progress| update_job(ctx, |job| job.progress = p);
    let control = Control {
        cancel: Some(ctx.cancel_flag()),
        progress: Some(&on_progress),
    };
    for path in &req.paths {
        if control.is_cancelled() {
            return Err(CoreError::Cancelled {
                file: path.display().to_string(),
            });
        }
        update_job(ctx, |job| job.progress = Progress::default());
        let mut whole = match ingest::import_file(store, path, &req.options, &control) {
            Ok(r) => r,
            Err(CoreError::FileRefused { file, reason }) => ImportReport::refused(&file, reason),
            Err(e) => return Err(e),
        };
        // Row errors stay in the store (import_errors); the job keeps the counts.
        let errors = std::mem::take(&mut whole.errors);
        let report = whole.clone();
        whole.errors = errors;
        full.push(whole);
        ctx.update(|t| {
            if let Some(job) = t.job.as_mut() {
                job.reports.push(report);
                job.files_done += 1;
            }
        });
        ctx.announce();
    }
    Ok(())
}

/// One job: its live state while this process runs it, its record after.
pub fn get(engine: &Engine, id: i64) -> Result<Job> {
    if let Some(job) = live_job(engine, id) {
        return Ok(job);
    }
    jobs::get(&*engine.store()?, id)?.ok_or_else(|| CoreError::NotFound(format!("no job #{id}")))
}

fn live_job(engine: &Engine, id: i64) -> Option<Job> {
    job_as_it_stands(engine.tasks().by_record(&[TaskKind::Import], id)?)
}

/// A live import task's job: its status, error and end as the task has them, set together
/// when it ends. The job's own copies follow a moment later, and a job read in between showed
/// a success that had not finished.
fn job_as_it_stands(task: Task) -> Option<Job> {
    let mut job = task.job?;
    job.status = task.status;
    job.error = task.error;
    job.finished_at = task.finished_at;
    Some(job)
}

/// The latest jobs, newest first.
pub fn list(engine: &Engine, limit: u32) -> Result<Vec<Job>> {
    let mut list = jobs::list(&*engine.store()?, limit)?;
    let live: Vec<Job> = engine
        .tasks()
        .list()
        .into_iter()
        .filter(|t| t.kind == TaskKind::Import)
        .filter_map(job_as_it_stands)
        .collect();
    for job in &mut list {
        if let Some(l) = live.iter().find(|l| l.id == job.id) {
            *job = l.clone();
        }
    }
    // Jobs still waiting for their turn have no row yet.
    for l in live {
        if !list.iter().any(|j| j.id == l.id) {
            list.push(l);
        }
    }
    list.sort_by_key(|j| std::cmp::Reverse(j.id));
    list.truncate(limit as usize);
    Ok(list)
}

/// Asks a running job to stop; the file being imported is rolled back, earlier ones stay.
pub fn cancel(engine: &Engine, id: i64) -> Result<Job> {
    if let Some(task) = engine.tasks().by_record(&[TaskKind::Import], id) {
        if !task.status.is_finished() {
            engine.tasks().cancel(task.id);
        }
    }
    get(engine, id)
}

/// Imports `req` as a task and waits for it: the reports with their row errors (the CLI's
/// `invlog import`, the sample data).
pub fn run_and_wait(engine: &Engine, req: ImportRequest) -> Result<Vec<ImportReport>> {
    let slot: Arc<Mutex<Option<Result<Vec<ImportReport>>>>> = Arc::default();
    let (task, _) = start_with(engine, req, Some(slot.clone()))?;
    engine.tasks().wait(task.id);
    let outcome = slot.lock().unwrap_or_else(PoisonError::into_inner).take();
    outcome.unwrap_or_else(|| {
        Err(CoreError::InvalidQuery(
            "the import ended without a result".into(),
        ))
    })
}

#[cfg(test)]
mod tests {
    use invlog_core::ingest::ImportOptions;
    use invlog_core::owners::JobStatus;

    use super::*;

    #[test]
    fn a_job_read_as_it_ends_shows_its_end_with_its_status() {
        let req = ImportRequest {
            paths: vec!["a.csv".into()],
            options: ImportOptions::default(),
        };
        let mut task = Task::new(TaskKind::Import, "Import", "rows");
        task.job = Some(Job::queued(7, &req, 0));
        // Ended: the task's status, error and end are set, the job's copies not yet.
        task.status = JobStatus::Failed;
        task.error = Some("the disk is full".into());
        task.finished_at = Some("2026-12-04T21:58:15.010Z".into());
        let job = job_as_it_stands(task).expect("an import task has its job");
        assert_eq!(job.status, JobStatus::Failed);
        assert_eq!(job.error.as_deref(), Some("the disk is full"));
        assert_eq!(job.finished_at.as_deref(), Some("2026-12-04T21:58:15.010Z"));
    }
}
