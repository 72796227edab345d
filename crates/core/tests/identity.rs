//! The store as a log of record: each real event once across files, formats and sources;
//! records that change; removing an import; stores from before identities.

mod common;

use common::{example, Fixture};
use invlog_core::ingest::removal;
use invlog_core::ingest::ImportOptions;
use invlog_core::resolve::{self, SetResolved};
use invlog_core::CoreError;

const KONNECT_HEADER: &str =
    "Seller Identifier,Channel & Account,Location Code,Inventory Sent,Updated On,Status";

/// Konnect rows without a batch id (identified by fingerprint), numbered `from..to`.
fn konnect_rows(from: u32, to: u32) -> String {
    let mut csv = format!("{KONNECT_HEADER}\n");
    for i in from..to {
        csv.push_str(&format!(
            "SKU-{i},Amazon / Amazon-Delhi,WH01,{i},2025-03-{:02} 10:00:00,Success\n",
            1 + i % 28
        ));
    }
    csv
}

/// Marks entry `id` resolved in Invlog, as a user would.
fn resolve_in_invlog(fx: &mut Fixture, id: i64, note: Option<&str>) {
    resolve::set(
        &mut fx.store,
        &SetResolved {
            ids: vec![id],
            resolved: true,
            note: note.map(str::to_owned),
        },
        "tester",
    )
    .unwrap();
}

fn count(fx: &Fixture) -> i64 {
    fx.store.entry_count().unwrap()
}

/// Identities without their entry: removing an import deletes both.
fn orphan_identities(fx: &Fixture) -> i64 {
    fx.store
        .conn()
        .query_row(
            "SELECT count(*) FROM identities i
             WHERE NOT EXISTS (SELECT 1 FROM entries e WHERE e.id = i.entry_id)",
            [],
            |r| r.get(0),
        )
        .unwrap()
}

fn counts(r: &invlog_core::ingest::ImportReport) -> (u64, u64, u64) {
    (r.new, r.existing, r.updated)
}

#[test]
fn an_overlapping_export_adds_only_its_new_rows() {
    let mut fx = Fixture::new();
    let a = fx.import_ok(&fx.file("a.csv", konnect_rows(0, 60)));
    assert_eq!(counts(&a), (60, 0, 0));
    let b = fx.import_ok(&fx.file("b.csv", konnect_rows(40, 100)));
    assert_eq!(counts(&b), (40, 20, 0));
    assert_eq!(count(&fx), 100);
    assert!(
        b.summary()
            .contains("40 new, 20 already in the store, 0 updated"),
        "{}",
        b.summary()
    );
}

/// The rows of `konnect_rows(0, n)` as a workbook Konnect writes: numbers as number cells,
/// times as date-time cells.
fn konnect_workbook(path: &std::path::Path, n: u32) {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut wb = Workbook::new();
    let sheet = wb.add_worksheet();
    let when = Format::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    for (c, h) in KONNECT_HEADER.split(',').enumerate() {
        sheet.write_string(0, c as u16, h).unwrap();
    }
    for i in 0..n {
        let r = i + 1;
        sheet.write_string(r, 0, format!("SKU-{i}")).unwrap();
        sheet.write_string(r, 1, "Amazon / Amazon-Delhi").unwrap();
        sheet.write_string(r, 2, "WH01").unwrap();
        sheet.write_number(r, 3, i as f64).unwrap();
        let t = ExcelDateTime::from_ymd(2025, 3, (1 + i % 28) as u8)
            .unwrap()
            .and_hms(10, 0, 0)
            .unwrap();
        sheet.write_datetime_with_format(r, 4, &t, &when).unwrap();
        sheet.write_string(r, 5, "Success").unwrap();
    }
    wb.save(path).unwrap();
}

#[test]
fn the_csv_and_the_xlsx_of_the_same_view_are_the_same_entries() {
    let mut fx = Fixture::new();
    let csv = fx.import_ok(&fx.file("view.csv", konnect_rows(0, 30)));
    assert_eq!(csv.new, 30);
    let xlsx = fx.dir.path().join("view.xlsx");
    konnect_workbook(&xlsx, 30);
    let r = fx.import_ok(&xlsx);
    assert_eq!(counts(&r), (0, 30, 0), "{}", r.summary());
    assert_eq!(count(&fx), 30);
}

