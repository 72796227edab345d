//! Exports: exactly the view's rows, columns and order; round trips through the importer;
//! formula injection; sheet splits; nothing at the destination unless complete.

mod common;

use std::path::Path;
use std::sync::atomic::Ordering;

use calamine::{open_workbook, Data, Reader, Xlsx};
use common::{example, Fixture};
use invlog_core::export::{self, Control, ExportFormat, ExportRequest, Limits, Zone};
use invlog_core::query::{self, Filter, QueryRequest, SortKey, ViewSpec};
use serde_json::Value;

/// The columns of a Konnect export, in its order.
const KONNECT: &[&str] = &[
    "product_name",
    "channel",
    "account",
    "location_name",
    "location_code",
    "location_type",
    "sku",
    "channel_sku",
    "inventory_sent",
    "occurred_at",
    "buffer_stock",
    "committed",
    "damaged",
    "status",
    "mfg_date",
    "exp_date",
    "batch_id",
    "retry_count",
    "last_retry_at",
    "last_retry_details",
    "inventory_update_time",
    "request",
    "response",
];

fn view(columns: &[&str], filters: &[&str], sort: &[&str]) -> ViewSpec {
    ViewSpec {
        filters: filters.iter().map(|f| Filter::parse(f).unwrap()).collect(),
        search: None,
        sort: sort.iter().map(|s| SortKey::parse(s).unwrap()).collect(),
        columns: columns.iter().map(|c| (*c).to_owned()).collect(),
        kit: None,
    }
}

fn request(view: ViewSpec, path: &Path, zone: Zone) -> ExportRequest {
    ExportRequest {
        view,
        path: path.to_path_buf(),
        format: None,
        bom: false,
        zone,
        reveal_secrets: false,
        view_name: None,
    }
}

/// The view's rows as the query returns them (time values as ISO UTC strings).
fn query_rows(fx: &Fixture, view: &ViewSpec) -> Vec<Vec<Value>> {
    let r = query::run(
        fx.store.conn(),
        &QueryRequest {
            view: view.clone(),
            limit: 10_000,
            ..QueryRequest::default()
        },
    )
    .unwrap();
    r.rows
}

fn csv_rows(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let headers = r.headers().unwrap().iter().map(str::to_owned).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (headers, rows)
}

#[test]
fn csv_has_exactly_the_views_rows_columns_and_order() {
    let mut fx = Fixture::new();
    for f in [
        "konnect-inventory-logs.csv",
        "push-attempts.jsonl",
        "xoro-amazon-logs.csv",
    ] {
        fx.import_ok(&example(f));
    }
    let v = view(
        &[
            "sku",
            "occurred_at",
            "status",
            "inventory_sent",
            "channel",
            "resolved",
        ],
        &["source != xoro"],
        &["inventory_sent:desc", "sku"],
    );
    let out = fx.dir.path().join("view.csv");
    let report = export::export(
        &fx.store,
        &request(v.clone(), &out, Zone::Utc),
        &Control::default(),
    )
    .unwrap();
    let (headers, rows) = csv_rows(&out);
    assert_eq!(
        headers,
        [
            "Seller Identifier",
            "Updated On",
            "Status",
            "Inventory Sent",
            "Channel",
            "Resolved"
        ]
    );
    let expected = query_rows(&fx, &v);
    assert_eq!(report.rows, expected.len() as u64);
    assert_eq!(report.format, ExportFormat::Csv);
    assert_eq!(report.bytes, std::fs::metadata(&out).unwrap().len());
    assert_eq!(rows.len(), expected.len());
    for (got, want) in rows.iter().zip(&expected) {
        assert_eq!(got[0], want[0].as_str().unwrap_or(""));
        // The same instant, written with its offset.
        let t = chrono::DateTime::parse_from_rfc3339(&got[1]).unwrap();
        let w = chrono::DateTime::parse_from_rfc3339(want[1].as_str().unwrap()).unwrap();
        assert_eq!(t, w);
        assert!(got[1].ends_with("+00:00"), "{}", got[1]);
        assert_eq!(got[2], want[2].as_str().unwrap_or(""));
        assert_eq!(
            got[3],
            want[3].as_i64().map(|n| n.to_string()).unwrap_or_default()
        );
        assert_eq!(
            got[5],
            match want[5] {
                Value::Bool(true) => "Yes",
                Value::Bool(false) => "No",
                _ => "",
            }
        );
    }
    // A BOM when asked for.
    let bom = fx.dir.path().join("bom.csv");
    let mut req = request(v, &bom, Zone::Local);
    req.bom = true;
    export::export(&fx.store, &req, &Control::default()).unwrap();
    assert!(std::fs::read(&bom)
        .unwrap()
        .starts_with("\u{feff}Seller Identifier".as_bytes()));
}

