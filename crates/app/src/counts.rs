//! What a view holds, counted: its total, its facets and its timeline. From the entry summary
//! where the view's filters allow (`summaries`), else read from the entries on the read
//! connections, a share per core (`query::shards`). Never on the table's connection.

use invlog_core::query::columnar::{Columns, Key, Needs};
use invlog_core::store::Store;
use invlog_core::{query, summary, views, Result};
use rusqlite::Connection;

use crate::engine::Engine;
use crate::held_columns::HeldColumns;
use crate::readers::Reader;

/// What the table's pages ask of a view's counts (`pages::Counts`).
pub struct ViewCounts<'e>(pub &'e Engine);

impl crate::pages::Counts for ViewCounts<'_> {
    fn total(&self, view: &query::ViewSpec) -> Result<u64> {
        let n = total(self.0, view)?;
        read_ahead(self.0, view, n);
        Ok(n)
    }

    fn summarised(&self, view: &query::ViewSpec) -> bool {
        summary::answers(&view.filters, view.search.as_deref(), view.kit.as_ref())
    }

    fn seek(
        &self,
        view: &query::ViewSpec,
        position: u64,
        desc: bool,
    ) -> Result<Option<(i64, u64)>> {
        if self.summarised(view) {
            let reader = self.0.store()?;
            return self.0.summaries().read(reader.conn(), |s, tx| {
                s.seek(tx, &view.filters, position, desc)
            });
        }
        let (search, kit) = (view.search.as_deref(), view.kit.as_ref());
        let Some(needs) = Needs::of(&view.filters, search, kit, &[], false) else {
            return Ok(None);
        };
        let answer =
            |c: &Columns, conn: &Connection| c.seek(conn, &view.filters, search, position, desc);
        Ok(held(self.0, &needs.with_times(), answer)?.flatten())
    }

    fn rows_in_time(
        &self,
        view: &query::ViewSpec,
        position: u64,
        limit: u32,
        desc: bool,
    ) -> Result<Option<crate::pages::RowsInTime>> {
        let (search, kit) = (view.search.as_deref(), view.kit.as_ref());
        if !view.is_narrowed() || self.summarised(view) {
            return Ok(None);
        }
        let Some(needs) = Needs::of(&view.filters, search, kit, &[], false) else {
            return Ok(None);
        };
        // Keywords and product filters find their entries through the products' index:
        // SQLite reads a few of them in a moment, where placing them in time would read a
        // column of every entry.
        if needs.through_products() {
            return Ok(None);
        }
        let reach = position + u64::from(limit);
        let answer = |c: &Columns, conn: &Connection| {
            let n = c.count(conn, &view.filters, search)?;
            if reach.saturating_mul(c.entries()) / n.max(1) <= WALKED_SOON {
                return Ok(None);
            }
            let rows =
                c.rows_in_time(conn, &view.filters, search, position, limit as usize, desc)?;
            Ok(Some((rows, n)))
        };
        // Never read for a page: columns not yet held leave it to the walk.
        Ok(held_already(self.0, &needs.with_times(), answer)?.flatten())
    }
}

/// Rows of the time index a walk to a page passes, about, before a page of a view the held
/// columns place in time is read by id instead. A walk this long takes a few ms; placing a
/// view's rows in time reads its held columns whole, and the first time while the store stands
/// also sorts every entry into stretches of time (~0.25 s at 10M, kept for the next views).
const WALKED_SOON: u64 = 20_000;

