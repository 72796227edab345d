//! Columns held in memory against the entries themselves: for random stores and random views
//! with quantity filters, keywords and filters on the product's columns (which the summary
//! cannot answer), the total, the facets and the timeline counted from held columns equal
//! those SQL counts from every entry, read in one share or two, after imports, updates,
//! resolutions and import removal; and columns held for an earlier state of the store never
//! answer for a later one.

mod common;

use common::Fixture;
use invlog_core::ingest::removal;
use invlog_core::query::columnar::{self, Columns, Held, Key, Needs};
use invlog_core::query::filter::{Filter, Op};
use invlog_core::query::timeline::{self, TimelineRequest};
use invlog_core::query::{self, QueryRequest, SortKey, ViewSpec};
use invlog_core::resolve::{self, SetResolved};
use invlog_core::{columns, Store};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

const CHANNELS: &[&str] = &[
    "Amazon / Amazon-Mumbai",
    "Flipkart / Flipkart-Main",
    "Shopify / ",
    "Myntra / 101",
];
const LOCATIONS: &[&str] = &["WH01", "WH02", "", "101"];
const NAMES: &[&str] = &["Linen Shirt", "Cotton Kurta", "Shirt Box", "Mug", ""];
/// Batch ids: the entries' own text that keywords match (`events_fts`).
const BATCHES: &[&str] = &["kurta-9", "shirt 2", "B1", "mug"];
const SEARCHES: &[&str] = &[
    "shirt", "kurta", "sku", "mug b1", "SKU-3", "B1", "-", "nothing",
];

/// 2025-03-01T00:00:00Z; rows fall over the three days after it.
const START: i64 = 1_740_787_200_000;
const SPAN_S: i64 = 3 * 86_400;

#[derive(Debug, Clone)]
struct Row {
    sku: u8,
    name: usize,
    batch: Option<usize>,
    channel: usize,
    location: usize,
    at_s: i64,
    failed: bool,
    /// Empty when None.
    sent: Option<u16>,
    buffer: Option<u8>,
}

fn a_row() -> impl Strategy<Value = Row> {
    (
        (
            0u8..8,
            0..NAMES.len(),
            prop::option::weighted(0.3, 0..BATCHES.len()),
        ),
        0..CHANNELS.len(),
        0..LOCATIONS.len(),
        0..SPAN_S,
        prop::bool::weighted(0.3),
        prop::option::weighted(0.9, 0u16..400),
        prop::option::weighted(0.8, 0u8..6),
    )
        .prop_map(
            |((sku, name, batch), channel, location, at_s, failed, sent, buffer)| Row {
                sku,
                name,
                batch,
                channel,
                location,
                at_s,
                failed,
                sent,
                buffer,
            },
        )
}

fn csv(rows: &[Row]) -> String {
    let mut out = String::from(
        "Channel & Account,Location Code,Seller Identifier,Product Name,Batch ID,Inventory Sent,Buffer Stock,Updated On,Status\n",
    );
    for r in rows {
        let at = invlog_core::time::format_instant(START + r.at_s * 1000)
            .replace('T', " ")
            .trim_end_matches('Z')
            .to_owned();
        out.push_str(&format!(
            "{},{},SKU-{},{},{},{},{},{at},{}\n",
            CHANNELS[r.channel],
            LOCATIONS[r.location],
            r.sku,
            // A product's name goes with its SKU, as a catalogue's does.
            NAMES[(usize::from(r.sku) + r.name / 4) % NAMES.len()],
            r.batch.map_or("", |b| BATCHES[b]),
            r.sent.map_or(String::new(), |s| s.to_string()),
            r.buffer.map_or(String::new(), |s| s.to_string()),
            if r.failed { "Failed" } else { "Success" },
        ));
    }
    out
}

