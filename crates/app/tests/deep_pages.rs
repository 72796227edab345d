//! Pages deep in a view, read after keyset anchors or from the view's end, are exactly the rows
//! a plain OFFSET gives, in every order, and stay so after the store changes.

#[path = "../../core/tests/common/mod.rs"]
mod common;

use common::Fixture;
use invlog_app::types::QueryRequest;
use invlog_app::{Engine, Request, Response};
use invlog_core::query;
use invlog_core::Store;
use serde_json::json;

const HEADER: &str = "Product Name,Channel & Account,Location Name,Location Code,Location Type,\
Seller Identifier,Channel Identifier,Inventory Sent,Updated On,Buffer Stock,Committed Inventory,\
Damaged Inventory,Status,Mfg Date,Exp Date";

/// `rows` Konnect rows from `seed`: times to the minute over a month (many ties), a fifth of
/// them failed, an eleventh with no buffer stock (NULLs to sort), 997 SKUs, three channels.
fn konnect(fx: &Fixture, name: &str, rows: u64, seed: u64) -> std::path::PathBuf {
    let channels = [
        "Amazon / Amazon-Delhi",
        "Flipkart / Flipkart-Main",
        "Shopify / Web",
    ];
    let mut text = format!("{HEADER}\n");
    for i in seed..seed + rows {
        let minute = (i * 7919) % (30 * 24 * 60);
        let (day, hour, min) = (1 + minute / 1440, (minute / 60) % 24, minute % 60);
        let buffer = if i % 11 == 0 {
            String::new()
        } else {
            (i % 40).to_string()
        };
        text.push_str(&format!(
            "Tee {i},{},Pune Hub,WH03,warehouse,SKU-{:05},C{i},{},2025-03-{day:02} {hour:02}:{min:02}:00,{buffer},1,0,{},,\n",
            channels[(i % 3) as usize],
            i % 997,
            i % 500,
            if i % 5 == 0 { "Failed" } else { "Success" },
        ));
    }
    fx.file(name, text)
}

fn import(engine: &Engine, path: &std::path::Path) {
    let req: Request = serde_json::from_value(json!({"command": "import", "args": {
        "paths": [path], "format": null, "sku": null, "batch": null
    }}))
    .unwrap();
    engine.dispatch(req).expect("the import runs");
}

fn views() -> Vec<serde_json::Value> {
    vec![
        json!({}),
        json!({"sort": [{"column": "sku"}]}),
        json!({"sort": [{"column": "buffer_stock", "desc": true}, {"column": "sku"}],
               "filters": [{"column": "status", "op": "eq", "values": ["success"]}]}),
        json!({"sort": [{"column": "occurred_at"}],
               "filters": [{"column": "channel", "op": "eq", "values": ["Amazon"]}]}),
        // Read from the summary's slots: time ranges that cut slots, both directions.
        json!({"filters": [
            {"column": "occurred_at", "op": "between",
             "values": ["2025-03-03T05:07:00.250Z", "2025-03-27T11:53:00Z"]},
            {"column": "status", "op": "eq", "values": ["success"]}]}),
        json!({"sort": [{"column": "occurred_at", "desc": true}, {"column": "id", "desc": true}],
               "filters": [{"column": "channel", "op": "eq", "values": ["Flipkart"]},
                           {"column": "occurred_at", "op": "ge", "values": ["2025-03-01T10:10:00.5Z"]}]}),
        // Found in the columns held in memory (a quantity the summary does not count).
        json!({"filters": [{"column": "inventory_sent", "op": "ge", "values": ["100"]}]}),
        json!({"sort": [{"column": "occurred_at"}],
               "filters": [{"column": "buffer_stock", "op": "lt", "values": ["30"]},
                           {"column": "status", "op": "eq", "values": ["success"]}]}),
    ]
}

