//! The entry summary against the entries themselves: for random stores and random views, the
//! total, the facets and the timeline counted from the summary equal those SQL counts from every
//! entry, after imports, re-imports that update entries, resolutions and import removal.

mod common;

use common::Fixture;
use invlog_core::ingest::removal;
use invlog_core::query::filter::{Filter, Op};
use invlog_core::query::timeline::{self, TimelineRequest};
use invlog_core::query::{self, ViewSpec};
use invlog_core::resolve::{self, SetResolved};
use invlog_core::summary::{self, Snapshot, TimelinePlan};
use invlog_core::{columns, Store};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

const CHANNELS: &[&str] = &[
    "Amazon / Amazon-Mumbai",
    "Amazon / Amazon-Delhi",
    "Flipkart / Flipkart-Main",
    "Shopify / ",
    "Myntra / 101",
];
const LOCATIONS: &[&str] = &["WH01", "WH02", "", "101", "Délhi"];
const TABS: &[&str] = &["Orders", "Inventory", "Logs", "Errors"];
const TRANSACTIONS: &[&str] = &["Order Drop", "Inventory Sync", "Link SKU", ""];

/// 2025-03-01T00:00:00Z; rows fall over the three days after it.
const START: i64 = 1_740_787_200_000;
const SPAN_S: i64 = 3 * 86_400;

#[derive(Debug, Clone)]
struct KonnectRow {
    batch: u8,
    sku: u8,
    channel: usize,
    location: usize,
    at_s: i64,
    failed: bool,
}

fn konnect_row() -> impl Strategy<Value = KonnectRow> {
    (
        0u8..4,
        0u8..6,
        0..CHANNELS.len(),
        0..LOCATIONS.len(),
        0..SPAN_S,
        prop::bool::weighted(0.3),
    )
        .prop_map(|(batch, sku, channel, location, at_s, failed)| KonnectRow {
            batch,
            sku,
            channel,
            location,
            at_s,
            failed,
        })
}

#[derive(Debug, Clone)]
struct XoroRow {
    tab: usize,
    transaction: usize,
    order: u16,
    at_min: i64,
    resolved: Option<bool>,
    manual: Option<bool>,
    status: usize,
    error: bool,
}

fn xoro_row() -> impl Strategy<Value = XoroRow> {
    (
        0..TABS.len(),
        0..TRANSACTIONS.len(),
        0u16..500,
        0..SPAN_S / 60,
        prop::option::of(any::<bool>()),
        prop::option::of(any::<bool>()),
        0usize..3,
        any::<bool>(),
    )
        .prop_map(
            |(tab, transaction, order, at_min, resolved, manual, status, error)| XoroRow {
                tab,
                transaction,
                order,
                at_min,
                resolved,
                manual,
                status,
                error,
            },
        )
}

fn konnect_csv(rows: &[KonnectRow], retried_s: Option<i64>) -> String {
    let mut out = String::from(
        "Channel & Account,Location Code,Seller Identifier,Inventory Sent,Updated On,Status,Batch ID,Last Retry\n",
    );
    for r in rows {
        let at = chrono_like(START / 1000 + r.at_s);
        out.push_str(&format!(
            "{},{},SKU-{},5,{at},{},B{},{}\n",
            CHANNELS[r.channel],
            LOCATIONS[r.location],
            r.sku,
            if r.failed { "Failed" } else { "Success" },
            r.batch,
            retried_s.map_or(String::new(), |s| chrono_like(START / 1000 + s)),
        ));
    }
    out
}

fn xoro_csv(rows: &[XoroRow]) -> String {
    let mut out = String::from(
        "Tab,Import Date,Start Date,End Date,Entity Type,Transaction Type,Order Ref#,SKU,Resolved,Sync Type,Status,Error\n",
    );
    for r in rows {
        let secs = START / 1000 + r.at_min * 60;
        let (date, time) = us_date(secs);
        out.push_str(&format!(
            "{},{date} {time},{date} {time},{date} {time},SalesOrder,{},114-{},SKU-{},{},{},{},{}\n",
            TABS[r.tab],
            TRANSACTIONS[r.transaction],
            r.order,
            r.order % 7,
            match r.resolved {
                Some(true) => "Yes",
                Some(false) => "No",
                None => "",
            },
            match r.manual {
                Some(true) => "Manual",
                Some(false) => "Auto",
                None => "",
            },
            ["Pending", "Processed", "Error"][r.status],
            if r.error { "Throttled by the API" } else { "" },
        ));
    }
    out
}

/// `YYYY-MM-DD HH:MM:SS` (UTC) of seconds since 1970.
fn chrono_like(secs: i64) -> String {
    invlog_core::time::format_instant(secs * 1000)
        .replace('T', " ")
        .trim_end_matches('Z')
        .to_owned()
}

