//! The one runner of long work: imports, exports (asked for or scheduled), re-runs and pulls (their
//! work is in `tasks/`, one module per kind). Each
//! task has a kind, a place in the writers' line when it must take turns writing, progress,
//! cancel, a persisted record (the `jobs`, `exports` or `attempts` row its kind keeps, so a
//! task a dead process left running is shown interrupted at the next start), and events: every
//! change is pushed to whoever listens (the desktop window, `invlog serve`'s event stream, the
//! CLI), so no shell polls.

use std::collections::{BTreeMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use invlog_core::connections::Pull;
use invlog_core::export::history::ExportRecord;
use invlog_core::jobs::Job;
use invlog_core::owners::JobStatus;
use invlog_core::rerun::Attempt;
use invlog_core::time::{format_instant, now_millis};
use invlog_core::CoreError;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum TaskKind {
    Import,
    Export,
    /// An export a schedule started.
    ScheduledExport,
    Rerun,
    /// A connection's API pulled page by page.
    Pull,
}

/// How far a task is: `done` of `total` (unknown until counted) `unit`s.
#[derive(Debug, Clone, Default, PartialEq, Serialize, TS)]
pub struct TaskProgress {
    pub done: u64,
    pub total: Option<u64>,
    /// What is counted: "bytes" (an import reads its files), "rows" (an export writes them).
    pub unit: String,
}

/// One task as every shell shows it. The kind's own record rides along (`job`, `export`,
/// `attempt`), so a tray can say what it says today of each.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Task {
    /// This process's id of the task (tasks of other processes are known by their records).
    pub id: i64,
    pub kind: TaskKind,
    /// The id of the kind's record: the job, export or attempt.
    pub record_id: Option<i64>,
    pub title: String,
    pub status: JobStatus,
    /// 1 for the next to write, while it waits in the writers' line.
    pub queue_position: Option<u32>,
    pub progress: TaskProgress,
    /// What it waits for (another process writing to the store), while it does.
    pub waiting: Option<String>,
    pub error: Option<String>,
    pub created_at: String,
    pub finished_at: Option<String>,
    pub job: Option<Job>,
    pub export: Option<ExportRecord>,
    pub attempt: Option<Attempt>,
    pub pull: Option<Pull>,
}

impl Task {
    pub fn new(kind: TaskKind, title: impl Into<String>, unit: &str) -> Task {
        Task {
            id: 0,
            kind,
            record_id: None,
            title: title.into(),
            status: JobStatus::Queued,
            queue_position: None,
            progress: TaskProgress {
                unit: unit.into(),
                ..TaskProgress::default()
            },
            waiting: None,
            error: None,
            created_at: format_instant(now_millis()),
            finished_at: None,
            job: None,
            export: None,
            attempt: None,
            pull: None,
        }
    }
}

/// A listener of task events; returns false to stop listening (its reader went away).
pub type Listener = Arc<dyn Fn(&Task) -> bool + Send + Sync>;

/// Progress events closer together than this are folded into the next (a status change is
/// always sent at once).
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// How many finished tasks are kept for `tasks` (the newest).
const KEEP_FINISHED: usize = 200;

struct Live {
    cancel: AtomicBool,
    task: Mutex<Task>,
    last_event: Mutex<Option<Instant>>,
}