#[test]
fn shuffled_columns_are_the_same_rows() {
    let mut fx = Fixture::new();
    fx.import_ok(&fx.file("a.csv", konnect_rows(0, 10)));
    // The same rows, columns in another order.
    let mut shuffled = String::from(
        "Status,Updated On,Inventory Sent,Location Code,Channel & Account,Seller Identifier\n",
    );
    for line in konnect_rows(0, 10).lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        shuffled.push_str(&format!(
            "{},{},{},{},{},{}\n",
            f[5], f[4], f[3], f[2], f[1], f[0]
        ));
    }
    let r = fx.import_ok(&fx.file("b.csv", shuffled));
    assert_eq!(counts(&r), (0, 10, 0));
}

#[test]
fn rows_repeated_inside_a_file_are_all_kept_and_matched_by_occurrence() {
    let mut fx = Fixture::new();
    let x = "SKU-X,Amazon / Amazon-Delhi,WH01,5,2025-03-01 10:00:00,Success\n";
    let y = "SKU-Y,Amazon / Amazon-Delhi,WH01,5,2025-03-01 10:00:00,Success\n";
    let z = "SKU-Z,Amazon / Amazon-Delhi,WH01,5,2025-03-01 10:00:00,Success\n";
    let r = fx.import_ok(&fx.file("a.csv", format!("{KONNECT_HEADER}\n{x}{x}{y}")));
    assert_eq!(counts(&r), (3, 0, 0));
    // Another file with the same two X rows: none of them twice.
    let r = fx.import_ok(&fx.file("b.csv", format!("{KONNECT_HEADER}\n{z}{x}{x}")));
    assert_eq!(counts(&r), (1, 2, 0));
    // Three X rows: the third is a third event.
    let r = fx.import_ok(&fx.file("c.csv", format!("{KONNECT_HEADER}\n{x}{x}{x}")));
    assert_eq!(counts(&r), (1, 2, 0));
    assert_eq!(count(&fx), 5);
}

fn shiphero_item(id: &str, status: &str, updated_at: &str, error: Option<&str>) -> String {
    serde_json::json!({"data": {"inventory_sync_items_status": {"data": {"edges": [
        {"node": {"id": id, "row": 1, "sku": "SH-1", "quantity": 5, "action": "change",
                  "status": status, "error": error, "updated_at": updated_at}}
    ]}}}})
    .to_string()
}

#[test]
fn a_shiphero_row_that_moved_on_is_updated_in_place_with_its_history() {
    let mut fx = Fixture::new();
    let pending = shiphero_item("R1", "pending", "2025-03-01T10:00:00Z", None);
    let r = fx.import_ok(&fx.file("a.json", pending));
    assert_eq!(counts(&r), (1, 0, 0));
    let id: i64 = fx.rows(&[], &["id"])[0]["id"].as_i64().unwrap();
    // Pending → success, given with a batch id this time: the row id alone is the identity.
    let done = shiphero_item("R1", "success", "2025-03-01T10:05:00Z", None);
    let r = fx
        .import_with(
            &fx.file("b.json", done),
            ImportOptions {
                batch: Some("BATCH-9".into()),
                ..ImportOptions::default()
            },
        )
        .unwrap();
    assert_eq!(counts(&r), (0, 0, 1));
    let rows = fx.rows(&[], &["id", "status", "batch_id"]);
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["id"], id, "the entry keeps its id");
    assert_eq!(rows[0]["status"], "success");
    assert_eq!(rows[0]["batch_id"], "BATCH-9");
    let history = invlog_core::detail::history::of(&fx.store, id).unwrap();
    let updated = history.last().unwrap();
    assert_eq!(updated.file_name.as_deref(), Some("b.json"));
    let status = updated
        .changes
        .iter()
        .find(|c| c.column == "status")
        .unwrap();
    assert_eq!(
        (status.from.as_str(), status.to.as_str()),
        (Some("pending"), Some("success"))
    );
    // An older sighting (an earlier export imported late) changes nothing back.
    let stale = shiphero_item("R1", "failed", "2025-03-01T09:00:00Z", Some("late"));
    let r = fx.import_ok(&fx.file("c.json", stale));
    assert_eq!(counts(&r), (0, 1, 0));
    assert_eq!(fx.rows(&[], &["status"])[0]["status"], "success");
}

const KONNECT_RETRIES: &str = "Seller Identifier,Channel & Account,Location Code,Inventory Sent,Updated On,Status,Batch ID,Retry Count,Last Retry";

