//! Automated exports: while the app or `invlog serve` runs, a timer starts each schedule's
//! export task when it is due. A run missed while nothing ran happens once, at the next check.

use invlog_core::export::schedule;
use invlog_core::time::now_millis;
use invlog_core::Result;

use crate::engine::Engine;
use crate::runner::TaskKind;

/// Starts the exports due at `now` and moves each schedule on to its next run; returns the
/// export ids started.
pub fn run_due(engine: &Engine, now: i64) -> Result<Vec<i64>> {
    let due = schedule::due(&engine.store(), now)?;
    let mut started = Vec::new();
    for (s, due_at) in due {
        if !schedule::claim(&engine.writer(), &s, due_at, now)? {
            continue;
        }
        let Some(req) = schedule::export_request(&engine.store(), &s, now) else {
            continue; // The view was deleted; the schedule shows it as such.
        };
        let (_, record) = super::export::start(engine, req, TaskKind::ScheduledExport)?;
        schedule::link_export(&engine.writer(), record.id, s.id)?;
        started.push(record.id);
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
            std::thread::sleep(every);
        });
    if let Err(e) = spawned {
        eprintln!("invlog: cannot run scheduled exports: {e}");
    }
}
