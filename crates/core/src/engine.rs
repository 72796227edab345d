//! What a shell holds for the life of its process: the store the commands read and write, and
//! the jobs running beside it. Cheap to clone; every clone is the same engine.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::commands::{self, Request, Response};
use crate::error::Result;
use crate::export::history::{self, Running};
use crate::jobs::{self, Jobs};
use crate::store::Store;

#[derive(Clone)]
pub struct Engine {
    store: Arc<Mutex<Store>>,
    /// More connections to a store in a file, opened on first use, for reads that scan.
    readers: Arc<Mutex<Vec<Store>>>,
    /// The store's file (None in memory), known without waiting for the store.
    path: Option<std::path::PathBuf>,
    jobs: Arc<Jobs>,
    exports: Arc<Running>,
}

impl Engine {
    /// Takes over `store`; jobs a previous run left unfinished are marked interrupted.
    pub fn new(store: Store) -> Result<Engine> {
        jobs::mark_interrupted(&store)?;
        history::mark_interrupted(&store)?;
        Ok(Engine {
            path: store.path().map(std::path::Path::to_path_buf),
            store: Arc::new(Mutex::new(store)),
            readers: Arc::default(),
            jobs: Arc::default(),
            exports: Arc::default(),
        })
    }

    /// The store, for one command at a time. A panic in an earlier command cannot leave it
    /// half-written (each write is one transaction), so a poisoned lock is simply taken over.
    pub fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Connections of their own for a read that scans much of the store (the timeline's), one
    /// per core it can use: the table's pages and every other command are not queued behind
    /// it. None for a store in memory (tests), which has no second connection.
    /// Whether a command has the store right now (a read in the background then waits).
    pub(crate) fn busy_signal(
        &self,
    ) -> impl Fn() -> bool + Clone + Send + std::panic::RefUnwindSafe + 'static {
        let store = self.store.clone();
        move || store.try_lock().is_err()
    }

    pub(crate) fn with_readers<T>(
        &self,
        read: impl FnOnce(Option<&mut [Store]>) -> Result<T>,
    ) -> Result<T> {
        let Some(path) = &self.path else {
            return read(None);
        };
        let mut readers = self.readers.lock().unwrap_or_else(PoisonError::into_inner);
        let wanted = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(1, 4));
        while readers.len() < wanted {
            readers.push(Store::open(path)?);
        }
        read(Some(&mut readers[..]))
    }

    pub(crate) fn jobs(&self) -> &Jobs {
        &self.jobs
    }

    pub(crate) fn exports(&self) -> &Running {
        &self.exports
    }

    /// Runs one command of the command table.
    pub fn dispatch(&self, request: Request) -> Result<Response> {
        commands::dispatch(self, request)
    }
}
