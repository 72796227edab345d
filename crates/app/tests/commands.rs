//! The command table as a shell calls it: JSON request in, JSON response out.

// The core tests' fixtures: a store in a temp folder, the shared example files.
#[path = "../../core/tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::{example, Fixture};
use invlog_app::Engine;
use invlog_app::Request;
use invlog_core::Store;
use serde_json::{json, Value};

/// An engine over the fixture's store file, as a shell would open it.
fn engine(fx: &Fixture) -> Engine {
    Engine::new(Store::open(&fx.dir.path().join("t.db")).unwrap()).unwrap()
}

fn call(engine: &Engine, request: Value) -> Value {
    let req: Request = serde_json::from_value(request).expect("a valid request");
    let resp = engine.dispatch(req).expect("the command runs");
    serde_json::to_value(resp).unwrap()
}

/// Polls a job until it has finished, as the UI does.
fn wait_for_job(engine: &Engine, id: &Value) -> Value {
    let start = Instant::now();
    loop {
        let job = call(engine, json!({"command": "job", "args": {"id": id}}))["result"].clone();
        if !["queued", "running"].contains(&job["status"].as_str().unwrap()) {
            return job;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "job {id} never finished"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// A Konnect log of `rows` rows (the example's first data row with its SKU varied).
fn big_konnect(fx: &Fixture, name: &str, rows: usize) -> std::path::PathBuf {
    let example = std::fs::read_to_string(example("konnect-inventory-logs.csv")).unwrap();
    let mut lines = example.lines();
    let header = lines.next().unwrap();
    let row = lines.nth(1).unwrap();
    let mut text = format!("{header}\n");
    for i in 0..rows {
        text.push_str(&row.replace("SKU-00002", &format!("SKU-{i:07}")));
        text.push('\n');
    }
    fx.file(name, text)
}

#[test]
fn import_then_query_through_the_command_table() {
    let fx = Fixture::new();
    let fx = &engine(&fx);
    let path = example("konnect-inventory-logs.csv");
    let r = call(
        fx,
        json!({"command": "import", "args": {"paths": [path], "format": null, "sku": null, "batch": null}}),
    );
    assert_eq!(r["command"], "import");
    assert_eq!(r["result"][0]["rows_imported"], 12);

    let q = call(
        fx,
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
        fx,
        json!({"command": "facets", "args": {"columns": ["channel"]}}),
    );
    assert_eq!(f["result"][0]["column"], "channel");

    let history = call(fx, json!({"command": "imports"}));
    let id = history["result"][0]["id"].clone();
    let errors = call(
        fx,
        json!({"command": "import_errors", "args": {"import_id": id}}),
    );
    assert_eq!(errors["result"], json!([]));

    let cols = call(fx, json!({"command": "columns"}));
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

#[test]
fn an_import_job_runs_beside_queries_and_reports_each_file() {
    let fx = Fixture::new();
    let engine = engine(&fx);
    let bad = fx.file("notes.csv", "hello,world\n1,2\n");
    let started = call(
        &engine,
        json!({"command": "start_import", "args": {
            "paths": [example("konnect-inventory-logs.csv"), bad], "format": null, "sku": null, "batch": null
        }}),
    );
    assert_eq!(started["command"], "start_import");
    assert_eq!(started["result"]["files"].as_array().unwrap().len(), 2);
    let job = wait_for_job(&engine, &started["result"]["id"]);
    assert_eq!(job["status"], "success");
    assert_eq!(job["files_done"], 2);
    assert_eq!(job["reports"][0]["rows_imported"], 12);
    assert!(job["reports"][1]["refused"]
        .as_str()
        .unwrap()
        .contains("hello"));

    let total = call(&engine, json!({"command": "query", "args": {"limit": 1}}));
    assert_eq!(total["result"]["total"], 12);
    // The finished job is read back from the store, the same as it was live.
    let listed = call(&engine, json!({"command": "jobs"}));
    assert_eq!(listed["result"][0], job);
}

#[test]
fn a_cancelled_job_keeps_nothing_of_the_file_it_was_importing() {
    let fx = Fixture::new();
    let engine = engine(&fx);
    let first = big_konnect(&fx, "first.csv", 60_000);
    let second = big_konnect(&fx, "second.csv", 10);
    let start = |path: &std::path::Path| {
        call(
            &engine,
            json!({"command": "start_import", "args": {"paths": [path]}}),
        )["result"]["id"]
            .clone()
    };
    let a = start(&first);
    let b = start(&second);
    // b waits for a (one writer at a time); cancelled while it waits, it never starts.
    let cancelled = call(&engine, json!({"command": "cancel_job", "args": {"id": b}}));
    assert_eq!(cancelled["result"]["id"], b);
    assert_eq!(wait_for_job(&engine, &b)["status"], "cancelled");
    assert_eq!(wait_for_job(&engine, &a)["status"], "success");

    // A third job, cancelled as it starts: its file is rolled back.
    let copy = fx.dir.path().join("copy.csv");
    std::fs::write(
        &copy,
        std::fs::read_to_string(&first)
            .unwrap()
            .replace("B000001", "B9"),
    )
    .unwrap();
    let d = start(&copy);
    call(&engine, json!({"command": "cancel_job", "args": {"id": d}}));
    let d = wait_for_job(&engine, &d);
    assert_eq!(d["status"], "cancelled");
    assert_eq!(d["reports"], json!([]));
    let total = call(&engine, json!({"command": "query", "args": {"limit": 1}}));
    assert_eq!(total["result"]["total"], 60_000);
}

#[test]
fn imports_started_one_after_another_land_in_that_order() {
    let fx = Fixture::new();
    let engine = engine(&fx);
    let mut paths = vec![big_konnect(&fx, "big.csv", 30_000)];
    for (i, rows) in [10, 11, 12, 13, 14].into_iter().enumerate() {
        paths.push(big_konnect(&fx, &format!("small-{i}.csv"), rows));
    }
    // Every small job is waiting while the big one writes; they must not overtake each
    // other, since entries tied in time are shown in import order.
    let ids: Vec<Value> = paths
        .iter()
        .map(|p| {
            call(
                &engine,
                json!({"command": "start_import", "args": {"paths": [p]}}),
            )["result"]["id"]
                .clone()
        })
        .collect();
    for id in &ids {
        assert_eq!(wait_for_job(&engine, id)["status"], "success");
    }
    let conn = rusqlite::Connection::open(fx.dir.path().join("t.db")).unwrap();
    let landed: Vec<String> = conn
        .prepare("SELECT path FROM imports ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let started: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    assert_eq!(landed, started);
}

#[test]
fn jobs_left_running_by_a_closed_app_are_marked_interrupted() {
    let fx = Fixture::new();
    fx.store
        .conn()
        .execute(
            "INSERT INTO jobs (kind, status, params, created_at, owner_pid)
             VALUES ('import', 'running', '{\"paths\": [\"a.csv\"]}', 0, ?1)",
            [u32::MAX],
        )
        .unwrap();
    let engine = engine(&fx);
    let job = call(&engine, json!({"command": "job", "args": {"id": 1}}))["result"].clone();
    assert_eq!(job["status"], "interrupted");
    assert_eq!(job["files"], json!(["a.csv"]));
    assert!(job["error"]
        .as_str()
        .unwrap()
        .contains("nothing of it was kept"));
}

#[test]
fn views_are_listed_saved_and_deleted() {
    let fx = Fixture::new();
    let engine = engine(&fx);
    let saved = call(
        &engine,
        json!({"command": "save_view", "args": {"name": "Amazon", "layout": {
            "columns": ["sku", "status"], "filters": [{"column": "channel", "op": "eq", "values": ["Amazon"]}],
            "widths": {"sku": 150}
        }}}),
    );
    let id = saved["result"]["id"].clone();
    let views = call(&engine, json!({"command": "views"}))["result"].clone();
    assert_eq!(views[6]["name"], "Amazon");
    assert_eq!(views[6]["layout"]["widths"]["sku"], 150);
    assert_eq!(views[1]["filters"][0]["column"], "status");
    call(
        &engine,
        json!({"command": "delete_view", "args": {"id": id}}),
    );
    assert_eq!(
        call(&engine, json!({"command": "views"}))["result"]
            .as_array()
            .unwrap()
            .len(),
        6
    );
}

#[test]
fn entries_are_resolved_with_who_when_and_why_all_or_nothing() {
    let fx = Fixture::new();
    let engine = engine(&fx);
    call(
        &engine,
        json!({"command": "import", "args": {"paths": [example("xoro-amazon-logs.csv"), example("konnect-inventory-logs.csv")]}}),
    );
    let ids_where = |engine: &Engine, filter: Value| -> (u64, Vec<i64>) {
        let r = call(
            engine,
            json!({"command": "query", "args": {"filters": [filter], "columns": ["id"], "limit": 100}}),
        )["result"]
            .clone();
        let ids = r["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| row[0].as_i64().unwrap())
            .collect();
        (r["total"].as_u64().unwrap(), ids)
    };
    let unresolved_filter = json!({"column": "resolved", "op": "eq", "values": ["false"]});
    let unresolved = |engine: &Engine| ids_where(engine, unresolved_filter.clone()).0;
    let before = unresolved(&engine);
    let (_, xoro_unresolved) = ids_where(&engine, unresolved_filter.clone());
    // Konnect entries carry no resolved flag at all; they can be resolved all the same.
    let (_, no_flag) = ids_where(
        &engine,
        json!({"column": "resolved", "op": "is_empty", "values": []}),
    );
    let ids = [xoro_unresolved[0], no_flag[0], no_flag[1]];

    let changed = call(
        &engine,
        json!({"command": "set_resolved", "args": {"ids": [ids[0], ids[1]], "resolved": true, "note": " re-pushed by hand "}}),
    );
    assert_eq!(changed["result"], 2);
    assert_eq!(unresolved(&engine), before - 1);
    let history = call(
        &engine,
        json!({"command": "resolutions", "args": {"entry_id": ids[0]}}),
    )["result"]
        .clone();
    assert_eq!(history[0]["resolved"], true);
    assert_eq!(history[0]["note"], "re-pushed by hand");
    assert_eq!(
        history[0]["user_name"],
        invlog_core::resolve::current_user()
    );

    // An unknown id refuses the whole request: the known one is not touched either.
    let err = engine
        .dispatch(
            serde_json::from_value(
                json!({"command": "set_resolved", "args": {"ids": [ids[2], 999_999], "resolved": true}}),
            )
            .unwrap(),
        )
        .unwrap_err()
        .to_string();
    assert_eq!(err, "no entry with id 999999; nothing was changed");
    assert_eq!(unresolved(&engine), before - 1);

    // Unresolving puts it back, and the history keeps both steps.
    call(
        &engine,
        json!({"command": "set_resolved", "args": {"ids": [ids[0]], "resolved": false}}),
    );
    let history = call(
        &engine,
        json!({"command": "resolutions", "args": {"entry_id": ids[0]}}),
    )["result"]
        .clone();
    assert_eq!(history.as_array().unwrap().len(), 2);
    assert_eq!(history[1]["resolved"], false);
    assert_eq!(history[1]["note"], Value::Null);
}

/// Polls an export until it has finished, as the UI does.
fn wait_for_export(engine: &Engine, id: &Value) -> Value {
    let start = Instant::now();
    loop {
        let list = call(engine, json!({"command": "exports"}))["result"].clone();
        let rec = list
            .as_array()
            .unwrap()
            .iter()
            .find(|r| &r["id"] == id)
            .cloned()
            .expect("the export is in the history");
        if rec["status"] != "running" {
            return rec;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "export {id} never finished"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn exports_run_as_jobs_with_a_history() {
    let mut fx = Fixture::new();
    let big = big_konnect(&fx, "big.csv", 30_000);
    fx.import_ok(&big);
    let engine = engine(&fx);
    let out = fx.dir.path().join("failed.csv");
    let view = json!({"filters": [{"column": "sku", "op": "contains", "values": ["SKU-00000"]}],
                      "columns": ["sku", "occurred_at"], "sort": [{"column": "sku"}]});
    let mut args = view.clone();
    args["path"] = json!(out);
    let started = call(&engine, json!({"command": "start_export", "args": args}));
    let id = started["result"]["id"].clone();
    assert_eq!(started["result"]["status"], "running");
    let done = wait_for_export(&engine, &id);
    assert_eq!(done["status"], "success", "{done}");
    assert_eq!(done["rows_written"], 100);
    assert_eq!(done["rows_total"], 100);
    assert_eq!(done["format"], "csv");
    assert_eq!(done["file_name"], "failed.csv");
    assert_eq!(done["summary"], "sku ~ SKU-00000 · 2 columns");
    assert_eq!(done["file_exists"], true);
    assert_eq!(done["bytes"], std::fs::metadata(&out).unwrap().len());
    assert!(!done["user_name"].as_str().unwrap().is_empty());
    assert_eq!(done["request"]["columns"], json!(["sku", "occurred_at"]));

    // Cancelled at once: Cancelled, and no file.
    let all = fx.dir.path().join("all.xlsx");
    let started = call(
        &engine,
        json!({"command": "start_export", "args": {"path": all}}),
    );
    let id = started["result"]["id"].clone();
    call(
        &engine,
        json!({"command": "cancel_export", "args": {"id": id}}),
    );
    let done = wait_for_export(&engine, &id);
    assert_eq!(done["status"], "cancelled", "{done}");
    assert!(!all.exists());

    // A bad destination fails with the path in the error.
    let bad = fx.dir.path().join("missing/dir/x.csv");
    let started = call(
        &engine,
        json!({"command": "start_export", "args": {"path": bad}}),
    );
    let done = wait_for_export(&engine, &started["result"]["id"]);
    assert_eq!(done["status"], "failed");
    assert!(
        done["error"]
            .as_str()
            .unwrap()
            .contains("missing/dir/x.csv"),
        "{done}"
    );

    // Removing an entry, with its file.
    let first = call(&engine, json!({"command": "exports"}))["result"][2].clone();
    assert_eq!(first["file_name"], "failed.csv");
    call(
        &engine,
        json!({"command": "remove_export", "args": {"id": first["id"], "delete_file": true}}),
    );
    assert!(!out.exists());
    let left = call(&engine, json!({"command": "exports"}))["result"].clone();
    assert_eq!(left.as_array().unwrap().len(), 2);
    // Given the view's name (the app gives its tab's), the history says that instead.
    args["path"] = json!(fx.dir.path().join("named.csv"));
    args["view_name"] = json!("Failed pushes");
    let named = call(&engine, json!({"command": "start_export", "args": args}));
    let named = wait_for_export(&engine, &named["result"]["id"]);
    assert_eq!(named["summary"], "Failed pushes");
}

#[test]
fn an_export_left_running_by_a_dead_process_is_interrupted() {
    let fx = Fixture::new();
    fx.store
        .conn()
        .execute(
            "INSERT INTO exports (file_name, path, format, user_name, request, summary, status,
                                  started_at, owner_pid)
             VALUES ('x.csv', '/tmp/x.csv', 'csv', 'me', '{\"path\": \"/tmp/x.csv\"}', 'all', 'running', 1, 2147483646)",
            [],
        )
        .unwrap();
    let engine = engine(&fx);
    let list = call(&engine, json!({"command": "exports"}))["result"].clone();
    assert_eq!(list[0]["status"], "interrupted");
    assert!(list[0]["error"]
        .as_str()
        .unwrap()
        .contains("closed before the export finished"));
}

#[test]
fn a_scheduled_export_runs_when_due_and_lands_in_the_history() {
    let mut fx = Fixture::new();
    fx.import_ok(&example("konnect-inventory-logs.csv"));
    let engine = engine(&fx);
    let folder = fx.dir.path().join("audits");
    std::fs::create_dir(&folder).unwrap();
    let added = call(
        &engine,
        json!({"command": "add_schedule", "args": {"view": "Failed pushes", "every": "weekly",
               "at": "06:30", "weekday": 0, "folder": folder, "format": "xlsx"}}),
    )["result"]
        .clone();
    assert_eq!(added["view_name"], "Failed pushes");
    assert_eq!(added["at"], "06:30");
    // Not due yet: nothing happens.
    assert!(
        invlog_app::tasks::schedule::run_due(&engine, invlog_core::time::now_millis())
            .unwrap()
            .is_empty()
    );
    // Due (as if a week had passed): one export into the folder, then the next run moves on.
    let later = invlog_core::time::now_millis() + 8 * 86_400_000;
    let started = invlog_app::tasks::schedule::run_due(&engine, later).unwrap();
    assert_eq!(started.len(), 1);
    let done = wait_for_export(&engine, &json!(started[0]));
    assert_eq!(done["status"], "success", "{done}");
    assert!(done["file_name"]
        .as_str()
        .unwrap()
        .starts_with("Failed-pushes-"));
    assert!(done["path"]
        .as_str()
        .unwrap()
        .starts_with(folder.to_str().unwrap()));
    let failed = call(
        &engine,
        json!({"command": "query", "args": {"filters": [
        {"column": "status", "op": "eq", "values": ["failed"]}], "limit": 1}}),
    )["result"]["total"]
        .clone();
    assert_eq!(done["rows_written"], failed);
    assert!(
        invlog_app::tasks::schedule::run_due(&engine, later)
            .unwrap()
            .is_empty(),
        "once per due time"
    );
    let listed = call(&engine, json!({"command": "schedules"}))["result"][0].clone();
    assert!(listed["last_run_at"].is_string());

    // Bad schedules are refused with a reason.
    for (args, why) in [
        (
            json!({"view": "nope", "every": "daily", "at": "06:30", "folder": folder, "format": "csv"}),
            "no view named",
        ),
        (
            json!({"view": "All", "every": "daily", "at": "6pm", "folder": folder, "format": "csv"}),
            "not a time of day",
        ),
        (
            json!({"view": "All", "every": "weekly", "at": "06:30", "folder": folder, "format": "csv"}),
            "needs a weekday",
        ),
        (
            json!({"view": "All", "every": "daily", "at": "06:30", "folder": "/no/such", "format": "csv"}),
            "not a folder",
        ),
    ] {
        let req: Request =
            serde_json::from_value(json!({"command": "add_schedule", "args": args})).unwrap();
        let e = engine.dispatch(req).unwrap_err().to_string();
        assert!(e.contains(why), "{e}");
    }
    call(
        &engine,
        json!({"command": "remove_schedule", "args": {"id": added["id"]}}),
    );
    assert_eq!(
        call(&engine, json!({"command": "schedules"}))["result"],
        json!([])
    );
}

#[test]
fn the_timeline_reads_beside_busy_readers() {
    let fx = Fixture::new();
    let engine = engine(&fx);
    let path = example("konnect-inventory-logs.csv");
    call(
        &engine,
        json!({"command": "import", "args": {"paths": [path], "format": null, "sku": null, "batch": null}}),
    );
    let total = call(&engine, json!({"command": "query", "args": {"limit": 1}}))["result"]["total"]
        .as_u64()
        .unwrap();
    // Read connections are held (long reads: exports, scans), more of them than are kept
    // open: the timeline still answers, on connections of its own, with every entry counted.
    let busy: Vec<_> = (0..8).map(|_| engine.store().unwrap()).collect();
    let other = engine.clone();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let t = call(
            &other,
            json!({"command": "timeline", "args": {"buckets": 10}}),
        );
        let _ = tx.send(t);
    });
    let t = rx
        .recv_timeout(Duration::from_secs(10))
        .expect("the timeline did not wait for the other readers");
    drop(busy);
    let counted: u64 = t["result"]["buckets"]
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
    assert_eq!(counted, total);
}

#[test]
fn the_same_file_imported_by_another_process_while_this_import_waited_is_a_duplicate() {
    use sha2::Digest;
    let mut fx = Fixture::new();
    let file = example("xoro-amazon-logs.csv");
    let sha: String = sha2::Sha256::digest(std::fs::read(&file).unwrap())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let db = fx.dir.path().join("t.db");
    let (held, go) = std::sync::mpsc::channel::<()>();
    // "Another process": holds the write lock, and lands the same file's import meanwhile.
    let other = std::thread::spawn(move || {
        let mut s = Store::open(&db).unwrap();
        let tx = s.conn_mut().transaction().unwrap();
        held.send(()).unwrap();
        std::thread::sleep(Duration::from_millis(500));
        tx.execute(
            "INSERT INTO imports (file_name, path, sha256, format, started_at)
             VALUES ('xoro-amazon-logs.csv', '/elsewhere', ?1, 'xoro', 0)",
            [&sha],
        )
        .unwrap();
        tx.commit().unwrap();
    });
    go.recv().unwrap();
    let report = fx.import(&file).unwrap();
    other.join().unwrap();
    assert!(report.duplicate, "{report:?}");
    assert_eq!(report.rows_imported, 0);
    assert_eq!(fx.store.entry_count().unwrap(), 0);
}

#[test]
fn a_running_app_notices_an_export_whose_process_died_after_it_started() {
    let fx = Fixture::new();
    let engine = engine(&fx);
    let dest = fx.dir.path().join("nightly.csv");
    let part = fx.dir.path().join(".nightly.csv.abc123.part");
    std::fs::write(&part, "half").unwrap();
    // Another process (a pid above the kernel's maximum is never alive) started an export
    // after this engine opened the store, then died.
    let view = serde_json::to_string(&json!({"path": dest})).unwrap();
    fx.store
        .conn()
        .execute(
            "INSERT INTO exports (file_name, path, format, user_name, request, summary, status,
                                  started_at, owner_pid)
             VALUES ('nightly.csv', ?1, 'csv', 'ann', ?2, 'all', 'running', 0, 4194999)",
            rusqlite::params![dest.to_str().unwrap(), view],
        )
        .unwrap();
    let list = call(&engine, json!({"command": "exports"}));
    assert_eq!(list["result"][0]["status"], "interrupted", "{list}");
    assert!(!part.exists(), "its partial file is removed");
    let stored: String = fx
        .store
        .conn()
        .query_row("SELECT status FROM exports", [], |r| r.get(0))
        .unwrap();
    assert_eq!(stored, "interrupted");
}

/// Imports and exports are tasks of the one runner: their changes are pushed to listeners
/// (no polling), `tasks` lists them with their records, and `cancel_task` stops either kind.
#[test]
fn imports_and_exports_are_tasks_whose_changes_are_pushed_and_which_cancel_alike() {
    let fx = Fixture::new();
    let engine = engine(&fx);
    let events = std::sync::Arc::new(std::sync::Mutex::new(Vec::<Value>::new()));
    let seen = events.clone();
    engine.tasks().listen(std::sync::Arc::new(move |t| {
        seen.lock().unwrap().push(serde_json::to_value(t).unwrap());
        true
    }));
    let big = big_konnect(&fx, "big.csv", 200_000);
    let job = call(
        &engine,
        json!({"command": "start_import", "args": {"paths": [big], "format": null}}),
    )["result"]
        .clone();
    let job = wait_for_job(&engine, &job["id"]);
    assert_eq!(job["status"], "success");
    let pushed: Vec<Value> = events
        .lock()
        .unwrap()
        .iter()
        .filter(|t| t["kind"] == "import" && t["record_id"] == job["id"])
        .cloned()
        .collect();
    assert_eq!(pushed.first().unwrap()["status"], "queued");
    assert!(
        pushed.iter().any(|t| t["status"] == "running"
            && t["progress"]["done"].as_u64().unwrap() > 0
            && t["progress"]["unit"] == "bytes"),
        "progress is pushed while it runs"
    );
    let last = pushed.last().unwrap();
    assert_eq!(last["status"], "success");
    assert_eq!(last["job"]["reports"][0]["rows_imported"], 200_000);

    // An export of the whole store, cancelled through the same command as an import.
    let out = fx.dir.path().join("all.csv");
    let rec = call(
        &engine,
        json!({"command": "start_export", "args": {"view": {}, "path": out, "bom": false,
               "zone": "utc", "reveal_secrets": false, "format": null}}),
    )["result"]
        .clone();
    let tasks = call(&engine, json!({"command": "tasks"}))["result"].clone();
    let task = tasks
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["kind"] == "export" && t["record_id"] == rec["id"])
        .expect("the export is a task")
        .clone();
    call(
        &engine,
        json!({"command": "cancel_task", "args": {"id": task["id"]}}),
    );
    let start = Instant::now();
    let ended = loop {
        let list = call(&engine, json!({"command": "exports"}))["result"].clone();
        let e = list
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["id"] == rec["id"])
            .unwrap()
            .clone();
        if e["status"] != "running" {
            break e;
        }
        assert!(start.elapsed() < Duration::from_secs(60));
        std::thread::sleep(Duration::from_millis(5));
    };
    assert_eq!(ended["status"], "cancelled", "{ended}");
    assert!(!out.exists(), "a cancelled export leaves no file");
    let unknown = engine
        .dispatch(
            serde_json::from_value(json!({"command": "cancel_task", "args": {"id": 999}})).unwrap(),
        )
        .unwrap_err();
    assert_eq!(unknown.kind, invlog_app::ErrorKind::NotFound);
}

/// The runner's records outlive it: whatever kind of task a dead process left running — an
/// import, an export asked for or scheduled, a re-run being sent — the next start shows it
/// interrupted (a re-run: unknown, as the server may have received it), and never as running.
#[test]
fn every_kind_of_task_a_dead_process_left_running_is_interrupted_at_the_next_start() {
    let mut fx = Fixture::new();
    fx.import(&example("push-attempts.jsonl")).unwrap();
    let dead = 2_147_483_646_i64;
    let sql = [
        "INSERT INTO jobs (kind, status, params, created_at, owner_pid)
         VALUES ('import', 'running', '{\"paths\": [\"a.csv\"]}', 0, ?1)",
        "INSERT INTO exports (file_name, path, format, user_name, request, summary, status,
                              started_at, owner_pid)
         VALUES ('x.csv', '/tmp/x.csv', 'csv', 'me', '{\"path\": \"/tmp/x.csv\"}', 'all', 'running', 1, ?1)",
        "INSERT INTO exports (file_name, path, format, user_name, request, summary, status,
                              started_at, owner_pid, schedule_id)
         VALUES ('s.csv', '/tmp/s.csv', 'csv', 'me', '{\"path\": \"/tmp/s.csv\"}', 'all', 'running', 2, ?1, 7)",
        "INSERT INTO attempts (entry_id, at, method, url, outcome, user_name, owner_pid)
         VALUES (1, 1700000000000, 'PUT', 'http://127.0.0.1:9/x', 'sending', 'ann', ?1)",
    ];
    for s in sql {
        fx.store.conn().execute(s, [dead]).unwrap();
    }
    let engine = engine(&fx);
    let jobs = call(&engine, json!({"command": "jobs"}))["result"].clone();
    assert_eq!(jobs[0]["status"], "interrupted", "{jobs}");
    let exports = call(&engine, json!({"command": "exports"}))["result"].clone();
    let statuses: Vec<&str> = exports
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["interrupted", "interrupted"]);
    let stored: Vec<String> = fx
        .store
        .conn()
        .prepare("SELECT status FROM jobs UNION ALL SELECT status FROM exports")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(stored, ["interrupted"; 3], "recorded, not only shown");
    let outcome: String = fx
        .store
        .conn()
        .query_row(
            "SELECT outcome FROM attempts WHERE owner_pid = ?1",
            [dead],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(outcome, "unknown");
    // None of them is a task of this process: nothing shows as running in the tray.
    let tasks = call(&engine, json!({"command": "tasks"}))["result"].clone();
    assert_eq!(tasks, json!([]));
}

#[test]
fn the_table_opens_on_the_columns_the_stores_sources_fill_and_a_failure_view_adds_why() {
    let fx = Fixture::new();
    let engine = engine(&fx);
    let defaults = |engine: &Engine| -> Vec<String> {
        serde_json::from_value(
            call(engine, json!({"command": "default_columns"}))["result"].clone(),
        )
        .unwrap()
    };
    // An empty store: the registry's defaults (Konnect's).
    assert!(defaults(&engine).contains(&"inventory_sent".to_owned()));
    let import = |file: &str| {
        call(
            &engine,
            json!({"command": "import", "args": {"paths": [example(file).to_string_lossy()]}}),
        )
    };
    import("xoro-amazon-logs.csv");
    let xoro = defaults(&engine);
    assert!(xoro.contains(&"tab".to_owned()) && xoro.contains(&"error".to_owned()));
    assert!(!xoro.contains(&"inventory_sent".to_owned()));
    // The failure views export their error columns beside the defaults.
    let errors = call(
        &engine,
        json!({"command": "view", "args": {"name": "Errors"}}),
    );
    let columns: Vec<String> =
        serde_json::from_value(errors["result"]["spec"]["columns"].clone()).unwrap();
    assert_eq!(&columns[..xoro.len()], &xoro[..]);
    assert!(columns.ends_with(&["last_retry_details".to_owned()]));
    // Konnect rows too: both sources' columns.
    import("konnect-inventory-logs.csv");
    let both = defaults(&engine);
    assert!(both.contains(&"tab".to_owned()) && both.contains(&"inventory_sent".to_owned()));
}

#[test]
fn about_names_the_version_the_store_and_its_schema() {
    let fx = Fixture::new();
    let engine = engine(&fx);
    let about = call(&engine, json!({"command": "about"}))["result"].clone();
    assert_eq!(about["version"], env!("CARGO_PKG_VERSION"));
    assert!(about["store"].as_str().unwrap().ends_with(".db"), "{about}");
    let (on_disk, ours) =
        Engine::schema_of(std::path::Path::new(about["store"].as_str().unwrap())).unwrap();
    assert_eq!(about["schema"], json!(ours));
    assert_eq!(on_disk, Some(ours));
}
