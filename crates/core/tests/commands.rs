//! The command table as a shell calls it: JSON request in, JSON response out.

mod common;

use common::{example, Fixture};
use invlog_core::commands::{dispatch, Request};
use invlog_core::ingest::Control;
use serde_json::{json, Value};

fn call(fx: &mut Fixture, request: Value) -> Value {
    let req: Request = serde_json::from_value(request).expect("a valid request");
    let resp = dispatch(&mut fx.store, req, &Control::default()).expect("the command runs");
    serde_json::to_value(resp).unwrap()
}

#[test]
fn import_then_query_through_the_command_table() {
    let mut fx = Fixture::new();
    let path = example("konnect-inventory-logs.csv");
    let r = call(
        &mut fx,
        json!({"command": "import", "args": {"paths": [path], "format": null, "sku": null, "batch": null}}),
    );
    assert_eq!(r["command"], "import");
    assert_eq!(r["result"][0]["rows_imported"], 12);

    let q = call(
        &mut fx,
        json!({"command": "query", "args": {
            "filters": [{"column": "status", "op": "eq", "values": ["failed"]}],
            "sort": [{"column": "occurred_at", "desc": true}],
            "columns": ["sku", "occurred_at"],
            "limit": 2
        }}),
    );
    assert_eq!(q["command"], "query");
    assert_eq!(q["result"]["total"], 2);
    assert_eq!(q["result"]["columns"], json!(["sku", "occurred_at"]));
    assert_eq!(
        q["result"]["rows"][0],
        json!(["SKU-00002", "2025-03-23T18:47:51Z"])
    );
    assert!(q["result"]["next_cursor"].is_array());

    let f = call(
        &mut fx,
        json!({"command": "facets", "args": {"columns": ["channel"]}}),
    );
    assert_eq!(f["result"][0]["column"], "channel");

    let history = call(&mut fx, json!({"command": "imports"}));
    let id = history["result"][0]["id"].clone();
    let errors = call(
        &mut fx,
        json!({"command": "import_errors", "args": {"import_id": id}}),
    );
    assert_eq!(errors["result"], json!([]));

    let cols = call(&mut fx, json!({"command": "columns"}));
    assert!(cols["result"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["id"] == "sku" && c["label"] == "Seller Identifier"));
}

#[test]
fn unknown_commands_are_refused_by_the_types() {
    assert!(serde_json::from_value::<Request>(json!({"command": "drop_everything"})).is_err());
    assert!(serde_json::from_value::<Request>(
        json!({"command": "import_errors", "args": {"import_id": "x"}})
    )
    .is_err());
}
