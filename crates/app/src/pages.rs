//! The table's pages at any depth. A page deep in a view is read after the nearest keyset anchor
//! (`query::anchors`) instead of after every row before it, and a page in the view's second half
//! from its end, walking backwards. What that needs — the anchors each way and the view's total —
//! is kept per view for as long as the store is unchanged, so the first deep jump into a view
//! walks to it once and every later one seeks.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use invlog_core::query::anchors::{self, Anchors};
use invlog_core::query::{self, QueryRequest, QueryResponse, ViewSpec};
use invlog_core::store::Store;
use invlog_core::Result;
use rusqlite::Connection;

/// Views whose anchors are kept (the ones used last): a user goes back and forth between a
/// few tabs and filters.
const KEPT_VIEWS: usize = 8;

/// Rows of the time index an early page of a narrowed view may walk without a time budget.
const SHORT_WALK: u64 = 100_000;

/// Pages from here on are deep: read after an anchor. Nearer pages are read as they always
/// were (`query::run`, its time-index walk on a budget), and need no total or anchors.
pub(crate) const DEEP: u64 = 10_000;

/// What the table's pages of recently shown views have found out, to reuse.
#[derive(Default)]
pub struct Pages {
    /// Most recently used last.
    views: Mutex<Vec<Kept>>,
}

/// One view's findings, each locked on its own: a deep page walks to its anchors holding its
/// view's (so a second page of that view waits for the anchors rather than walking again),
/// and another view's page never waits for that walk (a deep page of a view sorted by SKU
/// read ahead at 10M took 1.5-4.4 s, and every view's first page waited for it).
struct Kept {
    /// The view's rows and order (its shown columns do not change them).
    view: ViewSpec,
    known: Arc<Mutex<Known>>,
}

struct Known {
    /// The store's state it was found in.
    version: (i64, u64),
    total: Option<u64>,
    from_start: Anchors,
    from_end: Anchors,
}

/// Changes when anything is committed to the store: by another connection (`data_version`) or
/// by this one (a store in memory has only one).
fn store_version(conn: &Connection) -> Result<(i64, u64)> {
    let others: i64 = conn
        .prepare_cached("PRAGMA data_version")?
        .query_row([], |r| r.get(0))?;
    Ok((others, conn.total_changes()))
}

