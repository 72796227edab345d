//! The table's pages at any depth. A page deep in a view is read after the nearest keyset anchor
//! (`query::anchors`) instead of after every row before it, and a page in the view's second half
//! from its end, walking backwards. What that needs — the anchors each way and the view's total —
//! is kept per view for as long as the store is unchanged, so the first deep jump into a view
//! walks to it once and every later one seeks.

use std::sync::{Mutex, PoisonError};

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
const DEEP: u64 = 10_000;

/// What the table's pages of recently shown views have found out, to reuse.
#[derive(Default)]
pub struct Pages {
    /// Most recently used last.
    views: Mutex<Vec<Known>>,
}

struct Known {
    /// The view's rows and order (its shown columns do not change them).
    view: ViewSpec,
    /// The store's state it was found in.
    version: (i64, u64),
    total: Option<u64>,
    from_start: Anchors,
    from_end: Anchors,
}

/// Changes when anything is committed to the store: by another connection (`data_version`) or
/// by this one (a store in memory has only one).
fn store_version(conn: &Connection) -> Result<(i64, u64)> {
    let others: i64 = conn.query_row("PRAGMA data_version", [], |r| r.get(0))?;
    Ok((others, conn.total_changes()))
}

impl Pages {
    /// One page of a view, as `query::run` gives it, from wherever it is quickest to reach.
    /// `count` gives a view's total (from the summary where it can); `counted_quickly`, whether
    /// it does so for this view and for the whole store.
    pub fn page(
        &self,
        store: &Store,
        req: &QueryRequest,
        count: impl Fn(&Connection, &ViewSpec) -> Result<u64>,
        counted_quickly: bool,
    ) -> Result<QueryResponse> {
        let conn = store.conn();
        if req.after.is_some() {
            return with_total(conn, req, || count(conn, &req.view));
        }
        let version = store_version(conn)?;
        let mut views = self.views.lock().unwrap_or_else(PoisonError::into_inner);
        let mut view = req.view.clone();
        view.columns.clear();
        let known = match views.iter().position(|k| k.view == view) {
            Some(i) => {
                let k = views.remove(i);
                if k.version == version {
                    k
                } else {
                    Known::new(view, version)
                }
            }
            None => Known::new(view, version),
        };
        views.push(known);
        if views.len() > KEPT_VIEWS {
            views.remove(0);
        }
        let Some(known) = views.last_mut() else {
            return with_total(conn, req, || count(conn, &req.view));
        };
        let total = |known: &mut Known| -> Result<u64> {
            match known.total {
                Some(t) => Ok(t),
                None => Ok(*known.total.insert(count(conn, &req.view)?)),
            }
        };
        if req.offset < DEEP {
            if counted_quickly && req.view.is_narrowed() {
                // How far the time index is walked to reach the page, from the share of the
                // store the view holds: a short walk is taken without the budget `query::run`
                // gives it, which trips once the walk passes a few thousand rows and then
                // scans and sorts the whole view (~1 s a page of a channel at 10M).
                let (view, all) = (total(known)?, count(conn, &ViewSpec::default())?);
                let reach = req.offset + u64::from(req.limit);
                if reach.saturating_mul(all) / view.max(1) <= SHORT_WALK {
                    let walk = |conn: &Connection, req: &QueryRequest| {
                        query::run_anchored(conn, req, false)
                    };
                    return with_total_by(conn, req, walk, || Ok(view));
                }
            }
            return with_total(conn, req, || total(known));
        }
        let total = total(known)?;
        let mut page = known.deep_page(conn, req, total)?;
        page.total = req.with_total.then_some(total);
        Ok(page)
    }
}

/// A page as `query::run` reads it, with the total `total` gives when the request wants one.
fn with_total(
    conn: &Connection,
    req: &QueryRequest,
    total: impl FnOnce() -> Result<u64>,
) -> Result<QueryResponse> {
    with_total_by(conn, req, query::run, total)
}

/// A page as `read` reads it (asked for no total), with the total `total` gives.
fn with_total_by(
    conn: &Connection,
    req: &QueryRequest,
    read: impl FnOnce(&Connection, &QueryRequest) -> Result<QueryResponse>,
    total: impl FnOnce() -> Result<u64>,
) -> Result<QueryResponse> {
    let mut page = read(
        conn,
        &QueryRequest {
            with_total: false,
            ..req.clone()
        },
    )?;
    page.total = req.with_total.then(total).transpose()?;
    Ok(page)
}

impl Known {
    fn new(view: ViewSpec, version: (i64, u64)) -> Known {
        Known {
            view,
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
