//! What a user is told about a file Invlog cannot read as it is, and that the store is left as
//! it was: dates whose order the data decides (or cannot), other encodings and delimiters,
//! binary bytes anywhere, JSON Lines errors, numbers too large to hold, files none of whose
//! rows could be read.

mod common;

use common::{example, Fixture};
use invlog_core::ingest::ImportOptions;
use invlog_core::time::DateOrder;
use invlog_core::CoreError;

const KONNECT_HEADER: &str = "Seller Identifier,Channel & Account,Inventory Sent,Updated On,Status";

fn konnect(rows: &[&str]) -> String {
    let mut s = String::from(KONNECT_HEADER);
    for (i, when) in rows.iter().enumerate() {
        s.push_str(&format!("\nSKU-{i},Amazon / Amazon-US,5,{when},Success"));
    }
    s.push('\n');
    s
}

fn refusal(fx: &mut Fixture, name: &str, bytes: impl AsRef<[u8]>) -> String {
    let before = fx.fingerprint();
    let p = fx.file(name, bytes);
    let reason = match fx.import(&p) {
        Err(CoreError::FileRefused { reason, .. }) => reason,
        other => panic!("{name} should be refused, got {other:?}"),
    };
    assert_eq!(fx.fingerprint(), before, "a refused file changes nothing");
    reason
}