/// Exports the Konnect example's rows with Konnect's columns and imports the file into a new
/// store: the same rows come back.
fn round_trip(ext: &str) {
    let mut fx = Fixture::new();
    fx.import_ok(&example("konnect-inventory-logs.csv"));
    let v = view(KONNECT, &[], &["occurred_at", "sku"]);
    let out = fx.dir.path().join(format!("konnect-export.{ext}"));
    export::export(
        &fx.store,
        &request(v.clone(), &out, Zone::Utc),
        &Control::default(),
    )
    .unwrap();

    let mut back = Fixture::new();
    let r = back.import_ok(&out);
    assert_eq!(
        r.format,
        Some(invlog_core::ingest::Format::Konnect),
        "{ext}"
    );
    assert_eq!(r.rows_failed, 0, "{ext}: {:?}", r.errors);
    assert_eq!(query_rows(&back, &v), query_rows(&fx, &v), "{ext}");
}

#[test]
fn a_konnect_csv_export_reimports_to_the_same_rows() {
    round_trip("csv");
}

#[test]
fn a_konnect_xlsx_export_reimports_to_the_same_rows() {
    round_trip("xlsx");
}

#[test]
fn formulas_are_neutralised_and_numbers_are_not() {
    let mut fx = Fixture::new();
    fx.import_ok(&fx.file(
        "k.csv",
        "Seller Identifier,Updated On,Product Name,Inventory Sent,Channel & Account\n\
         =1+1,2025-03-01 10:00:00,\"=HYPERLINK(\"\"http://evil\"\",\"\"x\"\")\",-5,Amazon / A\n\
         SKU-2,2025-03-01 11:00:00,@SUM(A1),7,+Flip / B\n",
    ));
    let v = view(
        &["sku", "product_name", "inventory_sent", "channel"],
        &[],
        &["occurred_at"],
    );
    let out = fx.dir.path().join("f.csv");
    export::export(
        &fx.store,
        &request(v.clone(), &out, Zone::Utc),
        &Control::default(),
    )
    .unwrap();
    let (_, rows) = csv_rows(&out);
    assert_eq!(
        rows[0],
        [
            "'=1+1",
            "'=HYPERLINK(\"http://evil\",\"x\")",
            "-5",
            "Amazon"
        ]
    );
    assert_eq!(rows[1], ["SKU-2", "'@SUM(A1)", "7", "'+Flip"]);

    let xlsx = fx.dir.path().join("f.xlsx");
    export::export(
        &fx.store,
        &request(v, &xlsx, Zone::Utc),
        &Control::default(),
    )
    .unwrap();
    let mut wb: Xlsx<_> = open_workbook(&xlsx).unwrap();
    let range = wb.worksheet_range("Logs").unwrap();
    assert_eq!(range.get((1, 0)), Some(&Data::String("'=1+1".into())));
    assert_eq!(
        range.get((1, 2)),
        Some(&Data::Float(-5.0)),
        "numbers stay numbers"
    );
}

