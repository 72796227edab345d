//! The query engine against a store holding every example file.

mod common;

use common::{examples, Fixture};
use invlog_core::columns::COLUMNS;
use invlog_core::query::{self, filter, Filter, Op, QueryRequest, SortKey, ViewSpec};
use proptest::prelude::*;
use serde_json::Value;

fn loaded() -> Fixture {
    let mut fx = Fixture::new();
    let mut paths: Vec<_> = std::fs::read_dir(examples())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    for p in paths {
        fx.import_ok(&p);
    }
    fx
}

fn view(filters: &[&str], sort: &[&str], columns: &[&str]) -> ViewSpec {
    ViewSpec {
        filters: filters.iter().map(|f| Filter::parse(f).unwrap()).collect(),
        search: None,
        sort: sort.iter().map(|s| SortKey::parse(s).unwrap()).collect(),
        columns: columns.iter().map(|c| (*c).to_owned()).collect(),
        kit: None,
    }
}

fn ids(fx: &Fixture, req: &QueryRequest) -> Vec<i64> {
    query::run(fx.store.conn(), req)
        .unwrap()
        .rows
        .iter()
        .map(|r| r[0].as_i64().unwrap())
        .collect()
}

/// Walks a view page by page with keyset cursors.
fn walk_keyset(fx: &Fixture, v: &ViewSpec, page: u32) -> Vec<i64> {
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let req = QueryRequest {
            view: v.clone(),
            limit: page,
            after: after.clone(),
            with_total: false,
            ..Default::default()
        };
        let resp = query::run(fx.store.conn(), &req).unwrap();
        out.extend(resp.rows.iter().map(|r| r[0].as_i64().unwrap()));
        match resp.next_cursor {
            Some(c) => after = Some(c),
            None => break,
        }
    }
    out
}

#[test]
fn keyset_pages_equal_one_big_page_for_every_sort() {
    let fx = loaded();
    let sorts: &[&[&str]] = &[
        &[],
        &["occurred_at"],
        &["status", "occurred_at:desc"],
        &["channel:desc", "inventory_sent"],
        &["retry_count:desc", "sku", "occurred_at"],
        &["best_before"],
        &["resolved:desc"],
    ];
    for sort in sorts {
        let v = view(&[], sort, &["id", "sku"]);
        let all = ids(
            &fx,
            &QueryRequest {
                view: v.clone(),
                limit: 10_000,
                ..Default::default()
            },
        );
        // Every example entry; kit definitions are not entries.
        assert_eq!(all.len(), 67);
        for page in [1, 3, 7, 50] {
            assert_eq!(
                walk_keyset(&fx, &v, page),
                all,
                "sort {sort:?}, page {page}"
            );
        }
        // Offset paging gives the same rows.
        let off = ids(
            &fx,
            &QueryRequest {
                view: v.clone(),
                limit: 10,
                offset: 20,
                ..Default::default()
            },
        );
        assert_eq!(off, all[20..30]);
    }
}

#[test]
fn scan_and_sort_fallback_returns_the_same_rows() {
    let fx = loaded();
    for filters in [
        &[][..],
        &["status = failed"][..],
        &["source = ordoro", "quantity > 2"][..],
    ] {
        for sort in [&[][..], &["occurred_at"][..]] {
            let req = QueryRequest {
                view: view(filters, sort, &["id", "occurred_at"]),
                limit: 7,
                offset: 3,
                ..Default::default()
            };
            let walked =
                query::run_with_budget(fx.store.conn(), &req, std::time::Duration::from_secs(60))
                    .unwrap();
            let fallback =
                query::run_with_budget(fx.store.conn(), &req, std::time::Duration::ZERO).unwrap();
            assert_eq!(walked.rows, fallback.rows, "{filters:?} {sort:?}");
            assert_eq!(walked.next_cursor, fallback.next_cursor);
            assert!(!walked.rows.is_empty());
        }
    }
}

