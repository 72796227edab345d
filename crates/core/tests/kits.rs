//! Kit logs: the kit's entries and its components' on_hand/order entries merged in time order,
//! running on-hand per component, and the kit availability they imply.

mod common;

use common::{example, Fixture};
use invlog_core::export::{self, Control, ExportRequest, Zone};
use invlog_core::ingest::ImportOptions;
use invlog_core::kits::{self, SetKitComponent};
use invlog_core::query::timeline::{self, TimelineRequest};
use invlog_core::query::{self, Filter, KitScope, QueryRequest, SortKey, ViewSpec};
use invlog_core::stock_history::{self, StockHistoryRequest};
use invlog_core::Store;
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

fn req(kit: &str, events: Option<Vec<&str>>) -> ViewSpec {
    ViewSpec {
        kit: Some(KitScope {
            kit_sku: kit.into(),
            events: events.map(|e| e.into_iter().map(str::to_owned).collect()),
        }),
        columns: vec![
            "occurred_at".into(),
            "event_type".into(),
            "available_on_hand".into(),
        ],
        ..ViewSpec::default()
    }
}

fn kit_log(fx: &Fixture, view: &ViewSpec) -> invlog_core::Result<kits::KitLog> {
    kits::log(&fx.store, view, false)
}

#[test]
fn merged_in_time_order_with_component_tags_and_running_on_hand() {
    let fx = gift_box();
    let log = kit_log(&fx, &req("KIT-GIFTBOX", None)).unwrap();
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
    let all = kit_log(&fx, &req("KIT-GIFTBOX", Some(vec![]))).unwrap();
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
    assert_eq!(log.summary.availability.last().unwrap().available, expected);
    assert_eq!(
        log.summary.availability, all.summary.availability,
        "the same whatever is shown"
    );
    assert!(log.summary.components_without_entries.is_empty());
    // The chart spans the whole log, the kit's own entries included.
    let span = (
        log.summary.first_at.as_deref().unwrap(),
        log.summary.last_at.as_deref().unwrap(),
    );
    let times: Vec<&str> = all.rows.iter().map(|r| r[2].as_str().unwrap()).collect();
    assert_eq!(span, (times[0], *times.last().unwrap()));
    assert!(span.0 < log.summary.availability[0].at.as_str());
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
    let log = kit_log(&fx, &req("K", None)).unwrap();
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
    let steps: Vec<i64> = log
        .summary
        .availability
        .iter()
        .map(|p| p.available)
        .collect();
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
    let log = kit_log(&fx, &req("K", None)).unwrap();
    assert_eq!(log.summary.components_without_entries, ["GHOST"]);
    assert!(
        log.summary.availability.is_empty(),
        "unknown without GHOST's stock"
    );
    assert_eq!(log.rows.len(), 1);
    let err = kit_log(&fx, &req("NOPE", None)).unwrap_err().to_string();
    assert!(
        err.contains("no kit 'NOPE' is defined") && err.contains("kits file"),
        "{err}"
    );
    let _: Value = serde_json::to_value(kits::list(&fx.store).unwrap()).unwrap();
    // A payload column is read through its join.
    let mut with_payload = req("K", None);
    with_payload.columns = vec!["sku".into(), "request".into()];
    let log = kit_log(&fx, &with_payload).unwrap();
    assert_eq!(
        log.columns,
        ["component_sku", "running_on_hand", "sku", "request"]
    );
    assert_eq!(log.rows[0][3], Value::Null);
}

fn page(fx: &Fixture, view: ViewSpec, limit: u32) -> invlog_core::query::QueryResponse {
    query::run(
        fx.store.conn(),
        &QueryRequest {
            view,
            limit,
            ..QueryRequest::default()
        },
    )
    .unwrap()
}

