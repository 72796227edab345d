//! Columns of the entries held in memory (`invlog_core::query::columnar`), shared by the
//! commands that count: the totals, facets and timelines of views the summary cannot answer
//! (a quantity filter) read them instead of every entry's row. A column is read from the
//! entries the first time a view needs it, and kept until the store changes (through an import,
//! whose new entries alone are read and added).

use std::sync::{Mutex, MutexGuard, PoisonError};

use invlog_core::query::columnar::{self, Columns, Held, Key, Needs};
use invlog_core::Result;
use rusqlite::Connection;

use crate::readers::Readers;

#[derive(Default)]
pub struct HeldColumns {
    held: Mutex<Held>,
    /// Held while columns are read: a second question waits for that read rather than reading
    /// the same columns beside it.
    reading: Mutex<()>,
}

impl HeldColumns {
    /// `answer` from the columns `needs` names, read first when not held; None when they
    /// cannot be held (too many values) or the store changed meanwhile: then the question is
    /// read from the entries.
    pub fn answer<T>(
        &self,
        readers: &Readers,
        busy: impl Fn() -> bool + Clone + Send + std::panic::RefUnwindSafe + 'static,
        needs: &Needs,
        answer: impl FnOnce(&Columns, &Connection) -> Result<T>,
    ) -> Result<Option<T>> {
        let key = {
            let reader = readers.one()?;
            if !columnar::worth_holding(reader.conn(), needs)? {
                return Ok(None);
            }
            Key::read(reader.conn())?
        };
        // Not held while columns are read: a store in memory has only the one connection.
        let columns = match self.held(key, needs) {
            Some(Ok(columns)) => columns,
            Some(Err(())) => return Ok(None),
            None => {
                let _reading = self.reading.lock().unwrap_or_else(PoisonError::into_inner);
                // Read meanwhile by the question this one waited for, perhaps.
                match self.held(key, needs) {
                    Some(Ok(columns)) => columns,
                    Some(Err(())) => return Ok(None),
                    None => {
                        // Only imports since the columns were read: their new entries
                        // alone are read and added.
                        let catch_up = self.lock().catch_up(key);
                        if let Some((after, held)) = catch_up {
                            let read = columnar::read_after(readers.one()?.conn(), &held, after)?;
                            self.lock().append(read, after);
                        }
                        let missing = self.lock().missing(key, needs);
                        let Some(missing) = missing else {
                            return Ok(None);
                        };
                        if !missing.is_empty() {
                            let mut shares = readers.some(crate::readers::cores())?;
                            let mut stores: Vec<_> = shares.iter_mut().map(|r| &mut **r).collect();
                            let read = columnar::read_on(&mut stores, &missing, busy)?;
                            self.lock().add(read, needs);
                        }
                        match self.lock().columns(needs) {
                            Some(columns) => columns,
                            None => return Ok(None),
                        }
                    }
                }
            }
        };
        columnar::answer(readers.one()?.conn(), &columns, answer)
    }

    /// The columns held for the store in state `key`: None when some are yet to be read,
    /// Some(Err) when some cannot be held.
    fn held(&self, key: Key, needs: &Needs) -> Option<std::result::Result<Columns, ()>> {
        let mut held = self.lock();
        match held.missing(key, needs) {
            None => Some(Err(())),
            Some(missing) if missing.is_empty() => held.columns(needs).map(Ok),
            Some(_) => None,
        }
    }

    /// Whether the entries' times are held (for whichever state of the store).
    #[cfg(test)]
    pub fn holds_times(&self) -> bool {
        self.lock().holds_times()
    }

    fn lock(&self) -> MutexGuard<'_, Held> {
        self.held.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