impl Pages {
    /// One page of a view, as `query::run` gives it, from wherever it is quickest to reach.
    /// The page is read on `on`, held only while it is read: the table's connection, or
    /// another for rows read ahead. What is known of the view is kept by the state of the store
    /// `table` sees, the one connection whose `data_version` every page compares (each
    /// connection counts changes its own way). `counts` knows the view's total (read beside
    /// the page) and, from the summary, where its rows are.
    pub fn page(
        &self,
        table: &Mutex<Store>,
        on: &Mutex<Store>,
        req: &QueryRequest,
        counts: &impl Counts,
    ) -> Result<QueryResponse> {
        let count = |view: &ViewSpec| counts.total(view);
        let counted_quickly = counts.summarised(&req.view);
        let lock = || on.lock().unwrap_or_else(PoisonError::into_inner);
        if req.after.is_some() {
            let total = || count(&req.view);
            let total = match counted_quickly {
                true => Total::AtHand(total),
                false => Total::Counted(total),
            };
            return beside(&lock, req, query::run, total);
        }
        let version = store_version(table.lock().unwrap_or_else(PoisonError::into_inner).conn())?;
        let mut view = req.view.clone();
        view.columns.clear();
        let known_total = self.known(&view, version, |k| k.total);
        let total = || match known_total {
            Some(t) => Ok(t),
            None => count(&req.view),
        };
        let keep = |total: u64| self.known(&view, version, |k| k.total = Some(total));
        if req.offset < DEEP {
            if counted_quickly && req.view.is_narrowed() {
                // How far the time index is walked to reach the page, from the share of the
                // store the view holds: a short walk is taken without the budget `query::run`
                // gives it, which trips once the walk passes a few thousand rows and then
                // scans and sorts the whole view (~1 s a page of a channel at 10M).
                let (in_view, all) = (total()?, count(&ViewSpec::default())?);
                keep(in_view);
                let reach = req.offset + u64::from(req.limit);
                if reach.saturating_mul(all) / in_view.max(1) <= SHORT_WALK {
                    let walk = |conn: &Connection, req: &QueryRequest| {
                        query::run_anchored(conn, req, false)
                    };
                    return beside(&lock, req, walk, Total::AtHand(|| Ok(in_view)));
                }
            }
            if let Some(desc) = req.view.time_order().filter(|_| !counted_quickly) {
                let (at, limit) = (req.offset, req.limit);
                if let Some((rows, total)) = counts.rows_in_time(&req.view, at, limit, desc)? {
                    keep(total);
                    let mut page = query::run_rows(lock().conn(), req, &rows)?;
                    page.total = req.with_total.then_some(total);
                    return Ok(page);
                }
            }
            let total = match counted_quickly || known_total.is_some() {
                true => Total::AtHand(total),
                false => Total::Counted(total),
            };
            let page = beside(&lock, req, query::run, total)?;
            if let Some(t) = page.total {
                keep(t);
            }
            return Ok(page);
        }
        let total = total()?;
        let (start, rows) = (req.offset.min(total), u64::from(req.limit));
        let after_page = total.saturating_sub(start + rows);
        let in_time = req.view.time_order().is_some();
        if in_time && !counted_quickly && start < total && after_page < DEEP {
            // The view's last pages (End) are read from its end as its first are from its
            // start: a short walk of the time index, back. Placing them by the view's times
            // (below) reads every entry's time first (0.7 s at 10M); finding its anchors
            // walks the whole view.
            keep(total);
            let from_end = QueryRequest {
                offset: after_page,
                limit: rows.min(total - start) as u32,
                with_total: false,
                ..req.clone()
            };
            let mut page = query::run_from_end(lock().conn(), &from_end)?;
            page.total = req.with_total.then_some(total);
            return Ok(page);
        }
        if let Some(desc) = req.view.time_order() {
            if let Some((at, skip)) = counts.seek(&req.view, start, desc)? {
                // The summary (or the held columns) count the view's entries in time: the page
                // is read from the edge of the time it starts in, past the view's rows there
                // before it. No anchors.
                keep(total);
                let from = QueryRequest {
                    after: Some(query::keys_at_instant(at)),
                    offset: skip,
                    with_total: false,
                    ..req.clone()
                };
                let mut page = query::run_anchored(lock().conn(), &from, false)?;
                page.total = req.with_total.then_some(total);
                return Ok(page);
            }
        }
        let mut page = self.known(&view, version, |k| {
            k.total = Some(total);
            k.deep_page(lock().conn(), req, total)
        })?;
        page.total = req.with_total.then_some(total);
        Ok(page)
    }

    /// Runs `with` on what is known of `view` in the store's state `version` (found afresh
    /// when the store has changed since), kept as the most recently used.
    fn known<T>(
        &self,
        view: &ViewSpec,
        version: (i64, u64),
        with: impl FnOnce(&mut Known) -> T,
    ) -> T {
        let known = {
            let mut views = self.views.lock().unwrap_or_else(PoisonError::into_inner);
            let kept = match views.iter().position(|k| k.view == *view) {
                Some(i) => views.remove(i),
                None => Kept {
                    view: view.clone(),
                    known: Arc::new(Mutex::new(Known::new(version))),
                },
            };
            let known = kept.known.clone();
            views.push(kept);
            if views.len() > KEPT_VIEWS {
                views.remove(0);
            }
            known
        };
        let mut known = known.lock().unwrap_or_else(PoisonError::into_inner);
        if known.version != version {
            *known = Known::new(version);
        }
        with(&mut known)
    }
}

/// A view's rows placed in time, (time, id) in its order, and its total (`Counts::rows_in_time`).
pub type RowsInTime = (Vec<(i64, i64)>, u64);

/// What the pages need to know of a view besides its rows.
pub trait Counts: Sync {
    /// The view's total: from the summary where it can, else counted on other connections.
    fn total(&self, view: &ViewSpec) -> Result<u64>;
    /// Whether the summary gives the view's total and the whole store's, in a moment.
    fn summarised(&self, view: &ViewSpec) -> bool;
    /// For a view in time order (`desc`: newest first), where the row at `position` is: the
    /// edge of time to read from and the view's rows to skip there (see `Snapshot::seek`,
    /// `Columns::seek`). None past the view's end, or when neither the summary nor held columns
    /// can say.
    fn seek(&self, view: &ViewSpec, position: u64, desc: bool) -> Result<Option<(i64, u64)>>;
    /// For a view in time order no summary counts, whose rows are too few and far between for
    /// a walk of the time index to reach them soon: its rows from `position` on, `limit` at
    /// most, as (time, id), and its total, from columns already held (`Columns::rows_in_time`).
    /// None when a walk reaches them soon or nothing held can say.
    fn rows_in_time(
        &self,
        _view: &ViewSpec,
        _position: u64,
        _limit: u32,
        _desc: bool,
    ) -> Result<Option<RowsInTime>> {
        Ok(None)
    }
}

