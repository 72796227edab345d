//! The connection the rows the table reads ahead of the screen are read on, and taking back
//! the rows of a view no longer shown. A read of 1,600 rows of a view no index serves takes
//! 0.1-1 s at 10M entries: finished after the view was left, it held up the rows ahead of the
//! view shown next, which queued behind it.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use invlog_core::store::{stops, Store};
use invlog_core::{CoreError, Result};

/// Tickets taken back that are remembered, for their requests still queued: a table takes
/// back at most the few it sent last.
const TAKEN_BACK_KEPT: usize = 256;

pub(crate) struct RowsAhead {
    connection: Connection,
    /// Held for a whole read: rows ahead are read one request at a time, so the read under
    /// way is always the one `state.reading` names.
    queue: Mutex<()>,
    state: Mutex<Turn>,
    /// Stops the read under way at SQLite's next look (`stops`).
    stop: Arc<AtomicBool>,
}

enum Connection {
    /// A store in memory has one connection, the table's.
    Shared(Arc<Mutex<Store>>),
    /// Opened by the first read: a shell that shows no table (the CLI) never reads ahead.
    OfItsOwn {
        path: PathBuf,
        open: fn(&Path) -> Result<Store>,
        opened: Box<OnceLock<Mutex<Store>>>,
    },
}

#[derive(Default)]
struct Turn {
    /// The ticket of the read under way.
    reading: Option<String>,
    /// Tickets taken back, oldest first.
    taken_back: VecDeque<String>,
}

impl RowsAhead {
    /// Rows ahead read on a connection of their own to the store at `path`, opened by `open`
    /// (as the table's pages read: no memory map).
    pub(crate) fn of_file(path: PathBuf, open: fn(&Path) -> Result<Store>) -> Self {
        RowsAhead::on(Connection::OfItsOwn {
            path,
            open,
            opened: Box::default(),
        })
    }

    /// Rows ahead read on the table's own connection (a store in memory).
    pub(crate) fn shared(table: Arc<Mutex<Store>>) -> Self {
        RowsAhead::on(Connection::Shared(table))
    }

    fn on(connection: Connection) -> Self {
        RowsAhead {
            connection,
            queue: Mutex::default(),
            state: Mutex::default(),
            stop: Arc::default(),
        }
    }

    /// The connection, opened at the first call.
    pub(crate) fn connection(&self) -> Result<&Mutex<Store>> {
        let (path, open, opened) = match &self.connection {
            Connection::Shared(table) => return Ok(table),
            Connection::OfItsOwn { path, open, opened } => (path, open, opened),
        };
        if let Some(store) = opened.get() {
            return Ok(store);
        }
        // Two first reads at once may both open one; the second is closed at once.
        let store = open(path)?;
        Ok(opened.get_or_init(|| Mutex::new(store)))
    }

    fn state(&self) -> std::sync::MutexGuard<'_, Turn> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `read` on the connection once the reads asked before it are done, unless
    /// `ticket` is taken back first or meanwhile: then a conflict, and the connection is free
    /// for the next.
    pub(crate) fn read<T>(
        &self,
        ticket: Option<&str>,
        read: impl FnOnce(&Mutex<Store>) -> Result<T>,
    ) -> Result<T> {
        let taken_back =
            || CoreError::Conflict("rows read ahead for a view no longer shown".into());
        let _turn = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
        let on = self.connection()?;
        {
            let mut state = self.state();
            if ticket.is_some_and(|t| state.taken_back.iter().any(|b| b == t)) {
                return Err(taken_back());
            }
            state.reading = ticket.map(str::to_owned);
        }
        let outcome = stops::stoppable(&self.stop, || read(on));
        let stopped = {
            let mut state = self.state();
            state.reading = None;
            self.stop.swap(false, Ordering::Relaxed)
        };
        match outcome {
            // Rows read to the end before the look are still the view's rows.
            Err(_) if stopped => Err(taken_back()),
            other => other,
        }
    }

    /// Takes back the rows asked for with `ticket`: the read under way stops, and those still
    /// queued are not read.
    pub(crate) fn take_back(&self, ticket: &str) {
        let mut state = self.state();
        if state.reading.as_deref() == Some(ticket) {
            self.stop.store(true, Ordering::Relaxed);
        }
        if !state.taken_back.iter().any(|b| b == ticket) {
            if state.taken_back.len() == TAKEN_BACK_KEPT {
                state.taken_back.pop_front();
            }
            state.taken_back.push_back(ticket.to_owned());
        }
    }
}