/// Xoro's `MM/DD/YYYY` and `hh:mm AM`.
fn us_date(secs: i64) -> (String, String) {
    let iso = chrono_like(secs);
    let (y, m, d) = (&iso[0..4], &iso[5..7], &iso[8..10]);
    let h: u32 = iso[11..13].parse().unwrap();
    let min = &iso[14..16];
    let (h12, half) = match h {
        0 => (12, "AM"),
        1..=11 => (h, "AM"),
        12 => (12, "PM"),
        _ => (h - 12, "PM"),
    };
    (format!("{m}/{d}/{y}"), format!("{h12:02}:{min} {half}"))
}

/// A random view filter on a summarised column.
fn a_filter() -> impl Strategy<Value = Filter> {
    let instant = (0..SPAN_S * 1000).prop_map(|ms| invlog_core::time::format_instant(START + ms));
    let day = (0i64..4)
        .prop_map(|d| invlog_core::time::format_instant(START + d * 86_400_000)[..10].to_owned());
    prop_oneof![
        prop::sample::select(vec!["success", "failed", "pending"]).prop_map(|s| Filter::new(
            "status",
            Op::Eq,
            &[s]
        )),
        Just(Filter::new("status", Op::Ne, &["success"])),
        prop::sample::select(
            CHANNELS
                .iter()
                .map(|c| c.split(" / ").next().unwrap())
                .collect::<Vec<_>>()
        )
        .prop_map(|c| Filter::new("channel", Op::Eq, &[c])),
        Just(Filter::new("channel", Op::Contains, &["on"])),
        Just(Filter::new("account", Op::In, &["Amazon-Delhi", "101"])),
        Just(Filter::new("account", Op::IsEmpty, &[])),
        prop::sample::select(LOCATIONS.to_vec()).prop_map(|l| Filter::new(
            "location_code",
            Op::Eq,
            &[l]
        )),
        Just(Filter::new("location_code", Op::IsNotEmpty, &[])),
        Just(Filter::new("location_code", Op::Gt, &["WH01"])),
        prop::sample::select(TABS.to_vec()).prop_map(|t| Filter::new("tab", Op::Eq, &[t])),
        Just(Filter::new("event_type", Op::NotContains, &["sku"])),
        Just(Filter::new("sync_type", Op::IsNotEmpty, &[])),
        Just(Filter::new("source", Op::Eq, &["xoro"])),
        prop::sample::select(vec!["true", "false"]).prop_map(|b| Filter::new(
            "resolved",
            Op::Eq,
            &[b]
        )),
        Just(Filter::new("resolved", Op::IsEmpty, &[])),
        Just(Filter::new("error", Op::IsNotEmpty, &[])),
        Just(Filter::new("error", Op::IsEmpty, &[])),
        instant
            .clone()
            .prop_map(|t| Filter::new("occurred_at", Op::Ge, &[&t])),
        instant
            .clone()
            .prop_map(|t| Filter::new("occurred_at", Op::Lt, &[&t])),
        (instant.clone(), instant).prop_map(|(a, b)| {
            let (a, b) = if a <= b { (a, b) } else { (b, a) };
            Filter::new("occurred_at", Op::Between, &[&a, &b])
        }),
        day.clone()
            .prop_map(|d| Filter::new("occurred_at", Op::Eq, &[&d])),
        day.clone()
            .prop_map(|d| Filter::new("occurred_at", Op::Ne, &[&d])),
        (day.clone(), day).prop_map(|(a, b)| Filter::new("occurred_at", Op::In, &[&a, &b])),
    ]
}

#[derive(Debug, Clone)]
struct Probe {
    filters: Vec<Filter>,
    buckets: u32,
    offset_minutes: i32,
}

fn probe() -> impl Strategy<Value = Probe> {
    (
        prop::collection::vec(a_filter(), 0..4),
        prop::sample::select(vec![2u32, 7, 80, 200, 1000]),
        prop::sample::select(vec![0i32, 330, 345, -300, 60, -570]),
    )
        .prop_map(|(filters, buckets, offset_minutes)| Probe {
            filters,
            buckets,
            offset_minutes,
        })
}