/// Keywords and product filters matching many products, with a condition on the entry's row:
/// the page walked from the time index (`query::reach`) holds the rows the scan-and-sort plan
/// finds, newest or oldest first.
#[test]
fn pages_of_many_products_walked_in_time_hold_the_rows_sorting_finds() {
    let mut fx = Fixture::new();
    let mut csv = String::from("Product Name,Seller Identifier,Inventory Sent,Updated On,Status\n");
    for i in 0..3_000u32 {
        let sku = i * 7 % 50;
        let name = if sku % 3 == 0 {
            "Linen Shirt"
        } else {
            "Ceramic Mug"
        };
        let (day, minute) = (1 + i * 13 % 28, i * 31 % 1_440);
        csv.push_str(&format!(
            "{name},SKU-{sku},{},2025-03-{day:02} {:02}:{:02}:00,Success\n",
            i * 11 % 500,
            minute / 60,
            minute % 60
        ));
    }
    fx.import_ok(&fx.file("many.csv", csv));
    let views = [
        (vec!["sku ~ SKU-1", "inventory_sent >= 100"], None),
        (vec!["sku ~ SKU-", "inventory_sent < 450"], None),
        (vec!["inventory_sent >= 250"], Some("shirt")),
        (vec![], Some("mug")),
    ];
    for (filters, search) in views {
        for sort in ["occurred_at:desc", "occurred_at"] {
            let mut v = view(&filters, &[sort], &["id", "occurred_at"]);
            v.search = search.map(str::to_owned);
            for offset in [0, 40] {
                let req = QueryRequest {
                    view: v.clone(),
                    limit: 30,
                    offset,
                    ..Default::default()
                };
                let conn = fx.store.conn();
                let long = std::time::Duration::from_secs(60);
                let walked = query::run_with_budget(conn, &req, long).unwrap();
                let sorted = query::run_with_budget(conn, &req, std::time::Duration::ZERO).unwrap();
                assert_eq!(walked.rows.len(), 30, "{filters:?} {search:?} {sort}");
                assert_eq!(walked.rows, sorted.rows, "{filters:?} {search:?} {sort}");
                assert_eq!(walked.next_cursor, sorted.next_cursor);
            }
        }
        // Counted by a scan when the products' index would fetch many rows (`reach`): every
        // row of the view, as a page of all of them holds.
        let all = QueryRequest {
            view: ViewSpec {
                search: search.map(str::to_owned),
                ..view(&filters, &[], &["id"])
            },
            limit: 100_000,
            ..Default::default()
        };
        let conn = fx.store.conn();
        let rows = query::run(conn, &all).unwrap().rows.len() as u64;
        let f: Vec<Filter> = filters.iter().map(|f| Filter::parse(f).unwrap()).collect();
        assert_eq!(
            query::count(conn, &f, search, None).unwrap(),
            rows,
            "{filters:?}"
        );
        let scans = query::reach::count_scans(conn, &f, search, None).unwrap();
        assert_eq!(
            scans,
            !filters.is_empty(),
            "{filters:?} {search:?} counted by a scan"
        );
    }
}

#[test]
fn sort_orders_are_real() {
    let fx = loaded();
    let req = QueryRequest {
        view: view(&[], &["inventory_sent:desc"], &["inventory_sent"]),
        limit: 10_000,
        ..Default::default()
    };
    let vals: Vec<Value> = query::run(fx.store.conn(), &req)
        .unwrap()
        .rows
        .into_iter()
        .map(|mut r| r.remove(0))
        .collect();
    let nums: Vec<i64> = vals.iter().filter_map(Value::as_i64).collect();
    assert!(nums.windows(2).all(|w| w[0] >= w[1]));
    // NULLs sort last when descending.
    let first_null = vals.iter().position(Value::is_null).unwrap();
    assert!(vals[first_null..].iter().all(Value::is_null));
}

