//! Re-running stored API requests against a local server that answers 200, answers 500,
//! hangs, or is not there at all; and the detail drawer's view of the entry afterwards.

// The core tests' fixtures: a store in a temp folder, the shared example files.
#[path = "../../core/tests/common/mod.rs"]
mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{example, Fixture};
use invlog_app::Engine;
use invlog_app::{Request, Response};
use invlog_core::detail::{self, EntryRequest};
use invlog_core::redaction::MASK;
use invlog_core::rerun::RerunRequest;
use invlog_core::Store;
use serde_json::{json, Value};

/// What the test server received: method, path, headers (lower-case names), body.
#[derive(Debug, Clone)]
struct Received {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: String,
}

/// A one-thread HTTP/1.1 server on 127.0.0.1: `/ok` answers 200 with JSON, `/fail` 500,
/// `/hang` never answers.
fn server() -> (String, Arc<Mutex<Vec<Received>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let log = log.clone();
            std::thread::spawn(move || answer(stream, &log));
        }
    });
    (base, seen)
}

fn answer(stream: TcpStream, log: &Mutex<Vec<Received>>) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or_default().to_owned();
    let path = parts.next().unwrap_or_default().to_owned();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h).unwrap();
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (k, v) = h.split_once(':').unwrap();
        headers.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
    }
    let len: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .map(|(_, v)| v.parse().unwrap())
        .unwrap_or(0);
    let mut body = vec![0; len];
    reader.read_exact(&mut body).unwrap();
    log.lock().unwrap().push(Received {
        method,
        path: path.clone(),
        headers,
        body: String::from_utf8(body).unwrap(),
    });
    let mut stream = stream;
    let (status, text) = match path.split('?').next().unwrap() {
        "/ok" => ("200 OK", r#"{"accepted":true}"#),
        "/fail" => ("500 Internal Server Error", "upstream exploded"),
        _ => {
            std::thread::sleep(Duration::from_secs(5));
            return;
        }
    };
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
        text.len()
    );
}

/// A port nothing listens on: bound, then released.
fn refused_base() -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    drop(l);
    format!("http://{addr}")
}

/// A pushlog with one failed push per target URL, in order; returns the engine over it.
fn store_with_pushes(fx: &mut Fixture, urls: &[String]) -> Engine {
    let lines: Vec<String> = urls
        .iter()
        .enumerate()
        .map(|(i, url)| {
            json!({
                "batch_id": format!("B{i}"), "channel": "Amazon", "account": "Amazon-IN",
                "sku": format!("SKU-{i}"), "status": "failed", "updated_at": "2025-03-01T10:00:00Z",
                "retry_count": 2, "buffer_stock": 3, "buffer_level": "location",
                "request": {"method": "PUT", "url": url,
                            "headers": {"Authorization": "Bearer sk_live_1", "Content-Type": "application/json",
                                        "Content-Length": "1"},
                            "body": {"sku": format!("SKU-{i}"), "quantity": 4}},
                "response": {"status": 500, "duration_ms": 120, "body": "upstream timeout"}
            })
            .to_string()
        })
        .collect();
    let f = fx.file("pushes.jsonl", lines.join("\n"));
    fx.import_ok(&f);
    Engine::new(Store::open(&fx.dir.path().join("t.db")).unwrap()).unwrap()
}

fn rerun(engine: &Engine, id: i64, timeout: u32) -> invlog_core::rerun::Attempt {
    let r = engine
        .dispatch(Request::Rerun(RerunRequest {
            entry_id: id,
            timeout_secs: Some(timeout),
            resolve_on_success: false,
        }))
        .unwrap();
    match r {
        Response::Rerun(a) => a,
        other => panic!("unexpected {other:?}"),
    }
}

fn entry(engine: &Engine, id: i64, reveal: bool) -> detail::EntryDetail {
    detail::get(
        &engine.store().unwrap(),
        &EntryRequest {
            id,
            reveal_secrets: reveal,
            attempt: None,
        },
    )
    .unwrap()
}

fn field(d: &detail::EntryDetail, column: &str) -> Value {
    d.groups
        .iter()
        .flat_map(|g| g.fields.iter())
        .find(|f| f.column == column)
        .map(|f| f.value.clone())
        .unwrap_or(Value::Null)
}

