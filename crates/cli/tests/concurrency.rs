//! Several processes on one store file, as a user has them: the app or `invlog serve`, a CLI
//! import from cron, a re-run. Writers wait their turn; readers never wait.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{examples, Cli as Store};
use serde_json::Value;

/// What only these tests ask of a store.
trait Shared {
    fn total(&self) -> i64;
    fn write_locked(&self) -> bool;
    fn big_file(&self, name: &str, rows: usize) -> PathBuf;
}

impl Shared for Store {
    fn total(&self) -> i64 {
        self.json(&["query", "--json", "--limit", "1"])["total"]
            .as_i64()
            .unwrap()
    }
    /// Whether another connection holds the store's write lock right now.
    fn write_locked(&self) -> bool {
        let mut s = invlog_core::Store::open(&self.db()).unwrap();
        s.try_write(|_| Ok(())).unwrap().is_none()
    }
    /// A Konnect log of `rows` rows: big enough that importing it takes seconds.
    fn big_file(&self, name: &str, rows: usize) -> PathBuf {
        let p = self.dir.path().join(name);
        let mut s = String::from(
            "Seller Identifier,Channel & Account,Inventory Sent,Updated On,Status,Batch ID\n",
        );
        for i in 0..rows {
            s.push_str(&format!(
                "SKU-{},Amazon / Amazon-US,{},2025-03-{:02} 10:{:02}:00,Success,{name}-{i}\n",
                i % 5000,
                i % 500,
                1 + i % 28,
                i % 60
            ));
        }
        std::fs::write(&p, s).unwrap();
        p
    }
}

/// Starts `invlog import FILE` and returns once it holds the write lock for its rows: held at
/// three looks in a row, not a moment (the import records its job first, in a write of its
/// own, before its file's transaction).
fn import_in_background(store: &Store, file: &Path) -> Child {
    let child = store.spawn(&["import", file.to_str().unwrap()]);
    let start = Instant::now();
    // Held a while, not for a moment: the process writes its job record before it reads and
    // hashes the file, and a test only seeing that brief write let the next import take its
    // turn first (two tests run at once on two cores stretch it past 60 ms). The import's own
    // transaction holds the lock for seconds.
    let mut held = 0;
    while held < 15 {
        held = if store.write_locked() { held + 1 } else { 0 };
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "the import never began writing"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    child
}

fn finish(child: Child) -> Output {
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

#[test]
fn readers_and_a_server_work_while_a_cli_import_writes_and_writers_wait_their_turn() {
    let store = Store::new();
    let k = examples().join("konnect-inventory-logs.csv");
    store.json(&["import", "--json", k.to_str().unwrap()]);
    let failed: Vec<Value> = store.json(&[
        "query",
        "--json",
        "--filter",
        "status=failed",
        "--limit",
        "1",
        "--columns",
        "id",
    ])["rows"]
        .as_array()
        .unwrap()
        .clone();
    let entry_id = failed[0]["id"].as_i64().unwrap().to_string();
    let big = store.big_file("big.csv", 300_000);
    let small = store.big_file("small.csv", 10);

    let import = import_in_background(&store, &big);

    // Readers: a query answers at once with the store as it was before the import.
    assert_eq!(store.total(), 12);
    // The app's server starts and answers.
    let mut serve = store.spawn(&["serve", "--port", "0"]);
    let mut url = String::new();
    BufReader::new(serve.stdout.take().unwrap())
        .read_line(&mut url)
        .unwrap();
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    assert!(
        store.write_locked(),
        "all of that happened while the import was writing"
    );

    // Writers: a resolve and a second import wait for the first import, then land.
    let resolve = store.spawn(&["resolve", &entry_id, "--note", "checked"]);
    let second = store.spawn(&["import", "--json", small.to_str().unwrap()]);
    let first = finish(import);
    assert!(String::from_utf8_lossy(&first.stdout).contains("300000 rows: 300000 new"));
    finish(resolve);
    let second = finish(second);
    let said = String::from_utf8_lossy(&second.stderr);
    assert!(
        said.contains("waiting for another import to the store to finish"),
        "{said}"
    );
    let _ = serve.kill();
    let _ = serve.wait();

    assert_eq!(store.total(), 12 + 300_000 + 10);
    let resolved = store.json(&[
        "query",
        "--json",
        "--filter",
        &format!("id={entry_id}"),
        "--columns",
        "resolved",
    ]);
    assert_eq!(resolved["rows"][0]["resolved"], true);
    // The imports landed in the order they were started.
    let imports = store.json(&["imports", "--json"]);
    let names: Vec<&str> = imports
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["file_name"].as_str().unwrap())
        .collect();
    let (b, s) = (
        names.iter().position(|n| *n == "big.csv").unwrap(),
        names.iter().position(|n| *n == "small.csv").unwrap(),
    );
    let id_of = |i: usize| imports[i]["id"].as_i64().unwrap();
    assert!(id_of(b) < id_of(s), "{names:?}");
}

/// A server that answers every request 200 and counts them.
fn counting_server() -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let count = Arc::new(AtomicUsize::new(0));
    let seen = count.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut s) = stream else { continue };
            let mut buf = [0u8; 65536];
            let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
            let _ = s.read(&mut buf);
            seen.fetch_add(1, Ordering::SeqCst);
            let _ = s.write_all(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\nConnection: close\r\n\r\n{\"ok\":true}",
            );
        }
    });
    (port, count)
}

