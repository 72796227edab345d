//! Writers take turns; readers never wait for them.
//!
//! One SQLite file has one writer at a time, shared by every process that opens it: the app,
//! `invlog serve`, CLI imports, scheduled exports. In WAL mode readers go on beside that
//! writer, so only writers ever wait, and they wait as long as the writer before them takes:
//! a "database is locked" after a time-out would lose a user's write, or the record of a
//! request a re-run has already sent.
//!
//! Every transaction begins IMMEDIATE (the store sets it): it asks for the write lock before
//! it reads. A deferred transaction reads first and upgrades later, and SQLite refuses that
//! upgrade at once, without calling the busy handler, when another writer got in between.
//!
//! A thread that may wait can say so, or give up waiting, for the span of one write with
//! [`while_waiting`]: a CLI import prints that it waits for another import, a queued job shows
//! it and can still be cancelled.

use std::cell::RefCell;
use std::time::Duration;

struct Hook {
    /// Called once, when the write first finds the store busy.
    on_wait: Box<dyn Fn()>,
    /// Whether to stop waiting (the write then fails as busy).
    give_up: Box<dyn Fn() -> bool>,
}

thread_local! {
    static HOOK: RefCell<Option<Hook>> = const { RefCell::new(None) };
}

/// The busy handler of every store connection: wait for the other writer, however long it
/// takes, unless this thread's hook says to give up.
pub(super) fn wait_turn(attempt: i32) -> bool {
    let keep_waiting = HOOK.with(|h| match &*h.borrow() {
        Some(hook) => {
            if (hook.give_up)() {
                return false;
            }
            if attempt == 0 {
                (hook.on_wait)();
            }
            true
        }
        None => true,
    });
    if keep_waiting {
        // Short sleeps first (most writes are short), then a steady poll that costs nothing.
        std::thread::sleep(Duration::from_millis((1 + attempt as u64).min(25)));
    }
    keep_waiting
}

/// Runs `f` with this thread's writes announcing a wait through `on_wait` (once per write
/// that finds the store busy) and giving up when `give_up` says so. The previous hook, if any,
/// is restored after.
pub fn while_waiting<T>(
    on_wait: impl Fn() + 'static,
    give_up: impl Fn() -> bool + 'static,
    f: impl FnOnce() -> T,
) -> T {
    let hook = Hook {
        on_wait: Box::new(on_wait),
        give_up: Box::new(give_up),
    };
    super::scoped::with(&HOOK, hook, f)
}

/// Whether `e` is SQLite saying another connection holds the lock (after a hook gave up).
pub fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}
