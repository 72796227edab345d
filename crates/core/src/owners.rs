//! Rows that a running process owns (a job, an export, an attempt being sent) and how a later
//! process tells that their owner is gone: the row is then interrupted, not running.

use std::sync::atomic::{AtomicBool, Ordering};

use rusqlite::params;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::Result;
use crate::store::Store;
use crate::time::now_millis;

/// Where a piece of long work (an import, an export, a re-run) stands.
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
    pub fn as_db(self) -> &'static str {
        match self {
            JobStatus::Queued | JobStatus::Running => "running",
            JobStatus::Success => "success",
            JobStatus::Failed => "failed",
            JobStatus::Cancelled => "cancelled",
            JobStatus::Interrupted => "interrupted",
        }
    }

    pub fn from_db(s: &str) -> JobStatus {
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

/// Whether the process that wrote a `running` row is gone. This process's own rows are alive,
/// except the first time this process looks: a row carrying its pid then is a previous
/// process's, whose pid the system has since reused.
pub fn owner_gone(pid: Option<u32>) -> bool {
    match pid {
        Some(p) if p == std::process::id() => !LOOKED_BEFORE.load(Ordering::Relaxed),
        Some(p) => !process_alive(p),
        None => true,
    }
}

static LOOKED_BEFORE: AtomicBool = AtomicBool::new(false);

/// Marks that this process has looked at the store's running rows once.
pub fn looked_at_orphans() {
    LOOKED_BEFORE.store(true, Ordering::Relaxed);
}

/// The ids of `table`'s rows still `running` under a process that is gone (jobs, exports).
pub fn orphans(store: &Store, table: &str) -> Result<Vec<i64>> {
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
pub fn mark_orphans(store: &mut Store, table: &str, error: &str) -> Result<Vec<i64>> {
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
