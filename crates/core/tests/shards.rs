//! Counts, facets and timelines split across connections (`query::shards`) against the same
//! read on one connection, for views the summary cannot answer.

mod common;

use common::{example, Fixture};
use invlog_core::query::filter::Filter;
use invlog_core::query::shards;
use invlog_core::query::timeline::{self, TimelineRequest};
use invlog_core::query::{self, ViewSpec};
use invlog_core::Store;

/// Pushes with varied quantities, channels, statuses and times, so every share of the ids
/// holds rows of every kind.
fn konnect_csv(rows: usize) -> String {
    let mut out = String::from(
        "Channel & Account,Location Code,Seller Identifier,Inventory Sent,Updated On,Status,Batch ID\n",
    );
    let channels = [
        "Amazon / Amazon-Mumbai",
        "Flipkart / Flipkart-Main",
        "Myntra / 101",
    ];
    for i in 0..rows {
        out.push_str(&format!(
            "{},WH0{},SKU-{:03},{},{:02}/03/2025 {:02}:{:02}:00,{},B{}\n",
            channels[i % 3],
            i % 4,
            i % 37,
            (i * 7) % 50,
            1 + i % 28,
            (i / 7) % 24,
            i % 60,
            if i % 5 == 0 { "Failed" } else { "Success" },
            i % 9,
        ));
    }
    out
}

fn views() -> Vec<ViewSpec> {
    let of = |filters: &[&str], search: Option<&str>| ViewSpec {
        filters: filters.iter().map(|f| Filter::parse(f).unwrap()).collect(),
        search: search.map(str::to_owned),
        ..ViewSpec::default()
    };
    vec![
        of(&["inventory_sent > 30"], None),
        of(&["inventory_sent <= 4", "status = failed"], None),
        of(&["location_code ~ 0"], None),
        of(&["inventory_sent != 7", "channel = Flipkart"], None),
        of(&["occurred_at >= 2025-03-10", "inventory_sent < 20"], None),
        of(&[], Some("SKU-007")),
        of(&["inventory_sent > 1000"], None),
        ViewSpec::default(),
    ]
}

#[test]
fn split_reads_count_as_one_connection_does() {
    let mut fx = Fixture::new();
    fx.import_ok(&fx.file("k.csv", konnect_csv(3_000)));
    fx.import_ok(&example("xoro-amazon-logs.csv"));
    fx.import_ok(&example("konnect-inventory-logs.csv"));
    let path = fx.dir.path().join("t.db");
    let mut readers: Vec<Store> = (0..3).map(|_| Store::open(&path).unwrap()).collect();
    let mut readers: Vec<&mut Store> = readers.iter_mut().collect();
    let conn = fx.store.conn();
    let facet_columns = query::facet_columns(&[], None).unwrap();
    let mut split = 0;
    for view in views() {
        let (f, s) = (&view.filters, view.search.as_deref());
        let want = query::count(conn, f, s, None).unwrap();
        assert_eq!(
            query::count_on(&mut readers, &view, || false).unwrap(),
            want,
            "{view:?}"
        );
        // Facets of every registry facet column (split) and of a column with many values
        // (read whole).
        let columns: Vec<_> = facet_columns
            .iter()
            .copied()
            .chain([invlog_core::columns::find("sku").unwrap()])
            .collect();
        let mut each = Vec::new();
        for &c in &columns {
            let one = query::facet(conn, f, s, None, c).unwrap();
            let shared = query::facet_on(&mut readers, f, s, None, c, || false).unwrap();
            assert_eq!(
                serde_json::to_value(&shared).unwrap(),
                serde_json::to_value(&one).unwrap(),
                "{view:?} {}",
                c.id
            );
            each.push(one);
        }
        // All of them asked at once: those the view does not filter are read together.
        let together = query::facets_on(&mut readers, f, s, None, &columns, || false).unwrap();
        assert_eq!(
            serde_json::to_value(&together).unwrap(),
            serde_json::to_value(&each).unwrap(),
            "{view:?}"
        );
        let req = TimelineRequest {
            view: view.clone(),
            buckets: 30,
            utc_offset_minutes: 330,
        };
        let one = timeline::get(conn, &req).unwrap();
        let shared = timeline::get_on(&mut readers, &req, || false).unwrap();
        assert_eq!(shared.buckets, one.buckets, "{view:?}");
        assert_eq!(shared.total, want, "{view:?}");
        let (sql, params) = (
            format!(
                "SELECT count(*) FROM entries e WHERE {}",
                query::where_clause(f, s, None).unwrap().text
            ),
            query::where_clause(f, s, None).unwrap().params,
        );
        split += usize::from(shards::scans_entries(conn, &sql, &params).unwrap());
    }
    // Most of these views scan the entries, so they were split; keywords seek their index.
    assert!(split >= 5, "{split} views split");
    let keywords = query::where_clause(&[], Some("SKU-007"), None).unwrap();
    assert!(!shards::scans_entries(
        conn,
        &format!("SELECT count(*) FROM entries e WHERE {}", keywords.text),
        &keywords.params
    )
    .unwrap());
}

/// The registry's facets are counted as the rows are read rather than by SQL's `GROUP BY`: the
/// same values, counts and order as `GROUP BY` lists, with its ties, entries without a value
/// and its cap of 500 values.
#[test]
fn facets_list_what_sqls_group_by_lists() {
    let mut csv = String::from(
        "Channel & Account,Location Code,Seller Identifier,Inventory Sent,Updated On,Status\n",
    );
    for i in 0..6_000 {
        // 700 codes, most as common as several others; every 11th row has none.
        let code = match i % 11 {
            0 => String::new(),
            _ => format!("L{:03}", (i * 13) % 700),
        };
        csv.push_str(&format!(
            "Amazon / Amazon-Mumbai,{code},SKU-{:03},{},{:02}/03/2025 10:{:02}:00,Success\n",
            i % 37,
            i % 23,
            1 + i % 28,
            i % 60,
        ));
    }
    let mut fx = Fixture::new();
    fx.import_ok(&fx.file("codes.csv", csv));
    let path = fx.dir.path().join("t.db");
    let mut readers: Vec<Store> = (0..2).map(|_| Store::open(&path).unwrap()).collect();
    let mut readers: Vec<&mut Store> = readers.iter_mut().collect();
    let location = invlog_core::columns::find("location_code").unwrap();
    let conn = fx.store.conn();
    for filters in [
        vec!["inventory_sent > 3"],
        // The facet's own column is left out of its filters.
        vec!["inventory_sent > 3", "location_code = L001"],
    ] {
        let filters: Vec<Filter> = filters.iter().map(|f| Filter::parse(f).unwrap()).collect();
        let quantity = query::where_clause(&filters[..1], None, None).unwrap();
        let mut st = conn
            .prepare(&format!(
                "SELECT e.location_code, count(*) AS n FROM entries e WHERE {} \
                 GROUP BY 1 ORDER BY n DESC, 1 LIMIT 500",
                quantity.text
            ))
            .unwrap();
        let want: Vec<(serde_json::Value, u64)> = st
            .query_map(rusqlite::params_from_iter(quantity.params.iter()), |r| {
                let code: Option<String> = r.get(0)?;
                Ok((code.into(), r.get(1)?))
            })
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(want.len(), 500);
        assert!(want.iter().any(|(v, _)| v.is_null()));
        let facet =
            query::facet_on(&mut readers, &filters, None, None, location, || false).unwrap();
        let got: Vec<(serde_json::Value, u64)> = facet
            .values
            .iter()
            .map(|v| (v.value.clone(), v.count))
            .collect();
        assert_eq!(got, want, "{filters:?}");
    }
}