#[test]
fn a_konnect_retry_that_moved_on_updates_the_entry_and_keeps_its_resolution() {
    let mut fx = Fixture::new();
    let first = format!(
        "{KONNECT_RETRIES}\nSKU-1,Amazon / Amazon-Delhi,WH01,5,2025-03-01 10:00:00,Failed,B1,1,2025-03-01 10:05:00\n"
    );
    fx.import_ok(&fx.file("a.csv", first));
    let id = fx.rows(&[], &["id"])[0]["id"].as_i64().unwrap();
    resolve_in_invlog(&mut fx, id, Some("called the channel"));
    // Konnect moved Updated On to the last call and counted the retry: same batch, SKU,
    // channel account and location, so the same entry.
    let later = format!(
        "{KONNECT_RETRIES}\nSKU-1,Amazon / Amazon-Delhi,WH01,5,2025-03-02 08:00:00,Failed,B1,2,2025-03-02 08:00:00\n"
    );
    let r = fx.import_ok(&fx.file("b.csv", later));
    assert_eq!(counts(&r), (0, 0, 1));
    // Another failed push that a retry got through is no longer open.
    let other = format!(
        "{KONNECT_RETRIES}\nSKU-2,Amazon / Amazon-Delhi,WH01,5,2025-03-01 10:00:00,Failed,B2,1,2025-03-01 10:05:00\n"
    );
    fx.import_ok(&fx.file("c.csv", other));
    assert_eq!(
        fx.rows(&["sku = SKU-2"], &["resolved"])[0]["resolved"],
        false
    );
    let through = format!(
        "{KONNECT_RETRIES}\nSKU-2,Amazon / Amazon-Delhi,WH01,5,2025-03-02 10:00:00,Success,B2,2,2025-03-02 10:00:00\n"
    );
    fx.import_ok(&fx.file("d.csv", through));
    assert_eq!(
        fx.rows(&["sku = SKU-2"], &["resolved"])[0]["resolved"],
        serde_json::Value::Null
    );
    let rows = fx.rows(
        &["sku = SKU-1"],
        &["id", "retry_count", "last_retry_at", "resolved"],
    );
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["retry_count"], 2);
    assert_eq!(
        rows[0]["resolved"], true,
        "a re-import never undoes a resolution"
    );
    // The first file again: older by its last retry, so nothing moves back.
    let r = fx.import_ok(&fx.file("a-again.csv", format!(
        "{KONNECT_RETRIES}\nSKU-1,Amazon / Amazon-Delhi,WH01,5,2025-03-01 10:00:00,Failed,B1,1,2025-03-01 10:05:00\n\n"
    )));
    assert_eq!(counts(&r), (0, 1, 0));
    assert_eq!(
        fx.rows(&["sku = SKU-1"], &["retry_count"])[0]["retry_count"],
        2
    );
}

#[test]
fn a_column_absent_from_a_later_file_never_blanks_a_stored_value() {
    let mut fx = Fixture::new();
    let full = format!("{KONNECT_RETRIES},Last Retry Details\nSKU-1,Amazon / Amazon-Delhi,WH01,5,2025-03-01 10:00:00,Failed,B1,1,2025-03-01 10:05:00,timeout\n");
    fx.import_ok(&fx.file("a.csv", full));
    let narrow = "Seller Identifier,Channel & Account,Location Code,Updated On,Batch ID,Status\nSKU-1,Amazon / Amazon-Delhi,WH01,2025-03-01 10:00:00,B1,Failed\n";
    let r = fx.import_ok(&fx.file("b.csv", narrow));
    assert_eq!(counts(&r), (0, 1, 0));
    let row = &fx.rows(&[], &["inventory_sent", "last_retry_details"])[0];
    assert_eq!(row["inventory_sent"], 5);
    assert_eq!(row["last_retry_details"], "timeout");
}

#[test]
fn the_whole_file_shortcut_keys_on_the_options_too() {
    let mut fx = Fixture::new();
    let log = example("inventory-log-SKU-00901.csv");
    let with = |sku: &str| ImportOptions {
        sku: Some(sku.into()),
        ..ImportOptions::default()
    };
    let a = fx.import_with(&log, with("SKU-A")).unwrap();
    assert!(!a.duplicate && a.new > 0);
    let again = fx.import_with(&log, with("SKU-A")).unwrap();
    assert!(again.duplicate);
    let b = fx.import_with(&log, with("SKU-B")).unwrap();
    assert!(!b.duplicate, "another SKU is another product's log");
    assert_eq!(b.new, a.new);
}

