//! Every importer on its example file and on hostile variants of it.

mod common;

use common::{example, refusal, Fixture};
use invlog_core::ingest::{Format, ImportOptions};
use serde_json::json;

#[test]
fn konnect_csv_example() {
    let mut fx = Fixture::new();
    let r = fx.import_ok(&example("konnect-inventory-logs.csv"));
    assert_eq!(r.format, Some(Format::Konnect));
    assert_eq!((r.rows_total, r.rows_imported, r.rows_failed), (12, 12, 0));
    let rows = fx.rows(
        &["batch_id = B000002"],
        &[
            "occurred_at",
            "sku",
            "product_name",
            "channel",
            "account",
            "status",
            "retry_count",
            "last_retry_at",
            "last_retry_details",
            "request",
            "response",
        ],
    );
    assert_eq!(rows.len(), 1);
    let r = &rows[0];
    assert_eq!(r["occurred_at"], "2025-03-02T11:38:23Z");
    assert_eq!(r["product_name"], "Trail Shoe 42 🥾");
    assert_eq!(r["channel"], "Amazon");
    assert_eq!(r["account"], "Amazon-Delhi");
    assert_eq!(r["status"], "failed");
    assert_eq!(r["retry_count"], 1);
    assert_eq!(r["last_retry_at"], "2025-03-02T11:43:23Z");
    assert_eq!(
        r["last_retry_details"],
        "HTTP 503 from channel; backing off"
    );
    assert_eq!(r["request"]["headers"]["Authorization"], "••••");
    assert_eq!(r["request"]["body"]["note"], "<script>alert(1)</script>");
    assert_eq!(r["response"]["status"], 503);
    let hindi = fx.rows(&["batch_id = B000001"], &["product_name"]);
    assert_eq!(hindi[0]["product_name"], "सूती कुर्ता नीला");
}

#[test]
fn konnect_xlsx_example_reads_date_time_cells() {
    let mut fx = Fixture::new();
    let r = fx.import_ok(&example("konnect-inventory-logs.xlsx"));
    assert_eq!(r.format, Some(Format::Konnect));
    assert_eq!((r.rows_imported, r.rows_failed), (8, 0));
    let rows = fx.rows(
        &["sku = SKU-00024"],
        &["occurred_at", "mfg_date", "exp_date", "inventory_sent"],
    );
    // 45744.67071759259 in the sheet is 2025-03-28 16:05:50.
    assert_eq!(rows[0]["occurred_at"], "2025-03-28T16:05:50Z");
    assert_eq!(rows[0]["mfg_date"], "2025-01-15");
    assert_eq!(rows[0]["inventory_sent"], 481);
}