impl Live {
    fn task(&self) -> MutexGuard<'_, Task> {
        self.task.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[derive(Default)]
struct State {
    last_id: i64,
    tasks: BTreeMap<i64, Arc<Live>>,
    /// Tasks that write take turns, in the order they were started: SQLite has one writer, and
    /// files must land in the order the user gave them (ties in time show in import order). A
    /// plain mutex would let whichever thread woke first go first.
    line: VecDeque<i64>,
    last_listener: u64,
    listeners: Vec<(u64, Listener)>,
}

/// What a panic said, when it said it as text.
fn panic_text(panic: &(dyn std::any::Any + Send)) -> &str {
    panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("a panic without a message")
}

#[derive(Default)]
pub struct Tasks {
    state: Mutex<State>,
    /// Signalled when the line moves, a task is cancelled or a task ends.
    changed: Condvar,
}

impl Tasks {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Starts `work` on a thread of its own as task `task`; `writes` puts it in the writers'
    /// line. Returns the task as it starts.
    pub fn spawn(
        self: &Arc<Self>,
        mut task: Task,
        writes: bool,
        work: impl FnOnce(&TaskCtx) + Send + 'static,
    ) -> invlog_core::Result<Task> {
        let live = {
            let mut state = self.state();
            state.last_id += 1;
            task.id = state.last_id;
            if writes {
                state.line.push_back(task.id);
                task.queue_position = Some(state.line.len() as u32);
            } else {
                task.status = JobStatus::Running;
            }
            let live = Arc::new(Live {
                cancel: AtomicBool::new(false),
                task: Mutex::new(task.clone()),
                last_event: Mutex::new(None),
            });
            state.tasks.insert(task.id, live.clone());
            live
        };
        let ctx = TaskCtx {
            tasks: self.clone(),
            live,
        };
        self.emit(&task);
        let id = task.id;
        std::thread::Builder::new()
            .name(format!("invlog-task-{id}"))
            .spawn(move || {
                // A panic ends the task as failed rather than leaving whoever waits on it
                // waiting forever; the unwinding has already dropped its turn.
                let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(&ctx)));
                if !ctx.snapshot().status.is_finished() {
                    let why = match run {
                        Ok(()) => "the task stopped before saying how it ended".to_string(),
                        Err(panic) => {
                            format!("the task failed unexpectedly: {}", panic_text(&*panic))
                        }
                    };
                    ctx.end(Err(CoreError::InvalidQuery(why)));
                }
            })
            .map_err(|e| {
                let mut state = self.state();
                state.line.retain(|&t| t != id);
                state.tasks.remove(&id);
                CoreError::InvalidQuery(format!("cannot start the task: {e}"))
            })?;
        Ok(task)
    }

    /// Every task of this process still kept, newest first.
    pub fn list(&self) -> Vec<Task> {
        let lives: Vec<Arc<Live>> = self.state().tasks.values().rev().cloned().collect();
        lives.iter().map(|l| l.task().clone()).collect()
    }

    pub fn get(&self, id: i64) -> Option<Task> {
        let live = self.state().tasks.get(&id).cloned();
        live.map(|l| l.task().clone())
    }

    /// The live task of `kind` whose record is `record_id`.
    pub fn by_record(&self, kind: &[TaskKind], record_id: i64) -> Option<Task> {
        // Looked up for each row of a history: only the match is copied.
        let lives: Vec<Arc<Live>> = self.state().tasks.values().rev().cloned().collect();
        lives.iter().find_map(|l| {
            let t = l.task();
            (kind.contains(&t.kind) && t.record_id == Some(record_id)).then(|| t.clone())
        })
    }

    /// Asks task `id` to stop: a queued one leaves the line at once and never writes; a
    /// running one stops at its next check. None if there is no such task.
    pub fn cancel(&self, id: i64) -> Option<Task> {
        let live = self.state().tasks.get(&id).cloned()?;
        live.cancel.store(true, Ordering::Relaxed);
        // A task waiting for its turn wakes to leave the line now, not when the one ahead ends.
        let _state = self.state();
        self.changed.notify_all();
        drop(_state);
        let task = live.task().clone();
        Some(task)
    }

    /// Waits until task `id` has ended, and returns it as it ended.
    pub fn wait(&self, id: i64) -> Option<Task> {
        let mut state = self.state();
        loop {
            let live = state.tasks.get(&id).cloned()?;
            let task = live.task().clone();
            if task.status.is_finished() {
                return Some(task);
            }
            state = self
                .changed
                .wait_timeout(state, Duration::from_millis(500))
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    /// Sends every task event to `listener` until it returns false or is removed.
    pub fn listen(&self, listener: Listener) -> u64 {
        let mut state = self.state();
        state.last_listener += 1;
        let id = state.last_listener;
        state.listeners.push((id, listener));
        id
    }

    pub fn unlisten(&self, id: u64) {
        self.state().listeners.retain(|(l, _)| *l != id);
    }

    fn emit(&self, task: &Task) {
        // Listeners run outside the lock: one may call back into the runner.
        let listeners: Vec<(u64, Listener)> = self.state().listeners.clone();
        let gone: Vec<u64> = listeners
            .iter()
            .filter(|(_, l)| !l(task))
            .map(|(id, _)| *id)
            .collect();
        if !gone.is_empty() {
            self.state().listeners.retain(|(id, _)| !gone.contains(id));
        }
    }

    /// The tasks still in the line, with their new places, after it moved.
    fn line_moved(&self) {
        let queued: Vec<(Arc<Live>, u32)> = {
            let state = self.state();
            state
                .line
                .iter()
                .enumerate()
                .filter_map(|(i, id)| Some((state.tasks.get(id)?.clone(), i as u32 + 1)))
                .collect()
        };
        for (live, place) in queued {
            let task = {
                let mut t = live.task();
                if t.status != JobStatus::Queued || t.queue_position == Some(place) {
                    continue;
                }
                t.queue_position = Some(place);
                t.clone()
            };
            self.emit(&task);
        }
        self.changed.notify_all();
    }

    /// Forgets the oldest finished tasks beyond the ones kept.
    fn prune(&self) {
        let mut state = self.state();
        let finished: Vec<i64> = state
            .tasks
            .iter()
            .filter(|(_, l)| l.task().status.is_finished())
            .map(|(id, _)| *id)
            .collect();
        if finished.len() > KEEP_FINISHED {
            for id in &finished[..finished.len() - KEEP_FINISHED] {
                state.tasks.remove(id);
            }
        }
    }
}

/// What a task's work holds: its cancel flag, its progress and its turn to write.
#[derive(Clone)]
pub struct TaskCtx {
    tasks: Arc<Tasks>,
    live: Arc<Live>,
}

impl TaskCtx {
    pub fn id(&self) -> i64 {
        self.live.task().id
    }

    pub fn cancel_flag(&self) -> &AtomicBool {
        &self.live.cancel
    }

    pub fn is_cancelled(&self) -> bool {
        self.live.cancel.load(Ordering::Relaxed)
    }

    pub fn snapshot(&self) -> Task {
        self.live.task().clone()
    }

    /// Changes the task and tells the listeners: at once when its status or waiting changed,
    /// else (progress) at most every 100 ms.
    pub fn update(&self, change: impl FnOnce(&mut Task)) {
        let task = {
            let mut t = self.live.task();
            let (status, waiting) = (t.status, t.waiting.clone());
            change(&mut t);
            let urgent = t.status != status || t.waiting != waiting;
            let mut last = self
                .live
                .last_event
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            if !urgent && last.is_some_and(|at| at.elapsed() < PROGRESS_EVERY) {
                return;
            }
            *last = Some(Instant::now());
            t.clone()
        };
        self.tasks.emit(&task);
    }

    /// Waits until this task is first in the writers' line; None if it was cancelled while it
    /// waited (it has left the line then, and must not write).
    pub fn wait_turn(&self) -> Option<Turn<'_>> {
        let id = self.id();
        let mut state = self.tasks.state();
        loop {
            if self.is_cancelled() {
                state.line.retain(|&t| t != id);
                drop(state);
                self.tasks.line_moved();
                return None;
            }
            if state.line.front() == Some(&id) {
                drop(state);
                self.update(|t| {
                    t.status = JobStatus::Running;
                    t.queue_position = None;
                });
                return Some(Turn { ctx: self, id });
            }
            state = self
                .tasks
                .changed
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// Ends the task with `outcome`: success, cancelled (a `Cancelled` error) or failed with
    /// the error's message. Returns the task as it ended, for its record.
    pub fn end(&self, outcome: invlog_core::Result<()>) -> Task {
        match outcome {
            Ok(()) => self.end_as(false, None),
            Err(CoreError::Cancelled { .. }) => self.end_as(true, None),
            Err(e) => self.end_as(false, Some(e.to_string())),
        }
    }

    /// Ends the task: cancelled, failed with `error`, or else succeeded.
    pub fn end_as(&self, cancelled: bool, error: Option<String>) -> Task {
        let id = self.id();
        {
            let mut state = self.tasks.state();
            let was_queued = state.line.contains(&id);
            state.line.retain(|&t| t != id);
            drop(state);
            if was_queued {
                self.tasks.line_moved();
            }
        }
        let task = {
            let mut t = self.live.task();
            t.waiting = None;
            t.queue_position = None;
            t.status = match (cancelled, &error) {
                (true, _) => JobStatus::Cancelled,
                (false, Some(_)) => JobStatus::Failed,
                (false, None) => JobStatus::Success,
            };
            t.error = error;
            t.finished_at = Some(format_instant(now_millis()));
            t.clone()
        };
        self.tasks.emit(&task);
        self.tasks.prune();
        let _state = self.tasks.state();
        self.tasks.changed.notify_all();
        task
    }

    /// Sends the task as it is now, whatever the time since the last event (its record
    /// changed).
    pub fn announce(&self) {
        let task = self.snapshot();
        self.tasks.emit(&task);
    }
}

/// A task's turn to write; the next in line goes when it is dropped.
pub struct Turn<'a> {
    ctx: &'a TaskCtx,
    id: i64,
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        self.ctx.tasks.state().line.retain(|&t| t != self.id);
        self.ctx.tasks.line_moved();
    }
}

#[cfg(test)]
mod tests;
