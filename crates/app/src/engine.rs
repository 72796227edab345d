//! What a shell holds for the life of its process: the store the commands read and write, and
//! the tasks running beside it. Cheap to clone; every clone is the same engine.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use invlog_core::store::Store;
use invlog_core::{startup, Result};

use crate::readers::{Reader, Readers};
use crate::rows_ahead::RowsAhead;
use crate::runner::Tasks;

#[derive(Clone)]
pub struct Engine {
    /// The connections reads go through (counts, facets, details, exports: everything but the
    /// table's pages), one per read at a time, none waiting for another.
    readers: Arc<Readers>,
    /// The connection the table's pages are read on, alone: a page is never queued behind
    /// another read (a detail fetched per key press while the arrows are held, a facet's scan).
    /// The readers' one connection for a store in memory, which has only one.
    table: Arc<Mutex<Store>>,
    /// The connection the rows the table reads ahead of the screen are read on, opened at the
    /// first: a read of 1,600 rows of a view no index serves takes 0.1-1 s at 10M entries,
    /// and on the table's connection the next view's first page waited for it.
    rows_ahead: Arc<RowsAhead>,
    /// The connection writes go through. A write may wait its turn behind another writer (an
    /// import, another process): on a connection of its own that wait never holds up a read.
    /// The readers' one connection for a store in memory.
    writer: Arc<Mutex<Store>>,
    /// The store's file (None in memory), known without waiting for the store.
    path: Option<std::path::PathBuf>,
    tasks: Arc<Tasks>,
    /// What the table's pages found out about the views shown last (where deep pages start).
    pages: Arc<crate::pages::Pages>,
    /// The entry summary as last read: views' totals, facets and timelines are counted from it.
    summaries: Arc<crate::summaries::Summaries>,
    /// Columns of the entries held in memory: views the summary cannot answer are counted
    /// from them.
    held_columns: Arc<crate::held_columns::HeldColumns>,
    /// Whether views are counted from held columns (`hold_columns`).
    holds_columns: Arc<AtomicBool>,
    /// The highest job id this process has handed out: an import job's row is written when
    /// its turn comes (until then another writer may hold the store), so its id is reserved
    /// first.
    last_job_id: Arc<Mutex<i64>>,
    /// How patient pulls are with the sources' servers (tests make it brief).
    http_policy: Arc<Mutex<crate::connectors::http::Policy>>,
}

impl Engine {
    /// Where the store lives unless told otherwise: the OS data dir.
    pub fn default_path() -> std::path::PathBuf {
        Store::default_path()
    }

    /// The schema version of the store at `path`, read without creating or migrating it (None:
    /// no store there yet), and the one this build writes.
    pub fn schema_of(path: &std::path::Path) -> Result<(Option<i64>, i64)> {
        Ok((
            invlog_core::store::schema_of(path)?,
            invlog_core::store::SCHEMA_VERSION,
        ))
    }

    /// Opens the store at `path` (created if need be).
    pub fn open(path: &std::path::Path) -> Result<Engine> {
        Engine::new(Store::open(path)?)
    }

    /// Takes over `store`; tasks a previous run left unfinished are marked interrupted.
    pub fn new(mut store: Store) -> Result<Engine> {
        startup::tidy(&mut store)?;
        let path = store.path().map(std::path::Path::to_path_buf);
        let (readers, table, rows_ahead, writer) = match &path {
            Some(p) => (
                Readers::file(p.clone(), store),
                Arc::new(Mutex::new(store_for_pages(p)?)),
                RowsAhead::of_file(p.clone(), store_for_pages),
                Arc::new(Mutex::new(store_for_rows_here_and_there(p)?)),
            ),
            None => {
                let only = Arc::new(Mutex::new(store));
                let ahead = RowsAhead::shared(only.clone());
                (Readers::Memory(only.clone()), only.clone(), ahead, only)
            }
        };
        Ok(Engine {
            path,
            readers: Arc::new(readers),
            table,
            rows_ahead: Arc::new(rows_ahead),
            writer,
            tasks: Arc::default(),
            pages: Arc::default(),
            summaries: Arc::default(),
            held_columns: Arc::default(),
            holds_columns: Arc::default(),
            last_job_id: Arc::default(),
            http_policy: Arc::default(),
        })
    }