/// A random filter: most on quantities, the others on what views filter with them.
fn a_filter() -> impl Strategy<Value = Filter> {
    let quantity = prop::sample::select(vec!["inventory_sent", "buffer_stock"]);
    let number = (0u16..420).prop_map(|n| n.to_string());
    let instant = (0..SPAN_S * 1000).prop_map(|ms| invlog_core::time::format_instant(START + ms));
    prop_oneof![
        (
            quantity.clone(),
            prop::sample::select(vec![Op::Eq, Op::Ne, Op::Lt, Op::Le, Op::Gt, Op::Ge]),
            number.clone()
        )
            .prop_map(|(c, op, n)| Filter::new(c, op, &[&n])),
        (quantity.clone(), number.clone(), number.clone()).prop_map(|(c, a, b)| Filter::new(
            c,
            Op::Between,
            &[&a, &b]
        )),
        (quantity.clone(), number.clone(), number).prop_map(|(c, a, b)| Filter::new(
            c,
            Op::In,
            &[&a, &b]
        )),
        quantity
            .clone()
            .prop_map(|c| Filter::new(c, Op::IsEmpty, &[])),
        quantity
            .clone()
            .prop_map(|c| Filter::new(c, Op::IsNotEmpty, &[])),
        (quantity, prop::sample::select(vec!["1", "0", "3"])).prop_map(|(c, d)| Filter::new(
            c,
            Op::Contains,
            &[d]
        )),
        prop::sample::select(vec!["Amazon", "Flipkart", "Myntra"]).prop_map(|c| Filter::new(
            "channel",
            Op::Eq,
            &[c]
        )),
        Just(Filter::new("account", Op::IsEmpty, &[])),
        Just(Filter::new("location_code", Op::Gt, &["WH01"])),
        Just(Filter::new("status", Op::Eq, &["failed"])),
        Just(Filter::new("status", Op::Ne, &["failed"])),
        Just(Filter::new("resolved", Op::Eq, &["true"])),
        // The product's own columns: through the products' index or their join.
        prop::sample::select(vec!["SKU-3", "SKU-105", "SKU-1"]).prop_map(|v| Filter::new(
            "sku",
            Op::Eq,
            &[v]
        )),
        prop::sample::select(vec!["-1", "0"]).prop_map(|v| Filter::new("sku", Op::Contains, &[v])),
        Just(Filter::new("sku", Op::NotContains, &["-2"])),
        Just(Filter::new("sku", Op::Ne, &["SKU-4"])),
        Just(Filter::new("sku", Op::In, &["SKU-1", "SKU-204"])),
        Just(Filter::new("product_name", Op::Contains, &["irt"])),
        Just(Filter::new("product_name", Op::IsEmpty, &[])),
        instant
            .clone()
            .prop_map(|t| Filter::new("occurred_at", Op::Ge, &[&t])),
        (instant.clone(), instant).prop_map(|(a, b)| {
            let (a, b) = if a <= b { (a, b) } else { (b, a) };
            Filter::new("occurred_at", Op::Between, &[&a, &b])
        }),
    ]
}

#[derive(Debug, Clone)]
struct Probe {
    filters: Vec<Filter>,
    search: Option<&'static str>,
    buckets: u32,
    offset_minutes: i32,
}

fn probe() -> impl Strategy<Value = Probe> {
    (
        prop::collection::vec(a_filter(), 0..4),
        prop::option::weighted(0.4, prop::sample::select(SEARCHES)),
        prop::sample::select(vec![2u32, 7, 80, 1000]),
        prop::sample::select(vec![0i32, 330, -300]),
    )
        .prop_map(|(filters, search, buckets, offset_minutes)| Probe {
            filters,
            search,
            buckets,
            offset_minutes,
        })
}

/// The columns `needs` names, read into `held` (split across `stores`) when not held yet, as
/// the shells read them: the entries imports added since first, when only imports came.
fn columns_for(held: &mut Held, stores: &mut [&mut Store], needs: &Needs) -> Columns {
    let key = Key::read(stores[0].conn()).unwrap();
    if let Some((after, held_needs)) = held.catch_up(key) {
        let read = columnar::read_after(stores[0].conn(), &held_needs, after).unwrap();
        held.append(read, after);
        CAUGHT_UP.with(|n| n.set(n.get() + 1));
    }
    let missing = held
        .missing(key, needs)
        .expect("every column here can be held");
    if !missing.is_empty() {
        let read = columnar::read_on(stores, &missing, || false).unwrap();
        held.add(read, needs);
    }
    held.columns(needs).expect("what was read is held")
}

