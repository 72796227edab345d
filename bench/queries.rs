//! Query latency on a big store: first page (100 rows) and total count of typical views.
//! Run by bench/run.sh: `cargo run --release -p invlog-core --example bench_queries -- DB [RUNS]`

use std::time::Instant;

use invlog_core::query::{self, Filter, QueryRequest, SortKey, ViewSpec};
use invlog_core::Store;

fn view(filters: &[&str], search: Option<&str>, sort: &[&str]) -> ViewSpec {
    ViewSpec {
        filters: filters
            .iter()
            .map(|f| Filter::parse(f).expect("valid filter"))
            .collect(),
        search: search.map(str::to_owned),
        sort: sort
            .iter()
            .map(|s| SortKey::parse(s).expect("valid sort"))
            .collect(),
        columns: Vec::new(),
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn time_ms(runs: usize, mut f: impl FnMut()) -> (f64, f64) {
    f(); // warm the page cache once, as a user's second look would
    let mut t: Vec<f64> = (0..runs)
        .map(|_| {
            let s = Instant::now();
            f();
            s.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    t.sort_by(|a, b| a.total_cmp(b));
    (percentile(&t, 0.5), percentile(&t, 0.95))
}

fn main() {
    let mut args = std::env::args().skip(1);
    let db = args.next().expect("usage: bench_queries DB [RUNS]");
    let runs: usize = args
        .next()
        .map_or(30, |r| r.parse().expect("RUNS is a number"));
    let store = Store::open(std::path::Path::new(&db)).expect("store opens");
    let conn = store.conn();

    let views: Vec<(&str, ViewSpec)> = vec![
        ("all, newest first", view(&[], None, &[])),
        ("failed only", view(&["status = failed"], None, &[])),
        (
            "channel = Flipkart, time desc",
            view(&["channel = Flipkart"], None, &["occurred_at:desc"]),
        ),
        (
            "date range (one week)",
            view(
                &["occurred_at >= 2025-03-01", "occurred_at < 2025-03-08"],
                None,
                &[],
            ),
        ),
        (
            "sku contains SKU-0001 (10 SKUs)",
            view(&["sku ~ SKU-0001"], None, &[]),
        ),
        (
            "sku contains 12345 (1 SKU)",
            view(&["sku ~ 12345"], None, &[]),
        ),
        (
            "location STR002 and failed",
            view(&["location_code = STR002", "status = failed"], None, &[]),
        ),
        (
            "account = Ajio-West, oldest first",
            view(&["account = Ajio-West"], None, &["occurred_at"]),
        ),
        ("keyword: kurta", view(&[], Some("kurta"), &[])),
        ("keyword: SKU-12345", view(&[], Some("SKU-12345"), &[])),
    ];

    println!("| view | first page p50 | first page p95 | total count p50 | total count p95 | rows in view |");
    println!("|---|---:|---:|---:|---:|---:|");
    for (name, v) in &views {
        let page = QueryRequest {
            view: v.clone(),
            limit: 100,
            with_total: false,
            ..Default::default()
        };
        let (p50, p95) = time_ms(runs, || {
            query::run(conn, &page).expect("query runs");
        });
        let mut total = 0;
        let (c50, c95) = time_ms(runs, || {
            total = query::count(conn, &v.filters, v.search.as_deref()).expect("count runs");
        });
        println!("| {name} | {p50:.1} ms | {p95:.1} ms | {c50:.1} ms | {c95:.1} ms | {total} |");
    }

    // Deep pages: the cursor of row 900,000 (found once, slowly), then the page after it.
    let all = view(&[], None, &[]);
    let to_deep = QueryRequest {
        view: all.clone(),
        limit: 100,
        offset: 899_900,
        with_total: false,
        ..Default::default()
    };
    let (o50, o95) = time_ms(runs.min(10), || {
        query::run(conn, &to_deep).expect("offset query runs");
    });
    let cursor = query::run(conn, &to_deep)
        .expect("offset query runs")
        .next_cursor;
    let deep = QueryRequest {
        view: all,
        limit: 100,
        after: cursor,
        with_total: false,
        ..Default::default()
    };
    let (k50, k95) = time_ms(runs, || {
        query::run(conn, &deep).expect("keyset query runs");
    });
    println!("| page at row 900,000 via keyset cursor | {k50:.1} ms | {k95:.1} ms | | | |");
    println!(
        "| page at row 900,000 via OFFSET (for comparison) | {o50:.1} ms | {o95:.1} ms | | | |"
    );
}