    /// A connection to read the store on, for as long as it is held; no other read waits
    /// for it.
    pub fn store(&self) -> Result<Reader<'_>> {
        self.readers.one()
    }

    /// Connections for a read split across cores (`query::shards`).
    pub(crate) fn readers(&self) -> Result<Vec<Reader<'_>>> {
        self.readers.some(crate::readers::cores())
    }

    /// The read connections themselves, for what shares them out (`held_columns`).
    pub(crate) fn read_pool(&self) -> &Readers {
        &self.readers
    }

    /// Reads the entry summary into memory on a connection and thread of its own, so the
    /// first view's total, facets and timeline need not (a shell that shows views calls it
    /// once, at its start).
    pub fn warm_up(&self) {
        if self.path.is_none() {
            return;
        }
        let (readers, summaries) = (self.readers.clone(), self.summaries.clone());
        std::thread::spawn(move || {
            // A failure here is met again, and reported, by the first command that counts.
            if let Ok(store) = readers.one() {
                let _ = summaries.read(store.conn(), |_, _| Ok(()));
            }
        });
    }

    /// The entry summary, read once per change of the store.
    pub(crate) fn summaries(&self) -> &crate::summaries::Summaries {
        &self.summaries
    }

    /// From now on, views the summary cannot answer are counted from columns of the entries
    /// held in memory: each read from the entries the first time a view needs it (a little
    /// slower than counting that view by reading them), then answering every view on the same
    /// columns in milliseconds until the store changes. For a shell that shows views, whose
    /// filters change again and again; a one-shot command reads the entries once instead.
    pub fn hold_columns(&self) {
        self.holds_columns.store(true, Ordering::Relaxed);
    }

    /// Columns of the entries held in memory, read once per change of the store; None unless
    /// `hold_columns` was called.
    pub(crate) fn held_columns(&self) -> Option<&crate::held_columns::HeldColumns> {
        self.holds_columns
            .load(Ordering::Relaxed)
            .then_some(&*self.held_columns)
    }

    /// The table's pages' own connection. A panic in an earlier command cannot leave a
    /// connection half-written (each write is one transaction), so a poisoned lock is simply
    /// taken over.
    pub(crate) fn table(&self) -> &Mutex<Store> {
        &self.table
    }

    /// The rows read ahead of the screen (see `rows_ahead`): their connection, the table's for
    /// a store in memory, which has only one.
    pub(crate) fn rows_ahead(&self) -> &RowsAhead {
        &self.rows_ahead
    }

    /// The store, for one write at a time (it may wait for another writer to finish).
    pub fn writer(&self) -> MutexGuard<'_, Store> {
        self.writer.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The writer connection if no other write has it right now (housekeeping that can wait
    /// for the next chance).
    pub fn try_writer(&self) -> Option<MutexGuard<'_, Store>> {
        match self.writer.try_lock() {
            Ok(g) => Some(g),
            Err(std::sync::TryLockError::Poisoned(p)) => Some(p.into_inner()),
            Err(std::sync::TryLockError::WouldBlock) => None,
        }
    }

    /// For a shell about to end: the store's write-ahead log is folded into its file
    /// ([`Store::fold_log`]), as closing its last connection would, so the next run starts
    /// without reading it. A write under way keeps the writer: the log is then left as is.
    /// Returns whether the log was folded.
    pub fn close(&self) -> Result<bool> {
        match self.try_writer() {
            Some(writer) => writer.fold_log(),
            None => Ok(false),
        }
    }

    /// The store's file; None in memory.
    pub fn path(&self) -> Option<&std::path::Path> {
        self.path.as_deref()
    }

    /// Whether a page of the table is being read right now (a read in the background then
    /// pauses now and then).
    pub(crate) fn busy_signal(
        &self,
    ) -> impl Fn() -> bool + Clone + Send + std::panic::RefUnwindSafe + 'static {
        let table = self.table.clone();
        move || table.try_lock().is_err()
    }

    /// Where the table's pages start, per view.
    pub(crate) fn pages(&self) -> &crate::pages::Pages {
        &self.pages
    }

    /// The runner of this engine's long work; listen to it for task events.
    pub fn tasks(&self) -> &Arc<Tasks> {
        &self.tasks
    }

    /// How patient pulls are with the sources' servers.
    pub fn http_policy(&self) -> crate::connectors::http::Policy {
        *self
            .http_policy
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    pub fn set_http_policy(&self, policy: crate::connectors::http::Policy) {
        *self
            .http_policy
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = policy;
    }

    /// An id no import job of the store has yet, for a job whose row is written later.
    pub(crate) fn reserve_job_id(&self) -> Result<i64> {
        let stored = invlog_core::jobs::last_id(&*self.store()?)?;
        let mut last = self
            .last_job_id
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        *last = (*last).max(stored) + 1;
        Ok(*last)
    }
}

