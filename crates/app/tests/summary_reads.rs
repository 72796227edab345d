//! Reads while an import writes: a view's total, facets and timeline, from the entry summary
//! and read from the entries (split across the read connections, or not), answer as the store
//! was before the import or as it is after it, never with part of it.

#[path = "../../core/tests/common/mod.rs"]
mod common;

use common::Fixture;
use invlog_app::{Engine, Request, Response};
use invlog_core::owners::JobStatus;
use serde_json::json;

const HEADER: &str =
    "Channel & Account,Location Code,Seller Identifier,Inventory Sent,Updated On,Status";

fn konnect(fx: &Fixture, name: &str, rows: u64, seed: u64) -> std::path::PathBuf {
    let channels = ["Amazon / Amazon-Delhi", "Flipkart / Flipkart-Main"];
    let mut text = format!("{HEADER}\n");
    for i in seed..seed + rows {
        let minute = (i * 7919) % (30 * 24 * 60);
        let (day, hour, min) = (1 + minute / 1440, (minute / 60) % 24, minute % 60);
        text.push_str(&format!(
            "{},WH0{},SKU-{i},{},2025-03-{day:02} {hour:02}:{min:02}:07,{}\n",
            channels[(i % 2) as usize],
            i % 3,
            i % 500,
            if i % 5 == 0 { "Failed" } else { "Success" },
        ));
    }
    fx.file(name, text)
}

fn request(v: serde_json::Value) -> Request {
    serde_json::from_value(v).unwrap()
}

fn import_args(path: &std::path::Path) -> serde_json::Value {
    json!({"paths": [path], "format": null, "sku": null, "batch": null})
}

/// What a reader sees of the Flipkart view: its total, its status facet's sum and its
/// timeline's total from the summary; the total with a keyword search (read from the entries
/// through the keyword index); and with a filter on the quantity sent, which no index or
/// summary answers, the total, the facet and the timeline scanned in shares across the read
/// connections.
fn seen(engine: &Engine) -> [u64; 7] {
    let flipkart = json!([{"column": "channel", "op": "eq", "values": ["Flipkart"]}]);
    let scanned = json!([
        {"column": "channel", "op": "eq", "values": ["Flipkart"]},
        {"column": "inventory_sent", "op": "ge", "values": ["0"]},
    ]);
    let total = |args: serde_json::Value| match engine
        .dispatch(request(json!({"command": "query", "args": args})))
        .unwrap()
    {
        Response::Query(q) => q.total.unwrap(),
        other => panic!("{other:?}"),
    };
    let facet = |filters: &serde_json::Value| match engine
        .dispatch(request(json!({"command": "facets", "args": {
            "filters": filters, "columns": ["status"]}})))
        .unwrap()
    {
        Response::Facets(f) => f[0].values.iter().map(|v| v.count).sum(),
        other => panic!("{other:?}"),
    };
    let timeline = |filters: &serde_json::Value| match engine
        .dispatch(request(json!({"command": "timeline", "args": {
            "filters": filters, "buckets": 80, "utc_offset_minutes": 330}})))
        .unwrap()
    {
        Response::Timeline(t) => t.total,
        other => panic!("{other:?}"),
    };
    [
        total(json!({"filters": flipkart, "limit": 1})),
        facet(&flipkart),
        timeline(&flipkart),
        total(json!({"filters": flipkart, "search": "SKU", "limit": 1})),
        total(json!({"filters": scanned, "limit": 1})),
        facet(&scanned),
        timeline(&scanned),
    ]
}

#[test]
fn readers_see_an_import_whole_or_not_at_all() {
    an_import_is_seen_whole_or_not_at_all(false);
}

/// The same, with the scanned views counted from columns held in memory, as the shells that
/// show views count them: held for the store before the import, then read again after it.
#[test]
fn readers_of_held_columns_see_an_import_whole_or_not_at_all() {
    an_import_is_seen_whole_or_not_at_all(true);
}

