//! Long work (imports today, exports next) as jobs: started by one command, watched and
//! cancelled by others while the store keeps answering queries.
//!
//! A job writes through its own connection, so the table stays live during an import (WAL
//! lets readers go on beside the one writer). Its progress lives in memory: the import holds
//! the write transaction, so progress rows could not be written until it ends anyway. The
//! `jobs` table records each job's start and outcome; a job still marked running whose owner
//! process is gone was interrupted (the app was closed or crashed), and its open transaction
//! was rolled back by SQLite, so the store holds none of it.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};

use rusqlite::{params, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::commands::ImportRequest;
use crate::engine::Engine;
use crate::error::{CoreError, Result};
use crate::ingest::{self, Control, ImportReport, Progress};
use crate::store::Store;
use crate::time::{format_instant, now_millis};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum JobStatus {
    /// Waiting for the job before it to finish writing.
    Queued,
    Running,
    Success,
    Failed,
    Cancelled,
    /// Still running when its process ended.
    Interrupted,
}

impl JobStatus {
    pub(crate) fn as_db(self) -> &'static str {
        match self {
            JobStatus::Queued | JobStatus::Running => "running",
            JobStatus::Success => "success",
            JobStatus::Failed => "failed",
            JobStatus::Cancelled => "cancelled",
            JobStatus::Interrupted => "interrupted",
        }
    }

    pub(crate) fn from_db(s: &str) -> JobStatus {
        match s {
            "success" => JobStatus::Success,
            "failed" => JobStatus::Failed,
            "cancelled" => JobStatus::Cancelled,
            "interrupted" => JobStatus::Interrupted,
            _ => JobStatus::Running,
        }
    }

    pub fn is_finished(self) -> bool {
        !matches!(self, JobStatus::Queued | JobStatus::Running)
    }
}

/// One job as the UI shows it.
#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub status: JobStatus,
    /// The files it imports, in order.
    pub files: Vec<String>,
    /// How many of `files` are finished.
    pub files_done: u32,
    /// Progress through the file being imported.
    pub progress: Progress,
    /// One report per finished file (row errors are in `import_errors`, by import id).
    pub reports: Vec<ImportReport>,
    pub error: Option<String>,
    /// Set while the job waits for another writer to the store (an import in another
    /// process): what it waits for.
    pub waiting: Option<String>,
    pub created_at: String,
    pub finished_at: Option<String>,
}

/// What a job waiting for the store's write lock says.
pub const WAITING_FOR_WRITER: &str = "waiting for another import to the store to finish…";

struct LiveJob {
    cancel: AtomicBool,
    state: Mutex<Job>,
}

impl LiveJob {
    fn state(&self) -> MutexGuard<'_, Job> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[derive(Default)]
pub struct Jobs {
    live: Mutex<HashMap<i64, Arc<LiveJob>>>,
    /// Jobs write one at a time, in the order they were started: SQLite has one writer (a
    /// second import left to the busy timeout would fail instead of waiting its turn), and
    /// the files must land in the order the user gave them, since ties in time are shown
    /// in import order. A plain mutex would let whichever thread woke first go first.
    turns: Mutex<VecDeque<i64>>,
    turn_changed: Condvar,
    /// The highest job id this process has handed out: a job's row is written when its turn
    /// comes (until then another writer may hold the store), so its id is reserved first.
    last_id: Mutex<i64>,
}

impl Jobs {
    fn live(&self) -> MutexGuard<'_, HashMap<i64, Arc<LiveJob>>> {
        self.live.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// An id no job of the store has yet, for a job whose row is written later.
    fn reserve_id(&self, store: &Store) -> Result<i64> {
        let stored: i64 =
            store
                .conn()
                .query_row("SELECT coalesce(max(id), 0) FROM jobs", [], |r| r.get(0))?;
        let mut last = self.last_id.lock().unwrap_or_else(PoisonError::into_inner);
        *last = (*last).max(stored) + 1;
        Ok(*last)
    }

