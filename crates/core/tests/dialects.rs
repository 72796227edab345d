//! Formats and file dialects found in the wild: Ordoro's Inventory Events with a chosen time
//! zone, ShipHero's inventory changes, Logitrail's newer API, CSV delimiters and encodings,
//! XLS and ODS workbooks.

mod common;

use std::path::PathBuf;

use common::Fixture;
use invlog_core::ingest::{Format, ImportOptions};

fn sample(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("samples")
        .join(name)
}

#[test]
fn ordoro_inventory_events_read_their_times_in_the_zone_given() {
    let mut fx = Fixture::new();
    let r = fx
        .import_with(
            &sample("ordoro-inventory-events.csv"),
            ImportOptions {
                tz: Some("Europe/Helsinki".into()),
                ..ImportOptions::default()
            },
        )
        .unwrap();
    assert_eq!(r.format, Some(Format::OrdoroEvents));
    assert_eq!((r.new, r.rows_failed), (4, 0));
    let rows = fx.rows(
        &["event_id = EV-10001"],
        &[
            "occurred_at",
            "source",
            "sku",
            "warehouse_name",
            "event_type",
            "user_name",
        ],
    );
    // 09:15 in Helsinki in January (UTC+2) is 07:15 UTC.
    assert_eq!(rows[0]["occurred_at"], "2026-01-12T07:15:00Z");
    assert_eq!(rows[0]["source"], "ordoro");
    assert_eq!(rows[0]["sku"], "SKU-00901");
    assert_eq!(rows[0]["warehouse_name"], "Helsinki DC");
    assert_eq!(rows[0]["event_type"], "order");
    assert_eq!(rows[0]["user_name"], "Aino Virtanen");
    // The same file read in UTC is another reading, not the same bytes to skip.
    let utc = fx.import_ok(&sample("ordoro-inventory-events.csv"));
    assert!(!utc.duplicate);
    assert_eq!(utc.new, 4);
}

#[test]
fn a_time_zone_that_is_not_one_refuses_the_file_and_a_skipped_hour_is_a_row_error() {
    let mut fx = Fixture::new();
    let bad = fx.import_with(
        &sample("ordoro-inventory-events.csv"),
        ImportOptions {
            tz: Some("Mars/Olympus".into()),
            ..ImportOptions::default()
        },
    );
    assert!(common::refusal(bad).contains("not a time zone"));
    let csv = "Date Updated,SKU,Warehouse,Event Type,Event ID,User\n\
               2026-03-29 03:30:00,S1,W,order,E1,U\n\
               2026-03-29 05:30:00,S1,W,order,E2,U\n";
    let r = fx
        .import_with(
            &fx.file("dst.csv", csv),
            ImportOptions {
                tz: Some("Europe/Helsinki".into()),
                ..ImportOptions::default()
            },
        )
        .unwrap();
    assert_eq!((r.rows_imported, r.rows_failed), (1, 1));
    assert!(
        r.errors[0]
            .message
            .contains("never happened in Europe/Helsinki"),
        "{}",
        r.errors[0].message
    );
    assert_eq!(r.errors[0].column.as_deref(), Some("Date Updated"));
}

