//! Automated exports and scheduled pulls: while the app or `invlog serve` runs, a timer starts
//! each schedule's export task, and each scheduled connection's pull, when it is due. A run
//! missed while nothing ran happens once, at the next check.

use invlog_core::connections;
use invlog_core::export::schedule;
use invlog_core::time::now_millis;
use invlog_core::Result;

use crate::engine::Engine;
use crate::runner::TaskKind;

/// Starts the exports due at `now` and moves each schedule on to its next run; returns the
/// export ids started.
pub fn run_due(engine: &Engine, now: i64) -> Result<Vec<i64>> {
    let due = schedule::due(&*engine.store()?, now)?;
    let mut started = Vec::new();
    for (s, due_at) in due {
        if !schedule::claim(&engine.writer(), &s, due_at, now)? {
            continue;
        }
        let Some(req) = schedule::export_request(&*engine.store()?, &s, now) else {
            continue; // The view was deleted; the schedule shows it as such.
        };
        let (_, record) = super::export::start(engine, req, TaskKind::ScheduledExport)?;
        schedule::link_export(&engine.writer(), record.id, s.id)?;
        started.push(record.id);
    }
    Ok(started)
}

/// Starts the pulls due at `now`, each claimed first so that an app and a server on the same
/// store never both run one; returns the pull ids started.
pub fn pull_due(engine: &Engine, now: i64) -> Result<Vec<i64>> {
    let due = connections::due(&*engine.store()?, now)?;
    let mut started = Vec::new();
    for (c, due_at) in due {
        if !connections::claim(&engine.writer(), &c, due_at, now)? {
            continue;
        }
        match super::pull::start(engine, &c.name, true) {
            Ok((_, pull)) => started.push(pull.id),
            // Still pulling since the last run: this one is skipped, not queued.
            Err(invlog_core::CoreError::Conflict(_)) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(started)
}

/// Checks the schedules every `every` while the process runs (the desktop app and `invlog
/// serve` start it). The timer is not a task: it holds no work, only starts tasks.
pub fn start_timer(engine: &Engine, every: std::time::Duration) {
    let engine = engine.clone();
    let spawned = std::thread::Builder::new()
        .name("invlog-schedules".into())
        .spawn(move || loop {
            if let Err(e) = run_due(&engine, now_millis()) {
                eprintln!("invlog: scheduled exports: {e}");
            }
            if let Err(e) = pull_due(&engine, now_millis()) {
                eprintln!("invlog: scheduled pulls: {e}");
            }
            std::thread::sleep(every);
        });
    if let Err(e) = spawned {
        eprintln!("invlog: cannot run scheduled exports: {e}");
    }
}