    fn turns(&self) -> MutexGuard<'_, VecDeque<i64>> {
        self.turns.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits until job `id` is first in line; `None` if it was cancelled while it waited
    /// (it leaves the line then, and never writes).
    fn wait_turn(&self, id: i64, cancel: &AtomicBool) -> Option<Turn<'_>> {
        let mut turns = self.turns();
        loop {
            if cancel.load(Ordering::Relaxed) {
                turns.retain(|&t| t != id);
                self.turn_changed.notify_all();
                return None;
            }
            if turns.front() == Some(&id) {
                return Some(Turn { jobs: self, id });
            }
            turns = self
                .turn_changed
                .wait(turns)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }
}

/// The writer's turn; the next job in line goes when it is dropped.
struct Turn<'a> {
    jobs: &'a Jobs,
    id: i64,
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        self.jobs.turns().retain(|&t| t != self.id);
        self.jobs.turn_changed.notify_all();
    }
}

/// What every process does when it opens a store: jobs and exports a dead process left
/// running are marked interrupted, and the partial files of those exports removed.
pub fn tidy(store: &mut Store) -> Result<()> {
    mark_interrupted(store)?;
    crate::export::history::mark_interrupted(store)?;
    crate::rerun::mark_unknown(store)?;
    looked_at_orphans();
    Ok(())
}

/// Marks the jobs whose owner process is gone as interrupted.
pub fn mark_interrupted(store: &mut Store) -> Result<usize> {
    Ok(mark_orphans(store, "jobs", INTERRUPTED)?.len())
}

/// Whether the process that wrote a `running` row is gone. This process's own rows are alive,
/// except the first time this process looks: a row carrying its pid then is a previous
/// process's, whose pid the system has since reused.
pub(crate) fn owner_gone(pid: Option<u32>) -> bool {
    match pid {
        Some(p) if p == std::process::id() => !LOOKED_BEFORE.load(Ordering::Relaxed),
        Some(p) => !process_alive(p),
        None => true,
    }
}

static LOOKED_BEFORE: AtomicBool = AtomicBool::new(false);

/// Marks that this process has looked at the store's running rows once.
pub(crate) fn looked_at_orphans() {
    LOOKED_BEFORE.store(true, Ordering::Relaxed);
}

/// The ids of `table`'s rows still `running` under a process that is gone (jobs, exports).
pub(crate) fn orphans(store: &Store, table: &str) -> Result<Vec<i64>> {
    let running: Vec<(i64, Option<u32>)> = store
        .conn()
        .prepare(&format!(
            "SELECT id, owner_pid FROM {table} WHERE status = 'running'"
        ))?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(running
        .into_iter()
        .filter(|(_, pid)| owner_gone(*pid))
        .map(|(id, _)| id)
        .collect())
}

/// Sets `table`'s rows still `running` under a process that is gone to `interrupted` with
/// `error`; returns their ids. Only reads while no row is orphaned, and never waits for
/// another writer (a store being imported into by another process opens at once): what it
/// could not write now, the next look writes.
pub(crate) fn mark_orphans(store: &mut Store, table: &str, error: &str) -> Result<Vec<i64>> {
    let ids = orphans(store, table)?;
    if !ids.is_empty() {
        store.try_write(|tx| {
            let mut st = tx.prepare(&format!(
                "UPDATE {table} SET status = 'interrupted', finished_at = ?2, error = ?3
                 WHERE id = ?1 AND status = 'running'"
            ))?;
            for id in &ids {
                st.execute(params![id, now_millis(), error])?;
            }
            Ok(())
        })?;
    }
    Ok(ids)
}

#[cfg(target_os = "linux")]
pub fn process_alive(pid: u32) -> bool {
    std::path::Path::new(&format!("/proc/{pid}")).exists()
}

/// Elsewhere there is no cheap, dependency-free check: treat the owner as gone, which at
/// worst shows a job another live process still runs as interrupted.
#[cfg(not(target_os = "linux"))]
pub fn process_alive(_pid: u32) -> bool {
    false
}

/// Starts importing `req.paths` in the background and returns the job as it starts. Nothing
/// is written yet: another writer may hold the store, and starting must not wait for it.
pub fn start_import(engine: &Engine, req: ImportRequest) -> Result<Job> {
    if req.paths.is_empty() {
        return Err(CoreError::InvalidQuery(
            "choose at least one file to import".into(),
        ));
    }
    let created = now_millis();
    let id = engine.jobs().reserve_id(&engine.store())?;
    let job = Job {
        id,
        kind: "import".into(),
        status: JobStatus::Queued,
        files: req.paths.iter().map(|p| p.display().to_string()).collect(),
        files_done: 0,
        progress: Progress::default(),
        reports: Vec::new(),
        error: None,
        waiting: None,
        created_at: format_instant(created),
        finished_at: None,
    };
    let live = Arc::new(LiveJob {
        cancel: AtomicBool::new(false),
        state: Mutex::new(job.clone()),
    });
    engine.jobs().live().insert(id, live.clone());
    engine.jobs().turns().push_back(id);
    let engine_for_error = engine;
    let engine = engine.clone();
    std::thread::Builder::new()
        .name(format!("invlog-job-{id}"))
        .spawn(move || run_import(&engine, &req, &live, created))
        .map_err(|e| {
            engine_for_error.jobs().turns().retain(|&t| t != id);
            engine_for_error.jobs().live().remove(&id);
            CoreError::InvalidQuery(format!("cannot start the import: {e}"))
        })?;
    Ok(job)
}