#[test]
fn the_table_query_pages_filters_sorts_and_facets_a_kit_log() {
    let fx = gift_box();
    let scope = req("KIT-GIFTBOX", Some(vec![]));
    let whole = kit_log(&fx, &scope).unwrap();
    // Paged by the table's query: the same rows in the same order, the total counted.
    let mut pages = Vec::new();
    let mut view = scope.clone();
    view.columns = whole.columns.clone();
    let first = page(&fx, view.clone(), 7);
    assert_eq!(first.total, Some(whole.rows.len() as u64));
    pages.extend(first.rows);
    let mut cursor = first.next_cursor;
    while let Some(after) = cursor {
        let next = query::run(
            fx.store.conn(),
            &QueryRequest {
                view: view.clone(),
                limit: 7,
                after: Some(after),
                ..QueryRequest::default()
            },
        )
        .unwrap();
        pages.extend(next.rows);
        cursor = next.next_cursor;
    }
    assert_eq!(pages, whole.rows, "keyset pages of a kit log, oldest first");
    // Default columns of a kit view start with the component and its running on-hand.
    let defaults = page(
        &fx,
        ViewSpec {
            columns: vec![],
            ..scope.clone()
        },
        1,
    );
    assert_eq!(defaults.columns[..2], ["component_sku", "running_on_hand"]);
    // A filter on the component and a sort by running on-hand.
    let mut only = view.clone();
    only.filters = vec![Filter::parse("component_sku = SKU-00903").unwrap()];
    only.sort = vec![SortKey::parse("running_on_hand:desc").unwrap()];
    let r = page(&fx, only, 1000);
    assert!(r.total.unwrap() > 1);
    assert!(r.rows.iter().all(|row| row[0] == "SKU-00903"));
    let on_hand: Vec<i64> = r.rows.iter().filter_map(|row| row[1].as_i64()).collect();
    assert!(on_hand.windows(2).all(|w| w[0] >= w[1]), "{on_hand:?}");
    // Facets count within the kit.
    let facets = query::facets(
        fx.store.conn(),
        &[],
        None,
        scope.kit.as_ref(),
        &["component_sku".into()],
    )
    .unwrap();
    let counted: u64 = facets[0].values.iter().map(|v| v.count).sum();
    assert_eq!(counted, whole.rows.len() as u64);
    assert_eq!(facets[0].values.len(), 4);
    // Outside a kit log the kit columns mean nothing, and say so.
    let err = query::run(
        fx.store.conn(),
        &QueryRequest {
            view: ViewSpec {
                columns: vec!["component_sku".into()],
                ..ViewSpec::default()
            },
            ..QueryRequest::default()
        },
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("'component_sku' belongs to kit logs"), "{err}");
}

#[test]
fn a_kit_log_exports_with_its_component_column() {
    let fx = gift_box();
    let view = req("KIT-GIFTBOX", None);
    let whole = kit_log(&fx, &view).unwrap();
    let mut exported = view.clone();
    exported.columns = whole.columns.clone();
    let path = fx.file("kit.csv", "");
    std::fs::remove_file(&path).unwrap();
    let report = export::export(
        &fx.store,
        &ExportRequest {
            view: exported,
            path: path.clone(),
            format: None,
            bom: false,
            zone: Zone::Utc,
            reveal_secrets: false,
            view_name: None,
        },
        &Control::default(),
    )
    .unwrap();
    assert_eq!(report.rows, whole.rows.len() as u64);
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "Component SKU,Running On Hand,Updated On,Event Type,Available On Hand"
    );
    let components: Vec<&str> = lines.map(|l| l.split(',').next().unwrap()).collect();
    let expected: Vec<&str> = whole.rows.iter().map(|r| r[0].as_str().unwrap()).collect();
    assert_eq!(components, expected);
}