#[test]
fn shiphero_inventory_changes_are_entries_with_their_lots() {
    let mut fx = Fixture::new();
    let r = fx.import_ok(&sample("shiphero-inventory-changes.json"));
    assert_eq!(
        (r.format, r.new, r.rows_failed),
        (Some(Format::Shiphero), 3, 0)
    );
    let rows = fx.rows(
        &["sku = 45933041"],
        &[
            "event_type",
            "quantity",
            "physical_on_hand",
            "reason",
            "location_code",
            "occurred_at",
        ],
    );
    assert_eq!(rows[0]["event_type"], "inventory_change");
    assert_eq!(rows[0]["quantity"], -2);
    assert_eq!(rows[0]["physical_on_hand"], 8);
    assert_eq!(rows[0]["occurred_at"], "2026-02-03T10:15:00Z");
    let lots: i64 = fx
        .store
        .conn()
        .query_row(
            "SELECT count(*) FROM lots WHERE lot_number LIKE 'LOT-%'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(lots, 2);
    // Pulled again (a re-export): the ids say they are known.
    let text = std::fs::read_to_string(sample("shiphero-inventory-changes.json")).unwrap();
    let again = fx.import_ok(&fx.file("again.json", text.replace("\n", " \n")));
    assert_eq!((again.new, again.existing), (0, 3));
}

#[test]
fn logitrail_newer_api_products_carry_their_quantities_and_batches_on_shelf() {
    let mut fx = Fixture::new();
    let r = fx.import_ok(&sample("logitrail-product-inventory-api.json"));
    assert_eq!(
        (r.format, r.new, r.rows_failed),
        (Some(Format::Logitrail), 2, 0)
    );
    let rows = fx.rows(
        &["sku = SKU-00901"],
        &[
            "available",
            "reserved",
            "in_stock",
            "inbound",
            "best_before",
            "warehouse_locations",
            "occurred_at",
        ],
    );
    assert_eq!(rows[0]["available"], 31);
    assert_eq!(rows[0]["in_stock"], 35);
    assert_eq!(rows[0]["best_before"], "2026-05-15", "the earliest batch's");
    assert_eq!(rows[0]["warehouse_locations"], "A-01-03, A-01-04");
    assert_eq!(rows[0]["occurred_at"], "2026-02-05T07:12:00Z");
    let batch: String = fx
        .store
        .conn()
        .query_row("SELECT group_concat(lot_number) FROM lots", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(
        batch.contains("B-2026-07") && batch.contains("B-2026-05"),
        "{batch}"
    );
}

#[test]
fn semicolon_csv_in_windows_1252_is_read_and_says_so() {
    let mut fx = Fixture::new();
    let r = fx.import_ok(&sample("konnect-excel-semicolons-cp1252.csv"));
    assert_eq!((r.new, r.rows_failed), (2, 0));
    assert_eq!(r.encoding.as_deref(), Some("Windows-1252"));
    assert!(
        r.summary().contains("read as Windows-1252"),
        "{}",
        r.summary()
    );
    let rows = fx.rows(&["sku = SKU-00928"], &["product_name", "channel", "status"]);
    assert_eq!(rows[0]["product_name"], "Crème brûlée set");
    assert_eq!(rows[0]["channel"], "Flipkart");
    assert_eq!(rows[0]["status"], "failed");
}

/// A Konnect log of `rows` ASCII rows, ~80 bytes each, then `last` as its last row's product
/// name, in the bytes given.
fn konnect_rows_then(rows: usize, last: &[u8]) -> Vec<u8> {
    let mut file = b"Seller Identifier,Updated On,Status,Channel & Account,Product Name\n".to_vec();
    for i in 0..rows {
        let line = format!(
            "SKU-{:05},2025-03-{:02} {:02}:{:02}:{:02},Success,Amazon / Amazon-Delhi,Cotton shirt\n",
            i % 20_000,
            1 + i % 28,
            i / 3600 % 24,
            i / 60 % 60,
            i % 60
        );
        file.extend_from_slice(line.as_bytes());
    }
    file.extend_from_slice(b"SKU-LAST,2025-03-30 10:00:00,Failed,Amazon / Amazon-Delhi,");
    file.extend_from_slice(last);
    file.push(b'\n');
    file
}

/// The encoding is decided by the whole file, though its rows are read before it is all
/// looked at: a Windows-1252 byte far past the first ones still has the file read decoded,
/// whatever was made of the rows before, in a small file and in a bulk one.
#[test]
fn a_windows_1252_byte_far_into_the_file_has_it_all_read_decoded() {
    for rows in [2_000, 30_000] {
        let mut fx = Fixture::new();
        let r = fx.import_ok(&fx.file(
            "late.csv",
            konnect_rows_then(rows, b"Cr\xe8me br\xfbl\xe9e"),
        ));
        assert_eq!(r.encoding.as_deref(), Some("Windows-1252"), "{rows} rows");
        assert_eq!((r.new, r.rows_failed), (rows as u64 + 1, 0), "{rows} rows");
        let last = fx.rows(&["sku = SKU-LAST"], &["product_name", "status"]);
        assert_eq!(last[0]["product_name"], "Crème brûlée", "{rows} rows");
        let imports: i64 = fx
            .store
            .conn()
            .query_row("SELECT count(*) FROM imports", [], |r| r.get(0))
            .unwrap();
        assert_eq!(imports, 1, "the first reading, as UTF-8, left nothing");
        // UTF-8 throughout, the same rows are read as they are.
        let mut fx = Fixture::new();
        let r = fx.import_ok(&fx.file(
            "utf8.csv",
            konnect_rows_then(rows, "Crème brûlée".as_bytes()),
        ));
        assert_eq!((r.encoding, r.new), (None, rows as u64 + 1), "{rows} rows");
    }
}

#[test]
fn excel_unicode_text_is_utf16_with_tabs() {
    let mut fx = Fixture::new();
    let r = fx.import_ok(&sample("konnect-unicode-text.txt"));
    assert_eq!((r.new, r.rows_failed), (1, 0));
    assert_eq!(r.encoding.as_deref(), Some("UTF-16 LE"));
    let rows = fx.rows(&[], &["product_name", "inventory_sent"]);
    assert_eq!(rows[0]["product_name"], "सूती कुर्ता");
    // UTF-16 BE without a byte order mark, too.
    let text = "Seller Identifier\tUpdated On\tStatus\nSKU-BE\t2025-03-06 10:00:00\tSuccess\n";
    let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
    let r = fx.import_ok(&fx.file("be.txt", be));
    assert_eq!((r.new, r.encoding.as_deref()), (1, Some("UTF-16 BE")));
}

#[test]
fn damaged_utf8_stays_utf8_with_the_bad_cell_named() {
    let mut fx = Fixture::new();
    let mut bytes = "Seller Identifier,Product Name,Updated On,Status\nSKU-1,Pehmeä,2025-03-06 10:00:00,Success\nSKU-2,"
        .as_bytes()
        .to_vec();
    bytes.extend_from_slice(b"bad \xff byte,2025-03-06 10:00:00,Success\n");
    let r = fx.import_ok(&fx.file("damaged.csv", bytes));
    assert_eq!(r.encoding, None);
    assert_eq!((r.rows_imported, r.rows_failed), (1, 1));
    assert_eq!(r.errors[0].column.as_deref(), Some("Product Name"));
}

#[test]
fn xls_and_ods_workbooks_read_like_xlsx() {
    let mut fx = Fixture::new();
    let xls = fx.import_ok(&sample("konnect-legacy.xls"));
    assert_eq!(
        (xls.format, xls.new, xls.rows_failed),
        (Some(Format::Konnect), 2, 0)
    );
    let ods = fx.import_ok(&sample("konnect-libreoffice.ods"));
    assert_eq!((ods.new, ods.rows_failed), (1, 0));
    let rows = fx.rows(
        &["sku = SKU-00942"],
        &["occurred_at", "inventory_sent", "status"],
    );
    assert_eq!(rows[0]["occurred_at"], "2025-04-05T09:45:00Z");
    assert_eq!(rows[0]["inventory_sent"], 0);
    let rows = fx.rows(&["sku = SKU-00951"], &["occurred_at", "inventory_sent"]);
    assert_eq!(rows[0]["occurred_at"], "2025-04-06T07:00:00Z");
    assert_eq!(rows[0]["inventory_sent"], 6);
}

#[test]
fn every_sample_imports_cleanly() {
    let mut fx = Fixture::new();
    let reports = invlog_core::samples::load(&mut fx.store).unwrap();
    for r in &reports {
        assert!(r.refused.is_none(), "{}: {:?}", r.file, r.refused);
        assert_eq!(r.rows_failed, 0, "{}: {:?}", r.file, r.errors);
    }
}

#[test]
fn excel_serial_numbers_in_csv_cells_are_times() {
    let mut fx = Fixture::new();
    let csv = "Seller Identifier,Updated On,Status\nSKU-1,45352.5,Success\nSKU-2,45352,Success\n";
    let r = fx.import_ok(&fx.file("serials.csv", csv));
    assert_eq!((r.new, r.rows_failed), (2, 0));
    let rows = fx.rows(&[], &["sku", "occurred_at"]);
    assert_eq!(rows[0]["occurred_at"], "2024-03-01T12:00:00Z");
    assert_eq!(rows[1]["occurred_at"], "2024-03-01T00:00:00Z");
}