fn times(fx: &Fixture) -> Vec<String> {
    fx.rows(&[], &["occurred_at"])
        .into_iter()
        .map(|r| r["occurred_at"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn a_day_above_12_anywhere_makes_the_whole_file_day_first() {
    let mut fx = Fixture::new();
    // The deciding date comes last; the first two would be June 3 and July 3 month first.
    let r = fx.import_ok(&fx.file(
        "eu.csv",
        konnect(&["06/03/2025 10:00", "07/03/2025 10:00", "13/03/2025 10:00"]),
    ));
    assert_eq!((r.rows_imported, r.rows_failed), (3, 0));
    assert_eq!(
        times(&fx),
        [
            "2025-03-06T10:00:00Z",
            "2025-03-07T10:00:00Z",
            "2025-03-13T10:00:00Z"
        ]
    );
}

#[test]
fn a_second_number_above_12_makes_it_month_first() {
    let mut fx = Fixture::new();
    let r = fx.import_ok(&fx.file(
        "us.csv",
        konnect(&["06/03/2025 10:00 AM", "03/13/2025 10:00 PM"]),
    ));
    assert_eq!((r.rows_imported, r.rows_failed), (2, 0));
    assert_eq!(times(&fx), ["2025-06-03T10:00:00Z", "2025-03-13T22:00:00Z"]);
}

#[test]
fn dates_that_never_tell_refuse_the_file_until_the_order_is_chosen() {
    let mut fx = Fixture::new();
    let csv = konnect(&["06/03/2025 10:00", "07/03/2025 10:00"]);
    let reason = refusal(&mut fx, "which.csv", &csv);
    assert!(reason.contains("\"Updated On\""), "{reason}");
    assert!(reason.contains("06/03/2025"), "{reason}");
    assert!(reason.contains("--date-order dmy"), "{reason}");

    let p = fx.file("which.csv", &csv);
    for (order, first) in [
        (DateOrder::Dmy, "2025-03-06T10:00:00Z"),
        (DateOrder::Mdy, "2025-06-03T10:00:00Z"),
    ] {
        let mut fx = Fixture::new();
        let r = fx
            .import_with(
                &p,
                ImportOptions {
                    date_order: Some(order),
                    ..Default::default()
                },
            )
            .unwrap();
        assert_eq!(r.rows_imported, 2);
        assert_eq!(times(&fx)[0], first);
    }
}

#[test]
fn the_chosen_order_names_dates_that_contradict_it_as_row_errors() {
    let mut fx = Fixture::new();
    let r = fx
        .import_with(
            &fx.file(
                "mixed.csv",
                konnect(&["06/03/2025 10:00", "03/13/2025 10:00"]),
            ),
            ImportOptions {
                date_order: Some(DateOrder::Dmy),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!((r.rows_imported, r.rows_failed), (1, 1));
    let e = &r.errors[0];
    assert_eq!((e.row, e.column.as_deref()), (3, Some("Updated On")));
    assert!(e.message.contains("'03/13/2025 10:00'"), "{}", e.message);
    assert!(e.message.contains("day first"), "{}", e.message);
}

#[test]
fn xoro_dates_stay_month_first_as_its_format_says() {
    let mut fx = Fixture::new();
    let r = fx.import_ok(&example("xoro-amazon-logs.csv"));
    assert_eq!(r.rows_failed, 0);
}

#[test]
fn a_nul_byte_past_the_sniffed_head_refuses_the_whole_file() {
    let mut fx = Fixture::new();
    fx.import_ok(&example("xoro-amazon-logs.csv"));
    let mut rows: Vec<String> = (0..3000)
        .map(|i| format!("2025-03-06 10:00:{:02}", i % 60))
        .collect();
    rows[2500] = "2025-03-06 10:00:00".into();
    let mut bytes = konnect(&rows.iter().map(String::as_str).collect::<Vec<_>>()).into_bytes();
    assert!(bytes.len() > 64 * 1024 + 100);
    let at = bytes.len() - 50;
    bytes[at] = 0;
    let reason = refusal(&mut fx, "late-nul.csv", &bytes);
    assert!(
        reason.contains(&format!("NUL byte at byte {at}")),
        "{reason}"
    );

    let jsonl = std::fs::read_to_string(example("push-attempts.jsonl")).unwrap();
    let mut big = jsonl.repeat(1 + 70_000 / jsonl.len()).into_bytes();
    let at = big.len() - 10;
    big[at] = 0;
    let reason = refusal(&mut fx, "late-nul.jsonl", &big);
    assert!(reason.contains("NUL byte"), "{reason}");
}

#[test]
fn a_json_lines_error_has_one_position_the_files_own() {
    let mut fx = Fixture::new();
    let jsonl = std::fs::read_to_string(example("push-attempts.jsonl")).unwrap();
    let mut lines: Vec<&str> = jsonl.lines().take(2).collect();
    lines.push(r#"  {"batch_id": "PB9", "sku": oops}"#);
    let reason = refusal(&mut fx, "bad.jsonl", lines.join("\n"));
    assert!(
        reason.starts_with("invalid JSON at line 3, column 30: expected value"),
        "{reason}"
    );
    assert!(!reason.contains("line 1"), "{reason}");
}

#[test]
fn a_number_too_large_is_not_quoted_back_rounded() {
    let mut fx = Fixture::new();
    let jsonl = std::fs::read_to_string(example("push-attempts.jsonl")).unwrap();
    let first = jsonl.lines().next().unwrap();
    let huge = first.replacen(
        "\"inventory_sent\": 0",
        "\"inventory_sent\": 99999999999999999999",
        1,
    );
    assert_ne!(huge, first);
    let r = fx.import_ok(&fx.file("huge.jsonl", format!("{huge}\n{first}\n")));
    assert_eq!((r.rows_imported, r.rows_failed), (1, 1));
    let e = &r.errors[0];
    assert_eq!(e.column.as_deref(), Some("inventory_sent"));
    assert!(
        !e.message.contains("100000000000000000000"),
        "{}",
        e.message
    );
    assert!(e.message.contains("more digits"), "{}", e.message);
}

#[test]
fn a_file_none_of_whose_rows_was_read_says_so() {
    let mut fx = Fixture::new();
    let r = fx.import_ok(&fx.file("all-bad.csv", konnect(&["yesterday", "last week"])));
    assert_eq!((r.rows_imported, r.rows_failed), (0, 2));
    let summary = r.summary();
    assert!(
        summary.contains("no rows imported: error in all 2 rows"),
        "{summary}"
    );
    assert!(
        summary.contains("row 2, column \"Updated On\""),
        "{summary}"
    );
}