#[test]
fn kits_are_edited_component_by_component() {
    let mut fx = gift_box();
    let set = |fx: &Fixture, kit: &str, c: &str, q: i64| {
        kits::set_component(
            &fx.store,
            &SetKitComponent {
                kit_sku: kit.into(),
                component_sku: c.into(),
                quantity: q,
            },
        )
    };
    // A new kit, its quantity changed, a component removed.
    let k = set(&fx, " KIT-NEW ", "SKU-00901", 2).unwrap();
    assert_eq!(k.kit_sku, "KIT-NEW");
    set(&fx, "KIT-NEW", "SKU-00903", 1).unwrap();
    let k = set(&fx, "KIT-NEW", "SKU-00901", 4).unwrap();
    assert_eq!(
        k.components
            .iter()
            .map(|c| (c.sku.as_str(), c.quantity))
            .collect::<Vec<_>>(),
        [("SKU-00901", 4), ("SKU-00903", 1)]
    );
    let before = kits::summary(&fx.store, "KIT-NEW").unwrap();
    kits::remove_component(&fx.store, "KIT-NEW", "SKU-00903").unwrap();
    let after = kits::summary(&fx.store, "KIT-NEW").unwrap();
    assert_eq!(after.kit.components.len(), 1);
    assert_ne!(
        before.availability, after.availability,
        "availability follows the kit"
    );
    // Edits the store refuses, changing nothing.
    let kits_before = kits::list(&fx.store).unwrap();
    for (kit, c, q, says) in [
        ("KIT-NEW", "SKU-00902", 0, "at least 1"),
        ("KIT-NEW", "KIT-NEW", 1, "component of itself"),
        ("", "SKU-00902", 1, "needs a kit SKU"),
    ] {
        let err = set(&fx, kit, c, q).unwrap_err().to_string();
        assert!(err.contains(says), "{err}");
    }
    let err = kits::remove_component(&fx.store, "KIT-NEW", "NOPE")
        .unwrap_err()
        .to_string();
    assert_eq!(err, "kit 'KIT-NEW' has no component 'NOPE'");
    assert_eq!(kits::list(&fx.store).unwrap(), kits_before);
    // The last component gone, the kit is gone; a re-import of the kits file brings back
    // what it lists.
    kits::remove(&fx.store, "KIT-NEW").unwrap();
    assert!(kits::summary(&fx.store, "KIT-NEW").is_err());
    assert!(kits::remove(&fx.store, "KIT-NEW").is_err());
    let _ = &mut fx;
}

#[test]
fn stock_history_and_timeline_of_a_component() {
    let fx = gift_box();
    let h = stock_history::get(
        &fx.store,
        &StockHistoryRequest {
            sku: "SKU-00901".into(),
        },
    )
    .unwrap();
    assert!(h.events.len() > 3);
    assert!(
        h.events.windows(2).all(|w| w[0].at <= w[1].at),
        "oldest first"
    );
    assert!(h
        .events
        .iter()
        .any(|e| e.available_on_hand.is_some() && e.physical_on_hand.is_some()));
    let err = stock_history::get(&fx.store, &StockHistoryRequest { sku: "NOPE".into() })
        .unwrap_err()
        .to_string();
    assert!(err.contains("no entries for SKU 'NOPE'"), "{err}");

    // The timeline of the kit view counts exactly its rows, in round buckets.
    let view = req("KIT-GIFTBOX", Some(vec![]));
    let rows = kit_log(&fx, &view).unwrap().rows.len() as u64;
    let t = timeline::get(
        fx.store.conn(),
        &TimelineRequest {
            view: view.clone(),
            buckets: 20,
            utc_offset_minutes: 330,
        },
    )
    .unwrap();
    assert_eq!(t.total, rows);
    let counted: u64 = t
        .buckets
        .iter()
        .map(|b| b.success + b.failed + b.pending + b.other)
        .sum();
    assert_eq!(counted, rows);
    assert!(t.buckets.len() <= 21);
    // Day buckets (or wider) start at local midnight of UTC+05:30.
    if t.bucket_ms % 86_400_000 == 0 && t.bucket_ms <= 2 * 86_400_000 {
        assert_eq!(
            (t.buckets[0].start + 330 * 60_000).rem_euclid(86_400_000),
            0
        );
    }
    assert!(t
        .buckets
        .windows(2)
        .all(|w| w[1].start - w[0].start == t.bucket_ms));
    // Read in id-range shares on three connections at once: the same counts, for the kit
    // log and for filtered views of the whole store.
    let mut readers: Vec<Store> = (0..3)
        .map(|_| Store::open(&fx.dir.path().join("t.db")).unwrap())
        .collect();
    let mut readers: Vec<&mut Store> = readers.iter_mut().collect();
    for view in [
        view.clone(),
        ViewSpec::default(),
        ViewSpec {
            filters: vec![Filter::parse("event_type = order").unwrap()],
            ..ViewSpec::default()
        },
        ViewSpec {
            search: Some("SKU-00901".into()),
            ..ViewSpec::default()
        },
    ] {
        let req = TimelineRequest {
            view,
            buckets: 20,
            utc_offset_minutes: 330,
        };
        let one = timeline::get(fx.store.conn(), &req).unwrap();
        let shared = timeline::get_on(&mut readers, &req, || false).unwrap();
        assert_eq!(shared.buckets, one.buckets);
        assert_eq!(shared.total, one.total);
        assert!(one.total > 0);
    }
}