/// How many entries a view holds.
pub fn total(engine: &Engine, view: &query::ViewSpec) -> Result<u64> {
    let (search, kit) = (view.search.as_deref(), view.kit.as_ref());
    if summary::answers(&view.filters, search, kit) {
        let reader = engine.store()?;
        return engine
            .summaries()
            .read(reader.conn(), |s, tx| s.count(tx, &view.filters));
    }
    if let Some(needs) = Needs::of(&view.filters, search, kit, &[], false) {
        let answer = |c: &Columns, conn: &Connection| c.count(conn, &view.filters, search);
        // Counted through the products' index by SQLite (~0.1 s for a million entries at
        // 10M) sooner than the product of every entry is first read (~1 s): read ahead after.
        // With a condition on the entry's row as well, SQLite would read each entry's row.
        let counted = match needs.counted_by_products_index() {
            true => held_already(engine, &needs, answer)?,
            false => held(engine, &needs, answer)?,
        };
        if let Some(n) = counted {
            return Ok(n);
        }
    }
    let _pausing = pausing_reads_ahead(engine);
    let mut readers = engine.readers()?;
    query::count_on(&mut stores(&mut readers), view, engine.busy_signal())
}

/// For a view counted from held columns, of `n` entries, what its next questions need, read
/// on a thread of their own once it is counted:
/// - a deep view in time, the entries' times, and its rows placed in them: its deep pages are
///   found so (`ViewCounts::seek`), and the first jump into it would otherwise wait for that
///   (0.6-0.8 s at 10M);
/// - keywords (or a filter on a product's column), whose count SQLite gave, the entries'
///   products, with the times and statuses its timeline asks for next (a second or more by
///   SQLite for a tenth of 10M entries), when many entries are reached (`worth_holding`).
///
/// A page of the table pauses the read; any question on held columns that needs more than it
/// reads stops it (`HeldColumns::read_ahead`): unstopped, it held the next view's first count
/// up by 0.9 s and, on two cores, slowed a facet from 13 to 20-27 ms.
fn read_ahead(engine: &Engine, view: &query::ViewSpec, n: u64) {
    let (search, kit) = (view.search.as_deref(), view.kit.as_ref());
    // In memory the one connection is the table's too.
    let holds = engine.held_columns().is_some() && engine.path().is_some();
    if !holds || summary::answers(&view.filters, search, kit) {
        return;
    }
    let Some(needs) = Needs::of(&view.filters, search, kit, &[], false) else {
        return;
    };
    let deep = n > crate::pages::DEEP && view.time_order().is_some();
    let needs = match needs.through_products() {
        true => needs.with_times().with_statuses(),
        false if deep => needs.with_times(),
        false => return,
    };
    let (engine, view) = (engine.clone(), view.clone());
    std::thread::spawn(move || {
        // A seek to the view's first row: what places its rows in time is found and kept.
        let place = |c: &Columns, conn: &Connection| match deep {
            true => c.seek(conn, &view.filters, view.search.as_deref(), 0, true),
            false => Ok(None),
        };
        if let Some(held) = engine.held_columns() {
            // A failure here is met again, and reported, by the question that needs them.
            let (readers, busy) = (engine.read_pool(), engine.busy_signal());
            let _ = held.read_ahead(readers, busy, &needs, place);
        }
    });
}

/// After a page of the table, on a store of many entries (`held_columns::WARM_FROM`), the
/// entries' products, times and statuses are read ahead on a thread of their own (once, and
/// again after entries were rewritten or removed: `HeldColumns::warm_due`), with
/// the columns the saved views filter on: the first keywords' timeline then need not wait for
/// them (0.7-1.8 s at 10M), nor a quantity view's deep pages for its times (0.65-0.9 s), nor
/// a saved quantity view's count for its column (0.5-0.7 s). The first page is shown before: the read
/// would share the disk and the cores with it. Any question stops the read, a page pauses it.
pub fn warm(engine: &Engine) {
    let Some(held) = engine.held_columns() else {
        return;
    };
    // In memory the one connection is the table's too.
    if engine.path().is_none() {
        return;
    }
    let key = engine.read_pool().one().and_then(|r| Key::read(r.conn()));
    if !key.is_ok_and(|key| held.warm_due(key)) {
        return;
    }
    let engine = engine.clone();
    std::thread::spawn(move || {
        if let Some(held) = engine.held_columns() {
            // A failure here is met again, and reported, by the question that needs them.
            let views = engine.read_pool().one().and_then(|r| views::list(&r));
            let needs = HeldColumns::warm_needs(&views.unwrap_or_default());
            let _ = held.warm(engine.read_pool(), engine.busy_signal(), &needs);
        }
    });
}