fn request(view: &serde_json::Value, offset: u64, with_total: bool) -> QueryRequest {
    let mut req = view.clone();
    req["offset"] = json!(offset);
    req["limit"] = json!(200);
    req["with_total"] = json!(with_total);
    req["columns"] = json!(["sku", "occurred_at"]);
    serde_json::from_value(req).unwrap()
}

fn engine_page(engine: &Engine, req: QueryRequest) -> (Option<u64>, Vec<i64>) {
    match engine.dispatch(Request::Query(req)).expect("the page") {
        Response::Query(q) => (q.total, q.ids),
        _ => panic!("a query answers with a page"),
    }
}

/// Every position that reads differently: the first anchor's edges, both halves, the last
/// (partial) page, past the end; in an order that jumps back and forth.
fn positions(total: u64) -> Vec<u64> {
    vec![
        total - 1,
        10_000,
        total / 2 + 3,
        9_999,
        total - 200,
        20_001,
        total / 2 - 150,
        total - 250,
        10_001,
        total,
        total + 5,
        total - 10_123,
    ]
}

/// `last_first`: the views in the other order, so that the view last sought before a change
/// of the store is the first sought after it.
fn check_every_view(engine: &Engine, plain: &Store, last_first: bool) {
    let mut views = views();
    if last_first {
        views.reverse();
    }
    for view in views {
        let (total, _) = engine_page(engine, request(&view, 0, true));
        let total = total.expect("a total");
        assert!(
            total > 20_400,
            "{view}: {total} rows is too few to test anchors"
        );
        for at in positions(total) {
            let want = query::run(plain.conn(), &request(&view, at, false)).unwrap();
            let (shown_total, got) = engine_page(engine, request(&view, at, at % 2 == 0));
            assert_eq!(got, want.ids, "{view} at {at} of {total}");
            assert_eq!(
                shown_total,
                (at % 2 == 0).then_some(total),
                "{view} at {at}"
            );
            let expected_rows = total.saturating_sub(at).min(200) as usize;
            assert_eq!(got.len(), expected_rows, "{view} at {at} of {total}");
        }
    }
}

#[test]
fn deep_pages_are_the_rows_an_offset_gives_in_every_order_before_and_after_the_store_changes() {
    let fx = Fixture::new();
    let path = fx.dir.path().join("t.db");
    let engine = Engine::new(Store::open(&path).unwrap()).unwrap();
    // As `invlog serve` and the desktop app read: quantity views found in held columns.
    let holding = Engine::new(Store::open(&path).unwrap()).unwrap();
    holding.hold_columns();
    import(&engine, &konnect(&fx, "a.csv", 64_000, 0));
    let plain = Store::open(&path).unwrap();
    check_every_view(&engine, &plain, false);
    check_every_view(&holding, &plain, false);
    // New rows land all through each order: anchors found before them would now point at
    // other rows, and columns held before them miss them.
    import(&engine, &konnect(&fx, "b.csv", 9_000, 64_000));
    check_every_view(&engine, &plain, true);
    check_every_view(&holding, &plain, true);
}

#[test]
fn the_tables_pages_are_read_while_other_reads_hold_read_connections() {
    let fx = Fixture::new();
    let path = fx.dir.path().join("t.db");
    let engine = Engine::new(Store::open(&path).unwrap()).unwrap();
    import(&engine, &konnect(&fx, "a.csv", 500, 0));
    // Long reads (a facet's scan, an export) hold read connections.
    let busy: Vec<_> = (0..8).map(|_| engine.store().unwrap()).collect();
    let (done, answered) = std::sync::mpsc::channel();
    let pages = engine.clone();
    std::thread::spawn(move || {
        let _ = done.send(engine_page(&pages, request(&json!({}), 200, true)));
    });
    let (total, ids) = answered
        .recv_timeout(std::time::Duration::from_secs(20))
        .expect("the page is answered while other reads run");
    assert_eq!(total, Some(500));
    assert_eq!(ids.len(), 200);
    drop(busy);
}
