//! The `invlog` CLI contract that other tools rely on: JSON shapes and exit codes.

mod common;

use std::process::Command;

use common::{examples, Cli};
use serde_json::Value;

#[test]
fn import_json_report_and_exit_codes() {
    let cli = Cli::new();
    let konnect = examples().join("konnect-inventory-logs.csv");
    let k = konnect.to_str().unwrap();
    let junk = cli.dir.path().join("junk.csv");
    std::fs::write(&junk, "a,b\n1,2\n").unwrap();

    let out = cli.run(&["import", "--json", k, junk.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "a refused file makes exit 1");
    let reports: Value = serde_json::from_slice(&out.stdout).unwrap();
    let first = &reports[0];
    assert_eq!(first["file"], k);
    assert_eq!(first["format"], "konnect");
    assert_eq!(first["rows_total"], 12);
    assert_eq!(first["rows_imported"], 12);
    assert_eq!(first["rows_failed"], 0);
    assert_eq!(first["duplicate"], false);
    assert!(first["import_id"].as_i64().is_some());
    assert_eq!(first["errors"], Value::Array(vec![]));
    assert!(reports[1]["refused"]
        .as_str()
        .unwrap()
        .contains("headers seen: a, b"));
    assert_eq!(reports[1]["import_id"], Value::Null);

    let again = cli.json(&["import", "--json", k]);
    assert_eq!(again[0]["duplicate"], true);
    assert_eq!(again[0]["rows_imported"], 0);

    let bad_rows = cli.dir.path().join("bad.csv");
    std::fs::write(&bad_rows, "Seller Identifier,Updated On,Inventory Sent\nA,2025-03-01 00:00:00,twelve\nB,2025-03-01 00:00:00,3\n").unwrap();
    let r = cli.json(&["import", "--json", bad_rows.to_str().unwrap()]);
    assert_eq!(r[0]["rows_failed"], 1);
    assert_eq!(
        r[0]["errors"][0],
        serde_json::json!({"row": 2, "column": "Inventory Sent", "message": "'twelve' is not a whole number"})
    );

    assert_eq!(
        cli.run(&["import", "--format", "nope", k]).status.code(),
        Some(2)
    );
    assert_eq!(cli.run(&["import"]).status.code(), Some(2));
}

#[test]
fn human_import_output_says_what_happened() {
    let cli = Cli::new();
    let bad_rows = cli.dir.path().join("bad.csv");
    std::fs::write(&bad_rows, "Seller Identifier,Updated On,Inventory Sent\nA,2025-03-01 00:00:00,twelve\nB,2025-03-01 00:00:00,3\n").unwrap();
    let out = cli.run(&["import", bad_rows.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(
            "konnect: 1 rows: 1 new, 0 already in the store, 0 updated; error in 1 out of 2 rows"
        ),
        "{text}"
    );
    assert!(
        text.contains("row 2, column \"Inventory Sent\": 'twelve' is not a whole number"),
        "{text}"
    );
}

#[test]
fn query_json_contract() {
    let cli = Cli::new();
    let all: Vec<String> = std::fs::read_dir(examples())
        .unwrap()
        .map(|e| e.unwrap().path().to_string_lossy().into_owned())
        .collect();
    let mut args = vec!["import"];
    args.extend(all.iter().map(String::as_str));
    assert!(cli.run(&args).status.success());

    let v = cli.json(&[
        "query",
        "--filter",
        "status = failed",
        "--filter",
        "source=konnect",
        "--sort",
        "occurred_at:desc",
        "--columns",
        "id,occurred_at,sku,inventory_sent,request",
        "--limit",
        "2",
        "--json",
    ]);
    assert_eq!(v["total"], 3, "total counts the view, not the page");
    let rows = v["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    let keys: Vec<&String> = rows[0].as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        ["id", "occurred_at", "sku", "inventory_sent", "request"],
        "requested order"
    );
    assert_eq!(rows[0]["occurred_at"], "2025-03-23T18:47:51Z");
    assert!(rows[0]["id"].is_i64());
    assert!(rows[0]["inventory_sent"].is_i64());
    assert_eq!(rows[0]["request"]["headers"]["Authorization"], "••••");

    let revealed = cli.json(&[
        "query",
        "--filter",
        "batch_id = PB00000",
        "--columns",
        "request",
        "--reveal-secrets",
        "--json",
    ]);
    assert_eq!(
        revealed["rows"][0]["request"]["headers"]["X-Api-Key"],
        "secret-key-123"
    );

    let searched = cli.json(&[
        "query",
        "--search",
        "SKU-00017",
        "--columns",
        "sku",
        "--json",
    ]);
    assert_eq!(searched["total"], 2);

    let out = cli.run(&["query", "--filter", "stauts = failed"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim(),
        "invlog: unknown column 'stauts'; did you mean 'status'?"
    );
    let out = cli.run(&["query", "--limit", "0"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("limit must be between 1 and 100000"));
    let out = cli.run(&["query", "--filter", "status ?? failed"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown operator"));

    let table = cli.run(&[
        "query",
        "--columns",
        "sku,product_name",
        "--filter",
        "sku = SKU-00002",
    ]);
    let text = String::from_utf8(table.stdout).unwrap();
    assert!(text.starts_with("sku"), "{text}");
    assert!(text.contains("सूती कुर्ता नीला"));
    assert!(text.trim_end().ends_with("of 3 rows"), "{text}");
}

#[test]
fn columns_lists_the_registry() {
    let cli = Cli::new();
    let v = cli.json(&["columns", "--json"]);
    let sku = v
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "sku")
        .unwrap();
    assert_eq!(sku["label"], "Seller Identifier");
    assert_eq!(sku["kind"], "text");
    assert!(sku["description"].as_str().unwrap().contains("SKU"));
}

/// Answers every connection with `200 OK` and a small JSON body.
fn ok_server() -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for mut s in listener.incoming().flatten() {
            let mut buf = [0u8; 4096];
            let _ = s.read(&mut buf);
            let _ =
                s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
        }
    });
    base
}

#[test]
fn rerun_and_resolve_exit_codes() {
    let cli = Cli::new();
    let gone = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let push = |url: &str| {
        format!(
            r#"{{"sku":"A","status":"failed","updated_at":"2025-03-01T10:00:00Z","request":{{"method":"POST","url":"{url}","body":{{"q":1}}}}}}"#
        )
    };
    let file = cli.dir.path().join("p.jsonl");
    std::fs::write(
        &file,
        [
            push(&format!("{}/inv", ok_server())),
            push(&format!("http://{gone}/inv")),
        ]
        .join("\n"),
    )
    .unwrap();
    assert!(cli
        .run(&["import", file.to_str().unwrap()])
        .status
        .success());

    let ok = cli.json(&["rerun", "1", "--json", "--resolve"]);
    assert_eq!(ok["outcome"], "success");
    assert_eq!(ok["http_status"], 200);
    let failed = cli.run(&["rerun", "2", "--timeout", "5"]);
    assert_eq!(failed.status.code(), Some(1));
    let text = String::from_utf8_lossy(&failed.stdout);
    assert!(
        text.contains("entry 2: POST") && text.contains("failed, no answer"),
        "{text}"
    );
    assert!(text.contains("connection failed"), "{text}");

    let missing = cli.run(&["rerun", "999"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no entry with id 999"));
    assert_eq!(
        cli.run(&["rerun", "1", "--timeout", "0"]).status.code(),
        Some(2)
    );

    // --resolve resolved entry 1; resolve the other by hand, then refuse an unknown id whole.
    let out = cli.run(&["resolve", "2", "--note", "pushed by hand"]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "1 of 1 entries changed; all are resolved now"
    );
    let bad = cli.run(&["resolve", "--unresolve", "1", "77"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("no entry with id 77; nothing was changed")
    );
    let rows = cli.json(&["query", "--json", "--columns", "id,resolved,retry_count"]);
    let rows = rows["rows"].as_array().unwrap();
    assert!(rows.iter().all(|r| r["resolved"] == true), "{rows:?}");
    assert!(rows.iter().all(|r| r["retry_count"] == 1), "{rows:?}");
}

#[test]
fn export_writes_the_view_and_says_what_went_wrong() {
    let cli = Cli::new();
    let konnect = examples().join("konnect-inventory-logs.csv");
    assert!(cli
        .run(&["import", konnect.to_str().unwrap()])
        .status
        .success());
    let out = cli.dir.path().join("failed.csv");
    let report = cli.json(&[
        "export",
        "--out",
        out.to_str().unwrap(),
        "--filter",
        "status = failed",
        "--columns",
        "sku,status",
        "--sort",
        "sku",
        "--utc",
        "--json",
    ]);
    let failed = cli.json(&["query", "--filter", "status = failed", "--json"])["total"].clone();
    assert_eq!(report["rows"], failed);
    let text = std::fs::read_to_string(&out).unwrap();
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("Seller Identifier,Status"));
    assert!(lines.all(|l| l.ends_with(",failed")));

    // A named view, with the file name made from it, in the current folder.
    let out = Command::new(env!("CARGO_BIN_EXE_invlog"))
        .current_dir(cli.dir.path())
        .args([
            "--db",
            cli.db().to_str().unwrap(),
            "export",
            "--view",
            "failed pushes",
            "--format",
            "xlsx",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let made: Vec<String> = std::fs::read_dir(cli.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("Failed-pushes-") && n.ends_with(".xlsx"))
        .collect();
    assert_eq!(made.len(), 1, "{made:?}");

    let unknown = cli.run(&["export", "--view", "nope"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr)
        .contains("no view named 'nope'; the views are: All, Failed pushes"));
    let nowhere = cli.run(&["export"]);
    assert_eq!(nowhere.status.code(), Some(2));
    let unwritable = cli.run(&["export", "--out", "/proc/invlog/x.csv"]);
    assert_eq!(unwritable.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unwritable.stderr).contains("/proc/invlog/x.csv"));
    let bad_ext = cli.run(&["export", "--out", "x.txt"]);
    assert_eq!(bad_ext.status.code(), Some(2));
}

#[test]
fn an_export_killed_midway_leaves_no_file_and_is_interrupted() {
    let cli = Cli::new();
    let example = std::fs::read_to_string(examples().join("konnect-inventory-logs.csv")).unwrap();
    let mut lines = example.lines();
    let header = lines.next().unwrap();
    let row = lines.nth(1).unwrap();
    let mut text = format!("{header}\n");
    for i in 0..60_000 {
        text.push_str(&row.replace("SKU-00002", &format!("SKU-{i:07}")));
        text.push('\n');
    }
    let big = cli.dir.path().join("big.csv");
    std::fs::write(&big, text).unwrap();
    assert!(cli.run(&["import", big.to_str().unwrap()]).status.success());

    let out_dir = cli.dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let dest = out_dir.join("all.xlsx");
    let mut child = Command::new(env!("CARGO_BIN_EXE_invlog"))
        .args([
            "--db",
            cli.db().to_str().unwrap(),
            "export",
            "--out",
            dest.to_str().unwrap(),
        ])
        .spawn()
        .unwrap();
    let parts = || {
        std::fs::read_dir(&out_dir)
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .ends_with(".part")
            })
            .count()
    };
    let start = std::time::Instant::now();
    while parts() == 0 {
        assert!(
            start.elapsed().as_secs() < 30,
            "the export never started writing"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(!status.success(), "killed before it finished");
    assert!(!dest.exists(), "nothing at the destination");

    // The next engine to open the store marks it interrupted and removes the partial file.
    let list = cli.json(&["exports", "--json"]);
    assert_eq!(list[0]["status"], "interrupted", "{list}");
    assert_eq!(list[0]["file_name"], "all.xlsx");
    assert_eq!(parts(), 0);
}

#[test]
fn kit_log_merges_components_in_time_order() {
    let cli = Cli::new();
    let ex = |f: &str| examples().join(f).to_str().unwrap().to_owned();
    let files = [
        ex("kits.csv"),
        ex("inventory-log-KIT-GIFTBOX.csv"),
        ex("inventory-log-SKU-00901.csv"),
        ex("inventory-log-SKU-00902.csv"),
        ex("inventory-log-SKU-00903.csv"),
    ];
    let mut args = vec!["import"];
    args.extend(files.iter().map(String::as_str));
    assert!(cli.run(&args).status.success());
    let log = cli.json(&[
        "kit-log",
        "KIT-GIFTBOX",
        "--json",
        "--columns",
        "occurred_at,event_type",
    ]);
    let rows = log["rows"].as_array().unwrap();
    assert_eq!(log["total"], rows.len());
    let times: Vec<&str> = rows
        .iter()
        .map(|r| r["occurred_at"].as_str().unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "ascending");
    assert!(rows.iter().all(|r| r["component_sku"] == "KIT-GIFTBOX"
        || ["on_hand", "order"].contains(&r["event_type"].as_str().unwrap())));
    let all = cli.json(&["kit-log", "KIT-GIFTBOX", "--events", "all", "--json"]);
    assert!(all["total"].as_u64().unwrap() > rows.len() as u64);
    let missing = cli.run(&["kit-log", "KIT-NONE"]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no kit 'KIT-NONE' is defined"));
    // The view flags work on a kit log as on any view.
    let one = cli.json(&[
        "kit-log",
        "KIT-GIFTBOX",
        "--events",
        "all",
        "--filter",
        "component_sku = SKU-00901",
        "--json",
    ]);
    assert!(one["total"].as_u64().unwrap() > 0);
    assert!(one["rows"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["component_sku"] == "SKU-00901"));
    let kits = cli.json(&["kits", "--json"]);
    assert_eq!(kits[0]["kit_sku"], "KIT-GIFTBOX");
    assert_eq!(kits[0]["components"].as_array().unwrap().len(), 3);
    // The timeline counts every entry of the view once.
    let everything = cli.json(&["query", "--json", "--limit", "1"]);
    let t = cli.json(&["timeline", "--json", "--buckets", "10"]);
    let counted: u64 = t["buckets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            ["success", "failed", "pending", "other"]
                .iter()
                .map(|k| b[k].as_u64().unwrap())
                .sum::<u64>()
        })
        .sum();
    assert_eq!(counted, everything["total"].as_u64().unwrap());
    assert_eq!(t["total"], everything["total"]);
}

#[test]
fn a_file_none_of_whose_rows_could_be_read_exits_1_with_the_reason() {
    let cli = Cli::new();
    let bad = cli.dir.path().join("no-dates.csv");
    std::fs::write(
        &bad,
        "Seller Identifier,Updated On,Status\nSKU-1,yesterday,Success\nSKU-2,soon,Success\n",
    )
    .unwrap();
    let out = cli.run(&["import", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("no rows imported: error in all 2 rows"),
        "{said}"
    );
    assert!(said.contains("row 2, column \"Updated On\""), "{said}");

    let ambiguous = cli.dir.path().join("eu.csv");
    std::fs::write(
        &ambiguous,
        "Seller Identifier,Updated On,Status\nSKU-1,06/03/2025 10:00,Success\n",
    )
    .unwrap();
    let out = cli.run(&["import", ambiguous.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--date-order"));
    let out = cli.run(&["import", "--date-order", "dmy", ambiguous.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    let out = cli.run(&["import", "--date-order", "ymd", ambiguous.to_str().unwrap()]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "an unknown order is a usage error"
    );
}