#[test]
fn ordoro_example_takes_sku_from_file_name_or_flag() {
    let mut fx = Fixture::new();
    let r = fx.import_ok(&example("inventory-log-SKU-00901.csv"));
    assert_eq!(r.format, Some(Format::Ordoro));
    assert_eq!(r.rows_imported, 5);
    let rows = fx.rows(
        &["source = ordoro"],
        &[
            "sku",
            "occurred_at",
            "imported_at",
            "event_type",
            "available_on_hand",
            "user_name",
        ],
    );
    assert!(rows.iter().all(|r| r["sku"] == "SKU-00901"));
    assert_eq!(rows[0]["occurred_at"], "2025-03-03T07:16:18Z");
    assert_eq!(rows[0]["imported_at"], "2025-03-03T07:18:18Z");
    assert_eq!(rows[2]["user_name"], "priya");

    let content = std::fs::read(example("inventory-log-SKU-00902.csv")).unwrap();
    let renamed = fx.file("export.csv", &content);
    let reason = refusal(fx.import(&renamed));
    assert!(reason.contains("--sku"), "{reason}");
    let r = fx
        .import_with(
            &renamed,
            ImportOptions {
                sku: Some("SKU-X".into()),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(r.rows_imported, 5);
    assert_eq!(fx.rows(&["sku = SKU-X"], &["sku"]).len(), 5);
}

#[test]
fn ordoro_sku_column_wins_row_by_row() {
    let mut fx = Fixture::new();
    let p = fx.file(
        "inventory-log-FALLBACK.csv",
        "created_at,event_type,quantity,sku\n2025-05-01T14:03:22Z,order,1,OWN-1\n2025-05-01T14:03:23.123+00:00,order,2,\n",
    );
    fx.import_ok(&p);
    let rows = fx.rows(&[], &["sku", "occurred_at"]);
    assert_eq!(rows[0]["sku"], "OWN-1");
    assert_eq!(rows[1]["sku"], "FALLBACK");
    assert_eq!(rows[1]["occurred_at"], "2025-05-01T14:03:23.123Z");
}

#[test]
fn xoro_example_us_dates_and_statuses() {
    let mut fx = Fixture::new();
    let r = fx.import_ok(&example("xoro-amazon-logs.csv"));
    assert_eq!(r.format, Some(Format::Xoro));
    assert_eq!(r.rows_imported, 10);
    let rows = fx.rows(
        &["event_id = 114-2471760"],
        &[
            "tab",
            "occurred_at",
            "end_at",
            "event_type",
            "resolved",
            "sync_type",
            "status",
            "error",
        ],
    );
    let r = &rows[0];
    assert_eq!(r["tab"], "Errors");
    assert_eq!(r["occurred_at"], "2025-03-04T13:16:00Z");
    assert_eq!(r["end_at"], "2025-03-04T13:17:00Z");
    assert_eq!(r["event_type"], "Link SKU");
    assert_eq!(r["resolved"], false);
    assert_eq!(r["status"], "failed");
    assert_eq!(r["error"], "Item not found in store");
    assert_eq!(
        fx.rows(&["status = pending", "source = xoro"], &["id"])
            .len(),
        4
    );
}

#[test]
fn logitrail_both_lot_forms_and_single_product() {
    let mut fx = Fixture::new();
    let r = fx.import_ok(&example("logitrail-inventory.json"));
    assert_eq!((r.format, r.rows_imported), (Some(Format::Logitrail), 4));
    let rows = fx.rows(
        &["sku = SKU-00103"],
        &[
            "id",
            "gtin",
            "in_stock",
            "available",
            "best_before",
            "occurred_at",
            "event_type",
        ],
    );
    let p = &rows[0];
    assert_eq!(p["gtin"], "6413466120003", "ean becomes gtin");
    assert_eq!(p["best_before"], "2025-05-02", "earliest of the lots");
    assert_eq!(
        p["occurred_at"], "2025-03-13T03:20:39Z",
        "+05:30 stored as UTC"
    );
    assert_eq!(p["event_type"], "snapshot");
    let id = p["id"].as_i64().unwrap();
    let lots: Vec<(String, i64, i64)> = fx
        .store
        .conn()
        .prepare("SELECT best_before, available, reserved FROM lots WHERE entry_id = ?1 ORDER BY best_before")
        .unwrap()
        .query_map([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(
        lots,
        vec![("2025-05-02".into(), 5, 3), ("2025-09-07".into(), 6, 0)]
    );

    let r = fx.import_ok(&example("logitrail-inventory-lots.json"));
    assert_eq!(r.rows_imported, 2);
    let n: i64 = fx
        .store
        .conn()
        .query_row(
            "SELECT count(*) FROM lots WHERE lot_number IN ('L1-0', 'L1-1') AND in_stock > 0",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(n, 2);
    let r = fx.import_ok(&example("logitrail-one-product.json"));
    assert_eq!(r.rows_imported, 1);
}

#[test]
fn logitrail_trailing_commas_are_refused_with_line_and_column() {
    let mut fx = Fixture::new();
    let before = fx.fingerprint();
    let p = fx.file(
        "docs.json",
        "{\n  \"products\": [\n    {\"merchants_id\": \"A\", \"inventory\": {\"in_stock\": 1,}},\n  ]\n}\n",
    );
    let reason = refusal(fx.import(&p));
    assert!(
        reason.starts_with("invalid JSON at line 3, column"),
        "{reason}"
    );
    assert_eq!(fx.fingerprint(), before);
}

#[test]
fn broken_json_midway_leaves_no_half_import() {
    let mut fx = Fixture::new();
    let good = std::fs::read_to_string(example("logitrail-inventory.json")).unwrap();
    // Cut after the second product: the first two were already streamed into the store.
    let cut = good.find("\"57fcd113aac87194fedd0002\"").unwrap();
    let p = fx.file("cut.json", &good[..cut]);
    let before = fx.fingerprint();
    let reason = refusal(fx.import(&p));
    assert!(reason.contains("invalid JSON"), "{reason}");
    assert_eq!(fx.fingerprint(), before);
}

#[test]
fn shiphero_items_statuses_and_status() {
    let mut fx = Fixture::new();
    let r = fx
        .import_with(
            &example("shiphero-sync-items.json"),
            ImportOptions {
                batch: Some("5d9b6a3b".into()),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!((r.format, r.rows_imported), (Some(Format::Shiphero), 6));
    let rows = fx.rows(
        &["row = 1"],
        &[
            "sku",
            "quantity",
            "event_type",
            "reason",
            "status",
            "error",
            "batch_id",
            "occurred_at",
            "location_code",
        ],
    );
    assert_eq!(rows[0]["sku"], "45933041");
    assert_eq!(rows[0]["event_type"], "sync_change");
    assert_eq!(rows[0]["status"], "failed");
    assert_eq!(rows[0]["error"], "SKU not found in warehouse");
    assert_eq!(rows[0]["batch_id"], "5d9b6a3b");
    assert_eq!(rows[0]["location_code"], serde_json::Value::Null);

    let statuses = json!({"data": {"inventory_sync_statuses": {"request_id": "r", "complexity": 11, "data": {
    "pageInfo": {"hasNextPage": false, "endCursor": "YXJyYXk="},
    "edges": [
        {"cursor": "YQ==", "node": {"id": "B1", "url": "https://x/inv.csv", "warehouse_id": "W", "total_count": 178, "status": "error", "error": "error in 3 out of 178 rows", "created_at": "2019-10-03T13:48:07+00:00", "updated_at": "2019-10-03T13:48:14+00:00"}},
        {"cursor": "Yg==", "node": {"id": "B2", "total_count": 3, "status": "success", "error": null, "success_count": 3, "error_count": 0, "updated_at": "2019-10-03T16:41:21+00:00"}}
    ]}}}});
    let p = fx.file("statuses.json", statuses.to_string());
    let r = fx.import_ok(&p);
    assert_eq!(r.rows_imported, 2);
    let (total, err): (i64, String) = fx
        .store
        .conn()
        .query_row(
            "SELECT total_count, error FROM batches WHERE batch_id = 'B1'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((total, err.as_str()), (178, "error in 3 out of 178 rows"));

    let one = json!({"data": {"inventory_sync_status": {"request_id": "r", "data": {"id": "B3", "total_count": 5, "status": "success", "updated_at": "2019-10-07T16:39:24+00:00"}}}});
    let p = fx.file("status.json", one.to_string());
    assert_eq!(fx.import_ok(&p).rows_imported, 1);

    // Items whose location is a number.
    let items = json!({"data": {"inventory_sync_items_status": {"data": {"edges": [
        {"cursor": "c", "node": {"id": "n1", "row": 1, "sku": 123, "quantity": 2, "action": "replace", "reason": "r", "location": 4711, "status": "success", "error": null, "created_at": "2025-03-14T15:08:24Z", "updated_at": null}}]}}}});
    let p = fx.file("items.json", items.to_string());
    fx.import_ok(&p);
    let rows = fx.rows(
        &["external_id = n1"],
        &["sku", "location_code", "event_type", "occurred_at"],
    );
    assert_eq!(rows[0]["sku"], "123");
    assert_eq!(rows[0]["location_code"], "4711");
    assert_eq!(rows[0]["event_type"], "sync_replace");
    assert_eq!(rows[0]["occurred_at"], "2025-03-14T15:08:24Z");
}

#[test]
fn pushlog_example_keeps_payloads_out_of_entries() {
    let mut fx = Fixture::new();
    let r = fx.import_ok(&example("push-attempts.jsonl"));
    assert_eq!((r.format, r.rows_imported), (Some(Format::Pushlog), 6));
    let rows = fx.rows(
        &["batch_id = PB00000"],
        &[
            "buffer_level",
            "status",
            "request",
            "response",
            "occurred_at",
        ],
    );
    assert_eq!(rows[0]["buffer_level"], "product");
    assert_eq!(rows[0]["request"]["headers"]["X-Api-Key"], "••••");
    assert_eq!(rows[0]["response"]["body"], "upstream timeout");
    let payloads: i64 = fx
        .store
        .conn()
        .query_row("SELECT count(*) FROM payloads", [], |r| r.get(0))
        .unwrap();
    assert_eq!(payloads, 6);
}

#[test]
fn a_push_with_a_huge_payload_on_its_first_line_is_still_a_pushlog() {
    let mut fx = Fixture::new();
    // Both alone in a file and first of several: the line is longer than the sniffed head.
    let big = serde_json::json!({
        "sku": "BIG", "status": "failed", "updated_at": "2025-03-01T10:00:00Z",
        "response": {"status": 413, "body": "x".repeat(200_000)},
    })
    .to_string();
    for (name, text) in [
        ("one.jsonl", big.clone()),
        (
            "two.jsonl",
            format!("{big}\n{}", big.replace("BIG", "BIG-2")),
        ),
    ] {
        let r = fx.import_ok(&fx.file(name, &text));
        assert_eq!(r.format, Some(Format::Pushlog), "{name}");
    }
    // The second file repeats the first one's push: stored once.
    let rows = fx.rows(&["sku ~ big"], &["sku"]);
    assert_eq!(rows.len(), 2);
}

#[test]
fn kits_example_and_bad_quantities() {
    let mut fx = Fixture::new();
    let r = fx.import_ok(&example("kits.csv"));
    assert_eq!((r.format, r.rows_imported), (Some(Format::Kits), 3));
    let p = fx.file(
        "kits2.csv",
        "kit_sku,component_sku,quantity\nK,A,0\nK,,1\nK,B,two\nK,C,2\n",
    );
    let r = fx.import_ok(&p);
    assert_eq!((r.rows_imported, r.rows_failed), (1, 3));
    assert_eq!(r.errors[0].row, 2);
    assert_eq!(r.errors[0].column.as_deref(), Some("quantity"));
    assert_eq!(r.errors[1].column.as_deref(), Some("component_sku"));
}

#[test]
fn csv_in_the_wild() {
    let mut fx = Fixture::new();
    // BOM, CRLF, shuffled subset of columns with odd case and spaces, an unknown column,
    // quoted commas, quotes and a newline, ISO offsets, non-ASCII, blank trailing lines.
    let csv = "\u{feff} updated on ,Status,SELLER IDENTIFIER,Warehouse Zone,Product Name,Inventory Sent,Channel & Account\r\n\
2025-03-06T17:23:06+05:30,Failed,SKU-1,Z1,\"Kurta, \"\"Classic\"\"\r\nblue\",5,Amazon / Amazon-Mumbai\r\n\
2025-03-06 10:00:00,Success,SKU-2,,Pehmeämpi 🥾,,Shopify\r\n\r\n\r\n";
    let p = fx.file("wild.csv", csv);
    let r = fx.import_ok(&p);
    assert_eq!(
        (r.format, r.rows_imported, r.rows_failed),
        (Some(Format::Konnect), 2, 0)
    );
    let rows = fx.rows(
        &[],
        &[
            "occurred_at",
            "status",
            "sku",
            "product_name",
            "inventory_sent",
            "channel",
            "account",
            "extra",
        ],
    );
    assert_eq!(rows[0]["occurred_at"], "2025-03-06T11:53:06Z");
    assert_eq!(rows[0]["product_name"], "Kurta, \"Classic\"\r\nblue");
    assert_eq!(rows[0]["extra"], json!({"Warehouse Zone": "Z1"}));
    assert_eq!(rows[0]["account"], "Amazon-Mumbai");
    assert_eq!(rows[1]["product_name"], "Pehmeämpi 🥾");
    assert_eq!(rows[1]["channel"], "Shopify");
    assert_eq!(rows[1]["account"], serde_json::Value::Null);
    assert_eq!(rows[1]["extra"], serde_json::Value::Null);
}

#[test]
fn row_errors_name_row_and_column_and_keep_the_other_rows() {
    let mut fx = Fixture::new();
    let csv = "Seller Identifier,Updated On,Inventory Sent,Notes\n\
SKU-1,2025-03-01 10:00:00,12,\"multi\nline\"\n\
SKU-2,2025-03-01 11:00:00,twelve,x\n\
SKU-3,not a date,3,x\n\
SKU-4,2025-03-01 12:00:00,4,x\n";
    let p = fx.file("rows.csv", csv);
    let r = fx.import_ok(&p);
    assert_eq!((r.rows_total, r.rows_imported, r.rows_failed), (4, 2, 2));
    // Row numbers as a spreadsheet shows them: the quoted newline does not shift them.
    assert_eq!(r.errors[0].row, 3);
    assert_eq!(r.errors[0].column.as_deref(), Some("Inventory Sent"));
    assert_eq!(r.errors[0].message, "'twelve' is not a whole number");
    assert_eq!(r.errors[1].row, 4);
    assert_eq!(r.errors[1].column.as_deref(), Some("Updated On"));
    assert_eq!(
        r.summary(),
        "konnect: 2 rows: 2 new, 0 already in the store, 0 updated; error in 2 out of 4 rows"
    );
    let stored =
        invlog_core::ingest::history::import_errors(&fx.store, r.import_id.unwrap()).unwrap();
    assert_eq!(stored, r.errors);
    let skus: Vec<_> = fx
        .rows(&[], &["sku"])
        .into_iter()
        .map(|r| r["sku"].clone())
        .collect();
    assert_eq!(skus, vec![json!("SKU-1"), json!("SKU-4")]);
}

#[test]
fn row_numbers_count_blank_lines_as_a_spreadsheet_does() {
    let mut fx = Fixture::new();
    let csv = "Seller Identifier,Updated On,Inventory Sent\r\nA,2025-03-01 00:00:00,1\r\n\r\nB,2025-03-01 00:00:00,x\r\n\"C\nmulti\",2025-03-01 00:00:00,1\r\n\r\n\r\nD,2025-03-01 00:00:00,y\r\n";
    for (name, content) in [
        ("crlf.csv", csv.to_owned()),
        ("lf.csv", csv.replace("\r\n", "\n")),
    ] {
        let p = fx.file(name, content);
        let r = fx.import_ok(&p);
        let rows: Vec<u64> = r.errors.iter().map(|e| e.row).collect();
        assert_eq!(rows, vec![4, 8], "{name}");
    }
}

#[test]
fn reimport_adds_nothing() {
    let mut fx = Fixture::new();
    let first = fx.import_ok(&example("konnect-inventory-logs.csv"));
    let before = fx.fingerprint();
    let copy = fx.file(
        "same-bytes-other-name.csv",
        std::fs::read(example("konnect-inventory-logs.csv")).unwrap(),
    );
    let again = fx.import_ok(&copy);
    assert!(again.duplicate);
    assert_eq!(again.import_id, first.import_id);
    assert_eq!(again.rows_imported, 0);
    assert_eq!(fx.fingerprint(), before);
}

/// A small file imported before is told so at once, while another process holds the store's
/// write lock: its fingerprint is read before the lock is asked for.
#[test]
fn a_small_file_imported_before_is_told_so_while_another_import_writes() {
    let mut fx = Fixture::new();
    let first = fx.import_ok(&example("konnect-inventory-logs.csv"));
    let other = rusqlite::Connection::open(fx.dir.path().join("t.db")).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    let again = fx.import_ok(&example("konnect-inventory-logs.csv"));
    assert!(again.duplicate);
    assert_eq!(again.import_id, first.import_id);
    other.execute_batch("ROLLBACK").unwrap();
}

/// A file as big as a bulk import's is known as imported before while its rows are read (its
/// fingerprint is read beside them): the rows read meanwhile are rolled back.
#[test]
fn reimport_of_a_big_file_adds_nothing() {
    let mut fx = Fixture::new();
    let mut file = String::from("Seller Identifier,Updated On,Status,Inventory Sent\n");
    for i in 0..40_000 {
        let (day, s) = (1 + i % 28, i % 86_400);
        let (h, m, sec) = (s / 3600, s / 60 % 60, s % 60);
        file += &format!("SKU-{i:05},2025-03-{day:02} {h:02}:{m:02}:{sec:02},Failed,{i}\n");
    }
    let path = fx.file("year.csv", &file);
    let first = fx.import_ok(&path);
    assert_eq!(first.new, 40_000);
    let before = fx.fingerprint();
    let copy = fx.file("year-again.csv", &file);
    let again = fx.import_ok(&copy);
    assert!(again.duplicate);
    assert_eq!((again.import_id, again.new), (first.import_id, 0));
    assert_eq!(fx.fingerprint(), before);
    // Asked to be read otherwise, the same bytes are another import.
    let other_zone = ImportOptions {
        tz: Some("Asia/Kolkata".into()),
        ..ImportOptions::default()
    };
    let shifted = fx.import_with(&copy, other_zone).unwrap();
    assert!(!shifted.duplicate);
}

#[test]
fn refused_files_leave_the_store_unchanged() {
    let mut fx = Fixture::new();
    fx.import_ok(&example("xoro-amazon-logs.csv"));
    let before = fx.fingerprint();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty.csv", vec![], "the file is empty"),
        ("blank.csv", b"\n\n  \n".to_vec(), "the file is empty"),
        (
            "junk.bin",
            vec![0, 159, 146, 150, 0, 1, 2, 3],
            "binary data",
        ),
        (
            "unknown.csv",
            b"foo,bar\n1,2\n".to_vec(),
            "matches no known format; headers seen: foo, bar",
        ),
        (
            "corrupt.xlsx",
            b"PK\x03\x04garbage that is not a zip".to_vec(),
            "not a readable XLSX",
        ),
        (
            "broken.json",
            b"{\"products\": [{\"merchants_id\": \"A\"}".to_vec(),
            "invalid JSON at line 1",
        ),
        (
            "keys.json",
            b"{\"foo\": 1}".to_vec(),
            "top-level JSON keys seen: foo",
        ),
        (
            "lines.jsonl",
            b"{\"sku\": \"A\", \"updated_at\": \"2025-03-01T00:00:00Z\"}\n{\"sku\": \"B\",\n"
                .to_vec(),
            "invalid JSON at line 2",
        ),
    ];
    for (name, content, expected) in cases {
        let p = fx.file(name, &content);
        let reason = refusal(fx.import(&p));
        assert!(reason.contains(expected), "{name}: {reason}");
        assert_eq!(fx.fingerprint(), before, "{name} changed the store");
    }
    let missing = fx.dir.path().join("nope.csv");
    assert!(refusal(fx.import(&missing)).contains("cannot open"));
    // A forced format that the header does not fit.
    let p = fx.file("x.csv", "Tab,Import Date,Transaction Type\n");
    let reason = refusal(fx.import_with(
        &p,
        ImportOptions {
            format: Some(Format::Konnect),
            ..Default::default()
        },
    ));
    assert!(
        reason.contains("missing column(s) Seller Identifier, Updated On"),
        "{reason}"
    );
    assert_eq!(fx.fingerprint(), before);
}

#[test]
fn xlsx_in_the_wild() {
    use rust_xlsxwriter::{ExcelDateTime, Format as XFormat, Workbook};
    let mut fx = Fixture::new();
    let path = fx.dir.path().join("wild.xlsx");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let date_fmt = XFormat::new().set_num_format("yyyy-mm-dd hh:mm:ss");
    for (c, h) in [
        "Status",
        "Updated On",
        "Seller Identifier",
        "Inventory Sent",
        "Mfg Date",
        "Extra Col",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    let dt = ExcelDateTime::parse_from_str("2025-03-06 17:23:06").unwrap();
    ws.write_string(1, 0, "Success").unwrap();
    ws.write_datetime_with_format(1, 1, dt, &date_fmt).unwrap();
    ws.write_string(1, 2, "SKU-9").unwrap();
    ws.write_number(1, 3, 7.0).unwrap();
    ws.write_datetime_with_format(
        1,
        4,
        ExcelDateTime::parse_from_str("2025-01-15").unwrap(),
        &XFormat::new().set_num_format("yyyy-mm-dd"),
    )
    .unwrap();
    ws.write_string(1, 5, "kept").unwrap();
    // Row 3 is blank; row 4 has a bad number.
    ws.write_string(3, 0, "Failed").unwrap();
    ws.write_string(3, 1, "2025-03-07T01:00:00Z").unwrap();
    ws.write_string(3, 2, "SKU-10").unwrap();
    ws.write_string(3, 3, "lots").unwrap();
    wb.save(&path).unwrap();
    let r = fx.import_ok(&path);
    assert_eq!(
        (r.format, r.rows_imported, r.rows_failed),
        (Some(Format::Konnect), 1, 1)
    );
    assert_eq!(r.errors[0].row, 4, "sheet row number");
    assert_eq!(r.errors[0].column.as_deref(), Some("Inventory Sent"));
    let rows = fx.rows(
        &[],
        &["occurred_at", "sku", "inventory_sent", "mfg_date", "extra"],
    );
    assert_eq!(rows[0]["occurred_at"], "2025-03-06T17:23:06Z");
    assert_eq!(rows[0]["inventory_sent"], 7);
    assert_eq!(rows[0]["mfg_date"], "2025-01-15");
    assert_eq!(rows[0]["extra"], json!({"Extra Col": "kept"}));
}

#[test]
fn rows_with_too_many_fields_are_errors_not_silently_trimmed() {
    let mut fx = Fixture::new();
    let p = fx.file(
        "k.csv",
        "Seller Identifier,Updated On\nA,2025-03-01 00:00:00,surplus\nB,2025-03-01 00:00:00\n",
    );
    let r = fx.import_ok(&p);
    assert_eq!((r.rows_imported, r.rows_failed), (1, 1));
    assert!(r.errors[0]
        .message
        .contains("3 fields but the header has 2"));
}

#[test]
fn cancelling_rolls_back() {
    use invlog_core::ingest::{import_file, Control};
    use std::sync::atomic::AtomicBool;
    let mut fx = Fixture::new();
    let mut csv = String::from("Seller Identifier,Updated On\n");
    for i in 0..10_000 {
        csv.push_str(&format!("S{i},2025-03-01 00:00:00\n"));
    }
    let p = fx.file("big.csv", csv);
    let before = fx.fingerprint();
    let cancel = AtomicBool::new(true);
    let control = Control {
        cancel: Some(&cancel),
        progress: None,
    };
    let e = import_file(&mut fx.store, &p, &ImportOptions::default(), &control).unwrap_err();
    assert!(matches!(e, invlog_core::CoreError::Cancelled { .. }));
    assert_eq!(fx.fingerprint(), before);
}

fn big_konnect(rows: usize) -> String {
    let mut csv = String::from("Seller Identifier,Updated On,Status,Product Name,Batch ID\n");
    for i in 0..rows {
        csv.push_str(&format!(
            "SKU-{:05},2025-03-{:02} {:02}:{:02}:00,{},Product number {} with a longer name,B{i}\n",
            i % 500,
            1 + i % 28,
            i % 24,
            i % 60,
            if i % 10 == 0 { "Failed" } else { "Success" },
            i % 500
        ));
    }
    csv
}

#[test]
fn bulk_import_rebuilds_indexes_and_returns_to_wal() {
    let mut fx = Fixture::new();
    let p = fx.file("big.csv", big_konnect(40_000));
    assert!(
        std::fs::metadata(&p).unwrap().len() > 2_000_000,
        "large enough for bulk mode"
    );
    let cache = |fx: &Fixture| -> (i64, i64) {
        let conn = fx.store.conn();
        let pragma = |name: &str| conn.query_row(&format!("PRAGMA {name}"), [], |r| r.get(0));
        (
            pragma("cache_size").unwrap(),
            pragma("cache_spill").unwrap(),
        )
    };
    let before = cache(&fx);
    let r = fx.import_ok(&p);
    assert_eq!(r.rows_imported, 40_000);
    assert_eq!(
        cache(&fx),
        before,
        "the rebuild's own page cache and spill size are put back (spilling left off would hold \
         every page a later transaction changes in memory)"
    );
    let conn = fx.store.conn();
    let indexes: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'entries' AND sql IS NOT NULL ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut expected: Vec<&str> = invlog_core::store::ENTRY_INDEX_NAMES.to_vec();
    expected.sort();
    assert_eq!(indexes, expected);
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let fk: i64 = conn
        .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
        .unwrap();
    assert_eq!(fk, 1);
    let temp_store: i64 = conn
        .query_row("PRAGMA temp_store", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        temp_store, 0,
        "the import's journals in memory were its transaction's alone; sorts go to disk"
    );
    assert_eq!(fx.rows(&["status = failed"], &["id"]).len(), 4_000);
    assert_eq!(
        fx.rows(&["status = failed", "resolved = false"], &["id"])
            .len(),
        4_000,
        "every failure open"
    );
    let flagged: i64 = conn
        .query_row(
            "SELECT count(*) FROM entries WHERE resolved IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(flagged, 4_000, "a success has no flag");
    assert_eq!(fx.rows(&["sku = SKU-00007"], &["id"]).len(), 80);
    let products: i64 = conn
        .query_row("SELECT count(*) FROM products", [], |r| r.get(0))
        .unwrap();
    assert_eq!(products, 500, "one product row per distinct identity");
    let batch: i64 = conn
        .query_row("SELECT count(*) FROM entries WHERE id IN (SELECT rowid FROM events_fts WHERE events_fts MATCH 'B39999')", [], |r| r.get(0))
        .unwrap();
    assert_eq!(batch, 1);
}

/// The store's schema version: SQLite counts each change to the schema, so an import that
/// drops and builds indexes again moves it, and one that keeps them does not.
fn schema_version(fx: &Fixture) -> i64 {
    fx.store
        .conn()
        .query_row("PRAGMA main.schema_version", [], |r| r.get(0))
        .unwrap()
}

fn assert_indexes_whole(fx: &Fixture) {
    let check: String = fx
        .store
        .conn()
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
}

/// A file about as large as the store is imported in bulk, but its indexes are dropped and
/// built again only once enough of its rows are new: a re-export with nothing new (or little)
/// keeps them, and they stay whole either way.
#[test]
fn a_bulk_re_import_rebuilds_indexes_only_for_many_new_rows() {
    let mut fx = Fixture::new();
    fx.import_ok(&fx.file("big.csv", big_konnect(40_000)));
    let first = schema_version(&fx);

    // The same rows again, another file (its lines end in CRLF).
    let again = fx.file("again.csv", big_konnect(40_000).replace('\n', "\r\n"));
    let r = fx.import_ok(&again);
    assert_eq!((r.new, r.existing), (0, 40_000));
    assert_eq!(schema_version(&fx), first, "nothing new: indexes kept");

    // 10,000 new rows: kept up to date one at a time.
    let r = fx.import_ok(&fx.file("more.csv", big_konnect(50_000)));
    assert_eq!((r.new, r.existing), (10_000, 40_000));
    assert_eq!(schema_version(&fx), first, "few new: indexes kept");
    assert_indexes_whole(&fx);
    assert_eq!(fx.rows(&["sku = SKU-00007"], &["id"]).len(), 100);
    assert_eq!(fx.rows(&["status = failed"], &["id"]).len(), 5_000);

    // 30,000 new rows: dropped on the way and built again.
    let r = fx.import_ok(&fx.file("most.csv", big_konnect(80_000)));
    assert_eq!((r.new, r.existing), (30_000, 50_000));
    // Each of the indexes dropped, then created again.
    let moved = schema_version(&fx) - first;
    assert_eq!(
        moved,
        2 * invlog_core::store::BULK_REBUILT_INDEXES.len() as i64,
        "many new: indexes built again"
    );
    assert_indexes_whole(&fx);
    assert_eq!(fx.rows(&["sku = SKU-00007"], &["id"]).len(), 160);
    assert_eq!(fx.rows(&["status = failed"], &["id"]).len(), 8_000);
}

#[test]
fn cancelled_bulk_import_leaves_store_and_schema_unchanged() {
    use invlog_core::ingest::{import_file, Control};
    use std::sync::atomic::{AtomicBool, Ordering};
    let mut fx = Fixture::new();
    fx.import_ok(&example("konnect-inventory-logs.csv"));
    let p = fx.file("big.csv", big_konnect(40_000));
    let before = fx.fingerprint();
    let cancel = AtomicBool::new(false);
    let progress = |p: invlog_core::ingest::Progress| {
        if p.rows >= 8192 {
            cancel.store(true, Ordering::Relaxed);
        }
    };
    let control = Control {
        cancel: Some(&cancel),
        progress: Some(&progress),
    };
    let e = import_file(&mut fx.store, &p, &ImportOptions::default(), &control).unwrap_err();
    assert!(matches!(e, invlog_core::CoreError::Cancelled { .. }), "{e}");
    assert_eq!(
        fx.fingerprint(),
        before,
        "indexes dropped for the bulk load are back"
    );
    // And the store still takes the same file afterwards.
    assert_eq!(fx.import_ok(&p).rows_imported, 40_000);
}

#[test]
fn an_unknown_file_is_described_in_words_with_what_it_lacks() {
    let mut fx = Fixture::new();
    let near = fx.file(
        "almost-xoro.csv",
        "Import Date,Order Ref#,SKU\n03/09/2025 05:42 AM,1,S\n",
    );
    let cli = refusal(fx.import(&near));
    assert!(
        cli.contains("headers seen: Import Date, Order Ref#, SKU; it looks like Xoro logs but lacks the column 'Transaction Type'. Invlog reads: Konnect inventory logs (CSV/XLSX"),
        "{cli}"
    );
    // The dialog lists the formats itself: its message says what the file is, not the list.
    let shown = invlog_core::ingest::detect_file(&near);
    assert_eq!(shown.format, None);
    assert_eq!(
        shown.refused.as_deref(),
        Some("Not a log Invlog knows: headers seen: Import Date, Order Ref#, SKU; it looks like Xoro logs but lacks the column 'Transaction Type'. If it is one of the formats listed, choose it.")
    );
    let wide: Vec<String> = (1..=15).map(|i| format!("h{i}")).collect();
    let wide = fx.file("wide.csv", format!("{}\n", wide.join(",")));
    let shown = invlog_core::ingest::detect_file(&wide);
    assert!(shown.refused.unwrap().contains("h11, h12, … (15 in all)."),);
}