#[test]
fn every_outcome_is_recorded_and_the_original_is_kept() {
    let (base, seen) = server();
    let mut fx = Fixture::new();
    let urls = [
        format!("{base}/ok?api_key=k1"),
        format!("{base}/fail"),
        format!("{base}/hang"),
        format!("{}/gone", refused_base()),
    ];
    let engine = store_with_pushes(&mut fx, &urls);

    let ok = rerun(&engine, 1, 5);
    assert_eq!(ok.outcome.as_deref(), Some("success"));
    assert_eq!(ok.http_status, Some(200));
    assert_eq!(ok.reason, None);
    assert!(ok
        .url
        .as_deref()
        .unwrap()
        .contains(&format!("api_key={MASK}")));
    // The server got exactly the stored request, secrets included, minus client headers.
    let got = seen.lock().unwrap()[0].clone();
    assert_eq!(got.method, "PUT");
    assert_eq!(got.path, "/ok?api_key=k1");
    assert!(got
        .headers
        .contains(&("authorization".into(), "Bearer sk_live_1".into())));
    assert!(got
        .headers
        .contains(&("content-length".into(), got.body.len().to_string())));
    assert_eq!(
        serde_json::from_str::<Value>(&got.body).unwrap(),
        json!({"sku": "SKU-0", "quantity": 4})
    );

    let fail = rerun(&engine, 2, 5);
    assert_eq!(fail.outcome.as_deref(), Some("failed"));
    assert_eq!(fail.http_status, Some(500));
    assert_eq!(
        fail.reason.as_deref(),
        Some("HTTP 500 Internal Server Error")
    );

    let hang = rerun(&engine, 3, 1);
    assert_eq!(hang.outcome.as_deref(), Some("failed"));
    assert_eq!(hang.http_status, None);
    assert_eq!(hang.reason.as_deref(), Some("timed out after 1 s"));
    assert!(hang.duration_ms.unwrap() >= 1000, "{hang:?}");

    let refused = rerun(&engine, 4, 5);
    assert_eq!(refused.outcome.as_deref(), Some("failed"));
    assert_eq!(refused.http_status, None);
    assert!(
        refused
            .reason
            .as_deref()
            .unwrap()
            .starts_with("connection failed"),
        "{refused:?}"
    );

    // Each entry: its original attempt, then the re-run; retry facts moved on; the original
    // status and payloads are untouched.
    for (id, a) in [(1, &ok), (2, &fail), (3, &hang), (4, &refused)] {
        let d = entry(&engine, id, false);
        assert_eq!(d.attempts.len(), 2, "entry {id}");
        assert_eq!(d.attempts[0].id, None);
        assert_eq!(d.attempts[0].http_status, Some(500));
        assert_eq!(d.attempts[0].duration_ms, Some(120));
        assert_eq!(d.attempts[0].outcome.as_deref(), Some("failed"));
        assert_eq!(&d.attempts[1], a);
        assert_eq!(field(&d, "retry_count"), json!(3));
        assert_eq!(field(&d, "status"), json!("failed"));
        assert_eq!(field(&d, "last_retry_at"), json!(a.at.clone().unwrap()));
        let details = field(&d, "last_retry_details");
        assert!(
            details.as_str().unwrap().starts_with("Re-run by "),
            "{details}"
        );
        assert_eq!(d.response.as_ref().unwrap().status, Some(500));
        assert_eq!(
            d.response.as_ref().unwrap().body.as_deref(),
            Some("upstream timeout")
        );
    }

    // Each re-run's own exchange: the stored request and the response that re-run got (none
    // for a time-out); an attempt of another entry is not found.
    let of = |id: i64, attempt: Option<i64>| {
        detail::get(
            &engine.store().unwrap(),
            &EntryRequest {
                id,
                reveal_secrets: false,
                attempt,
            },
        )
    };
    let ok_exchange = of(1, ok.id).unwrap();
    let got = ok_exchange.response.unwrap();
    assert_eq!(got.status, Some(200));
    assert!(got.body.unwrap().contains("\"accepted\": true"));
    assert_eq!(
        ok_exchange.request,
        entry(&engine, 1, false).request,
        "the request shown is the stored one, as sent"
    );
    // The original attempt keeps its own facts while a re-run's exchange is shown.
    assert_eq!(ok_exchange.attempts[0].http_status, Some(500));
    let failed = of(2, fail.id).unwrap().response.unwrap();
    assert_eq!(failed.status, Some(500));
    assert_eq!(failed.body.as_deref(), Some("upstream exploded"));
    assert!(of(3, hang.id).unwrap().response.is_none());
    let wrong = of(1, fail.id).unwrap_err().to_string();
    assert!(wrong.contains("entry 1 has no re-run"), "{wrong}");

    // Recorded in the store: a new engine on the same file sees the same attempts.
    let again = Engine::new(Store::open(&fx.dir.path().join("t.db")).unwrap()).unwrap();
    assert_eq!(entry(&again, 2, false).attempts[1], fail);
}

