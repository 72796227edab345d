//! Pulls as tasks: one connection's API walked page by page, each page stored with the cursor
//! after it in one transaction, on a connection of the pull's own (the table stays live; a
//! page waits its turn behind another writer), while the next page is fetched on a thread of
//! its own (`connectors::fetch_ahead`). Cancel stops between pages and while waiting;
//! what was committed stays. The `pulls` table records each pull's start and outcome.

use std::sync::atomic::{AtomicBool, Ordering};

use invlog_core::connections::{self, Connection, Pull};
use invlog_core::ingest::pull::{Page, PullWriter};
use invlog_core::ingest::Control;
use invlog_core::owners::JobStatus;
use invlog_core::store::Store;
use invlog_core::{CoreError, Result};
use serde_json::Value;

use crate::connectors::{self, secrets, ConnectorError, PageWriter, Session};
use crate::engine::Engine;
use crate::runner::{Task, TaskCtx, TaskKind};

/// Starts pulling connection `name`; `scheduled` when a schedule started it.
pub fn start(engine: &Engine, name: &str, scheduled: bool) -> Result<(Task, Pull)> {
    let conn = connections::get(&*engine.store()?, name)?;
    if live(engine, conn.id).is_some() {
        return Err(CoreError::Conflict(format!(
            "'{}' is being pulled already",
            conn.name
        )));
    }
    let pull = connections::begin_pull(&engine.writer(), &conn, scheduled)?;
    let mut task = Task::new(TaskKind::Pull, format!("Pull {}", conn.name), "records");
    task.record_id = Some(pull.id);
    task.pull = Some(pull.clone());
    let engine2 = engine.clone();
    let task = engine.tasks().spawn(task, false, move |ctx| {
        run(&engine2, &conn, ctx);
    })?;
    Ok((task, pull))
}

/// Pulls each of `names` (every connection when empty) one after another and waits: the
/// CLI's `invlog pull`.
pub fn run_and_wait(engine: &Engine, names: &[String]) -> Result<Vec<Pull>> {
    let names: Vec<String> = match names.is_empty() {
        true => connections::list(&*engine.store()?)?
            .into_iter()
            .map(|c| c.name)
            .collect(),
        false => names.to_vec(),
    };
    // Every name is checked before anything is pulled.
    for n in &names {
        connections::get(&*engine.store()?, n)?;
    }
    let mut done = Vec::new();
    for n in &names {
        let (task, pull) = start(engine, n, false)?;
        engine.tasks().wait(task.id);
        done.push(connections::pull(&*engine.store()?, pull.id)?);
    }
    Ok(done)
}

/// Calls the connection's API once with its credentials.
pub fn test(engine: &Engine, name: &str) -> Result<String> {
    let conn = connections::get(&*engine.store()?, name)?;
    let secret = secrets::load(engine.path(), &conn.name, &conn.secret_place)?;
    let never = || false;
    let mut session = Session::new(&conn, secret, engine.http_policy(), &never)?;
    Ok(connectors::test(&mut session)?)
}

/// Where the pages go: the pull's own connection (a store in memory has only the engine's).
struct Pages<'a> {
    writer: PullWriter<'a>,
    pull_id: i64,
    /// Records stored so far (committed or in the open group).
    records: u64,
    ctx: &'a TaskCtx,
}

impl PageWriter for Pages<'_> {
    fn page(
        &mut self,
        label: &str,
        page: &Page,
        body: &[u8],
        cursor: &Value,
    ) -> connectors::Result<()> {
        if self.ctx.is_cancelled() {
            return Err(ConnectorError::Cancelled);
        }
        let control = Control {
            cancel: Some(self.ctx.cancel_flag()),
            progress: None,
        };
        let stored = self
            .writer
            .page(label, page, body, &cursor.to_string(), &control);
        if stored.is_err() && !self.writer.is_open() {
            // A page that failed while written took the open group with it: the progress goes
            // back to what is committed. (Unread, the page's own error is what is said.)
            if let Ok(record) = connections::pull(self.writer.store(), self.pull_id) {
                self.records = record.records;
                self.ctx.update(|t| {
                    t.progress.done = record.records;
                    t.pull = Some(record);
                });
            }
        }
        match stored {
            Ok(stored) => self.records += stored.records,
            // The page could not be read: named with the page it came from; nothing of it
            // was stored.
            Err(CoreError::FileRefused { reason, .. }) => {
                return Err(ConnectorError::Malformed {
                    page: label.to_owned(),
                    reason,
                })
            }
            Err(CoreError::Cancelled { .. }) => return Err(ConnectorError::Cancelled),
            Err(e) => return Err(e.into()),
        }
        let records = self.records;
        self.ctx.update(|t| t.progress.done = records);
        if !self.writer.is_open() {
            // Just committed: the pull's record says what is in the store now.
            let record = connections::pull(self.writer.store(), self.pull_id)?;
            self.ctx.update(|t| t.pull = Some(record));
        }
        Ok(())
    }

    fn expect(&mut self, total: u64) {
        self.ctx.update(|t| t.progress.total = Some(total));
    }
}

fn run(engine: &Engine, conn: &Connection, ctx: &TaskCtx) {
    ctx.update(|t| t.status = JobStatus::Running);
    let pull = ctx.snapshot().pull;
    let Some(pull) = pull else {
        ctx.end_as(false, Some("the pull has no record".into()));
        return;
    };
    let outcome = (|| -> connectors::Result<()> {
        let secret = secrets::load(engine.path(), &conn.name, &conn.secret_place)?;
        let policy = engine.http_policy();
        let own = match engine.path() {
            Some(p) => Some(Store::open(p)?),
            None => None,
        };
        let shared;
        let store: &Store = match &own {
            Some(s) => s,
            None => {
                shared = engine.writer();
                &shared
            }
        };
        let mut pages = Pages {
            writer: PullWriter::new(store, &pull),
            pull_id: pull.id,
            records: 0,
            ctx,
        };
        // The host is asked for the next page while this one is written.
        let walk = |out: &mut dyn PageWriter, stopped: &AtomicBool| {
            let cancelled = || ctx.is_cancelled() || stopped.load(Ordering::Relaxed);
            let mut session = Session::new(conn, secret, policy, &cancelled)?;
            connectors::pull(&mut session, conn.cursor.as_deref(), out)
        };
        let walked = connectors::fetch_ahead(walk, &mut pages);
        // The pages stored before a failure or a cancel are kept: committed, then told.
        pages.writer.commit()?;
        walked
    })();
    let (status, error) = match &outcome {
        Ok(()) => (JobStatus::Success, None),
        Err(ConnectorError::Cancelled) => (JobStatus::Cancelled, None),
        Err(e) => (JobStatus::Failed, Some(e.to_string())),
    };
    let record = connections::finish_pull(&engine.writer(), pull.id, status, error.as_deref());
    match record {
        Ok(r) => ctx.update(|t| t.pull = Some(r)),
        Err(e) => eprintln!("invlog: could not record the end of pull #{}: {e}", pull.id),
    }
    ctx.end_as(status == JobStatus::Cancelled, error);
}

/// The pull of connection `connection_id` under way in this process, if any.
pub fn live(engine: &Engine, connection_id: i64) -> Option<Task> {
    engine.tasks().list().into_iter().find(|t| {
        t.kind == TaskKind::Pull
            && !t.status.is_finished()
            && t.pull
                .as_ref()
                .is_some_and(|p| p.connection_id == connection_id)
    })
}