/// How a page's total is found (`beside`).
enum Total<F> {
    /// Known already, or from the summary in a moment: found after the page, on its thread. A
    /// thread of its own would cost more than the count (starting one was a fifth of a count
    /// of all entries served over HTTP).
    AtHand(F),
    /// Counted on a thread of its own while the page is read.
    Counted(F),
}

/// A page as `read` reads it on the table's connection (asked for no total), and the total
/// `total` gives when the request wants one: the table's connection is held for the page
/// alone, never for a count.
fn beside<'t>(
    table: &(impl Fn() -> MutexGuard<'t, Store> + Sync),
    req: &QueryRequest,
    read: impl FnOnce(&Connection, &QueryRequest) -> Result<QueryResponse>,
    total: Total<impl FnOnce() -> Result<u64> + Send>,
) -> Result<QueryResponse> {
    let without = QueryRequest {
        with_total: false,
        ..req.clone()
    };
    if !req.with_total {
        return read(table().conn(), &without);
    }
    let total = match total {
        Total::AtHand(total) => {
            let mut page = read(table().conn(), &without)?;
            page.total = Some(total()?);
            return Ok(page);
        }
        Total::Counted(total) => total,
    };
    let (page, total) = std::thread::scope(|scope| {
        let counting = scope.spawn(total);
        let page = read(table().conn(), &without);
        let total = counting.join().unwrap_or_else(|_| {
            Err(invlog_core::CoreError::InvalidQuery(
                "counting the view failed".into(),
            ))
        });
        (page, total)
    });
    let mut page = page?;
    page.total = Some(total?);
    Ok(page)
}

impl Known {
    fn new(version: (i64, u64)) -> Known {
        Known {
            version,
            total: None,
            from_start: Anchors::default(),
            from_end: Anchors::default(),
        }
    }