#[test]
fn removing_an_import_deletes_only_what_it_alone_brought() {
    let mut fx = Fixture::new();
    let a = fx.import_ok(&fx.file("a.csv", konnect_rows(0, 60)));
    let b = fx.import_ok(&fx.file("b.csv", konnect_rows(40, 100)));
    let plan = removal::plan(&fx.store, a.import_id.unwrap()).unwrap();
    assert_eq!(
        (plan.only_here, plan.shared, plan.with_user_work),
        (40, 20, 0)
    );
    let done = removal::remove(&mut fx.store, a.import_id.unwrap(), false).unwrap();
    assert_eq!((done.deleted, done.kept), (40, 20));
    assert_eq!(count(&fx), 60);
    assert_eq!(orphan_identities(&fx), 0);
    // What stays is b's now, and its history says a went.
    let kept = fx.rows(&["sku = SKU-45"], &["id"])[0]["id"]
        .as_i64()
        .unwrap();
    let history = invlog_core::detail::history::of(&fx.store, kept).unwrap();
    assert!(history
        .iter()
        .any(|h| h.file_name.as_deref() == Some("b.csv")));
    assert!(history.iter().any(|h| matches!(
        h.kind,
        invlog_core::detail::history::HistoryKind::ImportRemoved
    ) && h.file_name.as_deref() == Some("a.csv")));
    // Removing b too empties the store; a was not the first of anything left.
    let done = removal::remove(&mut fx.store, b.import_id.unwrap(), false).unwrap();
    assert_eq!((done.deleted, done.kept), (60, 0));
    assert_eq!(count(&fx), 0);
    assert_eq!(orphan_identities(&fx), 0);
    // And the file can come back.
    let again = fx.import_ok(&fx.file("a.csv", konnect_rows(0, 60)));
    assert_eq!(again.new, 60);
}

