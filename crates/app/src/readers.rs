//! The store's read connections. In WAL mode any number of them read beside the one writer,
//! so a read never waits for another: one is taken from those kept idle, or opened when none
//! is. A pool that waited for a free connection would queue a detail behind an export; one
//! that made a reader wait for a second connection while holding a first could deadlock.
//!
//! A store in memory has only its one connection, shared by all.

use std::ops::{Deref, DerefMut};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use invlog_core::store::Store;
use invlog_core::Result;

pub enum Readers {
    File {
        path: PathBuf,
        /// Connections read on before and free now, most recently used last.
        idle: Mutex<Vec<Box<Store>>>,
        /// At most this many are kept idle; more are closed when returned.
        keep: usize,
    },
    Memory(Arc<Mutex<Store>>),
}

/// A read connection, back with the others when dropped.
pub enum Reader<'a> {
    Pooled {
        store: Option<Box<Store>>,
        idle: &'a Mutex<Vec<Box<Store>>>,
        keep: usize,
    },
    Shared(MutexGuard<'a, Store>),
}

/// Cores a read splits across (`query::shards`): a share each, beside the table's page.
pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get().clamp(1, 8))
}

impl Readers {
    /// The store's file; None in memory.
    pub fn path(&self) -> Option<&std::path::Path> {
        match self {
            Readers::File { path, .. } => Some(path),
            Readers::Memory(_) => None,
        }
    }

    /// Read connections to the store at `path`, starting with `first`.
    pub fn file(path: PathBuf, first: Store) -> Readers {
        Readers::File {
            path,
            idle: Mutex::new(vec![Box::new(first)]),
            // Enough for a split read on every core, an export and a detail at once.
            keep: cores() + 2,
        }
    }

    /// A connection to read on, without waiting for any other read.
    pub fn one(&self) -> Result<Reader<'_>> {
        Ok(match self {
            Readers::File { path, idle, keep } => {
                let kept = idle.lock().unwrap_or_else(PoisonError::into_inner).pop();
                let store = match kept {
                    Some(s) => s,
                    None => Box::new(Store::open(path)?),
                };
                Reader::Pooled {
                    store: Some(store),
                    idle,
                    keep: *keep,
                }
            }
            Readers::Memory(store) => {
                Reader::Shared(store.lock().unwrap_or_else(PoisonError::into_inner))
            }
        })
    }

    /// `n` connections for a read split across them; one for a store in memory.
    pub fn some(&self, n: usize) -> Result<Vec<Reader<'_>>> {
        match self {
            Readers::File { .. } => (0..n.max(1)).map(|_| self.one()).collect(),
            Readers::Memory(_) => Ok(vec![self.one()?]),
        }
    }
}

impl Deref for Reader<'_> {
    type Target = Store;

    fn deref(&self) -> &Store {
        match self {
            // Only `drop` takes the store out.
            Reader::Pooled { store, .. } => store.as_ref().expect("a reader holds its store"),
            Reader::Shared(guard) => guard,
        }
    }
}

impl DerefMut for Reader<'_> {
    fn deref_mut(&mut self) -> &mut Store {
        match self {
            Reader::Pooled { store, .. } => store.as_mut().expect("a reader holds its store"),
            Reader::Shared(guard) => guard,
        }
    }
}

impl Drop for Reader<'_> {
    fn drop(&mut self) {
        if let Reader::Pooled { store, idle, keep } = self {
            let Some(store) = store.take() else { return };
            // A read that failed midway may have left its transaction open: such a
            // connection is closed rather than kept.
            if !store.conn().is_autocommit() {
                return;
            }
            let mut idle = idle.lock().unwrap_or_else(PoisonError::into_inner);
            if idle.len() < *keep {
                idle.push(store);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_never_waits_and_at_most_keep_connections_stay_open() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let readers = Readers::file(path.clone(), Store::open(&path).unwrap());
        let Readers::File { keep, idle, .. } = &readers else {
            unreachable!()
        };
        let idle_now = || idle.lock().unwrap().len();
        // More readers at once than are kept: each is opened, none waits.
        let held: Vec<_> = (0..keep + 3).map(|_| readers.one().unwrap()).collect();
        assert_eq!(idle_now(), 0);
        drop(held);
        assert_eq!(idle_now(), *keep);
        // The kept ones are reused, newest first.
        let again = readers.some(2).unwrap();
        assert_eq!(again.len(), 2);
        assert_eq!(idle_now(), keep - 2);
        drop(again);
        // A connection left inside a transaction is closed, not kept.
        let r = readers.one().unwrap();
        r.conn()
            .execute_batch("BEGIN; SELECT 1 FROM entries LIMIT 1;")
            .unwrap();
        drop(r);
        assert_eq!(idle_now(), keep - 1);
    }
}