#[test]
fn a_successful_rerun_can_resolve_the_entry() {
    let (base, _) = server();
    let mut fx = Fixture::new();
    let engine = store_with_pushes(&mut fx, &[format!("{base}/ok"), format!("{base}/fail")]);
    for id in [1, 2] {
        engine
            .dispatch(Request::Rerun(RerunRequest {
                entry_id: id,
                timeout_secs: None,
                resolve_on_success: true,
            }))
            .unwrap();
    }
    let ok = entry(&engine, 1, false);
    assert_eq!(field(&ok, "resolved"), json!(true));
    assert_eq!(ok.resolutions.len(), 1);
    assert_eq!(
        ok.resolutions[0].note.as_deref(),
        Some("Re-run succeeded (HTTP 200)")
    );
    let failed = entry(&engine, 2, false);
    assert_eq!(
        field(&failed, "resolved"),
        json!(false),
        "a failed push starts unresolved"
    );
    assert!(failed.resolutions.is_empty());
}

#[test]
fn what_cannot_be_rerun_is_refused_and_changes_nothing() {
    let mut fx = Fixture::new();
    let engine = store_with_pushes(&mut fx, &["ftp://files.example/up?token=s".to_owned()]);
    fx.import_ok(&example("xoro-amazon-logs.csv"));
    let err = |id: i64, timeout: u32| {
        engine
            .dispatch(Request::Rerun(RerunRequest {
                entry_id: id,
                timeout_secs: Some(timeout),
                resolve_on_success: false,
            }))
            .unwrap_err()
            .to_string()
    };
    assert!(err(1, 5).contains("only http and https"));
    assert!(!err(1, 5).contains("token=s"));
    assert!(err(2, 5).contains("has no stored API request"));
    assert_eq!(err(999_999, 5), "no entry with id 999999");
    assert!(err(1, 0).contains("timeout must be between 1 and 600"));
    let d = entry(&engine, 1, false);
    assert_eq!(d.attempts.len(), 1, "only the original");
    assert_eq!(field(&d, "retry_count"), json!(2));
}

#[test]
fn the_drawer_groups_labels_and_masks() {
    let mut fx = Fixture::new();
    let engine = store_with_pushes(&mut fx, &["https://api.example/v1/inv".to_owned()]);
    let d = entry(&engine, 1, false);
    let names: Vec<&str> = d.groups.iter().map(|g| g.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Product",
            "Channel",
            "Quantities",
            "Status",
            "Batch & retries",
            "Source"
        ]
    );
    let qty = &d.groups[2].fields;
    assert_eq!(qty[0].column, "buffer_stock");
    assert_eq!(qty[0].note.as_deref(), Some("location level"));
    assert!(!qty.iter().any(|f| f.column == "buffer_level"));
    let req = d.request.as_ref().unwrap();
    assert_eq!(req.method.as_deref(), Some("PUT"));
    let auth = req
        .headers
        .iter()
        .find(|h| h.name == "Authorization")
        .unwrap();
    assert_eq!(auth.value, MASK);
    let revealed = entry(&engine, 1, true);
    let auth = revealed
        .request
        .unwrap()
        .headers
        .into_iter()
        .find(|h| h.name == "Authorization");
    assert_eq!(auth.unwrap().value, "Bearer sk_live_1");

    // Source labels: Xoro's own column names.
    fx.import_ok(&example("xoro-amazon-logs.csv"));
    let x = entry(&engine, 2, false);
    let label = |col: &str| {
        x.groups
            .iter()
            .flat_map(|g| &g.fields)
            .find(|f| f.column == col)
            .map(|f| f.label.clone())
    };
    assert_eq!(label("event_type").as_deref(), Some("Transaction Type"));
    assert_eq!(label("event_id").as_deref(), Some("Order Ref#"));
    assert_eq!(label("occurred_at").as_deref(), Some("Import Date"));
    assert_eq!(x.file_name, "xoro-amazon-logs.csv");
    assert!(x.attempts.is_empty());
}