/// The job's connection: its own for a store in a file; the engine's writer (held for the
/// whole job) for a store in memory, which has only the one.
enum JobStore<'a> {
    Own(Store),
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

fn run_import(engine: &Engine, req: &ImportRequest, live: &Arc<LiveJob>, created: i64) {
    let id = live.state().id;
    let cancelled = || CoreError::Cancelled {
        file: req
            .paths
            .first()
            .map(|p| p.display().to_string())
            .unwrap_or_default(),
    };
    let mut store = None;
    let mut row_id = id;
    let outcome = match engine.jobs().wait_turn(id, &live.cancel) {
        Some(turn) => {
            live.state().status = JobStatus::Running;
            let opened = match engine.path() {
                Some(p) => Store::open(p).map(JobStore::Own),
                None => Ok(JobStore::Shared(engine.writer())),
            };
            let outcome = opened.and_then(|s| {
                let s = store.insert(s);
                // Another process may be writing (a CLI import): the job says it waits, and
                // can still be cancelled while it does.
                let waiting = live.clone();
                let give_up = live.clone();
                crate::store::turns::while_waiting(
                    move || waiting.state().waiting = Some(WAITING_FOR_WRITER.into()),
                    move || give_up.cancel.load(Ordering::Relaxed),
                    || {
                        row_id = insert_job_row(s, id, req, created)?;
                        live.state().waiting = None;
                        import_files(s, req, live)
                    },
                )
                .map_err(|e| match e {
                    CoreError::Sqlite(ref s) if crate::store::turns::is_busy(s) => cancelled(),
                    other => other,
                })
            });
            drop(turn);
            outcome
        }
        None => Err(cancelled()),
    };
    let mut state = live.state();
    state.waiting = None;
    match outcome {
        Ok(()) => state.status = JobStatus::Success,
        Err(CoreError::Cancelled { .. }) => state.status = JobStatus::Cancelled,
        Err(e) => {
            state.status = JobStatus::Failed;
            state.error = Some(e.to_string());
        }
    }
    let finished = now_millis();
    state.finished_at = Some(format_instant(finished));
    let job = state.clone();
    drop(state);
    // A job cancelled before it had its turn wrote nothing: it has no row, and stays in
    // memory for the rest of this run so whoever watches it sees it end.
    let Some(store) = store else {
        return;
    };
    {
        let result = serde_json::to_string(&job.reports).unwrap_or_else(|_| "[]".into());
        let rows: u64 = job.reports.iter().map(|r| r.rows_imported).sum();
        let saved = store.conn().execute(
            "UPDATE jobs SET status = ?2, done = ?3, result = ?4, error = ?5, finished_at = ?6
             WHERE id = ?1",
            params![
                row_id,
                job.status.as_db(),
                rows,
                result,
                job.error,
                finished
            ],
        );
        if let Err(e) = saved {
            // The outcome stays visible in memory for this run; the next start marks it
            // interrupted.
            eprintln!("invlog: could not record the end of job {}: {e}", job.id);
            return;
        }
    }
    engine.jobs().live().remove(&job.id);
}

/// The job's record, written when it has its turn: running, owned by this process. Returns
/// the row's id: the reserved one, unless another process took it meanwhile.
fn insert_job_row(store: &Store, id: i64, req: &ImportRequest, created: i64) -> Result<i64> {
    let params_json =
        serde_json::to_string(req).map_err(|e| CoreError::InvalidQuery(e.to_string()))?;
    store.conn().execute(
        "INSERT INTO jobs (id, kind, status, params, created_at, owner_pid)
         VALUES ((SELECT CASE WHEN EXISTS (SELECT 1 FROM jobs WHERE id = ?1) THEN NULL ELSE ?1 END),
                 'import', 'running', ?2, ?3, ?4)",
        params![id, params_json, created, std::process::id()],
    )?;
    Ok(store.conn().last_insert_rowid())
}