/// A view's facets.
pub fn facets(engine: &Engine, req: &query::FacetsRequest) -> Result<Vec<query::Facet>> {
    let (filters, search, kit) = (&req.filters, req.search.as_deref(), req.kit.as_ref());
    let columns = query::facet_columns(&req.columns, kit)?;
    let by_sql = |columns: &[&'static invlog_core::columns::Column]| {
        if let Some(needs) = Needs::of(filters, search, kit, columns, false) {
            let answer = |c: &Columns, conn: &Connection| c.facets(conn, filters, search, columns);
            if let Some(f) = held(engine, &needs, answer)? {
                return Ok(f);
            }
        }
        let _pausing = pausing_reads_ahead(engine);
        let mut readers = engine.readers()?;
        let busy = engine.busy_signal();
        query::facets_on(
            &mut stores(&mut readers),
            filters,
            search,
            kit,
            columns,
            busy,
        )
    };
    if !summary::answers(filters, search, kit) {
        return by_sql(&columns);
    }
    // The summary's facets first, its reader then put back: the others are read on readers
    // of their own (a store in memory has only the one).
    let summarised: Vec<Option<query::Facet>> = {
        let reader = engine.store()?;
        engine.summaries().read(reader.conn(), |s, tx| {
            columns
                .iter()
                .map(|c| {
                    summary::has_facet(c)
                        .then(|| s.facet(tx, filters, c))
                        .transpose()
                })
                .collect()
        })?
    };
    let rest: Vec<_> = columns
        .iter()
        .zip(&summarised)
        .filter(|(_, done)| done.is_none())
        .map(|(c, _)| *c)
        .collect();
    let mut read = match rest.is_empty() {
        true => Vec::new(),
        false => by_sql(&rest)?,
    }
    .into_iter();
    summarised
        .into_iter()
        .map(|done| done.map_or_else(|| read.next().ok_or(invlog_core::CoreError::Stopped), Ok))
        .collect()
}

/// A view's timeline: from the summary when its buckets are whole slots, else read from the
/// entries (of the time the summary says the view spans).
pub fn timeline(
    engine: &Engine,
    req: query::timeline::TimelineRequest,
) -> Result<query::timeline::Timeline> {
    let v = &req.view;
    let scan = match summary::answers(&v.filters, v.search.as_deref(), v.kit.as_ref()) {
        false => req,
        true => {
            let reader = engine.store()?;
            match engine
                .summaries()
                .read(reader.conn(), |s, tx| s.timeline(tx, &req))?
            {
                summary::TimelinePlan::Done(t) => return Ok(t),
                summary::TimelinePlan::Scan(narrowed) => narrowed,
            }
        }
    };
    let v = &scan.view;
    if let Some(needs) = Needs::of(&v.filters, v.search.as_deref(), v.kit.as_ref(), &[], true) {
        let answer = |c: &Columns, conn: &Connection| c.timeline(conn, &scan);
        if let Some(t) = held(engine, &needs, answer)? {
            return Ok(t);
        }
    }
    let _pausing = pausing_reads_ahead(engine);
    let mut readers = engine.readers()?;
    query::timeline::get_on(&mut stores(&mut readers), &scan, engine.busy_signal())
}

/// While a question is answered by SQL over the entries, a read ahead of held columns pauses
/// for it, as for a page of the table: a keywords' count took 192 ms beside the read of every
/// entry's product, times and statuses (`warm`), against 126 ms alone, at 10M.
fn pausing_reads_ahead(engine: &Engine) -> Option<crate::held_columns::Asking> {
    engine.held_columns().map(|held| held.pausing())
}