/// The table's pages' connection and the writer's: their reads are rows here and there (a page
/// of them, the entries a resolve marks), so they read without the memory map (see
/// `Store::read_without_map`; at 10M entries, a cold start's first page took 381-528 ms through
/// the map and 149-213 ms without, and resolving 20 entries 0.20-0.35 s and 0.05-0.06 s:
/// BENCHMARKS.md, issue #17's eleventh part).
fn store_for_rows_here_and_there(path: &std::path::Path) -> Result<Store> {
    let mut store = Store::open(path)?;
    store.read_without_map()?;
    Ok(store)
}

/// The page cache of the connections the table's pages and the rows read ahead of them are
/// read on, as SQLite's negative KiB count (the others have 64 MiB). Their reads go from view
/// to view and read each row once, so a big cache holds little that is read again, and what
/// it held stayed the process's memory: with 64 MiB for the table's pages, a 10M-entry server
/// was left at 331-333 MB after flips between views and their rows ahead, against 215-221 MB
/// with this, the pages and rows ahead as fast or faster (`bench/rows_ahead.mjs`), a view
/// tab's rows painted p50 / p95 in 38.9-46.0 / 63.5-73.3 ms against 39.4-44.4 / 61.1-66.1
/// (`bench/ui.mjs`, two runs each); only the same rows asked twice in a row read again from
/// the OS's cache (+15-25 ms for 1,600 rows: `bench/quantity_pages.mjs`).
pub(crate) const PAGES_CACHE_KIB: i64 = -8_192;

