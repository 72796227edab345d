//! Reads a thread runs can be stopped midway. A read no one waits for any more (rows read
//! ahead for a view the table has left) gives its connection back at SQLite's next look,
//! instead of holding it up to a second at 10M entries for rows no one will see.
//!
//! Every store connection looks (its progress handler, [`look_on`]); a thread asks to be
//! stoppable for the span of its reads with [`stoppable`]. Reads that watch themselves
//! (`query::walk`) look as well, and put the standing look back when they are done.

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use rusqlite::Connection;

/// Virtual machine steps between two looks: a few microseconds of a read, each look a
/// thread-local read and a relaxed load.
pub const STEPS_BETWEEN_LOOKS: i32 = 1_000;

thread_local! {
    static STOP: RefCell<Option<Arc<AtomicBool>>> = const { RefCell::new(None) };
}

/// Runs `f` with this thread's reads stopping once `stop` is set: the read under way fails
/// then (see [`is_stopped`]), at SQLite's next look. The thread's previous flag, if any, is
/// restored after.
pub fn stoppable<T>(stop: &Arc<AtomicBool>, f: impl FnOnce() -> T) -> T {
    super::scoped::with(&STOP, stop.clone(), f)
}

/// Whether this thread's reads were asked to stop.
pub fn requested() -> bool {
    STOP.with(|s| {
        s.borrow()
            .as_ref()
            .is_some_and(|f| f.load(Ordering::Relaxed))
    })
}

/// The standing look of a store connection: every few steps of a read, whether its thread
/// was asked to stop.
pub fn look_on(conn: &Connection) {
    conn.progress_handler(STEPS_BETWEEN_LOOKS, Some(requested));
}

/// Whether `e` is a read this thread was asked to stop, stopped.
pub fn is_stopped(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _)
        if f.code == rusqlite::ErrorCode::OperationInterrupted)
        && requested()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    const COUNT: &str =
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000)
                         SELECT count(*) FROM n";

    fn count(conn: &Connection) -> rusqlite::Result<i64> {
        conn.query_row(COUNT, [], |r| r.get(0))
    }

    #[test]
    fn a_stores_reads_stop_once_their_thread_is_asked_to_and_not_before() {
        let store = Store::open_in_memory().unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        assert_eq!(stoppable(&stop, || count(store.conn())).unwrap(), 1_000_000);
        stop.store(true, Ordering::Relaxed);
        let stopped = stoppable(&stop, || {
            let e = count(store.conn()).expect_err("a read asked to stop went on");
            is_stopped(&e)
        });
        assert!(stopped, "the read failed for another reason");
        // Another thread, and this one once out of `stoppable`, read on.
        std::thread::scope(|scope| {
            let elsewhere = scope.spawn(|| Store::open_in_memory().map(|s| count(s.conn())));
            assert_eq!(elsewhere.join().unwrap().unwrap().unwrap(), 1_000_000);
        });
        assert_eq!(count(store.conn()).unwrap(), 1_000_000);
    }
}
