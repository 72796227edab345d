//! Failure triage and stock verification over imported logs: error signatures computed at
//! import (and kept right by updates), failure groups equal to a count by hand, and the stock
//! check on a constructed history.

mod common;

use std::collections::BTreeMap;

use common::Fixture;
use invlog_core::failures::{self, FailuresRequest};
use invlog_core::query::{Filter, ViewSpec};
use invlog_core::resolve::{self, SetResolvedView};
use invlog_core::stock_check::{self, StockCheckRequest};
use serde_json::json;

/// One push log line.
#[allow(clippy::too_many_arguments)]
fn push(
    batch: &str,
    sku: &str,
    account: &str,
    sent: i64,
    buffer: i64,
    status: &str,
    at: &str,
    response: serde_json::Value,
) -> String {
    let (channel, _) = account.split_once('-').unwrap_or((account, ""));
    json!({
        "batch_id": batch, "channel": channel, "account": account, "sku": sku,
        "location_code": "WH01", "inventory_sent": sent, "buffer_stock": buffer,
        "status": status, "updated_at": at, "last_retry_at": at,
        "request": {"method": "PUT", "url": "https://api.example/v1/inventory", "body": {"sku": sku}},
        "response": response,
    })
    .to_string()
}

fn not_found(sku: &str) -> serde_json::Value {
    json!({"status": 404, "body": {"errors": [{"code": "NOT_FOUND", "message": format!("SKU '{sku}' not found")}]}})
}

fn limited(secs: u32) -> serde_json::Value {
    json!({"status": 429, "body": {"error": {"code": 429, "message": format!("Rate limit exceeded. Retry after {secs} seconds")}}})
}

fn ok() -> serde_json::Value {
    json!({"status": 200, "body": {"ok": true}})
}

fn failures(fx: &Fixture, filters: Vec<Filter>) -> failures::Failures {
    failures::get(
        fx.store.conn(),
        &FailuresRequest {
            view: ViewSpec {
                filters,
                ..ViewSpec::default()
            },
            buckets: 12,
        },
    )
    .unwrap()
}