#[test]
fn lots_and_batches_come_with_their_entry() {
    let mut fx = Fixture::new();
    fx.import_ok(&example("logitrail-inventory-lots.json"));
    let engine = Engine::new(Store::open(&fx.dir.path().join("t.db")).unwrap()).unwrap();
    let d = entry(&engine, 1, false);
    assert_eq!(d.lots.len(), 1);
    assert_eq!(d.lots[0].lot_number.as_deref(), Some("L0-0"));
    assert_eq!(d.lots[0].best_before.as_deref(), Some("2025-04-10"));
    assert_eq!(d.lots[0].available, Some(7));
    assert_eq!(d.lots[0].reserved, Some(1));

    let sh = fx.import_with(
        &example("shiphero-sync-items.json"),
        invlog_core::ingest::ImportOptions {
            batch: Some("BATCH-9".into()),
            ..Default::default()
        },
    );
    let first = sh.unwrap();
    assert!(first.rows_imported > 0);
    let id: i64 = engine
        .store()
        .unwrap()
        .conn()
        .query_row(
            "SELECT min(id) FROM entries WHERE source = 'shiphero'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let b = entry(&engine, id, false).batch.unwrap();
    assert_eq!(b.batch_id, "BATCH-9");
    assert_eq!(b.rows_in_store, 6);
    assert_eq!(b.failed_in_store, 1);
}

#[test]
fn a_rerun_waits_for_another_writer_and_records_its_attempt_whatever_the_wait() {
    let (base, seen) = server();
    let mut fx = Fixture::new();
    let engine = store_with_pushes(&mut fx, &[format!("{base}/ok")]);
    // Another connection holds the write lock for longer than the old 5 s busy time-out.
    let (held, release) = std::sync::mpsc::channel::<()>();
    let db = fx.dir.path().join("t.db");
    let holder = std::thread::spawn(move || {
        let mut other = Store::open(&db).unwrap();
        let tx = other.conn_mut().transaction().unwrap();
        tx.execute("UPDATE entries SET damaged = 0 WHERE id = 1", [])
            .unwrap();
        held.send(()).unwrap();
        std::thread::sleep(Duration::from_secs(6));
        tx.commit().unwrap();
    });
    release.recv().unwrap();
    let a = rerun(&engine, 1, 5);
    holder.join().unwrap();
    assert_eq!(a.outcome.as_deref(), Some("success"));
    assert_eq!(seen.lock().unwrap().len(), 1, "sent exactly once");
    let d = entry(&engine, 1, false);
    assert_eq!(d.attempts.len(), 2);
    assert_eq!(field(&d, "retry_count"), json!(3));
}

#[test]
fn an_attempt_whose_process_died_after_sending_shows_outcome_unknown() {
    let mut fx = Fixture::new();
    let engine = store_with_pushes(&mut fx, &["http://127.0.0.1:9/x".to_owned()]);
    drop(engine);
    // What a process killed between sending and recording leaves: the reserved row. A pid
    // above the kernel's maximum is never alive.
    fx.store
        .conn()
        .execute(
            "INSERT INTO attempts (entry_id, at, method, url, outcome, user_name, owner_pid)
             VALUES (1, 1700000000000, 'PUT', 'http://127.0.0.1:9/x', 'sending', 'ann', 4194999)",
            [],
        )
        .unwrap();
    let engine = Engine::new(Store::open(&fx.dir.path().join("t.db")).unwrap()).unwrap();
    let d = entry(&engine, 1, false);
    let last = d.attempts.last().unwrap();
    assert_eq!(last.outcome.as_deref(), Some("unknown"));
    assert!(last
        .reason
        .as_deref()
        .unwrap()
        .contains("may have received it"));
    // Counted as a re-run: it may have reached the server.
    assert_eq!(field(&d, "retry_count"), json!(3));
    let stored: String = fx
        .store
        .conn()
        .query_row(
            "SELECT outcome FROM attempts WHERE owner_pid = 4194999",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(stored, "unknown", "recorded, not only shown");
}

#[test]
fn an_invalid_method_is_refused_and_nothing_is_sent_or_recorded() {
    let (base, seen) = server();
    let mut fx = Fixture::new();
    fx.import_ok(&fx.file(
        "bad-method.jsonl",
        json!({"batch_id": "B0", "sku": "S", "status": "failed", "updated_at": "2025-03-01T10:00:00Z",
               "request": {"method": "PU T", "url": format!("{base}/ok"), "body": {}}})
        .to_string(),
    ));
    let engine = Engine::new(Store::open(&fx.dir.path().join("t.db")).unwrap()).unwrap();
    let err = engine
        .dispatch(Request::Rerun(RerunRequest {
            entry_id: 1,
            timeout_secs: Some(5),
            resolve_on_success: false,
        }))
        .unwrap_err()
        .to_string();
    assert!(err.contains("'PU T' is not a valid HTTP method"), "{err}");
    assert!(err.contains("nothing was sent"), "{err}");
    assert!(seen.lock().unwrap().is_empty());
    assert_eq!(
        entry(&engine, 1, false).attempts.len(),
        1,
        "only the original"
    );
}

#[test]
fn url_credentials_are_masked_in_attempts_and_the_request_column() {
    let (base, _seen) = server();
    let with_user = base.replace("http://", "http://admin:hunter2@") + "/ok";
    let mut fx = Fixture::new();
    let engine = store_with_pushes(&mut fx, &[with_user]);
    let a = rerun(&engine, 1, 5);
    assert_eq!(a.outcome.as_deref(), Some("success"));
    assert!(a
        .url
        .as_deref()
        .unwrap()
        .contains(&format!("http://{MASK}@")));
    let d = entry(&engine, 1, false);
    assert!(!format!("{d:?}").contains("hunter2"));
    let rows = fx.rows(&[], &["request"]);
    assert!(!format!("{rows:?}").contains("hunter2"), "{rows:?}");
}

/// A re-run is a task of the runner: it shows while it waits for the server and can be
/// stopped; stopped after sending, its attempt is recorded as unknown (the server may have
/// received it) and counts as a re-run.
#[test]
fn a_rerun_waiting_for_its_answer_can_be_stopped_and_is_recorded_as_unknown() {
    let (base, seen) = server();
    let mut fx = Fixture::new();
    let engine = store_with_pushes(&mut fx, &[format!("{base}/hang")]);
    let waiting = engine.clone();
    let sent = std::thread::spawn(move || rerun(&waiting, 1, 30));
    // The task appears while the request waits for an answer that never comes.
    let started = std::time::Instant::now();
    let task = loop {
        let found = engine
            .tasks()
            .list()
            .into_iter()
            .find(|t| t.kind == invlog_app::runner::TaskKind::Rerun);
        if let Some(t) = found.filter(|_| !seen.lock().unwrap().is_empty()) {
            break t;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no re-run task"
        );
        std::thread::sleep(Duration::from_millis(10));
    };
    assert_eq!(
        task.status,
        invlog_core::owners::JobStatus::Running,
        "{task:?}"
    );
    engine
        .dispatch(Request::CancelTask { id: task.id })
        .unwrap();
    let attempt = sent.join().unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "stopped at once, not at the 30 s time-out"
    );
    assert_eq!(attempt.outcome.as_deref(), Some("unknown"));
    assert!(attempt
        .reason
        .as_deref()
        .unwrap()
        .contains("may have received it"));
    let ended = engine.tasks().get(task.id).unwrap();
    assert_eq!(ended.status, invlog_core::owners::JobStatus::Cancelled);
    // Recorded, and counted as a re-run (2 before it).
    let d = entry(&engine, 1, false);
    assert_eq!(
        d.attempts.last().unwrap().outcome.as_deref(),
        Some("unknown")
    );
    assert_eq!(field(&d, "retry_count"), json!(3));
}
