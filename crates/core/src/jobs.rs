//! The record of each import job (the `jobs` table): written when the job has its turn to
//! write, finished with its outcome and reports. A job still marked running whose owner
//! process is gone was interrupted (the app was closed or crashed), and its open transaction
//! was rolled back by SQLite, so the store holds none of it. Running jobs live in the app
//! crate's task runner; this is what outlives them.

use rusqlite::{params, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{CoreError, Result};
use crate::ingest::{ImportReport, ImportRequest, Progress};
use crate::owners::{mark_orphans, owner_gone, JobStatus};
use crate::store::Store;
use crate::time::format_instant;

/// One import job as the UI shows it.
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

impl Job {
    /// A job about to start: queued, nothing done.
    pub fn queued(id: i64, req: &ImportRequest, created: i64) -> Job {
        Job {
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
        }
    }
}

/// What a job waiting for the store's write lock says.
pub const WAITING_FOR_WRITER: &str = "waiting for another import to the store to finish…";

const INTERRUPTED: &str = "the app closed before the job finished; nothing of it was kept";

/// Marks the jobs whose owner process is gone as interrupted.
pub fn mark_interrupted(store: &mut Store) -> Result<usize> {
    Ok(mark_orphans(store, "jobs", INTERRUPTED)?.len())
}

/// The highest job id the store holds, for reserving the next.
pub fn last_id(store: &Store) -> Result<i64> {
    Ok(store
        .conn()
        .query_row("SELECT coalesce(max(id), 0) FROM jobs", [], |r| r.get(0))?)
}

/// The job's record, written when it has its turn: running, owned by this process. Returns
/// the row's id: the reserved one, unless another process took it meanwhile.
pub fn insert_running(store: &Store, id: i64, req: &ImportRequest, created: i64) -> Result<i64> {
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

/// Records how job row `row_id` ended.
pub fn record_end(store: &Store, row_id: i64, job: &Job, finished: i64) -> Result<()> {
    let result = serde_json::to_string(&job.reports).unwrap_or_else(|_| "[]".into());
    let rows: u64 = job.reports.iter().map(|r| r.rows_imported).sum();
    store.conn().execute(
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
    )?;
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

/// One job's record.
pub fn get(store: &Store, id: i64) -> Result<Option<Job>> {
    Ok(store
        .conn()
        .query_row(
            &format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = ?1"),
            [id],
            job_from_row,
        )
        .optional()?)
}

/// The latest jobs' records, newest first.
pub fn list(store: &Store, limit: u32) -> Result<Vec<Job>> {
    let mut st = store.conn().prepare(&format!(
        "SELECT {JOB_COLUMNS} FROM jobs ORDER BY id DESC LIMIT ?1"
    ))?;
    let rows = st.query_map([limit], job_from_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