#[test]
fn totals_count_the_whole_view() {
    let fx = loaded();
    let req = QueryRequest {
        view: view(&["status = failed"], &[], &["id"]),
        limit: 2,
        ..Default::default()
    };
    let resp = query::run(fx.store.conn(), &req).unwrap();
    assert_eq!(resp.rows.len(), 2);
    let n: i64 = fx
        .store
        .conn()
        .query_row(
            "SELECT count(*) FROM entries WHERE status = 'failed'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(resp.total, Some(n as u64));
    assert!(n > 2);
}

#[test]
fn filters_select_what_they_say() {
    let fx = loaded();
    let count = |f: &[&str]| fx.rows(f, &["id"]).len();
    assert_eq!(count(&["source = konnect"]), 20);
    assert_eq!(
        count(&["source = konnect", "channel = Amazon"])
            + count(&["source = konnect", "channel != Amazon"]),
        20
    );
    assert_eq!(
        count(&["sku ~ sku-0090"]),
        15,
        "contains is case-insensitive"
    );
    assert_eq!(
        count(&["occurred_at >= 2025-03-10", "occurred_at < 2025-03-10"]),
        0
    );
    let day = fx.rows(&["occurred_at = 2025-03-06"], &["occurred_at"]);
    assert!(!day.is_empty());
    assert!(day
        .iter()
        .all(|r| r["occurred_at"].as_str().unwrap().starts_with("2025-03-06")));
    // Xoro's one open entry, and every failure of the sources without a resolved flag.
    assert_eq!(count(&["source = xoro", "resolved = false"]), 1);
    let failed_elsewhere = count(&["status = failed", "source != xoro"]);
    assert!(failed_elsewhere > 0);
    assert_eq!(count(&["resolved = false"]), 1 + failed_elsewhere);
    assert_eq!(
        count(&["status = failed", "source != xoro", "resolved = false"]),
        failed_elsewhere
    );
    assert_eq!(count(&["error ="]) + count(&["error !="]), 67);
    assert_eq!(count(&["error !="]), 3);
    assert_eq!(count(&["request ~ flipkart"]), 6);
    let in_filter = Filter {
        column: "source".into(),
        op: Op::In,
        values: vec!["xoro".into(), "pushlog".into()],
    };
    let req = QueryRequest {
        view: ViewSpec {
            filters: vec![in_filter],
            ..Default::default()
        },
        ..Default::default()
    };
    assert_eq!(query::run(fx.store.conn(), &req).unwrap().total, Some(16));
}

#[test]
fn keyword_search_matches_token_prefixes() {
    let fx = loaded();
    let search = |q: &str| {
        let req = QueryRequest {
            view: ViewSpec {
                search: Some(q.into()),
                columns: vec!["sku".into()],
                ..Default::default()
            },
            limit: 1000,
            ..Default::default()
        };
        query::run(fx.store.conn(), &req).unwrap()
    };
    let r = search("SKU-00017");
    assert_eq!(r.total, Some(2));
    assert!(r.rows.iter().all(|row| row[0] == "SKU-00017"));
    assert_eq!(search("pehme").total, Some(5), "prefix, diacritics folded");
    assert_eq!(
        search("not found").total,
        Some(3),
        "Xoro errors and ShipHero's one"
    );
    assert_eq!(search("PB00003").total, Some(1), "batch id");
    assert_eq!(search("\"; DROP TABLE entries; --").total, Some(0));
    assert_eq!(search("---").total, Some(0));
}

#[test]
fn facets_count_values_under_the_other_filters() {
    let fx = loaded();
    let f = query::facets(
        fx.store.conn(),
        &[
            Filter::parse("source = konnect").unwrap(),
            Filter::parse("status = failed").unwrap(),
        ],
        None,
        None,
        &["status".into(), "channel".into()],
    )
    .unwrap();
    let status: Vec<(Value, u64)> = f[0]
        .values
        .iter()
        .map(|v| (v.value.clone(), v.count))
        .collect();
    // The status facet ignores the status filter itself.
    assert_eq!(status.iter().map(|(_, n)| n).sum::<u64>(), 20);
    assert_eq!(
        status,
        vec![(Value::from("success"), 17), (Value::from("failed"), 3)]
    );
    // The channel facet keeps both filters: the three failed Konnect pushes.
    let channels: u64 = f[1].values.iter().map(|v| v.count).sum();
    assert_eq!(channels, 3);
}

#[test]
fn errors_are_clear() {
    let fx = loaded();
    let run = |v: ViewSpec| {
        query::run(
            fx.store.conn(),
            &QueryRequest {
                view: v,
                ..Default::default()
            },
        )
        .unwrap_err()
        .to_string()
    };
    assert_eq!(
        run(view(&["stauts = failed"], &[], &[])),
        "unknown column 'stauts'; did you mean 'status'?"
    );
    assert_eq!(
        run(view(&[], &["prodcut_name"], &[])),
        "unknown column 'prodcut_name'; did you mean 'product_name'?"
    );
    assert_eq!(
        run(view(&[], &[], &["sku", "chanel"])),
        "unknown column 'chanel'; did you mean 'channel'?"
    );
    assert!(run(view(&["quantity > many"], &[], &[])).contains("'many' is not a whole number"));
    assert!(run(view(&[], &["request"], &[])).contains("cannot be sorted"));
}

fn any_filter() -> impl Strategy<Value = Filter> {
    let cols: Vec<&'static str> = COLUMNS.iter().map(|c| c.id).collect();
    let value = prop_oneof![
        any::<String>(),
        "[0-9]{1,6}",
        Just("2025-03-06".to_owned()),
        Just("2025-03-06T17:23:06Z".to_owned()),
        Just("failed".to_owned()),
        Just("true".to_owned()),
        "[%_'\"\\\\;()*-]{0,6}",
    ];
    (
        prop::sample::select(cols),
        prop::sample::select(Op::ALL.to_vec()),
        prop::collection::vec(value, 0..3),
    )
        .prop_map(|(column, op, values)| Filter {
            column: column.to_owned(),
            op,
            values,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Any filter either is refused with a message or runs; user text never reaches the SQL.
    #[test]
    fn random_filters_never_break_sql(filters in prop::collection::vec(any_filter(), 1..4), search in proptest::option::of(any::<String>())) {
        let fx = shared();
        let mut sql = filter::Sql::default();
        let compiled = filters.iter().try_for_each(|f| filter::compile(f, &mut sql));
        if compiled.is_ok() {
            for f in &filters {
                for v in &f.values {
                    if v.len() >= 3 && !sql.text.is_empty() {
                        prop_assert!(!sql.text.contains(v.as_str()), "value {v:?} spliced into {}", sql.text);
                    }
                }
            }
        }
        let req = QueryRequest { view: ViewSpec { filters, search, ..Default::default() }, limit: 5, ..Default::default() };
        match query::run(fx.store.conn(), &req) {
            Ok(resp) => prop_assert!(resp.rows.len() <= 5),
            Err(invlog_core::CoreError::InvalidQuery(m)) => prop_assert!(!m.is_empty()),
            Err(e) => prop_assert!(false, "SQL failure: {e}"),
        }
    }
}

fn shared() -> &'static Fixture {
    use std::sync::OnceLock;
    struct Shared(Fixture);
    // The store is only read by the property test.
    unsafe impl Sync for Shared {}
    static FX: OnceLock<Shared> = OnceLock::new();
    &FX.get_or_init(|| Shared(loaded())).0
}

/// A page read by id from rows placed apart is refused for the limits a page is refused for.
#[test]
fn a_page_read_by_id_keeps_the_page_limits() {
    let fx = loaded();
    let conn = fx.store.conn();
    let rows: Vec<(i64, i64)> = conn
        .prepare("SELECT occurred_at, id FROM entries ORDER BY occurred_at DESC, id DESC LIMIT 3")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    for limit in [0, query::MAX_PAGE_ROWS + 1] {
        let req = QueryRequest {
            limit,
            ..QueryRequest::default()
        };
        let refused = |r: invlog_core::Result<query::QueryResponse>| match r {
            Err(invlog_core::CoreError::InvalidQuery(m)) => m,
            other => panic!("limit {limit}: {other:?}"),
        };
        assert_eq!(
            refused(query::run_rows(conn, &req, &rows)),
            refused(query::run(conn, &req))
        );
    }
    let req = QueryRequest {
        limit: 3,
        with_total: false,
        ..QueryRequest::default()
    };
    let page = query::run_rows(conn, &req, &rows).unwrap();
    assert_eq!(
        serde_json::to_value(page).unwrap(),
        serde_json::to_value(query::run(conn, &req).unwrap()).unwrap()
    );
}