#[test]
fn a_rerun_while_another_process_imports_sends_once_and_is_recorded() {
    let store = Store::new();
    let (port, requests) = counting_server();
    let push = store.dir.path().join("push.jsonl");
    std::fs::write(
        &push,
        format!(
            r#"{{"batch_id": "P1", "channel": "Amazon", "account": "Amazon-US", "sku": "SKU-1", "inventory_sent": 3, "status": "failed", "updated_at": "2025-03-01T10:00:00Z", "request": {{"method": "POST", "url": "http://admin:hunter2@127.0.0.1:{port}/inventory", "body": {{"sku": "SKU-1", "quantity": 3}}}}, "response": {{"status": 500}}}}"#
        ) + "\n",
    )
    .unwrap();
    store.json(&["import", "--json", push.to_str().unwrap()]);
    let id = store.json(&["query", "--json", "--limit", "1", "--columns", "id"])["rows"][0]["id"]
        .as_i64()
        .unwrap()
        .to_string();
    let big = store.big_file("big.csv", 300_000);

    let import = import_in_background(&store, &big);
    let rerun = store.spawn(&["rerun", &id, "--json"]);
    let rerun = rerun.wait_with_output().unwrap();
    assert!(
        rerun.status.success(),
        "{}",
        String::from_utf8_lossy(&rerun.stderr)
    );
    finish(import);

    assert_eq!(requests.load(Ordering::SeqCst), 1, "sent exactly once");
    let attempt: Value = serde_json::from_slice(&rerun.stdout).unwrap();
    assert_eq!(attempt["outcome"], "success");
    // The URL's credentials never come back in clear.
    let text = String::from_utf8_lossy(&rerun.stdout);
    assert!(!text.contains("hunter2"), "{text}");
    let row = store.json(&[
        "query",
        "--json",
        "--filter",
        &format!("id={id}"),
        "--columns",
        "retry_count,request",
    ]);
    assert_eq!(row["rows"][0]["retry_count"], 1);
    assert!(!row.to_string().contains("hunter2"), "{row}");
}