#[test]
fn long_views_continue_on_numbered_sheets_with_typed_cells() {
    let mut fx = Fixture::new();
    fx.import_ok(&example("konnect-inventory-logs.csv"));
    let total = query_rows(&fx, &view(&["sku"], &[], &[])).len();
    assert!(total > 10);
    let v = view(
        &["sku", "occurred_at", "inventory_sent", "mfg_date"],
        &[],
        &["occurred_at"],
    );
    let out = fx.dir.path().join("split.xlsx");
    let report = export::export_with(
        &fx.store,
        &request(v.clone(), &out, Zone::Utc),
        &Control::default(),
        Limits { sheet_rows: 5 },
    )
    .unwrap();
    let sheets = total.div_ceil(5);
    assert_eq!(report.sheets as usize, sheets);
    let mut wb: Xlsx<_> = open_workbook(&out).unwrap();
    let names = wb.sheet_names();
    assert_eq!(names[0], "Logs");
    assert_eq!(names[1], "Logs (2)");
    assert_eq!(names.len(), sheets);
    let expected = query_rows(&fx, &v);
    let mut got = Vec::new();
    for name in &names {
        let range = wb.worksheet_range(name).unwrap();
        let mut rows = range.rows();
        let header: Vec<String> = rows.next().unwrap().iter().map(|c| c.to_string()).collect();
        assert_eq!(
            header,
            [
                "Seller Identifier",
                "Updated On",
                "Inventory Sent",
                "Mfg Date"
            ]
        );
        got.extend(rows.map(|r| r.to_vec()));
    }
    assert_eq!(got.len(), total);
    for (row, want) in got.iter().zip(&expected) {
        assert_eq!(row[0], Data::String(want[0].as_str().unwrap().into()));
        // A real date-time cell at the same instant.
        let Data::DateTime(dt) = &row[1] else {
            panic!("not a date-time: {:?}", row[1])
        };
        let ms = invlog_core::time::excel_serial_to_millis(dt.as_f64()).unwrap();
        assert_eq!(
            invlog_core::time::format_instant(ms),
            want[1].as_str().unwrap()
        );
        assert_eq!(row[2], Data::Float(want[2].as_i64().unwrap() as f64));
    }
}

#[test]
fn a_cancelled_or_failed_export_leaves_nothing_at_the_destination() {
    let mut fx = Fixture::new();
    fx.import_ok(&example("konnect-inventory-logs.csv"));
    let dir = fx.dir.path().join("out");
    std::fs::create_dir(&dir).unwrap();
    for ext in ["csv", "xlsx"] {
        let dest = dir.join(format!("cancelled.{ext}"));
        let control = Control::default();
        control.cancelled.store(true, Ordering::Relaxed);
        let err = export::export(
            &fx.store,
            &request(view(&[], &[], &[]), &dest, Zone::Utc),
            &control,
        );
        assert!(
            matches!(err, Err(invlog_core::CoreError::Cancelled { .. })),
            "{err:?}"
        );
        assert!(!dest.exists());
    }
    // An existing file is kept as it was when the export does not complete.
    let dest = dir.join("kept.csv");
    std::fs::write(&dest, "old").unwrap();
    let control = Control::default();
    control.cancelled.store(true, Ordering::Relaxed);
    assert!(export::export(
        &fx.store,
        &request(view(&[], &[], &[]), &dest, Zone::Utc),
        &control
    )
    .is_err());
    assert_eq!(std::fs::read_to_string(&dest).unwrap(), "old");
    // No temporary file is left behind either.
    let left: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, [std::ffi::OsString::from("kept.csv")]);

    // A folder that does not exist, an unknown extension: errors that name the path.
    let err = export::export(
        &fx.store,
        &request(view(&[], &[], &[]), &dir.join("no/such/x.csv"), Zone::Utc),
        &Control::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("no/such/x.csv"), "{err}");
    let err = export::export(
        &fx.store,
        &request(view(&[], &[], &[]), &dir.join("x.txt"), Zone::Utc),
        &Control::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("csv or xlsx"), "{err}");
}

/// Imports and exports read without the memory map while they run and then put back the
/// connection's own choice: a connection told to read without it (the table's pages) keeps
/// doing so, and one that reads through it gets it back.
#[test]
fn imports_and_exports_put_back_the_connections_own_memory_map() {
    let map = |fx: &Fixture| -> i64 {
        fx.store
            .conn()
            .query_row("PRAGMA mmap_size", [], |r| r.get(0))
            .unwrap()
    };
    let out = |fx: &Fixture| fx.dir.path().join("out.csv");
    let mut mapped = Fixture::new();
    mapped.import_ok(&example("konnect-inventory-logs.csv"));
    assert_eq!(map(&mapped), invlog_core::store::MMAP_BYTES);
    let req = request(view(KONNECT, &[], &[]), &out(&mapped), Zone::Utc);
    export::export(&mapped.store, &req, &Control::default()).unwrap();
    assert_eq!(map(&mapped), invlog_core::store::MMAP_BYTES);

    let mut unmapped = Fixture::new();
    unmapped.store.read_without_map().unwrap();
    assert_eq!(map(&unmapped), 0);
    unmapped.import_ok(&example("konnect-inventory-logs.csv"));
    assert_eq!(map(&unmapped), 0);
    let req = request(view(KONNECT, &[], &[]), &out(&unmapped), Zone::Utc);
    export::export(&unmapped.store, &req, &Control::default()).unwrap();
    assert_eq!(map(&unmapped), 0);
}