    /// A page at least one anchor's distance into a view of `total` rows.
    fn deep_page(
        &mut self,
        conn: &Connection,
        req: &QueryRequest,
        total: u64,
    ) -> Result<QueryResponse> {
        let start = req.offset.min(total);
        let rows = u64::from(req.limit).min(total - start);
        if rows == 0 {
            // Past the end: no rows, found without walking there.
            let first = QueryRequest {
                limit: 1,
                offset: 0,
                with_total: false,
                ..req.clone()
            };
            let mut none = query::run_anchored(conn, &first, true)?;
            none.ids.clear();
            none.rows.clear();
            return Ok(none);
        }
        // Past the middle, the rows after the page are fewer than those before it: unless the
        // anchors from the start are all found already, walk to it from the end.
        let whole = anchors::walks_whole_view(&req.view) || self.from_start.complete;
        if !whole && start + rows / 2 > total / 2 {
            let after_page = total - start - rows;
            anchors::extend(conn, &req.view, &mut self.from_end, after_page, true)?;
            let (after, skip) = anchors::seek(&self.from_end, after_page);
            let page = QueryRequest {
                after: after.map(<[_]>::to_vec),
                offset: skip,
                limit: rows as u32,
                with_total: false,
                ..req.clone()
            };
            return query::run_anchored(conn, &page, true);
        }
        anchors::extend(conn, &req.view, &mut self.from_start, start, false)?;
        let (after, skip) = anchors::seek(&self.from_start, start);
        let page = QueryRequest {
            after: after.map(<[_]>::to_vec),
            offset: skip,
            with_total: false,
            ..req.clone()
        };
        query::run_anchored(conn, &page, false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use invlog_core::query::Filter;
    use std::sync::mpsc;
    use std::time::Duration;

    /// Totals counted by the test, no summary.
    struct Counting<F>(F);

    impl<F: Fn(&ViewSpec) -> Result<u64> + Sync> Counts for Counting<F> {
        fn total(&self, view: &ViewSpec) -> Result<u64> {
            (self.0)(view)
        }
        fn summarised(&self, _: &ViewSpec) -> bool {
            false
        }
        fn seek(&self, _: &ViewSpec, _: u64, _: bool) -> Result<Option<(i64, u64)>> {
            Ok(None)
        }
    }

    fn request(filter: &str, with_total: bool) -> QueryRequest {
        QueryRequest {
            view: ViewSpec {
                filters: vec![Filter::parse(filter).unwrap()],
                ..ViewSpec::default()
            },
            limit: 20,
            with_total,
            ..QueryRequest::default()
        }
    }

    #[test]
    fn pages_are_read_while_a_view_is_still_being_counted() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        invlog_core::samples::load(&mut Store::open(&path).unwrap()).unwrap();
        let (table, pages) = (Mutex::new(Store::open(&path).unwrap()), Pages::default());
        let (counting, started) = mpsc::channel();
        let (finish, release) = mpsc::channel::<()>();
        let release = Mutex::new(release);
        let mut finish = Some(finish);
        std::thread::scope(|scope| {
            // Dropped if the test fails, which ends the count too.
            let finish = finish.take().unwrap();
            // A view whose count takes as long as the test says (a scan of 10M entries).
            let slow = scope.spawn(|| {
                let count = |_: &ViewSpec| {
                    counting.send(()).unwrap();
                    let _ = release.lock().unwrap().recv();
                    Ok(7)
                };
                pages.page(
                    &table,
                    &table,
                    &request("status = success", true),
                    &Counting(count),
                )
            });
            started.recv().unwrap();
            // Meanwhile another view's first page, and a later page of the same view.
            let (answered, pages_read) = mpsc::channel();
            let (pages, table) = (&pages, &table);
            scope.spawn(move || {
                let none = |_: &ViewSpec| -> Result<u64> { panic!("no total was asked for") };
                for req in [
                    request("status = failed", false),
                    request("status = success", false),
                ] {
                    let page = pages
                        .page(table, table, &req, &Counting(none))
                        .map(|p| p.rows.len());
                    answered.send(page).unwrap();
                }
            });
            for _ in 0..2 {
                let rows = pages_read
                    .recv_timeout(Duration::from_secs(20))
                    .expect("a page waited for another view's count")
                    .unwrap();
                assert!(rows > 0);
            }
            finish.send(()).unwrap();
            let first = slow.join().unwrap().unwrap();
            assert_eq!(first.total, Some(7));
            assert_eq!(first.rows.len(), 20);
        });
    }

    /// Places a view's rows in time as the test says; counts nothing else.
    struct Placed(Vec<(i64, i64)>);

    impl Counts for Placed {
        fn total(&self, view: &ViewSpec) -> Result<u64> {
            panic!("{view:?} was counted, not placed")
        }
        fn summarised(&self, _: &ViewSpec) -> bool {
            false
        }
        fn seek(&self, _: &ViewSpec, _: u64, _: bool) -> Result<Option<(i64, u64)>> {
            Ok(None)
        }
        fn rows_in_time(
            &self,
            _: &ViewSpec,
            position: u64,
            limit: u32,
            _: bool,
        ) -> Result<Option<RowsInTime>> {
            let rows = self.0.iter().skip(position as usize).take(limit as usize);
            Ok(Some((rows.copied().collect(), self.0.len() as u64)))
        }
    }

    /// A page of a view whose rows are placed in time apart is the rows placed, read by id,
    /// with the view's total as placed: no walk, no count.
    #[test]
    fn a_page_of_rows_placed_in_time_is_read_by_id() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        invlog_core::samples::load(&mut Store::open(&path).unwrap()).unwrap();
        let table = Mutex::new(Store::open(&path).unwrap());
        let placed: Vec<(i64, i64)> = table
            .lock()
            .unwrap()
            .conn()
            .prepare("SELECT occurred_at, id FROM entries WHERE id % 3 = 0 ORDER BY id DESC")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert!(placed.len() > 25);
        let req = QueryRequest {
            offset: 5,
            ..request("inventory_sent >= 0", true)
        };
        let page = Pages::default()
            .page(&table, &table, &req, &Placed(placed.clone()))
            .unwrap();
        let want: Vec<i64> = placed[5..25].iter().map(|&(_, id)| id).collect();
        assert_eq!(page.ids, want);
        assert_eq!(page.rows.len(), 20);
        assert_eq!(page.total, Some(placed.len() as u64));
    }