/// An answer from the columns held in memory, when the engine holds them already; nothing is
/// read.
fn held_already<T>(
    engine: &Engine,
    needs: &Needs,
    answer: impl FnOnce(&Columns, &Connection) -> Result<T>,
) -> Result<Option<T>> {
    match engine.held_columns() {
        Some(held) => held.answer_if_held(engine.read_pool(), needs, answer),
        None => Ok(None),
    }
}

/// An answer from the columns held in memory (read first if need be), when the engine holds
/// them and they can answer.
fn held<T>(
    engine: &Engine,
    needs: &Needs,
    answer: impl FnOnce(&Columns, &Connection) -> Result<T>,
) -> Result<Option<T>> {
    match engine.held_columns() {
        Some(held) => held.answer(engine.read_pool(), engine.busy_signal(), needs, answer),
        None => Ok(None),
    }
}

fn stores<'a>(readers: &'a mut [Reader<'_>]) -> Vec<&'a mut Store> {
    readers.iter_mut().map(|r| &mut **r).collect()
}

#[cfg(test)]
mod tests {
    use crate::{Engine, Request, Response};
    use invlog_core::query::columnar::Needs;
    use std::time::{Duration, Instant};

    fn ask(engine: &Engine, req: serde_json::Value) -> Response {
        engine
            .dispatch(serde_json::from_value::<Request>(req).unwrap())
            .unwrap()
    }

    /// Waits, a minute at most, for a read ahead to hold what `held` says it holds.
    fn wait_for(held: impl Fn() -> bool, what: &str) {
        let start = Instant::now();
        while !held() {
            assert!(start.elapsed() < Duration::from_secs(60), "{what}");
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// An engine holding columns, on a store of the sample entries and `shirts` shirts.
    fn engine_on_shirts(shirts: u32) -> (tempfile::TempDir, Engine) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        drop(crate::test_store::shirts(&path, shirts));
        let engine = Engine::open(&path).unwrap();
        engine.hold_columns();
        (dir, engine)
    }

    fn engine_on_many_entries() -> (tempfile::TempDir, Engine) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        drop(crate::test_store::many_entries(&path));
        let engine = Engine::open(&path).unwrap();
        engine.hold_columns();
        (dir, engine)
    }

    fn total_of(engine: &Engine, search: &str) -> u64 {
        let req = serde_json::json!({"command": "query", "args": {
            "search": search, "limit": 100, "with_total": true}});
        match ask(engine, req) {
            Response::Query(page) => page.total.unwrap(),
            other => panic!("{other:?}"),
        }
    }

    /// Keywords reaching many entries are counted by SQLite, then their products, times and
    /// statuses are read ahead, and their timeline and facets answered from held columns;
    /// keywords reaching few never have columns read.
    #[test]
    fn keywords_reaching_many_entries_have_their_columns_read_ahead() {
        let (_dir, engine) = engine_on_shirts(70_000);
        let held = engine.held_columns().unwrap();
        let holds = |search: &str, facets: &[&'static invlog_core::columns::Column]| {
            let needs = Needs::of(&[], Some(search), None, facets, true).unwrap();
            held.holds(&needs)
        };

        assert_eq!(total_of(&engine, "mug"), 5);
        std::thread::sleep(Duration::from_millis(300));
        assert!(!holds("mug", &[]), "columns were read for five entries");

        assert_eq!(total_of(&engine, "shirt"), 70_000);
        wait_for(
            || holds("shirt", &[]),
            "the keywords' columns were not read after their count",
        );
        let timeline = serde_json::json!({"command": "timeline", "args": {
            "search": "shirt", "buckets": 10, "utc_offset_minutes": 0}});
        match ask(&engine, timeline) {
            Response::Timeline(t) => assert_eq!(t.total, 70_000),
            other => panic!("{other:?}"),
        }
        let channel = invlog_core::columns::find("channel").unwrap();
        let facets = serde_json::json!({"command": "facets", "args": {
            "search": "shirt", "columns": ["channel"]}});
        match ask(&engine, facets) {
            Response::Facets(f) => assert_eq!(
                serde_json::to_value(&f[0].values).unwrap(),
                serde_json::json!([
                    {"value": "Amazon", "count": 46_667},
                    {"value": "Flipkart", "count": 23_333}
                ])
            ),
            other => panic!("{other:?}"),
        }
        assert!(
            holds("shirt", &[channel]),
            "the facet was not read into held columns"
        );
    }

    /// A page of the table on a store of many entries has their products, times and statuses
    /// read ahead, and keywords' timeline and count are then answered from them; on a store
    /// of fewer, nothing is read.
    #[test]
    fn a_page_of_a_big_store_has_what_most_views_need_read_ahead() {
        let (_dir, engine) = engine_on_shirts(70_000);
        let held = engine.held_columns().unwrap();
        let warm = crate::held_columns::HeldColumns::warm_needs(&[]);
        let page = || {
            let req = serde_json::json!({"command": "query", "args": {"limit": 100}});
            match ask(&engine, req) {
                Response::Query(page) => assert_eq!(page.rows.len(), 100),
                other => panic!("{other:?}"),
            }
        };

        held.warm_from(1_000_000);
        page();
        std::thread::sleep(Duration::from_millis(300));
        assert!(
            !held.holds(&warm),
            "read ahead for a store of 70,000 entries"
        );

        held.warm_from(50_000);
        page();
        wait_for(
            || held.holds(&warm),
            "the products, times and statuses were not read after a page",
        );
        let shirts = Needs::of(&[], Some("shirt"), None, &[], true).unwrap();
        assert!(held.holds(&shirts), "keywords' timeline needs more");
        assert_eq!(total_of(&engine, "shirt"), 70_000);
        let timeline = serde_json::json!({"command": "timeline", "args": {
            "search": "shirt", "buckets": 10, "utc_offset_minutes": 0}});
        match ask(&engine, timeline) {
            Response::Timeline(t) => assert_eq!(t.total, 70_000),
            other => panic!("{other:?}"),
        }
    }

    /// A saved view filtered on a quantity has its column read ahead with the rest after a
    /// page, and is then counted from held columns as SQLite counts it; a saved view the
    /// summary answers has nothing read for it.
    #[test]
    fn a_saved_quantity_views_column_is_read_ahead_after_a_page() {
        let (_dir, engine) = engine_on_many_entries();
        let held = engine.held_columns().unwrap();
        held.warm_from(1);
        let filters = |f: &str| vec![invlog_core::query::Filter::parse(f).unwrap()];
        for (name, filter) in [
            ("Big pushes", "inventory_sent >= 100"),
            ("Flipkart", "channel = Flipkart"),
        ] {
            let save = serde_json::json!({"command": "save_view", "args": {
                "name": name, "layout": {"columns": ["sku"], "filters": filters(filter)}}});
            assert!(matches!(ask(&engine, save), Response::SaveView(_)));
        }
        let big = Needs::of(&filters("inventory_sent >= 100"), None, None, &[], true).unwrap();
        assert!(!held.holds(&big));

        let page = serde_json::json!({"command": "query", "args": {"limit": 100}});
        assert!(matches!(ask(&engine, page), Response::Query(_)));
        wait_for(
            || held.holds(&big),
            "the saved quantity view's column was not read ahead",
        );
        let flipkart = Needs::of(&filters("channel = Flipkart"), None, None, &[], false).unwrap();
        assert!(
            !held.holds(&flipkart),
            "a column read ahead for a view the summary answers"
        );
        let count = serde_json::json!({"command": "query", "args": {
            "filters": filters("inventory_sent >= 100"), "limit": 1, "with_total": true}});
        let by_sql: u64 = engine
            .store()
            .unwrap()
            .conn()
            .query_row(
                "SELECT count(*) FROM entries WHERE inventory_sent >= 100",
                [],
                |r| r.get(0),
            )
            .unwrap();
        match ask(&engine, count) {
            Response::Query(page) => assert_eq!(page.total, Some(by_sql)),
            other => panic!("{other:?}"),
        }
    }

    /// Pages of a view whose rows are few and far between, once its columns and the times are
    /// held, are the pages SQLite gives, whatever the depth and direction.
    #[test]
    fn pages_of_a_sparse_view_from_held_columns_are_sqlites() {
        let (_dir, engine) = engine_on_many_entries();
        let filters = |f: &str| vec![invlog_core::query::Filter::parse(f).unwrap()];
        // A deep view's count reads the times; a page of another reads its column.
        let count = serde_json::json!({"command": "query", "args": {
            "filters": filters("inventory_sent >= 100"), "limit": 1, "with_total": true}});
        assert!(matches!(ask(&engine, count), Response::Query(_)));
        let held = engine.held_columns().unwrap();
        wait_for(|| held.holds_times(), "the times were not read");
        let sparse = filters("inventory_sent = 7");
        let needs = Needs::of(&sparse, None, None, &[], false).unwrap();
        wait_for(|| held.holds(&needs), "the column was not read");
        let entries: u64 = engine
            .store()
            .unwrap()
            .conn()
            .query_row("SELECT count(*) FROM entries", [], |r| r.get(0))
            .unwrap();
        for desc in [true, false] {
            // Pages a walk reaches late: read by id from the rows placed in time.
            for offset in [41u64, 50, 53, 60] {
                assert!(
                    (offset + 7) * entries / 60 > super::WALKED_SOON,
                    "{entries}"
                );
                let view = invlog_core::query::ViewSpec {
                    filters: sparse.clone(),
                    sort: vec![invlog_core::query::SortKey {
                        column: "occurred_at".into(),
                        desc,
                    }],
                    columns: ["id", "occurred_at", "inventory_sent"]
                        .map(String::from)
                        .to_vec(),
                    ..Default::default()
                };
                let req = invlog_core::query::QueryRequest {
                    view,
                    offset,
                    limit: 7,
                    with_total: true,
                    ..Default::default()
                };
                let want = invlog_core::query::run(engine.store().unwrap().conn(), &req).unwrap();
                assert_eq!(want.total, Some(60));
                let asked = serde_json::json!({"command": "query", "args": req});
                match ask(&engine, asked) {
                    Response::Query(page) => assert_eq!(
                        serde_json::to_value(&page).unwrap(),
                        serde_json::to_value(&want).unwrap(),
                        "offset {offset}, desc {desc}"
                    ),
                    other => panic!("{other:?}"),
                }
            }
        }
    }

    #[test]
    fn a_deep_views_times_are_read_once_it_is_counted_from_held_columns() {
        let (_dir, engine) = engine_on_many_entries();
        let count = |filter: &str| {
            let req = serde_json::json!({"command": "query", "args": {
                "filters": [invlog_core::query::Filter::parse(filter).unwrap()],
                "limit": 200, "with_total": true}});
            match engine.dispatch(serde_json::from_value::<Request>(req).unwrap()) {
                Ok(Response::Query(page)) => page.total.unwrap(),
                other => panic!("{filter}: {other:?}"),
            }
        };
        let held = || engine.held_columns().unwrap().holds_times();
        // A view too short for deep pages: nothing more is read.
        assert!(count("inventory_sent = 7") < crate::pages::DEEP);
        std::thread::sleep(Duration::from_millis(300));
        assert!(!held(), "the times were read for a view of one screen");
        assert!(count("inventory_sent >= 100") > crate::pages::DEEP);
        wait_for(held, "the view's times were not read after its count");
    }
}
