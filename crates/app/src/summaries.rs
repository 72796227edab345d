//! The entry summary (`invlog_core::summary`) read into memory once per generation and shared by
//! the commands that count: a view's total, its facets and its timeline.

use std::sync::{Arc, Mutex, PoisonError};

use invlog_core::summary::{self, Snapshot};
use invlog_core::Result;
use rusqlite::{Connection, Transaction, TransactionBehavior};

#[derive(Default)]
pub struct Summaries {
    current: Mutex<Option<Arc<Snapshot>>>,
    /// Held while the summary is read: a second reader waits for that read (the one at the
    /// shell's start, say) rather than reading it again beside it.
    loading: Mutex<()>,
}

impl Summaries {
    /// Runs `answer` in one read transaction on `conn`, with the summary as that transaction
    /// sees it: brought up to date first when the store has changed since it was last read.
    pub fn read<T>(
        &self,
        conn: &Connection,
        answer: impl FnOnce(&Snapshot, &Connection) -> Result<T>,
    ) -> Result<T> {
        let tx = Transaction::new_unchecked(conn, TransactionBehavior::Deferred)?;
        let generation = summary::generation(&tx)?;
        let snapshot = match self.current().filter(|s| s.generation() == generation) {
            Some(s) => s,
            None => {
                let _loading = self.loading.lock().unwrap_or_else(PoisonError::into_inner);
                // Whether what is read here becomes the one kept for the next reader.
                let (s, keep) = match self.current() {
                    Some(s) if s.generation() == generation => (s, false),
                    // Older: brought up to date with the counts changed since (a full read
                    // should that fail).
                    Some(s) if s.generation() < generation => (
                        Arc::new(s.refresh(&tx).or_else(|_| Snapshot::load(&tx))?),
                        true,
                    ),
                    // Newer than this transaction sees (it began before a commit another
                    // reader has read): read for it alone, the newer one kept.
                    Some(_) => (Arc::new(Snapshot::load(&tx)?), false),
                    None => (Arc::new(Snapshot::load(&tx)?), true),
                };
                if keep {
                    *self.current.lock().unwrap_or_else(PoisonError::into_inner) = Some(s.clone());
                }
                s
            }
        };
        let answer = answer(&snapshot, &tx);
        tx.commit()?;
        answer
    }

    /// The summary as last read.
    fn current(&self) -> Option<Arc<Snapshot>> {
        self.current
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}