#[test]
fn failures_group_by_signature_and_equal_a_count_by_hand() {
    let mut fx = Fixture::new();
    let mut lines = Vec::new();
    for i in 0..30 {
        let sku = format!("SKU-{i:05}");
        let at = format!("2025-03-{:02}T10:00:00Z", 1 + i % 28);
        let (status, response) = match i % 3 {
            0 => ("failed", not_found(&sku)),
            1 => ("failed", limited(5 + i as u32)),
            _ => ("success", ok()),
        };
        let account = ["Amazon-Mumbai", "Flipkart-Main"][i % 2];
        lines.push(push(
            &format!("B{i}"),
            &sku,
            account,
            10,
            2,
            status,
            &at,
            response,
        ));
    }
    // A failed push whose source said nothing about why.
    lines.push(push(
        "B99",
        "SKU-00099",
        "Amazon-Mumbai",
        1,
        0,
        "failed",
        "2025-03-02T00:00:00Z",
        json!(null),
    ));
    let file = fx.file("pushes.jsonl", lines.join("\n"));
    fx.import_ok(&file);

    let f = failures(&fx, vec![]);
    assert_eq!(f.total, 21);
    let by_sig: BTreeMap<String, u64> = f
        .groups
        .iter()
        .map(|g| (g.signature.clone(), g.count))
        .collect();
    assert_eq!(
        by_sig,
        BTreeMap::from([
            ("HTTP 404: NOT_FOUND: SKU '…' not found".to_owned(), 10),
            (
                "HTTP 429: 429: Rate limit exceeded. Retry after <n> seconds".to_owned(),
                10
            ),
            ("(no error recorded)".to_owned(), 1),
        ])
    );
    // The same groups counted by hand from the rows the table shows.
    let rows = fx.rows(&["status = failed"], &["error_signature", "sku", "account"]);
    let mut by_hand: BTreeMap<String, u64> = BTreeMap::new();
    for r in &rows {
        let sig = r["error_signature"]
            .as_str()
            .expect("every failure is signed");
        *by_hand.entry(sig.to_owned()).or_default() += 1;
    }
    assert_eq!(by_sig, by_hand);
    let biggest = &f.groups[0];
    assert_eq!(biggest.skus, 10);
    assert_eq!(biggest.accounts, 2);
    assert_eq!(biggest.channels, 2);
    assert_eq!(biggest.locations, 1);
    assert_eq!(biggest.unresolved, 10);
    assert_eq!(biggest.trend.iter().sum::<u64>(), 10);
    assert!((f.groups.iter().map(|g| g.share).sum::<f64>() - 1.0).abs() < 1e-9);
    let example = biggest.example.as_deref().unwrap();
    assert!(example.starts_with("HTTP 4"), "{example}");
    assert!(
        example.contains("SKU-") || example.contains("seconds"),
        "the example is as said: {example}"
    );
    // Each group's filters show exactly its rows.
    for g in &f.groups {
        let filters: Vec<String> = g
            .filters
            .iter()
            .map(|f| match f.values.first() {
                Some(v) => format!("{} = {v}", f.column),
                None => format!("{} =", f.column),
            })
            .collect();
        let refs: Vec<&str> = filters.iter().map(String::as_str).collect();
        assert_eq!(
            fx.rows(&refs, &["id"]).len() as u64,
            g.count,
            "{:?}",
            g.signature
        );
    }
    // The view's filters apply: one account only.
    let one = failures(&fx, vec![Filter::parse("account = Flipkart-Main").unwrap()]);
    assert_eq!(
        one.total,
        fx.rows(&["status = failed", "account = Flipkart-Main"], &["id"])
            .len() as u64
    );

    // The trend spans the view's date range, not just its failures'.
    let march = failures(
        &fx,
        vec![Filter::new(
            "occurred_at",
            invlog_core::query::Op::Between,
            &["2025-02-01", "2025-03-31"],
        )],
    );
    let feb_1 = 1_738_368_000_000; // 2025-02-01T00:00:00Z
    assert_eq!(march.trend_start, feb_1);
    let buckets = &march.groups[0].trend;
    assert_eq!(buckets.len(), 12);
    assert_eq!(
        buckets[..5].iter().sum::<u64>(),
        0,
        "February has no failures: {buckets:?}"
    );
    assert_eq!(buckets.iter().sum::<u64>(), march.groups[0].count);

    // Resolving a group marks its open entries, once.
    let group = biggest.filters.clone();
    let req = SetResolvedView {
        filters: group.clone(),
        search: None,
        resolved: true,
        note: Some("listing recreated".into()),
    };
    assert_eq!(
        resolve::set_view(&mut fx.store, &req, "tester").unwrap(),
        10
    );
    assert_eq!(resolve::set_view(&mut fx.store, &req, "tester").unwrap(), 0);
    let after = failures(&fx, vec![]);
    assert_eq!(after.groups[0].unresolved, 0);
    assert!(resolve::set_view(
        &mut fx.store,
        &SetResolvedView {
            filters: vec![],
            search: None,
            resolved: true,
            note: None
        },
        "tester"
    )
    .is_err());
}

#[test]
fn a_later_success_clears_the_signature_and_a_later_failure_changes_it() {
    let mut fx = Fixture::new();
    let first = fx.file(
        "a.jsonl",
        push(
            "B1",
            "SKU-1",
            "Amazon-Mumbai",
            5,
            0,
            "failed",
            "2025-03-01T10:00:00Z",
            not_found("SKU-1"),
        ),
    );
    fx.import_ok(&first);
    let sig = |fx: &Fixture| fx.rows(&[], &["error_signature"])[0]["error_signature"].clone();
    assert_eq!(sig(&fx), json!("HTTP 404: NOT_FOUND: SKU '…' not found"));
    let later = fx.file(
        "b.jsonl",
        push(
            "B1",
            "SKU-1",
            "Amazon-Mumbai",
            5,
            0,
            "failed",
            "2025-03-01T11:00:00Z",
            limited(3),
        ),
    );
    let r = fx.import_ok(&later);
    assert_eq!((r.new, r.updated), (0, 1), "{r:?}");
    assert_eq!(
        sig(&fx),
        json!("HTTP 429: 429: Rate limit exceeded. Retry after <n> seconds")
    );
    let fixed = fx.file(
        "c.jsonl",
        push(
            "B1",
            "SKU-1",
            "Amazon-Mumbai",
            5,
            0,
            "success",
            "2025-03-01T12:00:00Z",
            ok(),
        ),
    );
    fx.import_ok(&fixed);
    assert_eq!(sig(&fx), json!(null));
    assert_eq!(failures(&fx, vec![]).total, 0);
}