/// The connection of the table's pages or of the rows read ahead of them: rows here and
/// there, in a small page cache.
fn store_for_pages(path: &std::path::Path) -> Result<Store> {
    let store = store_for_rows_here_and_there(path)?;
    store
        .conn()
        .pragma_update(None, "cache_size", PAGES_CACHE_KIB)?;
    Ok(store)
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;
    use std::time::Duration;

    use invlog_core::query::{self, Filter, QueryRequest, ViewSpec};

    use super::*;
    use crate::api::{Request, Response, RowsAheadRequest};

    fn map(store: &Store) -> i64 {
        store
            .conn()
            .query_row("PRAGMA mmap_size", [], |r| r.get(0))
            .unwrap()
    }

    /// The table's pages and the writer read rows here and there without the memory map; the
    /// read connections, whose scans run faster through it, keep it. The table's pages and the
    /// rows ahead keep a small page cache.
    #[test]
    fn the_tables_pages_and_the_writer_read_without_the_memory_map() {
        let dir = tempfile::tempdir().unwrap();
        let engine = Engine::open(&dir.path().join("s.db")).unwrap();
        assert_eq!(map(&engine.table.lock().unwrap()), 0);
        let ahead = engine.rows_ahead().connection().unwrap();
        assert_eq!(map(&ahead.lock().unwrap()), 0);
        let cache = |store: &Store| -> i64 {
            store
                .conn()
                .query_row("PRAGMA cache_size", [], |r| r.get(0))
                .unwrap()
        };
        assert_eq!(cache(&ahead.lock().unwrap()), PAGES_CACHE_KIB);
        assert_eq!(cache(&engine.table.lock().unwrap()), PAGES_CACHE_KIB);
        assert_eq!(
            cache(&engine.writer.lock().unwrap()),
            invlog_core::store::CACHE_KIB,
            "the writer's imports keep their cache"
        );
        assert_eq!(map(&engine.writer.lock().unwrap()), 0);
        assert_eq!(
            map(&engine.store().unwrap()),
            invlog_core::store::MMAP_BYTES
        );
    }

    /// A page of the entries with an `inventory_sent` of 100 or more (a filter the summary
    /// does not count, so deep pages are read after anchors), on the table's connection or as
    /// rows read ahead.
    fn page_of(offset: u64) -> QueryRequest {
        QueryRequest {
            view: ViewSpec {
                filters: vec![Filter::parse("inventory_sent >= 100").unwrap()],
                ..ViewSpec::default()
            },
            offset,
            limit: 200,
            with_total: false,
            ..QueryRequest::default()
        }
    }

    fn ids(engine: &Engine, ahead: bool, offset: u64) -> Vec<i64> {
        let req = page_of(offset);
        let asked = match ahead {
            true => Request::RowsAhead(RowsAheadRequest {
                page: req,
                ticket: None,
            }),
            false => Request::Query(req),
        };
        page_ids(engine.dispatch(asked)).unwrap()
    }

    fn page_ids(answer: Result<Response, crate::AppError>) -> Result<Vec<i64>, crate::AppError> {
        match answer? {
            Response::Query(p) | Response::RowsAhead(p) => Ok(p.ids),
            other => panic!("not a page: {other:?}"),
        }
    }

    /// 1,600 rows read ahead at `offset`, for the showing of a view `ticket` names.
    fn ahead_for(engine: &Engine, ticket: &str, offset: u64) -> Result<Vec<i64>, crate::AppError> {
        let page = QueryRequest {
            limit: 1_600,
            ..page_of(offset)
        };
        let ticket = Some(ticket.to_owned());
        page_ids(engine.dispatch(Request::RowsAhead(RowsAheadRequest { page, ticket })))
    }

    /// Rows ahead of a view the table has left stop being read, whether under way or still
    /// queued; the next view's are read as ever.
    #[test]
    fn rows_ahead_taken_back_stop_and_let_the_next_views_through() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        drop(crate::test_store::many_entries(&path));
        let engine = Engine::open(&path).unwrap();
        let expected = ahead_for(&engine, "earlier", 5_000).unwrap();
        assert_eq!(expected.len(), 1_600);
        // The view left's read waits for the connection the test holds, as if it were slow.
        let held = engine.rows_ahead().connection().unwrap().lock().unwrap();
        let engine = &engine;
        std::thread::scope(|scope| {
            let (left_tx, left) = mpsc::channel();
            let (next_tx, next) = mpsc::channel();
            let left_tx2 = left_tx.clone();
            scope.spawn(move || left_tx.send(ahead_for(engine, "left", 5_000)).unwrap());
            std::thread::sleep(Duration::from_millis(100));
            scope.spawn(move || left_tx2.send(ahead_for(engine, "left", 6_600)).unwrap());
            scope.spawn(move || next_tx.send(ahead_for(engine, "next", 5_000)).unwrap());
            std::thread::sleep(Duration::from_millis(100));
            engine
                .dispatch(Request::TakeBackRowsAhead {
                    ticket: "left".into(),
                })
                .unwrap();
            drop(held);
            for _ in 0..2 {
                let taken_back = left.recv_timeout(Duration::from_secs(20)).unwrap();
                let error = taken_back.expect_err("rows ahead of a view left were read");
                assert_eq!(error.kind, crate::ErrorKind::Conflict, "{error}");
            }
            let next = next.recv_timeout(Duration::from_secs(20)).unwrap();
            assert_eq!(next.unwrap(), expected, "the next view's rows ahead");
        });
        assert_eq!(ahead_for(engine, "later", 5_000).unwrap(), expected);
    }

    #[test]
    fn rows_read_ahead_never_hold_up_the_rows_on_screen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        drop(crate::test_store::many_entries(&path));
        let engine = Engine::open(&path).unwrap();
        // Rows read ahead, as long as the test holds their connection (a slow view at 10M).
        let reading_ahead = engine.rows_ahead().connection().unwrap().lock().unwrap();
        let engine = &engine;
        std::thread::scope(|scope| {
            let (shown, on_screen) = mpsc::channel();
            scope.spawn(move || shown.send(ids(engine, false, 0)).unwrap());
            let on_screen = on_screen
                .recv_timeout(Duration::from_secs(20))
                .expect("the rows on screen waited for rows read ahead");
            assert_eq!(on_screen.len(), 200);
            let (read, ahead) = mpsc::channel();
            scope.spawn(move || read.send(ids(engine, true, 0)).unwrap());
            assert!(
                ahead.recv_timeout(Duration::from_millis(200)).is_err(),
                "rows read ahead went past their connection's reader"
            );
            drop(reading_ahead);
            let ahead = ahead.recv_timeout(Duration::from_secs(20)).unwrap();
            assert_eq!(ahead, on_screen);
        });
    }

    /// What the pages know of a view (its anchors) is kept by the state of the store, which
    /// each connection numbers its own way: rows read ahead on a connection opened after a
    /// change must not take anchors found before it as current.
    #[test]
    fn deep_rows_read_ahead_after_a_change_are_the_stores_rows_now() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.db");
        let store = crate::test_store::many_entries(&path);
        let engine = Engine::open(&path).unwrap();
        let deep = crate::pages::DEEP + 1_000;
        let now = |offset| query::run(store.conn(), &page_of(offset)).unwrap().ids;
        assert_eq!(ids(&engine, false, deep), now(deep));
        // The view's 50 newest entries leave it.
        store
            .conn()
            .execute(
                "UPDATE entries SET inventory_sent = 0 WHERE id IN (
                     SELECT id FROM entries WHERE inventory_sent >= 100
                     ORDER BY occurred_at DESC, id DESC LIMIT 50)",
                [],
            )
            .unwrap();
        let after = now(deep);
        assert_ne!(after, now(0), "a deep page, not the first");
        assert_eq!(ids(&engine, true, deep), after, "read ahead");
        assert_eq!(
            ids(&engine, false, deep),
            after,
            "on the table's connection"
        );
    }
}