fn import_files(store: &mut Store, req: &ImportRequest, live: &LiveJob) -> Result<()> {
    let on_progress = |p: Progress| {
        let mut state = live.state();
        state.progress = p;
        state.waiting = None;
    };
    let control = Control {
        cancel: Some(&live.cancel),
        progress: Some(&on_progress),
    };
    for path in &req.paths {
        if control.is_cancelled() {
            return Err(CoreError::Cancelled {
                file: path.display().to_string(),
            });
        }
        live.state().progress = Progress::default();
        let report = match ingest::import_file(store, path, &req.options, &control) {
            Ok(mut r) => {
                // Row errors stay in the store (import_errors); the job keeps the counts.
                r.errors = Vec::new();
                r
            }
            Err(CoreError::FileRefused { file, reason }) => ImportReport::refused(&file, reason),
            Err(e) => return Err(e),
        };
        let mut state = live.state();
        state.reports.push(report);
        state.files_done += 1;
    }
    Ok(())
}

fn job_from_row(r: &Row<'_>) -> rusqlite::Result<Job> {
    let params: String = r.get("params")?;
    let files = serde_json::from_str::<ImportRequest>(&params)
        .map(|req| req.paths.iter().map(|p| p.display().to_string()).collect())
        .unwrap_or_default();
    let result: Option<String> = r.get("result")?;
    let reports: Vec<ImportReport> = result
        .and_then(|j| serde_json::from_str(&j).ok())
        .unwrap_or_default();
    let finished: Option<i64> = r.get("finished_at")?;
    let mut status = JobStatus::from_db(&r.get::<_, String>("status")?);
    let mut error: Option<String> = r.get("error")?;
    // A job another process left running when it died shows as what it is, before any
    // write has recorded it.
    if status == JobStatus::Running && owner_gone(r.get("owner_pid")?) {
        status = JobStatus::Interrupted;
        error = Some(INTERRUPTED.into());
    }
    Ok(Job {
        id: r.get("id")?,
        kind: r.get("kind")?,
        status,
        files_done: reports.len() as u32,
        files,
        progress: Progress::default(),
        reports,
        error,
        waiting: None,
        created_at: format_instant(r.get("created_at")?),
        finished_at: finished.map(format_instant),
    })
}

const JOB_COLUMNS: &str =
    "id, kind, status, params, result, error, created_at, finished_at, owner_pid";

const INTERRUPTED: &str = "the app closed before the job finished; nothing of it was kept";

/// One job: its live state while it runs, its record after.
pub fn get(engine: &Engine, id: i64) -> Result<Job> {
    if let Some(live) = engine.jobs().live().get(&id) {
        return Ok(live.state().clone());
    }
    engine
        .store()
        .conn()
        .query_row(
            &format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = ?1"),
            [id],
            job_from_row,
        )
        .optional()?
        .ok_or_else(|| CoreError::NotFound(format!("no job #{id}")))
}

/// The latest jobs, newest first.
pub fn list(engine: &Engine, limit: u32) -> Result<Vec<Job>> {
    let mut jobs: Vec<Job> = {
        let store = engine.store();
        let mut st = store.conn().prepare(&format!(
            "SELECT {JOB_COLUMNS} FROM jobs ORDER BY id DESC LIMIT ?1"
        ))?;
        let rows = st.query_map([limit], job_from_row)?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let live = engine.jobs().live();
    for job in &mut jobs {
        if let Some(l) = live.get(&job.id) {
            *job = l.state().clone();
        }
    }
    // Jobs still waiting for their turn have no row yet.
    for (id, l) in live.iter() {
        if !jobs.iter().any(|j| j.id == *id) {
            jobs.push(l.state().clone());
        }
    }
    jobs.sort_by_key(|j| std::cmp::Reverse(j.id));
    jobs.truncate(limit as usize);
    Ok(jobs)
}

/// Asks a running job to stop; the file being imported is rolled back, earlier ones stay.
pub fn cancel(engine: &Engine, id: i64) -> Result<Job> {
    if let Some(live) = engine.jobs().live().get(&id) {
        live.cancel.store(true, Ordering::Relaxed);
        // A job waiting for its turn wakes to leave the line now, not when the one ahead ends.
        let _line = engine.jobs().turns();
        engine.jobs().turn_changed.notify_all();
    }
    get(engine, id)
}