#[test]
fn sources_own_error_text_is_signed_xoro() {
    let mut fx = Fixture::new();
    fx.import_ok(&common::example("xoro-amazon-logs.csv"));
    let rows = fx.rows(&["error !="], &["error", "error_signature"]);
    assert!(!rows.is_empty());
    for r in rows {
        let sig = r["error_signature"].as_str().expect("an error is signed");
        assert!(!sig.is_empty());
        assert!(!sig.contains("SKU-0"), "SKUs are taken out: {sig}");
    }
}

#[test]
fn a_store_from_before_signatures_gets_them_when_it_migrates() {
    use rusqlite::Connection;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    {
        let mut store = invlog_core::Store::open(&path).unwrap();
        let file = dir.path().join("p.jsonl");
        std::fs::write(
            &file,
            push(
                "B1",
                "SKU-7",
                "Amazon-Mumbai",
                5,
                0,
                "failed",
                "2025-03-01T10:00:00Z",
                not_found("SKU-7"),
            ),
        )
        .unwrap();
        invlog_core::ingest::import_file(
            &mut store,
            &file,
            &Default::default(),
            &Default::default(),
        )
        .unwrap();
    }
    // Back to schema 11 as an older Invlog left it: no signature column, no entry summary.
    {
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "DROP INDEX entries_by_signature;
             ALTER TABLE entries DROP COLUMN error_signature;
             DROP TABLE push_pairs; DROP TABLE record_stock;
             DROP TRIGGER summary_on_update; DROP TRIGGER entries_on_update;
             DROP TRIGGER entries_on_mark;
             DROP TABLE summary_counts;
             DROP TABLE summary_combos; DROP TABLE summary_state;
             PRAGMA user_version = 11;",
        )
        .unwrap();
    }
    let store = invlog_core::Store::open(&path).unwrap();
    // The entry summary is counted from the entries the store holds.
    let summary = invlog_core::summary::Snapshot::load(store.conn()).unwrap();
    let failed = [invlog_core::query::Filter::parse("status = failed").unwrap()];
    assert_eq!(summary.count(store.conn(), &failed).unwrap(), 1);
    let sig: Option<String> = store
        .conn()
        .query_row("SELECT error_signature FROM entries", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        sig.as_deref(),
        Some("HTTP 404: NOT_FOUND: SKU '…' not found")
    );
    // What each channel last received is worked out from the entries it holds.
    let c = stock_check::get(
        store.conn(),
        &StockCheckRequest {
            limit: 10,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(c.pairs, 1);
    assert_eq!(c.rows[0].failures_since, 1);
    assert_eq!(
        c.rows[0].last_failure_signature.as_deref(),
        Some("HTTP 404: NOT_FOUND: SKU '…' not found")
    );
}

/// Ordoro's log of SKU-1: 50 available on hand on 2025-03-05.
fn ordoro_has_50_of_sku_1(fx: &mut Fixture) {
    let ordoro = fx.file(
        "inventory-log-SKU-1.csv",
        "created_at,imported_at,event_type,quantity,available_on_hand,physical_on_hand,cart_type,cart_id,cart_name,event_id,warehouse_name,warehouse_locations,user_name,sending_warehouse,receiving_warehouse,transfer_notes,line_notes,expected_quantity,received_quantity,restocked_quantity\n\
         2025-03-05T09:00:00Z,2025-03-05T09:00:01Z,on_hand,2,50,52,,,,E1,Main,,ann,,,,,,,\n",
    );
    let opts = invlog_core::ingest::ImportOptions {
        sku: Some("SKU-1".into()),
        ..Default::default()
    };
    fx.import_with(&ordoro, opts).unwrap();
}

fn check(fx: &Fixture, req: StockCheckRequest) -> stock_check::StockCheck {
    stock_check::get(fx.store.conn(), &req).unwrap()
}

#[test]
fn stock_check_finds_stale_channels_and_mismatches() {
    let mut fx = Fixture::new();
    let lines = [
        // SKU-1 on Amazon: a success, then two failures: stale, showing 40.
        push(
            "P1",
            "SKU-1",
            "Amazon-Mumbai",
            40,
            5,
            "success",
            "2025-03-01T10:00:00Z",
            ok(),
        ),
        push(
            "P2",
            "SKU-1",
            "Amazon-Mumbai",
            38,
            5,
            "failed",
            "2025-03-02T10:00:00Z",
            not_found("SKU-1"),
        ),
        push(
            "P3",
            "SKU-1",
            "Amazon-Mumbai",
            37,
            5,
            "failed",
            "2025-03-03T10:00:00Z",
            limited(9),
        ),
        // SKU-1 on Flipkart: a failure then a success: up to date.
        push(
            "P4",
            "SKU-1",
            "Flipkart-Main",
            30,
            5,
            "failed",
            "2025-03-01T10:00:00Z",
            limited(2),
        ),
        push(
            "P5",
            "SKU-1",
            "Flipkart-Main",
            45,
            5,
            "success",
            "2025-03-04T10:00:00Z",
            ok(),
        ),
        // SKU-2 never got through.
        push(
            "P6",
            "SKU-2",
            "Amazon-Mumbai",
            3,
            0,
            "failed",
            "2025-03-02T10:00:00Z",
            limited(2),
        ),
    ];
    fx.import_ok(&fx.file("pushes.jsonl", lines.join("\n")));
    // Ordoro says 50 available on 2025-03-05, Logitrail 48 earlier: the newest wins, both listed.
    ordoro_has_50_of_sku_1(&mut fx);
    let logitrail = fx.file(
        "logitrail.json",
        json!({"total_count": 1, "offset": 0, "count": 1, "products": [{"id": "L1", "merchants_id": "SKU-1", "name": "One", "inventory": {"available": 48, "inbound": 0, "in_stock": 48, "reserved": 0, "on_hold": 0, "last_movement": "2025-03-04T08:00:00Z"}}]}).to_string(),
    );
    let lt = fx.import(&logitrail);
    assert!(lt.is_ok(), "{lt:?}");

    let all = check(
        &fx,
        StockCheckRequest {
            limit: 100,
            ..Default::default()
        },
    );
    assert_eq!(all.pairs, 3);
    assert_eq!(all.stale, 2);
    let pair = |sku: &str, account: &str| {
        all.rows
            .iter()
            .find(|r| r.sku == sku && r.account.as_deref() == Some(account))
            .unwrap()
            .clone()
    };
    let amazon = pair("SKU-1", "Amazon-Mumbai");
    assert!(amazon.stale);
    assert_eq!(amazon.failures_since, 2);
    assert_eq!(amazon.last_sent, Some(40));
    assert_eq!(amazon.last_push_status, "failed");
    assert_eq!(
        amazon.last_failure_signature.as_deref(),
        Some("HTTP 429: 429: Rate limit exceeded. Retry after <n> seconds")
    );
    let sources: Vec<&str> = amazon.records.iter().map(|r| r.source.as_str()).collect();
    assert_eq!(
        sources,
        ["ordoro", "logitrail"],
        "newest first, both listed"
    );
    assert_eq!(amazon.expected, Some(50 - 5), "the buffer is held back");
    assert_eq!(amazon.difference, Some(40 - 45));
    assert!(amazon.mismatch);
    let flipkart = pair("SKU-1", "Flipkart-Main");
    assert!(!flipkart.stale);
    assert_eq!(flipkart.failures_since, 0);
    assert_eq!(flipkart.last_sent, Some(45));
    assert_eq!(flipkart.difference, Some(0));
    assert!(!flipkart.mismatch);
    let never = pair("SKU-2", "Amazon-Mumbai");
    assert!(never.stale);
    assert_eq!((never.last_sent, never.failures_since), (None, 1));
    assert!(never.records.is_empty() && never.difference.is_none());

    // Stale first by default; the filters narrow.
    assert!(all.rows[0].stale);
    let stale = check(
        &fx,
        StockCheckRequest {
            stale: true,
            limit: 100,
            ..Default::default()
        },
    );
    assert_eq!(stale.total, 2);
    let mismatched = check(
        &fx,
        StockCheckRequest {
            mismatch: true,
            limit: 100,
            ..Default::default()
        },
    );
    assert_eq!(mismatched.rows.len(), 1);
    let flip = check(
        &fx,
        StockCheckRequest {
            channel: Some("Flipkart".into()),
            limit: 100,
            ..Default::default()
        },
    );
    assert_eq!(flip.total, 1);
    let one = check(
        &fx,
        StockCheckRequest {
            sku: Some("SKU-2".into()),
            limit: 100,
            ..Default::default()
        },
    );
    assert_eq!(one.total, 1);
    // Sorted by the size of the difference, nothing known last; paged.
    let by_diff = check(
        &fx,
        StockCheckRequest {
            sort: vec![invlog_core::query::SortKey::parse("difference:desc").unwrap()],
            limit: 100,
            ..Default::default()
        },
    );
    let diffs: Vec<Option<i64>> = by_diff.rows.iter().map(|r| r.difference).collect();
    assert_eq!(diffs, [Some(-5), Some(0), None]);
    let second = check(
        &fx,
        StockCheckRequest {
            sort: vec![invlog_core::query::SortKey::parse("sku:desc").unwrap()],
            limit: 1,
            offset: 1,
            ..Default::default()
        },
    );
    assert_eq!((second.total, second.rows.len()), (3, 1));
    assert_eq!(second.rows[0].sku, "SKU-1");
    let bad = stock_check::get(
        fx.store.conn(),
        &StockCheckRequest {
            sort: vec![invlog_core::query::SortKey::parse("nope").unwrap()],
            ..Default::default()
        },
    );
    assert!(bad
        .unwrap_err()
        .to_string()
        .contains("cannot be sorted by 'nope'"));
}

/// Random pushes: `n` lines over a few SKUs, accounts and days, some repeating earlier batches
/// with a newer retry (updates), in no time order.
fn random_pushes(seed: &mut u64, n: usize, batch_base: usize) -> String {
    let mut next = |m: u64| {
        *seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (*seed >> 33) % m
    };
    (0..n)
        .map(|i| {
            let sku = format!("SKU-{}", next(4));
            let account = ["Amazon-Mumbai", "Flipkart-Main", "Myntra-North"][next(3) as usize];
            let failed = next(3) == 0;
            let batch = if next(4) == 0 {
                next(batch_base.max(1) as u64) as usize
            } else {
                batch_base + i
            };
            let at = format!("2025-03-{:02}T{:02}:00:00Z", 1 + next(20), next(24));
            push(
                &format!("B{batch}"),
                &sku,
                account,
                next(100) as i64,
                next(5) as i64,
                if failed { "failed" } else { "success" },
                &at,
                if failed {
                    limited(next(60) as u32)
                } else {
                    ok()
                },
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The channel summary's tables, row by row, as text.
fn summary_tables(fx: &Fixture) -> Vec<String> {
    let conn = fx.store.conn();
    let mut out = Vec::new();
    for sql in [
        "SELECT * FROM push_pairs ORDER BY sku, channel, account, location_code",
        "SELECT * FROM record_stock ORDER BY sku, source",
    ] {
        let mut st = conn.prepare(sql).unwrap();
        let n = st.column_count();
        let rows = st
            .query_map([], |r| {
                Ok((0..n)
                    .map(|i| format!("{:?}", r.get_ref(i).unwrap()))
                    .collect::<Vec<_>>()
                    .join("|"))
            })
            .unwrap();
        out.extend(rows.map(Result::unwrap));
    }
    out
}

#[test]
fn the_channel_summary_equals_working_it_out_from_the_entries() {
    let everything = StockCheckRequest {
        limit: 10_000,
        ..Default::default()
    };
    for round in 0..6u64 {
        let mut seed = 7 + round;
        let mut fx = Fixture::new();
        let mut imports = Vec::new();
        for k in 0..4 {
            let file = fx.file(
                &format!("p{k}.jsonl"),
                random_pushes(&mut seed, 60, k * 1000),
            );
            imports.push(fx.import_ok(&file).import_id.unwrap());
        }
        // Ordoro's and Logitrail's stock for some SKUs.
        ordoro_has_50_of_sku_1(&mut fx);
        let kept = |fx: &Fixture| stock_check::get(fx.store.conn(), &everything).unwrap().rows;
        let worked_out = |fx: &Fixture| {
            invlog_core::channel_state::rebuild(fx.store.conn()).unwrap();
            kept(fx)
        };
        let incremental = kept(&fx);
        assert!(incremental.iter().any(|r| r.stale) && incremental.iter().any(|r| !r.stale));
        // Each pair's state as merged import by import (failures since its last success
        // included), then as worked out from all the entries at once.
        let merged = summary_tables(&fx);
        assert_eq!(incremental, worked_out(&fx), "round {round}: after imports");
        assert_eq!(merged, summary_tables(&fx), "round {round}: the tables");
        // Removing an import works out its SKUs again.
        invlog_core::ingest::removal::remove(&mut fx.store, imports[1], true).unwrap();
        let after_removal = kept(&fx);
        assert_eq!(
            after_removal,
            worked_out(&fx),
            "round {round}: after removing an import"
        );
    }
}

#[test]
fn a_sync_row_without_its_own_error_takes_its_batch_error_when_the_batch_comes() {
    let mut fx = Fixture::new();
    let items = fx.file(
        "items.json",
        json!({"data": {"inventory_sync_items_status": {"data": {"edges": [
            {"node": {"id": "R1", "row": 1, "sku": "SKU-7", "quantity": 5, "action": "change",
                      "status": "error", "error": null,
                      "created_at": "2026-11-05T10:00:00Z", "updated_at": "2026-11-05T10:00:00Z"}}
        ]}}}})
        .to_string(),
    );
    fx.import_with(
        &items,
        invlog_core::ingest::ImportOptions {
            batch: Some("B1".into()),
            ..Default::default()
        },
    )
    .unwrap();
    let sig = |fx: &Fixture| fx.rows(&[], &["error_signature"])[0]["error_signature"].clone();
    assert_eq!(sig(&fx), json!("(no error recorded)"));
    let batch = fx.file(
        "status.json",
        json!({"data": {"inventory_sync_status": {"data": {"id": "B1", "status": "error",
            "error": "File processing failed at 2026-11-05 10:01:02: timeout after 300s",
            "total_count": 1, "error_count": 1,
            "created_at": "2026-11-05T10:00:00Z", "updated_at": "2026-11-05T10:02:00Z"}}}})
        .to_string(),
    );
    fx.import_ok(&batch);
    assert_eq!(
        sig(&fx),
        json!("File processing failed at <time>: timeout after <n>")
    );
}

#[test]
fn a_first_table_import_tallied_by_its_parser_equals_working_it_out_again() {
    for first in [
        "konnect-inventory-logs.csv",
        "konnect-inventory-logs.xlsx",
        "inventory-log-SKU-00901.csv",
    ] {
        let mut fx = Fixture::new();
        fx.import_ok(&common::example(first));
        fx.import_ok(&common::example("push-attempts.jsonl"));
        let kept = summary_tables(&fx);
        assert!(kept.len() > 1, "{first}: {kept:?}");
        invlog_core::channel_state::rebuild(fx.store.conn()).unwrap();
        assert_eq!(kept, summary_tables(&fx), "{first}");
    }
}

#[test]
fn failures_of_a_pair_never_pushed_successfully_add_up_across_imports() {
    let mut fx = Fixture::new();
    for (k, day) in [(0, "02"), (1, "01"), (2, "03")] {
        let line = push(
            &format!("B{k}"),
            "SKU-1",
            "Amazon-Mumbai",
            5,
            0,
            "failed",
            &format!("2025-03-{day}T10:00:00Z"),
            limited(30),
        );
        fx.import_ok(&fx.file(&format!("f{k}.jsonl"), line));
    }
    let merged = summary_tables(&fx);
    assert!(
        merged.iter().any(|r| r.contains("Integer(3)")),
        "{merged:?}"
    );
    invlog_core::channel_state::rebuild(fx.store.conn()).unwrap();
    assert_eq!(merged, summary_tables(&fx));
}