#[test]
fn removing_entries_someone_resolved_needs_a_confirmation_and_a_refusal_changes_nothing() {
    let mut fx = Fixture::new();
    let a = fx.import_ok(&fx.file("a.csv", konnect_rows(0, 5)));
    let id = fx.rows(&[], &["id"])[0]["id"].as_i64().unwrap();
    resolve_in_invlog(&mut fx, id, None);
    let before = fx.fingerprint();
    match removal::remove(&mut fx.store, a.import_id.unwrap(), false) {
        Err(CoreError::Conflict(m)) => assert!(m.contains("1 of the 5 entries"), "{m}"),
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert_eq!(fx.fingerprint(), before);
    let done = removal::remove(&mut fx.store, a.import_id.unwrap(), true).unwrap();
    assert_eq!(done.deleted, 5);
    let left: i64 = fx
        .store
        .conn()
        .query_row("SELECT count(*) FROM resolutions", [], |r| r.get(0))
        .unwrap();
    assert_eq!(left, 0);
    assert!(matches!(
        removal::remove(&mut fx.store, 999, true),
        Err(CoreError::NotFound(_))
    ));
}

#[test]
fn a_store_from_before_identities_gets_them_and_its_duplicates_are_reported_not_merged() {
    use invlog_core::store::MIGRATIONS;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    {
        // Version 8: the same two rows imported twice (before identities existed), one more.
        let mut conn = rusqlite::Connection::open(&path).unwrap();
        MIGRATIONS.to_version(&mut conn, 8).unwrap();
        conn.execute_batch(
            "INSERT INTO imports (id, file_name, path, sha256, format, started_at) VALUES
               (1, 'a.csv', '/a.csv', 'h1', 'konnect', 0), (2, 'b.csv', '/b.csv', 'h2', 'konnect', 1);
             INSERT INTO products (id, identity, sku) VALUES (1, 'SKU-1', 'SKU-1'), (2, 'SKU-2', 'SKU-2');
             INSERT INTO entries (import_id, occurred_at, source, product_id, channel, account, location_code, inventory_sent, status) VALUES
               (1, 1740823200000, 'konnect', 1, 'Amazon', 'Amazon-Delhi', 'WH01', 1, 'success'),
               (1, 1740909600000, 'konnect', 2, 'Amazon', 'Amazon-Delhi', 'WH01', 2, 'success'),
               (2, 1740823200000, 'konnect', 1, 'Amazon', 'Amazon-Delhi', 'WH01', 1, 'success'),
               (2, 1740909600000, 'konnect', 2, 'Amazon', 'Amazon-Delhi', 'WH01', 2, 'success'),
               (2, 1740996000000, 'konnect', 2, 'Amazon', 'Amazon-Delhi', 'WH01', 3, 'success');",
        )
        .unwrap();
    }
    let mut store = invlog_core::Store::open(&path).unwrap();
    let missing: i64 = store
        .conn()
        .query_row(
            "SELECT count(*) FROM entries e WHERE NOT EXISTS (SELECT 1 FROM identities i WHERE i.entry_id = e.id)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(missing, 0);
    let dup = invlog_core::identity::duplicates(store.conn(), 10).unwrap();
    assert_eq!(dup.extra_entries, 2);
    assert_eq!(dup.groups, vec![vec![1, 3], vec![2, 4]]);
    assert_eq!(store.entry_count().unwrap(), 5, "kept, not merged");
    // Identities computed as an import computes them: the same rows imported now are known.
    let file = dir.path().join("c.csv");
    std::fs::write(
        &file,
        "Seller Identifier,Channel & Account,Location Code,Inventory Sent,Updated On,Status\n\
         SKU-1,Amazon / Amazon-Delhi,WH01,1,2025-03-01 10:00:00,Success\n\
         SKU-2,Amazon / Amazon-Delhi,WH01,3,2025-03-03 10:00:00,Success\n",
    )
    .unwrap();
    let r = invlog_core::ingest::import_file(
        &mut store,
        &file,
        &ImportOptions::default(),
        &invlog_core::ingest::Control::default(),
    )
    .unwrap();
    assert_eq!(counts(&r), (0, 2, 0));
}

/// Konnect rows `from..to`, every seventh failed, SKUs repeating every 50.
fn konnect_mixed(from: u32, to: u32) -> String {
    let mut csv = format!("{KONNECT_HEADER}\n");
    for i in from..to {
        csv.push_str(&format!(
            "SKU-{},Amazon / Amazon-Delhi,WH01,{i},2025-03-{:02} 10:00:00,{}\n",
            i % 50,
            1 + i % 28,
            if i % 7 == 0 { "Failed" } else { "Success" }
        ));
    }
    csv
}

/// Each row of `konnect_mixed` in the store as written: its id, values, status, and its
/// resolved flag (a failure without a flag of its source's is open, a success has none).
fn assert_mixed_rows_in_place(fx: &Fixture, from: u32, to: u32) {
    let rows = fx.rows(
        &[&format!("id > {from}")],
        &["id", "sku", "inventory_sent", "status", "resolved"],
    );
    assert_eq!(rows.len(), (to - from) as usize);
    for (row, i) in rows.iter().zip(from..to) {
        assert_eq!(row["id"], i64::from(i) + 1, "row {i}");
        assert_eq!(row["inventory_sent"], i64::from(i), "row {i}");
        assert_eq!(row["sku"], format!("SKU-{}", i % 50), "row {i}");
        let (status, resolved) = match i % 7 {
            0 => ("failed", serde_json::json!(false)),
            _ => ("success", serde_json::Value::Null),
        };
        assert_eq!(row["status"], status, "row {i}");
        assert_eq!(row["resolved"], resolved, "row {i}");
    }
}

/// A first import into an empty store numbers its entries itself and writes them many to a
/// statement: every row lands with the id of its place in the file, its product, its
/// resolved flag and its identity, whether it fell in a full statement or the short last one.
/// A later import, looking each row up first, sets the same.
#[test]
fn a_first_import_writes_each_row_at_its_place_in_the_file() {
    let mut fx = Fixture::new();
    // 2 full statements of 256 and 5 rows over; SKUs repeat so products are shared.
    let csv = konnect_mixed(0, 517);
    let file = fx.file("first.csv", &csv);
    let r = fx.import_ok(&file);
    assert_eq!((r.rows_imported, r.rows_failed), (517, 0));
    assert_mixed_rows_in_place(&fx, 0, 517);
    let conn = fx.store.conn();
    let one = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(one("SELECT count(*) FROM products"), 50);
    assert_eq!(
        one("SELECT count(*) FROM identities i JOIN entries e ON e.id = i.entry_id"),
        517
    );
    assert_eq!(
        one("SELECT count(*) FROM entries WHERE error_signature IS NOT NULL"),
        74
    );
    assert_eq!(orphan_identities(&fx), 0);
    // The same rows in another order, in another file: every one is found where it was put.
    let mut lines: Vec<&str> = csv.lines().collect();
    lines[1..].reverse();
    let again = fx.file("again.csv", lines.join("\n") + "\n");
    let r = fx.import_ok(&again);
    assert_eq!((r.new, r.existing, r.updated), (0, 517, 0));
    assert_eq!(count(&fx), 517);
    let more = fx.file("more.csv", konnect_mixed(517, 600));
    assert_eq!(counts(&fx.import_ok(&more)), (83, 0, 0));
    assert_mixed_rows_in_place(&fx, 517, 600);
    // Each import looks its products up afresh: the same 50, none added twice.
    let products: i64 = fx
        .store
        .conn()
        .query_row("SELECT count(*) FROM products", [], |r| r.get(0))
        .unwrap();
    assert_eq!(products, 50);
}