fn an_import_is_seen_whole_or_not_at_all(hold_columns: bool) {
    let fx = Fixture::new();
    let path = fx.dir.path().join("t.db");
    let engine = Engine::open(&path).unwrap();
    if hold_columns {
        engine.hold_columns();
    }
    engine
        .dispatch(request(
            json!({"command": "import", "args": import_args(&konnect(&fx, "a.csv", 10_000, 0))}),
        ))
        .unwrap();
    let before = seen(&engine);
    assert_eq!(before, [5_000; 7]);
    let big = konnect(&fx, "b.csv", 150_000, 10_000);
    let job = match engine
        .dispatch(request(
            json!({"command": "start_import", "args": import_args(&big)}),
        ))
        .unwrap()
    {
        Response::StartImport(job) => job.id,
        other => panic!("{other:?}"),
    };
    let status = || match engine
        .dispatch(request(json!({"command": "job", "args": {"id": job}})))
        .unwrap()
    {
        Response::Job(j) => (j.status, j.progress.rows),
        other => panic!("{other:?}"),
    };
    let after = [5_000 + 75_000; 7];
    // Reads made while rows were being written, start to end.
    let mut while_writing = 0;
    loop {
        let (was, rows_before) = status();
        // Seven reads, each its own transaction: the import may commit between two of them, but
        // each sees all of it or none.
        let got = seen(&engine);
        assert!(
            got.iter().all(|n| *n == before[0] || *n == after[0]),
            "a reader saw part of an import: {got:?}"
        );
        let (now, _) = status();
        if was == JobStatus::Running && rows_before > 0 && now == JobStatus::Running {
            while_writing += 1;
        }
        if !matches!(now, JobStatus::Queued | JobStatus::Running) {
            assert_eq!(now, JobStatus::Success);
            break;
        }
    }
    assert!(while_writing > 0, "no read happened while the import wrote");
    assert_eq!(seen(&engine), after);
}

/// A facets request names columns the summary answers, registry facets read together and
/// columns read alone, in any order: each comes back in its place, as the column's facet
/// read on its own would be.
#[test]
fn facets_come_in_the_order_asked_whichever_way_each_is_counted() {
    let fx = Fixture::new();
    let path = fx.dir.path().join("t.db");
    let engine = Engine::open(&path).unwrap();
    engine.hold_columns();
    engine
        .dispatch(request(
            json!({"command": "import", "args": import_args(&konnect(&fx, "a.csv", 3_000, 0))}),
        ))
        .unwrap();
    let columns = [
        "sku",
        "channel",
        "tab",
        "inventory_sent",
        "status",
        "location_code",
        "sync_type",
        "account",
    ];
    let summarised = json!([{"column": "channel", "op": "eq", "values": ["Flipkart"]}]);
    let scanned = json!([
        {"column": "location_code", "op": "eq", "values": ["WH01"]},
        {"column": "inventory_sent", "op": "ge", "values": ["100"]},
    ]);
    let store = invlog_core::Store::open(&path).unwrap();
    for filters in [summarised, scanned] {
        let got = match engine
            .dispatch(request(json!({"command": "facets", "args": {
                "filters": filters, "columns": columns}})))
            .unwrap()
        {
            Response::Facets(f) => f,
            other => panic!("{other:?}"),
        };
        let parsed: Vec<invlog_core::query::filter::Filter> =
            serde_json::from_value(filters.clone()).unwrap();
        let want: Vec<_> = columns
            .iter()
            .map(|id| {
                let c = invlog_core::columns::find(id).unwrap();
                invlog_core::query::facet(store.conn(), &parsed, None, None, c).unwrap()
            })
            .collect();
        assert_eq!(
            serde_json::to_value(&got).unwrap(),
            serde_json::to_value(&want).unwrap(),
            "{filters}"
        );
        assert!(got.iter().all(|f| !f.values.is_empty()), "{filters}");
    }
}
