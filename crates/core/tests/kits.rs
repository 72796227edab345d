//! Kit logs: the kit's entries and its components' on_hand/order entries merged in time order,
//! running on-hand per component, and the kit availability they imply.

mod common;

use common::{example, Fixture};
use invlog_core::ingest::ImportOptions;
use invlog_core::kits::{self, KitLogRequest};
use serde_json::Value;

fn with_sku(fx: &mut Fixture, file: &str, sku: &str) {
    let r = fx
        .import_with(
            &example(file),
            ImportOptions {
                sku: Some(sku.into()),
                ..Default::default()
            },
        )
        .unwrap();
    assert!(r.rows_imported > 0);
}

fn gift_box() -> Fixture {
    let mut fx = Fixture::new();
    fx.import_ok(&example("kits.csv"));
    for sku in ["KIT-GIFTBOX", "SKU-00901", "SKU-00902", "SKU-00903"] {
        with_sku(&mut fx, &format!("inventory-log-{sku}.csv"), sku);
    }
    fx
}

fn req(kit: &str, events: Option<Vec<&str>>) -> KitLogRequest {
    KitLogRequest {
        kit_sku: kit.into(),
        events: events.map(|e| e.into_iter().map(str::to_owned).collect()),
        columns: vec![
            "occurred_at".into(),
            "event_type".into(),
            "available_on_hand".into(),
        ],
        reveal_secrets: false,
    }
}

#[test]
fn merged_in_time_order_with_component_tags_and_running_on_hand() {
    let fx = gift_box();
    let log = kits::log(&fx.store, &req("KIT-GIFTBOX", None)).unwrap();
    assert_eq!(
        log.columns,
        [
            "component_sku",
            "running_on_hand",
            "occurred_at",
            "event_type",
            "available_on_hand"
        ]
    );
    assert!(!log.rows.is_empty());
    let times: Vec<&str> = log.rows.iter().map(|r| r[2].as_str().unwrap()).collect();
    let mut sorted = times.clone();
    sorted.sort();
    assert_eq!(times, sorted, "ascending by occurred_at");
    for r in &log.rows {
        let comp = r[0].as_str().unwrap();
        let event = r[3].as_str().unwrap();
        // The kit's own entries all stay; components only with on_hand and order.
        assert!(
            comp == "KIT-GIFTBOX" || event == "on_hand" || event == "order",
            "{r:?}"
        );
        if !r[4].is_null() {
            assert_eq!(
                r[1], r[4],
                "running on-hand is the row's own when it has one"
            );
        }
    }
    // SKU-00902's log has no on_hand or order event: it shows with every event only.
    let all = kits::log(&fx.store, &req("KIT-GIFTBOX", Some(vec![]))).unwrap();
    assert!(all.rows.len() > log.rows.len());
    assert!(!log.rows.iter().any(|r| r[0] == "SKU-00902"));
    for c in ["KIT-GIFTBOX", "SKU-00901", "SKU-00902", "SKU-00903"] {
        assert!(all.rows.iter().any(|r| r[0] == c), "{c} has rows");
    }
    // Availability: from the last on-hand of each component, over every event.
    let last = |sku: &str| -> i64 {
        all.rows
            .iter()
            .rev()
            .find(|r| r[0] == sku && !r[1].is_null())
            .unwrap()[1]
            .as_i64()
            .unwrap()
    };
    let expected = [("SKU-00901", 1), ("SKU-00902", 2), ("SKU-00903", 3)]
        .iter()
        .map(|(s, q)| last(s).max(0) / q)
        .min()
        .unwrap();
    assert_eq!(log.availability.last().unwrap().available, expected);
    assert_eq!(
        log.availability, all.availability,
        "the same whatever is shown"
    );
    assert!(log.components_without_entries.is_empty());
}

#[test]
fn ties_keep_import_order_and_offsets_sort_by_instant() {
    let mut fx = Fixture::new();
    fx.import_ok(&fx.file("kits.csv", "kit_sku,component_sku,quantity\nK,A,1\nK,B,1\n"));
    let head = "created_at,event_type,quantity,available_on_hand\n";
    // A's 10:00Z and B's 15:30+05:30 are the same instant: A was imported first.
    fx.import_with(
        &fx.file(
            "a.csv",
            format!("{head}2025-03-01T10:00:00Z,on_hand,1,5\n2025-03-01T12:00:00Z,order,1,4\n"),
        ),
        ImportOptions {
            sku: Some("A".into()),
            ..Default::default()
        },
    )
    .unwrap();
    fx.import_with(
        &fx.file("b.csv", format!("{head}2025-03-01T15:30:00+05:30,on_hand,1,7\n2025-03-01T10:30:00+00:00,order,1,6\n")),
        ImportOptions { sku: Some("B".into()), ..Default::default() },
    )
    .unwrap();
    let log = kits::log(&fx.store, &req("K", None)).unwrap();
    let order: Vec<(String, i64)> = log
        .rows
        .iter()
        .map(|r| (r[0].as_str().unwrap().to_owned(), r[4].as_i64().unwrap()))
        .collect();
    assert_eq!(
        order,
        [
            ("A".into(), 5),
            ("B".into(), 7),
            ("B".into(), 6),
            ("A".into(), 4)
        ]
    );
    let steps: Vec<i64> = log.availability.iter().map(|p| p.available).collect();
    assert_eq!(
        steps,
        [5, 4],
        "known once both are: min(5,7)=5, then B 6 → 5 (no step), A 4 → 4"
    );
}

#[test]
fn missing_components_and_kits_are_named() {
    let mut fx = Fixture::new();
    fx.import_ok(&fx.file(
        "kits.csv",
        "kit_sku,component_sku,quantity\nK,A,1\nK,GHOST,2\n",
    ));
    fx.import_with(
        &fx.file(
            "a.csv",
            "created_at,event_type,quantity,available_on_hand\n2025-03-01T10:00:00Z,on_hand,1,5\n",
        ),
        ImportOptions {
            sku: Some("A".into()),
            ..Default::default()
        },
    )
    .unwrap();
    let log = kits::log(&fx.store, &req("K", None)).unwrap();
    assert_eq!(log.components_without_entries, ["GHOST"]);
    assert!(log.availability.is_empty(), "unknown without GHOST's stock");
    assert_eq!(log.rows.len(), 1);
    let err = kits::log(&fx.store, &req("NOPE", None))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("no kit 'NOPE' is defined") && err.contains("kits file"),
        "{err}"
    );
    let _: Value = serde_json::to_value(kits::list(&fx.store).unwrap()).unwrap();
    // A payload column is read through its join.
    let mut with_payload = req("K", None);
    with_payload.columns = vec!["sku".into(), "request".into()];
    let log = kits::log(&fx.store, &with_payload).unwrap();
    assert_eq!(
        log.columns,
        ["component_sku", "running_on_hand", "sku", "request"]
    );
    assert_eq!(log.rows[0][3], Value::Null);
}