    /// Counted by the test; placing a page by the view's times is a failure.
    struct NotPlaced;

    impl Counts for NotPlaced {
        fn total(&self, view: &ViewSpec) -> Result<u64> {
            Err(invlog_core::CoreError::InvalidQuery(format!(
                "{view:?} was to be counted with its first page"
            )))
        }
        fn summarised(&self, _: &ViewSpec) -> bool {
            false
        }
        fn seek(&self, _: &ViewSpec, _: u64, _: bool) -> Result<Option<(i64, u64)>> {
            panic!("a last page was placed by the view's times");
        }
    }

    #[test]
    fn a_views_last_pages_are_read_from_its_end_without_placing_them_in_time() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let store = crate::test_store::many_entries(&path);
        let view = ViewSpec {
            filters: vec![Filter::parse("inventory_sent >= 100").unwrap()],
            ..ViewSpec::default()
        };
        let total = query::count(store.conn(), &view.filters, None, None).unwrap();
        assert!(total > DEEP + 200, "{total} rows");
        let (table, pages) = (Mutex::new(Store::open(&path).unwrap()), Pages::default());
        // Known as the table knows it: counted with the first page.
        let counted = |_: &ViewSpec| Ok(total);
        let first = QueryRequest {
            view: view.clone(),
            limit: 200,
            with_total: true,
            ..QueryRequest::default()
        };
        pages
            .page(&table, &table, &first, &Counting(counted))
            .unwrap();
        for offset in [total - 200, total - 1, total - 1_000, total - DEEP] {
            let req = QueryRequest {
                offset,
                with_total: offset % 2 == 0,
                ..first.clone()
            };
            let got = pages.page(&table, &table, &req, &NotPlaced).unwrap();
            let want = query::run(
                store.conn(),
                &QueryRequest {
                    with_total: false,
                    ..req.clone()
                },
            )
            .unwrap();
            assert_eq!(got.ids, want.ids, "at {offset} of {total}");
            assert_eq!(got.rows, want.rows, "at {offset} of {total}");
            assert_eq!(got.total, req.with_total.then_some(total));
        }
    }

    /// A deep page walking to its anchors (here: waiting for the connection it reads on, held
    /// by the test) holds up no other view's page.
    #[test]
    fn another_views_page_never_waits_for_a_deep_walk() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let store = crate::test_store::many_entries(&path);
        let deep = QueryRequest {
            offset: DEEP + 1_000,
            limit: 200,
            with_total: false,
            ..request("inventory_sent >= 100", false)
        };
        let total = query::count(store.conn(), &deep.view.filters, None, None).unwrap();
        assert!(
            total > DEEP * 2 + 1_400,
            "{total} rows: the page is read from the start"
        );
        let table = Mutex::new(Store::open(&path).unwrap());
        let ahead = Mutex::new(Store::open(&path).unwrap());
        let pages = Pages::default();
        let held = ahead.lock().unwrap();
        std::thread::scope(|scope| {
            let (counted, walking) = mpsc::channel();
            let (pages, table, ahead, deep) = (&pages, &table, &ahead, &deep);
            let walk = scope.spawn(move || {
                let count = |_: &ViewSpec| {
                    counted.send(()).unwrap();
                    Ok(total)
                };
                pages.page(table, ahead, deep, &Counting(count))
            });
            walking.recv().unwrap();
            std::thread::sleep(Duration::from_millis(100));
            let (answered, other) = mpsc::channel();
            scope.spawn(move || {
                let five = |_: &ViewSpec| Ok(5);
                let page = pages.page(
                    table,
                    table,
                    &request("status = failed", true),
                    &Counting(five),
                );
                answered.send(page.map(|p| p.total)).unwrap();
            });
            let other = other
                .recv_timeout(Duration::from_secs(20))
                .expect("another view's page waited for a deep walk");
            assert_eq!(other.unwrap(), Some(5));
            drop(held);
            let walked = walk.join().unwrap().unwrap();
            assert_eq!(walked.ids, query::run(store.conn(), deep).unwrap().ids);
        });
    }
}
