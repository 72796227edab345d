//! Query latency on a big store: first page (100 rows) and total count of typical views.
//! Run by bench/run.sh: `cargo run --release -p invlog-core --example bench_queries -- DB [RUNS]
//! [triage]` (`triage`: only the Failures and stock check figures).

use std::time::Instant;

use invlog_core::query::timeline::{self, TimelineRequest};
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
        kit: None,
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
    let db = args
        .next()
        .expect("usage: bench_queries DB [RUNS] [triage]");
    let runs: usize = args
        .next()
        .map_or(30, |r| r.parse().expect("RUNS is a number"));
    // `triage`: only the Failures and stock check tables (the 10M-row store's run).
    let only_triage = args.next().as_deref() == Some("triage");
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

    if only_triage {
        triage(conn, &views, runs);
        return;
    }
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
            total = query::count(conn, &v.filters, v.search.as_deref(), None).expect("count runs");
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

    // The event timeline above the table: one read per view, on one connection (the CLI) and
    // shared by id range across two connections read at once (the app, on two cores).
    let mut readers: Vec<Store> = (0..2)
        .map(|_| Store::open(std::path::Path::new(&db)).expect("store opens"))
        .collect();
    println!();
    println!(
        "| view | timeline, 1 connection p50 | p95 | 2 connections (the app) p50 | p95 | buckets |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    for (name, v) in &views {
        let req = TimelineRequest {
            view: v.clone(),
            buckets: 90,
            utc_offset_minutes: 0,
        };
        let mut buckets = 0;
        let (p50, p95) = time_ms(runs, || {
            buckets = timeline::get(conn, &req)
                .expect("timeline runs")
                .buckets
                .len();
        });
        let (s50, s95) = time_ms(runs, || {
            timeline::get_on(&mut readers.iter_mut().collect::<Vec<_>>(), &req, || false)
                .expect("timeline runs");
        });
        println!("| {name} | {p50:.1} ms | {p95:.1} ms | {s50:.1} ms | {s95:.1} ms | {buckets} |");
    }

    triage(conn, &views, runs);
    compare_search_indexes(conn, runs);
}

/// The two triage screens: failures grouped by signature under each view, and the stock check
/// (every SKU × channel pair, and its usual narrowings).
fn triage(conn: &rusqlite::Connection, views: &[(&str, ViewSpec)], runs: usize) {
    use invlog_core::failures::{self, FailuresRequest};
    use invlog_core::stock_check::{self, StockCheckRequest};
    println!();
    println!("| view | Failures p50 | p95 | failures | groups |");
    println!("|---|---:|---:|---:|---:|");
    for (name, v) in views {
        let req = FailuresRequest {
            view: v.clone(),
            buckets: 24,
        };
        let mut found = (0, 0);
        let (p50, p95) = time_ms(runs, || {
            let f = failures::get(conn, &req).expect("failures run");
            found = (f.total, f.groups.len());
        });
        println!(
            "| {name} | {p50:.1} ms | {p95:.1} ms | {} | {} |",
            found.0, found.1
        );
    }
    println!();
    println!("| stock check | p50 | p95 | pairs shown of all |");
    println!("|---|---:|---:|---:|");
    let checks: [(&str, StockCheckRequest); 4] = [
        (
            "every pair (first 1,000)",
            StockCheckRequest {
                limit: 1000,
                ..Default::default()
            },
        ),
        (
            "stale only",
            StockCheckRequest {
                stale: true,
                limit: 1000,
                ..Default::default()
            },
        ),
        (
            "channel = Flipkart",
            StockCheckRequest {
                channel: Some("Flipkart".into()),
                limit: 1000,
                ..Default::default()
            },
        ),
        (
            "one SKU (SKU-12345)",
            StockCheckRequest {
                sku: Some("SKU-12345".into()),
                limit: 1000,
                ..Default::default()
            },
        ),
    ];
    for (name, req) in &checks {
        let mut shown = (0, 0);
        let (p50, p95) = time_ms(runs, || {
            let c = stock_check::get(conn, req).expect("stock check runs");
            shown = (c.total, c.pairs);
        });
        println!(
            "| {name} | {p50:.1} ms | {p95:.1} ms | {} of {} |",
            shown.0, shown.1
        );
    }
}

/// The keyword index over the products dictionary: unicode61 tokens (what Invlog uses) against
/// trigrams, built in a TEMP schema so the store is untouched.
fn compare_search_indexes(conn: &rusqlite::Connection, runs: usize) {
    let products: i64 = conn
        .query_row("SELECT count(*) FROM products", [], |r| r.get(0))
        .expect("products count");
    println!();
    println!(
        "### Search index over the {products} distinct products: unicode61 tokens vs trigrams"
    );
    println!();
    println!(
        "| tokenizer | build | index size | \"kurta\" | \"SKU-12345\" | \"12345\" | \"pehme\" |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for (name, tokenize) in [
        ("unicode61", "unicode61 remove_diacritics 2"),
        ("trigram", "trigram remove_diacritics 1"),
    ] {
        conn.execute_batch(&format!(
            "DROP TABLE IF EXISTS temp.cmp; CREATE VIRTUAL TABLE temp.cmp USING fts5(sku, channel_sku, gtin, product_name, tokenize = '{tokenize}')"
        ))
        .expect("fts table");
        let start = Instant::now();
        conn.execute_batch(
            "INSERT INTO temp.cmp (rowid, sku, channel_sku, gtin, product_name)
             SELECT id, sku, channel_sku, gtin, product_name FROM main.products",
        )
        .expect("fts build");
        let build = start.elapsed().as_secs_f64() * 1000.0;
        let blocks: i64 = conn
            .query_row("SELECT count(*) FROM temp.cmp_data", [], |r| r.get(0))
            .expect("fts size");
        let mut cells = Vec::new();
        for term in ["kurta", "SKU-12345", "12345", "pehme"] {
            // unicode61 matches token prefixes, trigram any substring of 3+ characters.
            let expr = if name == "unicode61" {
                format!("\"{term}\"*")
            } else {
                format!("\"{term}\"")
            };
            let mut n = 0i64;
            let (p50, _) = time_ms(runs, || {
                n = conn
                    .query_row(
                        "SELECT count(*) FROM entries WHERE product_id IN (SELECT rowid FROM temp.cmp WHERE cmp MATCH ?1)",
                        [&expr],
                        |r| r.get(0),
                    )
                    .expect("search runs");
            });
            cells.push(format!("{p50:.1} ms ({n} rows)"));
        }
        println!(
            "| {name} | {build:.0} ms | {blocks} blocks | {} |",
            cells.join(" | ")
        );
    }
    conn.execute_batch("DROP TABLE IF EXISTS temp.cmp")
        .expect("drop");
}