thread_local! {
    /// How many times held columns were brought up to date by reading new entries alone.
    static CAUGHT_UP: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// Every answer from held columns for `probe` equals SQL's over every entry.
fn check(
    held: &mut Held,
    stores: &mut [&mut Store],
    probe: &Probe,
) -> Result<Vec<Columns>, TestCaseError> {
    let (f, search) = (&probe.filters, probe.search);
    let facets: Vec<_> = columns::COLUMNS.iter().filter(|c| c.facet).collect();
    let needs = Needs::of(f, search, None, &facets, true).unwrap();
    let held_columns = columns_for(held, stores, &needs);
    let conn = stores[0].conn();
    let ask = |answer: &dyn Fn(&Columns, &rusqlite::Connection) -> serde_json::Value| {
        columnar::answer(conn, &held_columns, |c, conn| Ok(answer(c, conn)))
            .unwrap()
            .expect("held for the store as it is")
    };

    let want = query::count(conn, f, search, None).unwrap();
    let got = ask(&|c, conn| c.count(conn, f, search).unwrap().into());
    prop_assert_eq!(
        got,
        serde_json::json!(want),
        "count of {:?} {:?}",
        f,
        search
    );

    let ids: Vec<String> = facets.iter().map(|c| c.id.to_owned()).collect();
    let want = query::facets(conn, f, search, None, &ids).unwrap();
    let got =
        ask(&|c, conn| serde_json::to_value(c.facets(conn, f, search, &facets).unwrap()).unwrap());
    prop_assert_eq!(
        got,
        serde_json::to_value(&want).unwrap(),
        "facets of {:?} {:?}",
        f,
        search
    );

    let req = TimelineRequest {
        view: ViewSpec {
            filters: f.clone(),
            search: search.map(str::to_owned),
            ..ViewSpec::default()
        },
        buckets: probe.buckets,
        utc_offset_minutes: probe.offset_minutes,
    };
    let want = timeline::get(conn, &req).unwrap();
    let got = ask(&|c, conn| serde_json::to_value(c.timeline(conn, &req).unwrap()).unwrap());
    prop_assert_eq!(
        got,
        serde_json::to_value(&want).unwrap(),
        "timeline of {:?}",
        probe
    );

    // A position found in held columns starts the same page as a walk to it.
    let total = query::count(conn, f, search, None).unwrap();
    for desc in [true, false] {
        let view = ViewSpec {
            filters: f.clone(),
            search: search.map(str::to_owned),
            sort: vec![SortKey {
                column: "occurred_at".into(),
                desc,
            }],
            columns: ["id", "occurred_at", "inventory_sent", "sku"]
                .map(String::from)
                .to_vec(),
            ..ViewSpec::default()
        };
        for position in [0, total / 3, total / 2, total.saturating_sub(1), total] {
            let req = QueryRequest {
                view: view.clone(),
                offset: position,
                limit: 5,
                with_total: false,
                ..QueryRequest::default()
            };
            let page = query::run(conn, &req).unwrap();
            // The same page read by id from the rows placed in time.
            let placed = ask(&|c, conn| {
                let rows = c.rows_in_time(conn, f, search, position, 5, desc).unwrap();
                serde_json::to_value(query::run_rows(conn, &req, &rows).unwrap()).unwrap()
            });
            prop_assert_eq!(
                placed,
                serde_json::to_value(&page).unwrap(),
                "page at {} of {:?} {:?}, desc {}",
                position,
                f,
                search,
                desc
            );
            let want = page.ids;
            let seek = ask(&|c, conn| {
                serde_json::to_value(c.seek(conn, f, search, position, desc).unwrap()).unwrap()
            });
            match serde_json::from_value::<Option<(i64, u64)>>(seek).unwrap() {
                None => prop_assert!(position >= total, "no seek to {} of {}", position, total),
                Some((at, skip)) => {
                    let from = QueryRequest {
                        after: Some(query::keys_at_instant(at)),
                        offset: skip,
                        ..req.clone()
                    };
                    let got = query::run_anchored(conn, &from, false).unwrap().ids;
                    prop_assert_eq!(got, want, "{} of {:?}, desc {}", position, f, desc);
                }
            }
        }
    }

    // A count of one quantity column alone is summed from its values' counts.
    if let Some(q) = f.iter().find(|f| f.column == "inventory_sent") {
        let one = std::slice::from_ref(q);
        let needs = Needs::of(one, None, None, &[], false).unwrap();
        let held_columns = columns_for(held, stores, &needs);
        let conn = stores[0].conn();
        let got =
            columnar::answer(conn, &held_columns, |c, conn| c.count(conn, one, None)).unwrap();
        prop_assert_eq!(got, Some(query::count(conn, one, None, None).unwrap()));
    }
    Ok(vec![held_columns])
}

#[test]
fn held_columns_answer_as_the_entries_do() {
    let mut runner = TestRunner::new(Config {
        cases: 16,
        ..Config::default()
    });
    let strategy = (
        prop::collection::vec(a_row(), 1..150),
        prop::collection::vec(a_row(), 1..60),
        prop::collection::vec(probe(), 8),
        any::<bool>(),
    );
    runner
        .run(&strategy, |(first, second, probes, split)| {
            let mut fx = Fixture::new();
            let path = fx.dir.path().join("t.db");
            let mut other = Store::open(&path).unwrap();
            let mut probes = probes.iter().cycle();
            let mut held = Held::default();
            let unresolved = Probe {
                filters: vec![
                    Filter::new("resolved", Op::Eq, &["false"]),
                    Filter::new("retry_count", Op::IsEmpty, &[]),
                ],
                search: None,
                buckets: 7,
                offset_minutes: 0,
            };
            // Columns held at every step so far: none may answer once the store changed.
            let mut earlier: Vec<Columns> = Vec::new();
            // The held columns are written to a file after every step and read back from it
            // at the next, as a new run would: then used only when the store changed by
            // added entries alone since, and answering as read ones do.
            let kept = fx.dir.path().join("t.db-columns");
            let mut kept_for: Option<Key> = None;
            let mut step = |fx: &mut Fixture, other: &mut Store| -> Result<(), TestCaseError> {
                if let Some(saved) = kept_for {
                    let now = Key::read(fx.store.conn()).unwrap();
                    let loaded = Held::load(fx.store.conn(), &kept).unwrap();
                    prop_assert_eq!(
                        loaded.is_some(),
                        saved.appended_to(now),
                        "kept columns used for another state"
                    );
                    if let Some(loaded) = loaded {
                        held = loaded;
                    }
                }
                for old in earlier.drain(..) {
                    let answered =
                        columnar::answer(fx.store.conn(), &old, |c, conn| c.count(conn, &[], None))
                            .unwrap();
                    prop_assert_eq!(answered, None, "held columns outlived a change");
                }
                // Two probes, and two of the entries' marks, held at every step: a
                // resolution or a re-run changes them alone.
                let two_probes = [probes.next().unwrap(), probes.next().unwrap()];
                for probe in two_probes.into_iter().chain([&unresolved]) {
                    let mut two = [&mut fx.store, &mut *other];
                    let stores: &mut [&mut Store] = if split { &mut two } else { &mut two[..1] };
                    earlier.extend(check(&mut held, stores, probe)?);
                }
                prop_assert!(held.save(fx.store.conn(), &kept).unwrap());
                kept_for = Some(Key::read(fx.store.conn()).unwrap());
                Ok(())
            };
            let first_import = fx.import_ok(&fx.file("a.csv", csv(&first)));
            step(&mut fx, &mut other)?;
            // Other products: new entries alone, which the held columns take in as they are.
            let more = |rows: &[Row], by: u8| -> Vec<Row> {
                rows.iter()
                    .map(|r| Row {
                        sku: r.sku + by,
                        ..r.clone()
                    })
                    .collect()
            };
            let caught_up = CAUGHT_UP.with(|n| n.get());
            let second_import = fx.import_ok(&fx.file("b.csv", csv(&more(&second, 100))));
            step(&mut fx, &mut other)?;
            prop_assert!(
                CAUGHT_UP.with(|n| n.get()) > caught_up,
                "an import's entries read alone"
            );
            // Quantities changed by an update alone, which no summarised column sees.
            fx.store
                .conn()
                .execute(
                    // The first entry too: a store of one or two entries changes as well.
                    "UPDATE entries SET inventory_sent = inventory_sent + 150
                     WHERE id % 3 = 0 OR id = (SELECT min(id) FROM entries)",
                    [],
                )
                .unwrap();
            step(&mut fx, &mut other)?;
            // New entries after an update: held columns read whole once more, then caught up.
            fx.import_ok(&fx.file("c.csv", csv(&more(&first, 200))));
            step(&mut fx, &mut other)?;
            // An update and then new entries, with no look between: not caught up, read whole.
            fx.store
                .conn()
                .execute("UPDATE entries SET buffer_stock = 9 WHERE id % 4 = 1", [])
                .unwrap();
            fx.import_ok(&fx.file("d.csv", csv(&more(&second, 150))));
            step(&mut fx, &mut other)?;
            let ids: Vec<i64> = fx
                .store
                .conn()
                .prepare("SELECT id FROM entries WHERE id % 2 = 0")
                .unwrap()
                .query_map([], |r| r.get(0))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            if !ids.is_empty() {
                let req = SetResolved {
                    ids,
                    resolved: true,
                    note: None,
                };
                // A resolution changes `resolved` alone: the held columns are kept, that one
                // let go and read again should a probe need it.
                let caught_up = CAUGHT_UP.with(|n| n.get());
                resolve::set(&mut fx.store, &req, "tester").unwrap();
                step(&mut fx, &mut other)?;
                prop_assert!(
                    CAUGHT_UP.with(|n| n.get()) > caught_up,
                    "held columns read whole after a resolution"
                );
                // A re-run's marks alone, as `rerun` writes them: kept the same way.
                let caught_up = CAUGHT_UP.with(|n| n.get());
                fx.store
                    .conn()
                    .execute(
                        "UPDATE entries SET retry_count = coalesce(retry_count, 0) + 1,
                             last_retry_at = 1741000000000, last_retry_details = 'Re-run: test'
                         WHERE id % 3 = 1",
                        [],
                    )
                    .unwrap();
                step(&mut fx, &mut other)?;
                prop_assert!(
                    CAUGHT_UP.with(|n| n.get()) > caught_up,
                    "held columns read whole after a re-run"
                );
            }
            removal::remove(&mut fx.store, second_import.import_id.unwrap(), true).unwrap();
            step(&mut fx, &mut other)?;
            removal::remove(&mut fx.store, first_import.import_id.unwrap(), true).unwrap();
            step(&mut fx, &mut other)?;
            Ok(())
        })
        .unwrap();
}

/// Held columns kept in a file are not used for another store at the same path whose state
/// reads the same (as many entries, imported alike), nor when the file is damaged.
#[test]
fn kept_columns_of_another_store_or_from_a_damaged_file_are_not_used() {
    let rows = |shift_s: i64| -> Vec<Row> {
        (0..300)
            .map(|i| Row {
                sku: (i % 7) as u8,
                name: i % NAMES.len(),
                batch: None,
                channel: i % CHANNELS.len(),
                location: 0,
                at_s: (i as i64 * 600 + shift_s) % SPAN_S,
                failed: i % 5 == 0,
                sent: Some((i % 40) as u16),
                buffer: Some(1),
            })
            .collect()
    };
    let filters = [Filter::new("inventory_sent", Op::Ge, &["10"])];
    let needs = Needs::of(&filters, Some("shirt"), None, &[], true).unwrap();
    let mut fx = Fixture::new();
    fx.import_ok(&fx.file("a.csv", csv(&rows(0))));
    let mut held = Held::default();
    columns_for(&mut held, &mut [&mut fx.store], &needs);
    let kept = fx.dir.path().join("t.db-columns");
    assert!(held.save(fx.store.conn(), &kept).unwrap());
    let count = |held: &Held, store: &Store| {
        let columns = held.columns(&needs).expect("all held");
        columnar::answer(store.conn(), &columns, |c, conn| {
            c.count(conn, &filters, Some("shirt"))
        })
        .unwrap()
    };
    let loaded = Held::load(fx.store.conn(), &kept).unwrap().expect("kept");
    let want = query::count(fx.store.conn(), &filters, Some("shirt"), None).unwrap();
    assert_eq!(count(&loaded, &fx.store), Some(want));

    let mut other = Fixture::new();
    other.import_ok(&other.file("a.csv", csv(&rows(3_600))));
    let state = |store: &Store| Key::read(store.conn()).unwrap();
    assert_eq!(
        state(&other.store),
        state(&fx.store),
        "the states read alike"
    );
    assert!(
        Held::load(other.store.conn(), &kept).unwrap().is_none(),
        "another store's columns used"
    );

    let whole = std::fs::read(&kept).unwrap();
    std::fs::write(&kept, &whole[..whole.len() - 1]).unwrap();
    assert!(Held::load(fx.store.conn(), &kept).unwrap().is_none());
    // A code past the column's values (the last byte is the last entry's code).
    let mut past = whole.clone();
    *past.last_mut().unwrap() = 0xff;
    std::fs::write(&kept, &past).unwrap();
    assert!(Held::load(fx.store.conn(), &kept).unwrap().is_none());
    std::fs::write(&kept, &whole).unwrap();
    assert!(Held::load(fx.store.conn(), &kept).unwrap().is_some());
    std::fs::remove_file(&kept).unwrap();
    assert!(Held::load(fx.store.conn(), &kept).unwrap().is_none());
    // What a run stopped while writing left is not used, and is removed.
    let part = fx.dir.path().join("t.db-columns.part");
    std::fs::write(&part, &whole[..whole.len() / 2]).unwrap();
    assert!(Held::load(fx.store.conn(), &kept).unwrap().is_none());
    assert!(!part.exists(), "a half-written file left behind");
}

#[test]
fn a_column_with_too_many_values_is_not_held() {
    let mut fx = Fixture::new();
    let rows: Vec<Row> = (0..70_000)
        .map(|i| Row {
            sku: (i % 7) as u8,
            name: 0,
            batch: None,
            channel: i % CHANNELS.len(),
            location: 0,
            at_s: (i as i64 * 3) % SPAN_S,
            failed: false,
            sent: Some(0),
            buffer: Some(1),
        })
        .collect();
    fx.import_ok(&fx.file("a.csv", csv(&rows)));
    let filters = [Filter::new("occurred_at", Op::Ge, &["2025-03-02"])];
    // Every entry has a time of its own: held as they are, not coded.
    let needs = Needs::of(&filters, None, None, &[], true).unwrap();
    let mut held = Held::default();
    let columns = columns_for(&mut held, &mut [&mut fx.store], &needs);
    let got = columnar::answer(fx.store.conn(), &columns, |c, conn| {
        c.count(conn, &filters, None)
    });
    let want = query::count(fx.store.conn(), &filters, None, None).unwrap();
    assert_eq!(got.unwrap(), Some(want));
    // The entries' ids, one value each: past what a code holds.
    let ids = [Filter::new("id", Op::Gt, &["5"])];
    let needs = Needs::of(&ids, None, None, &[], false).expect("the id is the entry's own");
    let key = Key::read(fx.store.conn()).unwrap();
    let missing = held.missing(key, &needs).unwrap();
    let read = columnar::read_on(&mut [&mut fx.store], &missing, || false).unwrap();
    held.add(read, &needs);
    assert!(held.columns(&needs).is_none());
    assert!(held.missing(key, &needs).is_none(), "known not to fit");
}