#[test]
fn an_export_is_recorded_by_its_absolute_path_and_only_its_own_file_is_deleted() {
    let store = Store::new();
    let k = examples().join("konnect-inventory-logs.csv");
    store.json(&["import", "--json", k.to_str().unwrap()]);
    let here = store.dir.path().join("here");
    let elsewhere = store.dir.path().join("elsewhere");
    std::fs::create_dir_all(&here).unwrap();
    std::fs::create_dir_all(&elsewhere).unwrap();
    let out = store
        .command(&["export", "--view", "Failed pushes"])
        .current_dir(&here)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Listed from another folder, the record names the file where it was written.
    let list = store
        .command(&["exports", "--json"])
        .current_dir(&elsewhere)
        .output()
        .unwrap();
    let list: Value = serde_json::from_slice(&list.stdout).unwrap();
    let path = PathBuf::from(list[0]["path"].as_str().unwrap());
    assert!(path.is_absolute(), "{path:?}");
    assert_eq!(
        path.parent().unwrap(),
        std::fs::canonicalize(&here).unwrap()
    );
    assert!(path.is_file());
    assert_eq!(list[0]["file_exists"], true);

    // Another file takes its name: the history no longer serves it, and will not delete it.
    let same_name = elsewhere.join(path.file_name().unwrap());
    std::fs::write(&same_name, "someone else's file").unwrap();
    std::fs::write(&path, "rewritten by hand, a different size").unwrap();
    let engine = invlog_app::Engine::open(&store.db()).unwrap();
    let id = list[0]["id"].as_i64().unwrap();
    let err = engine
        .dispatch(invlog_app::Request::RemoveExport {
            id,
            delete_file: true,
        })
        .unwrap_err()
        .to_string();
    assert!(err.contains("it was not deleted"), "{err}");
    assert!(path.is_file() && same_name.is_file());
    let Ok(invlog_app::Response::Exports(after)) = engine.dispatch(invlog_app::Request::Exports)
    else {
        panic!("exports")
    };
    assert!(!after.iter().find(|e| e.id == id).unwrap().file_exists);
}

#[test]
fn any_command_cleans_up_after_an_export_whose_process_died() {
    let store = Store::new();
    store.json(&["query", "--json", "--limit", "1"]);
    let dest = store.dir.path().join("report.csv");
    let part = store.dir.path().join(".report.csv.x1y2.part");
    std::fs::write(&part, "half an export").unwrap();
    {
        let s = invlog_core::Store::open(&store.db()).unwrap();
        // A pid above the kernel's maximum is never alive.
        s.conn()
            .execute(
                "INSERT INTO exports (file_name, path, format, user_name, request, summary, status,
                                      started_at, owner_pid)
                 VALUES ('report.csv', ?1, 'csv', 'ann', '{}', 'all', 'running', 0, 4194999)",
                [dest.to_str().unwrap()],
            )
            .unwrap();
    }
    store.json(&["query", "--json", "--limit", "1"]);
    assert!(
        !part.exists(),
        "the partial file is removed by the next command"
    );
    let s = invlog_core::Store::open(&store.db()).unwrap();
    let status: String = s
        .conn()
        .query_row("SELECT status FROM exports", [], |r| r.get(0))
        .unwrap();
    assert_eq!(status, "interrupted");
}

#[test]
fn two_processes_importing_overlapping_files_at_once_store_each_row_once() {
    let store = Store::new();
    let overlapping = |name: &str, from: usize, to: usize| -> PathBuf {
        let p = store.dir.path().join(name);
        let mut s = String::from(
            "Seller Identifier,Channel & Account,Inventory Sent,Updated On,Status,Batch ID\n",
        );
        for i in from..to {
            s.push_str(&format!(
                "SKU-{},Amazon / Amazon-US,{},2025-03-{:02} 10:00:00,Success,B-{i}\n",
                i % 5000,
                i % 500,
                1 + i % 28
            ));
        }
        std::fs::write(&p, s).unwrap();
        p
    };
    let first = overlapping("first.csv", 0, 200_000);
    let second = overlapping("second.csv", 100_000, 300_000);
    let before = store.total();
    let a = import_in_background(&store, &first);
    // The second waits its turn, then sees the first's rows: none of them twice.
    let b = store.spawn(&["import", "--json", second.to_str().unwrap()]);
    finish(a);
    let b = finish(b);
    let report: serde_json::Value = serde_json::from_slice(&b.stdout).unwrap();
    assert_eq!(report[0]["new"], 100_000);
    assert_eq!(report[0]["existing"], 100_000);
    assert_eq!(store.total(), before + 300_000);
}
