//! Reads that scan the whole `entries` table, split by id range across several connections
//! and run at once, a thread each: each core scans a share. Every share reads the same
//! snapshot of the store, so an import committed while the read starts is counted by all of
//! them or by none.
//!
//! Only a statement SQLite would answer by scanning `entries` is split. One that seeks an
//! index (a product's entries, keywords, a time range) reads few rows; an id range would have
//! SQLite walk the table by id instead.

use std::panic::RefUnwindSafe;

use rusqlite::types::Value as SqlValue;
use rusqlite::Connection;

use crate::error::{CoreError, Result};
use crate::store::Store;

/// How often the shares are started again when a commit lands while they start, before the
/// read runs on one connection instead.
const TRIES: usize = 3;

/// Whether SQLite answers `sql` by scanning `entries` (aliased `e`) from end to end.
pub fn scans_entries(conn: &Connection, sql: &str, params: &[SqlValue]) -> Result<bool> {
    let mut st = conn.prepare_cached(&format!("EXPLAIN QUERY PLAN {sql}"))?;
    let mut rows = st.query(rusqlite::params_from_iter(params.iter()))?;
    while let Some(r) = rows.next()? {
        let detail: String = r.get(3)?;
        if detail == "SCAN e" || detail.starts_with("SCAN e ") {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Runs `part` on each store's share of the entries: `Some((lo, hi))`, the inclusive id
/// range it reads, or None for all of them when it runs alone (one store, or shares that
/// could not be started on one snapshot). While `busy` says another command is being served
/// (a page of the table), the shares pause a moment now and then, so they never hold it up.
pub fn read<T: Send>(
    stores: &mut [&mut Store],
    busy: impl Fn() -> bool + Clone + Send + RefUnwindSafe + 'static,
    part: impl Fn(&Connection, Option<(i64, i64)>) -> Result<T> + Sync,
) -> Result<Vec<T>> {
    let Some(first) = stores.first() else {
        return Err(CoreError::InvalidQuery("a read needs a store".into()));
    };
    if stores.len() == 1 {
        return Ok(vec![part(first.conn(), None)?]);
    }
    for _ in 0..TRIES {
        let started = begin_together(stores, || ());
        let outcome = match started {
            Ok(Some(max_id)) => Some(read_shares(stores, max_id, &busy, &part)),
            Ok(None) => None,
            Err(e) => Some(Err(e)),
        };
        end_all(stores);
        if let Some(outcome) = outcome {
            return outcome;
        }
    }
    Ok(vec![part(stores[0].conn(), None)?])
}

/// Starts a read transaction on every store, on one snapshot: Some(the highest entry id it
/// holds), or None when another connection committed while they started.
/// `meanwhile` runs after the other shares started and before the first does (tests commit
/// there).
fn begin_together(stores: &mut [&mut Store], meanwhile: impl FnOnce()) -> Result<Option<i64>> {
    let (first, rest) = stores.split_first().ok_or(CoreError::Stopped)?;
    // `data_version` changes on a connection when another commits; inside a transaction it
    // stays as the transaction's snapshot found it. Unchanged from before the other shares
    // started to the first one's own start: no commit landed in between, and every share
    // reads the same snapshot.
    let version = |c: &Connection| -> Result<i64> {
        Ok(c.query_row("PRAGMA data_version", [], |r| r.get(0))?)
    };
    let highest = |c: &Connection| -> Result<i64> {
        c.execute_batch("BEGIN")?;
        Ok(c.query_row("SELECT coalesce(max(id), 0) FROM entries", [], |r| r.get(0))?)
    };
    let before = version(first.conn())?;
    for s in rest {
        highest(s.conn())?;
    }
    meanwhile();
    let max_id = highest(first.conn())?;
    Ok((version(first.conn())? == before).then_some(max_id))
}

/// Ends the read transactions `begin_together` started (those it did, when it failed).
fn end_all(stores: &[&mut Store]) {
    for s in stores {
        if !s.conn().is_autocommit() {
            // Read-only: nothing to keep or lose. A failure leaves the connection as it
            // was, and the next begin reports it.
            let _ = s.conn().execute_batch("ROLLBACK");
        }
    }
}

fn read_shares<T: Send>(
    stores: &mut [&mut Store],
    max_id: i64,
    busy: &(impl Fn() -> bool + Clone + Send + RefUnwindSafe + 'static),
    part: &(impl Fn(&Connection, Option<(i64, i64)>) -> Result<T> + Sync),
) -> Result<Vec<T>> {
    let shares = stores.len() as i64;
    let share = max_id / shares + 1;
    std::thread::scope(|scope| {
        let running: Vec<_> = stores
            .iter_mut()
            .enumerate()
            .map(|(i, store)| {
                let i = i as i64;
                let hi = if i + 1 == shares {
                    i64::MAX
                } else {
                    (i + 1) * share - 1
                };
                let busy = busy.clone();
                scope.spawn(move || {
                    let conn = store.conn();
                    // At most 200 pauses of 1 ms: a command holding the table for long must
                    // not stall this read for as long.
                    let mut pauses = 0;
                    conn.progress_handler(
                        1000,
                        Some(move || {
                            if pauses < 200 && busy() {
                                pauses += 1;
                                std::thread::sleep(std::time::Duration::from_millis(1));
                            }
                            false
                        }),
                    );
                    let got = part(conn, Some((i * share, hi)));
                    crate::store::stops::look_on(conn);
                    got
                })
            })
            .collect();
        running
            .into_iter()
            .map(|t| {
                t.join().unwrap_or_else(|_| {
                    Err(CoreError::InvalidQuery("a share of a read failed".into()))
                })
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_start_on_one_snapshot_unless_a_commit_lands_while_they_start() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let (mut a, mut b, writer) = (
            Store::open(&path).unwrap(),
            Store::open(&path).unwrap(),
            Store::open(&path).unwrap(),
        );
        let mut stores = [&mut a, &mut b];
        assert_eq!(begin_together(&mut stores, || ()).unwrap(), Some(0));
        end_all(&stores);
        let commit = || {
            writer
                .conn()
                .execute_batch("INSERT INTO settings (key, value, updated_at) VALUES ('k', 'v', 0)")
                .unwrap()
        };
        assert_eq!(begin_together(&mut stores, commit).unwrap(), None);
        end_all(&stores);
        assert!(stores.iter().all(|s| s.conn().is_autocommit()));
    }
}