/// Every answer of the summary for `probe` equals SQL's over every entry.
fn check(store: &Store, probe: &Probe) -> Result<(), TestCaseError> {
    let conn = store.conn();
    let snapshot = Snapshot::load(conn).unwrap();
    let f = &probe.filters;
    prop_assert!(summary::answers(f, None, None));
    let want = query::count(conn, f, None, None).unwrap();
    prop_assert_eq!(snapshot.count(conn, f).unwrap(), want, "count of {:?}", f);
    for c in columns::COLUMNS.iter().filter(|c| c.facet) {
        prop_assert!(summary::has_facet(c));
        let got = snapshot.facet(conn, f, c).unwrap();
        let want = query::facets(conn, f, None, None, &[c.id.to_owned()]).unwrap();
        prop_assert_eq!(
            serde_json::to_value(&got).unwrap(),
            serde_json::to_value(&want[0]).unwrap(),
            "facet {} of {:?}",
            c.id,
            f
        );
    }
    let req = TimelineRequest {
        view: ViewSpec {
            filters: f.clone(),
            ..ViewSpec::default()
        },
        buckets: probe.buckets,
        utc_offset_minutes: probe.offset_minutes,
    };
    let got = match snapshot.timeline(conn, &req).unwrap() {
        TimelinePlan::Done(t) => t,
        TimelinePlan::Scan(narrowed) => timeline::get(conn, &narrowed).unwrap(),
    };
    let want = timeline::get(conn, &req).unwrap();
    prop_assert_eq!(
        serde_json::to_value(&got).unwrap(),
        serde_json::to_value(&want).unwrap(),
        "timeline of {:?}",
        probe
    );
    // A page anywhere in the view, in time order either way, read from the slot the summary
    // places it in: the rows an offset gives.
    let total = snapshot.count(conn, f).unwrap();
    for desc in [true, false] {
        let sort = vec![query::SortKey {
            column: "occurred_at".into(),
            desc,
        }];
        let page = |offset: u64, after: Option<Vec<serde_json::Value>>| query::QueryRequest {
            view: ViewSpec {
                filters: f.clone(),
                sort: sort.clone(),
                columns: vec!["occurred_at".into()],
                ..ViewSpec::default()
            },
            limit: 7,
            offset,
            after,
            with_total: false,
            ..query::QueryRequest::default()
        };
        for at in [0, total / 3, total / 2 + 1, total.saturating_sub(3), total] {
            let want = query::run(conn, &page(at, None)).unwrap().ids;
            let got = match snapshot.seek(conn, f, at, desc).unwrap() {
                Some((edge, skip)) => {
                    let from = page(skip, Some(query::keys_at_instant(edge)));
                    query::run_anchored(conn, &from, false).unwrap().ids
                }
                None => Vec::new(),
            };
            prop_assert_eq!(&got, &want, "{} of {} in {:?}, desc {}", at, total, f, desc);
        }
    }
    Ok(())
}

/// The summary kept by the writes equals one counted again from the entries.
fn kept_equals_rebuilt(store: &Store) -> Result<(), TestCaseError> {
    let conn = store.conn();
    let read = || -> Vec<(i64, String, i64)> {
        conn.prepare(
            "SELECT s.slot, c.key, s.n FROM summary_counts s JOIN summary_combos c ON c.id = s.combo
             WHERE s.n <> 0 ORDER BY 1, 2",
        )
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
    };
    let kept = read();
    let before = Snapshot::load(conn).unwrap();
    conn.execute_batch("SAVEPOINT rebuilt").unwrap();
    summary::rebuild(conn).unwrap();
    let rebuilt = read();
    prop_assert!(
        before.refresh(conn).unwrap() == Snapshot::load(conn).unwrap(),
        "a snapshot brought up to date after a rebuild differs from one read whole"
    );
    conn.execute_batch("ROLLBACK TO rebuilt; RELEASE rebuilt")
        .unwrap();
    prop_assert_eq!(kept, rebuilt);
    Ok(())
}

