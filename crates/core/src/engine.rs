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
    jobs: Arc<Jobs>,
    exports: Arc<Running>,
}

impl Engine {
    /// Takes over `store`; jobs a previous run left unfinished are marked interrupted.
    pub fn new(store: Store) -> Result<Engine> {
        jobs::mark_interrupted(&store)?;
        history::mark_interrupted(&store)?;
        Ok(Engine {
            store: Arc::new(Mutex::new(store)),
            jobs: Arc::default(),
            exports: Arc::default(),
        })
    }

    /// The store, for one command at a time. A panic in an earlier command cannot leave it
    /// half-written (each write is one transaction), so a poisoned lock is simply taken over.
    pub fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
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