#[test]
fn the_summary_answers_as_the_entries_do() {
    let mut runner = TestRunner::new(Config {
        cases: 24,
        ..Config::default()
    });
    let strategy = (
        prop::collection::vec(konnect_row(), 1..80),
        prop::collection::vec(xoro_row(), 1..80),
        prop::collection::vec(any::<prop::sample::Index>(), 0..20),
        prop::collection::vec(probe(), 6),
        any::<bool>(),
    );
    runner
        .run(&strategy, |(konnect, xoro, changed, probes, xoro_first)| {
            let mut fx = Fixture::new();
            let mut probes = probes.iter().cycle();
            // A snapshot of every step so far, each brought up to date at every later step:
            // changes of every size, every kind of write between.
            let mut earlier = vec![Snapshot::load(fx.store.conn()).unwrap()];
            let mut check_all = |store: &Store| -> Result<(), TestCaseError> {
                kept_equals_rebuilt(store)?;
                let now = Snapshot::load(store.conn()).unwrap();
                for old in &earlier {
                    prop_assert!(
                        old.refresh(store.conn()).unwrap() == now,
                        "a snapshot of generation {} brought up to date differs from one read whole",
                        old.generation()
                    );
                }
                earlier.push(now);
                for _ in 0..2 {
                    check(store, probes.next().unwrap())?;
                }
                Ok(())
            };
            // Either file into the empty store: its parser counts the summary then (a source's
            // own resolved flags, Xoro's, or those failures start with, Konnect's).
            let (first, xoro_import) = if xoro_first {
                let xoro_import = fx.import_ok(&fx.file("xoro.csv", xoro_csv(&xoro)));
                check_all(&fx.store)?;
                let first = fx.import_ok(&fx.file("konnect.csv", konnect_csv(&konnect, None)));
                check_all(&fx.store)?;
                (first, xoro_import)
            } else {
                let first = fx.import_ok(&fx.file("konnect.csv", konnect_csv(&konnect, None)));
                check_all(&fx.store)?;
                let xoro_import = fx.import_ok(&fx.file("xoro.csv", xoro_csv(&xoro)));
                check_all(&fx.store)?;
                (first, xoro_import)
            };
            // The same pushes retried later: some fail now, at other times; the store updates.
            let mut again = konnect.clone();
            for i in &changed {
                let r = i.get_mut(&mut again);
                r.failed = !r.failed;
                r.at_s = (r.at_s + 7_321) % SPAN_S;
            }
            let report = fx.import_ok(&fx.file("konnect-2.csv", konnect_csv(&again, Some(SPAN_S))));
            prop_assert_eq!(report.new, 0);
            check_all(&fx.store)?;
            // Resolutions move entries between resolved combinations.
            let ids: Vec<i64> = fx
                .store
                .conn()
                .prepare("SELECT id FROM entries WHERE id % 3 = 0")
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            for (resolved, ids) in [(true, &ids[..]), (false, &ids[..ids.len() / 2])] {
                if !ids.is_empty() {
                    let req = SetResolved {
                        ids: ids.to_vec(),
                        resolved,
                        note: None,
                    };
                    resolve::set(&mut fx.store, &req, "tester").unwrap();
                }
            }
            check_all(&fx.store)?;
            removal::remove(&mut fx.store, xoro_import.import_id.unwrap(), true).unwrap();
            check_all(&fx.store)?;
            removal::remove(&mut fx.store, first.import_id.unwrap(), true).unwrap();
            check_all(&fx.store)?;
            Ok(())
        })
        .unwrap();
}

#[test]
fn a_summary_of_schema_13_is_stamped_with_generations() {
    let mut fx = Fixture::new();
    let rows: Vec<KonnectRow> = (0..40)
        .map(|i| KonnectRow {
            batch: (i % 4) as u8,
            sku: (i % 6) as u8,
            channel: i % CHANNELS.len(),
            location: i % LOCATIONS.len(),
            at_s: i as i64 * 3_607,
            failed: i % 3 == 0,
        })
        .collect();
    fx.import_ok(&fx.file("k.csv", konnect_csv(&rows, None)));
    let path = fx.dir.path().join("t.db");
    drop(fx.store);
    // Back to schema 13: counts without their generation, a trigger that set none.
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "DROP TRIGGER summary_on_update;
             DROP TRIGGER entries_on_update;
             DROP TRIGGER entries_on_mark;
             ALTER TABLE summary_state DROP COLUMN marked_at;
             ALTER TABLE summary_state DROP COLUMN rewritten;
             DROP INDEX summary_counts_by_gen;
             ALTER TABLE summary_counts DROP COLUMN gen;
             CREATE TRIGGER summary_on_update AFTER UPDATE OF status ON entries BEGIN
                 UPDATE summary_state SET generation = generation + 1;
             END;
             PRAGMA user_version = 13;",
        )
        .unwrap();
    }
    let store = Store::open(&path).unwrap();
    let conn = store.conn();
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, invlog_core::store::SCHEMA_VERSION);
    let before = Snapshot::load(conn).unwrap();
    // Counts the stamped trigger moves carry the generation that moved them, so a snapshot
    // from before reads them.
    conn.execute("UPDATE entries SET status = 'failed' WHERE id % 2 = 0", [])
        .unwrap();
    let now = Snapshot::load(conn).unwrap();
    assert!(before.refresh(conn).unwrap() == now);
    let failed = [Filter::parse("status = failed").unwrap()];
    assert_eq!(
        now.count(conn, &failed).unwrap(),
        query::count(conn, &failed, None, None).unwrap()
    );
    assert_ne!(
        before.count(conn, &failed).unwrap(),
        now.count(conn, &failed).unwrap()
    );
}
