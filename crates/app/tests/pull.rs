//! Pulling from the sources' APIs against fake servers on 127.0.0.1: paging, incremental
//! pulls, refreshed tokens, ShipHero's credit errors, 5xx, hangs, malformed pages, cancel,
//! and secrets kept out of the store and of every message.

mod fake_api;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fake_api::{FakeApi, Req, Resp};
use invlog_app::connectors::http::Policy;
use invlog_app::connectors::Secret;
use invlog_app::{Engine, Request, Response};
use invlog_core::connections::{ConnectionKind, NewConnection, Pull};
use invlog_core::owners::JobStatus;
use serde_json::{json, Value};

const SHARED: &str = "s3cret-shared";
const BASIC: &str = "Basic TS00MjpzM2NyZXQtc2hhcmVk";

struct Fx {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
    engine: Engine,
}

fn fixture() -> Fx {
    // The keyring of whoever runs the tests is not touched: secrets go to the file.
    std::env::set_var("INVLOG_KEYRING", "off");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    let engine = Engine::open(&path).unwrap();
    engine.set_http_policy(Policy {
        timeout: Duration::from_millis(500),
        retries: 2,
        backoff: Duration::from_millis(20),
    });
    Fx {
        _dir: dir,
        path,
        engine,
    }
}

fn call(e: &Engine, r: Request) -> Response {
    e.dispatch(r).unwrap()
}

fn add(fx: &Fx, kind: ConnectionKind, base: &str, extra: NewConnection, secret: &str) {
    let connection = NewConnection {
        name: "shop".into(),
        kind: Some(kind),
        base_url: Some(base.into()),
        since: Some("2026-10-01".into()),
        ..extra
    };
    call(
        &fx.engine,
        Request::AddConnection {
            connection,
            secret: Secret(secret.into()),
        },
    );
}

fn pull(fx: &Fx) -> Pull {
    match call(&fx.engine, Request::Pull { names: vec![] }) {
        Response::Pull(mut p) => p.remove(0),
        other => panic!("{other:?}"),
    }
}

/// Starts pulling "shop" as a task, without waiting for it.
fn start_pull(fx: &Fx) -> Box<invlog_app::runner::Task> {
    match call(
        &fx.engine,
        Request::StartPull {
            name: "shop".into(),
        },
    ) {
        Response::StartPull(t) => t,
        other => panic!("{other:?}"),
    }
}

fn cursor(fx: &Fx) -> Value {
    match call(&fx.engine, Request::Connections) {
        Response::Connections(c) => c[0]
            .cursor
            .as_deref()
            .map_or(Value::Null, |c| serde_json::from_str(c).unwrap()),
        other => panic!("{other:?}"),
    }
}

/// `n` products, one a minute from 2026-11-01, with what they are available as.
fn products(n: usize, available: i64) -> Vec<Value> {
    (0..n)
        .map(|i| {
            json!({
                "merchants_id": format!("SKU-{i}"), "id": format!("P{i}"), "name": "Shirt",
                "inventory": {"available": available, "in_stock": available + 2,
                              "last_movement": format!("2026-11-01T{:02}:{:02}:00Z", i / 60 % 24, i % 60)}
            })
        })
        .collect()
}

/// Logitrail's classic API over `list`: HTTP Basic, `after` (or at), offset and limit.
fn logitrail(list: Arc<Mutex<Vec<Value>>>) -> impl Fn(&Req) -> Resp + Send + Sync {
    move |r: &Req| {
        if r.header("authorization") != Some(BASIC) {
            return Resp::text(401, r#"{"error":"unauthorized"}"#);
        }
        assert_eq!(
            (r.method.as_str(), r.path.as_str()),
            ("GET", "/products/inventory")
        );
        let after = r.param("after").unwrap_or("");
        let offset: usize = r.param("offset").unwrap().parse().unwrap();
        let limit: usize = r.param("limit").unwrap().parse().unwrap();
        assert!(limit <= 500);
        let all: Vec<Value> = list
            .lock()
            .unwrap()
            .iter()
            .filter(|p| p["inventory"]["last_movement"].as_str().unwrap() >= after)
            .cloned()
            .collect();
        let page: Vec<Value> = all.iter().skip(offset).take(limit).cloned().collect();
        Resp::json(
            json!({"total_count": all.len(), "offset": offset, "count": page.len(), "products": page}),
        )
    }
}

/// "shop": Logitrail's classic API at `api`, merchant 42, the shared secret.
fn add_logitrail(fx: &Fx, api: &FakeApi) {
    add(
        fx,
        ConnectionKind::Logitrail,
        &api.base,
        logitrail_extra(),
        SHARED,
    );
}

fn logitrail_extra() -> NewConnection {
    NewConnection {
        merchant_id: Some("42".into()),
        ..NewConnection::default()
    }
}

#[test]
fn logitrail_pages_then_pulls_only_what_is_new() {
    let fx = fixture();
    let list = Arc::new(Mutex::new(products(1200, 5)));
    let api = FakeApi::start(logitrail(list.clone()));
    add_logitrail(&fx, &api);
    let first = pull(&fx);
    assert_eq!(first.status, JobStatus::Success, "{:?}", first.error);
    assert_eq!((first.pages, first.records, first.new), (3, 1200, 1200));
    let offsets: Vec<String> = api
        .requests()
        .iter()
        .map(|r| r.param("offset").unwrap().to_owned())
        .collect();
    assert_eq!(offsets, ["0", "500", "1000"]);
    assert_eq!(
        api.requests()[0].param("after"),
        Some("2026-10-01T00:00:00Z")
    );
    assert_eq!(cursor(&fx)["after"], "2026-11-01T19:59:00Z");

    // Three products move; the next pull asks from the newest movement it stored.
    {
        let mut l = list.lock().unwrap();
        for i in 0..3 {
            l.push(json!({"merchants_id": format!("SKU-{i}"), "id": format!("P{i}"), "name": "Shirt",
                          "inventory": {"available": 1, "in_stock": 3, "last_movement": format!("2026-11-02T08:0{i}:00Z")}}));
        }
    }
    let before = api.requests().len();
    let second = pull(&fx);
    let asked = &api.requests()[before];
    assert_eq!(asked.param("after"), Some("2026-11-01T19:59:00Z"));
    // The product at exactly the cursor comes again ("after or at") and is already there.
    assert_eq!((second.new, second.existing, second.updated), (3, 1, 0));
    match call(&fx.engine, Request::Imports) {
        Response::Imports(i) => {
            assert_eq!(i.len(), 2);
            assert_eq!(
                i[0].file_name, "shop",
                "a pull's entries name the connection"
            );
            assert_eq!(i[0].rows_new, Some(3));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn refused_credentials_say_so_and_the_secret_is_nowhere_but_its_file() {
    let fx = fixture();
    let api = FakeApi::start(logitrail(Arc::new(Mutex::new(products(3, 1)))));
    add(
        &fx,
        ConnectionKind::Logitrail,
        &api.base,
        logitrail_extra(),
        "wrong-secret-xyz",
    );
    let p = pull(&fx);
    assert_eq!(p.status, JobStatus::Failed);
    let error = p.error.unwrap();
    let host = api.base.trim_start_matches("http://").trim_end_matches('/');
    assert!(
        error.contains(&format!("the credentials were refused by {host}")),
        "{error}"
    );
    let test = fx
        .engine
        .dispatch(Request::TestConnection {
            name: "shop".into(),
        })
        .unwrap_err()
        .message;
    assert!(test.contains("refused"), "{test}");
    for text in [&error, &test] {
        assert!(!text.contains("wrong-secret-xyz"), "{text}");
    }
    // The secret is in the file beside the store (only the owner's), not in the store.
    drop(fx.engine);
    let store = std::fs::read(&fx.path).unwrap();
    let wal = std::fs::read(fx.path.with_extension("db-wal")).unwrap_or_default();
    for bytes in [&store, &wal] {
        assert!(!bytes.windows(16).any(|w| w == b"wrong-secret-xyz"));
    }
    let file = fx.path.with_file_name("store.db.secrets");
    assert!(std::fs::read_to_string(file)
        .unwrap()
        .contains("wrong-secret-xyz"));
}

#[test]
fn a_5xx_is_retried_and_a_hang_times_out() {
    let fx = fixture();
    let list = Arc::new(Mutex::new(products(10, 1)));
    let inner = logitrail(list);
    let calls = Arc::new(AtomicU32::new(0));
    let c = calls.clone();
    let api = FakeApi::start(move |r: &Req| match c.fetch_add(1, Ordering::SeqCst) {
        0 => Resp::text(500, "upstream exploded"),
        _ => inner(r),
    });
    add_logitrail(&fx, &api);
    let p = pull(&fx);
    assert_eq!((p.status, p.new), (JobStatus::Success, 10), "{:?}", p.error);
    assert_eq!(calls.load(Ordering::SeqCst), 2);

    api.set(|_| Resp {
        delay: Duration::from_secs(3),
        ..Resp::text(200, "{}")
    });
    let started = Instant::now();
    let p = pull(&fx);
    assert_eq!(p.status, JobStatus::Failed);
    let e = p.error.unwrap();
    assert!(
        e.contains("no answer within 0.5 s") && e.contains("3 tries"),
        "{e}"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn a_malformed_page_is_named_keeps_the_pages_before_it_and_the_next_pull_goes_on_from_there() {
    let fx = fixture();
    let list = Arc::new(Mutex::new(products(1200, 5)));
    let inner = Arc::new(logitrail(list));
    let i2 = inner.clone();
    let api = FakeApi::start(move |r: &Req| match r.param("offset") {
        Some("500") => Resp::text(200, r#"{"total_count": 1200, "products": [{"id": "#),
        _ => i2(r),
    });
    add_logitrail(&fx, &api);
    let p = pull(&fx);
    assert_eq!(p.status, JobStatus::Failed);
    let e = p.error.unwrap();
    assert!(
        e.starts_with("page 2 of http://") && e.contains("offset=500"),
        "{e}"
    );
    assert!(e.contains("not the JSON expected"), "{e}");
    assert_eq!((p.pages, p.new), (1, 500));
    assert_eq!(cursor(&fx)["offset"], 500);

    api.set(move |r: &Req| inner(r));
    let before = api.requests().len();
    let p = pull(&fx);
    assert_eq!(p.status, JobStatus::Success, "{:?}", p.error);
    assert_eq!(api.requests()[before].param("offset"), Some("500"));
    assert_eq!(p.new, 700);
}

/// A page that fails while it is written (here a trigger refuses one product of page 2, as a
/// full disk would) takes the pages not yet committed with it: the pull says what failed, its
/// record and its task's progress say what is kept, and the next pull starts from the cursor.
#[test]
fn a_page_that_fails_while_written_keeps_only_what_was_committed() {
    let fx = fixture();
    let list = Arc::new(Mutex::new(products(1200, 5)));
    let api = FakeApi::start(logitrail(list));
    add_logitrail(&fx, &api);
    let writer = rusqlite::Connection::open(&fx.path).unwrap();
    writer
        .execute_batch(
            "CREATE TRIGGER boom BEFORE INSERT ON products WHEN NEW.sku = 'SKU-700'
             BEGIN SELECT RAISE(ABORT, 'no space left on the device'); END",
        )
        .unwrap();
    let task = start_pull(&fx);
    let ended = fx.engine.tasks().wait(task.id).unwrap();
    assert_eq!(ended.status, JobStatus::Failed);
    let e = ended.error.unwrap_or_default();
    assert!(e.contains("no space left on the device"), "{e}");
    // Pages 1 and 2 were one group, never committed.
    let p = ended.pull.unwrap();
    assert_eq!((p.pages, p.records, p.new), (0, 0, 0), "{p:?}");
    assert_eq!(ended.progress.done, 0);
    assert_eq!(cursor(&fx), Value::Null);

    writer.execute_batch("DROP TRIGGER boom").unwrap();
    let p = pull(&fx);
    assert_eq!(
        (p.status, p.new, p.pages),
        (JobStatus::Success, 1200, 3),
        "{:?}",
        p.error
    );
}

#[test]
fn a_cancelled_pull_keeps_whole_pages_and_a_consistent_cursor() {
    let fx = fixture();
    let list = Arc::new(Mutex::new(products(2000, 5)));
    let inner = logitrail(list);
    let api = FakeApi::start(move |r: &Req| Resp {
        delay: Duration::from_millis(300),
        ..inner(r)
    });
    add_logitrail(&fx, &api);
    let task = start_pull(&fx);
    let until = Instant::now() + Duration::from_secs(10);
    while fx.engine.tasks().get(task.id).unwrap().progress.done == 0 {
        assert!(Instant::now() < until, "no page stored");
        std::thread::sleep(Duration::from_millis(20));
    }
    call(&fx.engine, Request::CancelTask { id: task.id });
    let ended = fx.engine.tasks().wait(task.id).unwrap();
    assert_eq!(ended.status, JobStatus::Cancelled);
    let p = ended.pull.unwrap();
    assert_eq!(p.status, JobStatus::Cancelled);
    assert!(p.pages < 4, "{p:?}");
    assert_eq!(p.new, p.pages * 500, "whole pages only");
    assert_eq!(cursor(&fx)["offset"], p.pages * 500);
}

#[test]
fn logitrail_oauth_renews_its_token_on_a_401() {
    let fx = fixture();
    let tokens = Arc::new(AtomicU32::new(0));
    let t = tokens.clone();
    let list = products(3, 4);
    let api = FakeApi::start(move |r: &Req| {
        if r.path == "/token" {
            assert_eq!(
                r.header("authorization"),
                Some("Basic Y2xpZW50LTc6czNjcmV0LWNsaWVudA==")
            );
            assert!(
                r.body.contains("grant_type=client_credentials")
                    && r.body.contains("scope=inventory")
            );
            let n = t.fetch_add(1, Ordering::SeqCst) + 1;
            return Resp::json(json!({"access_token": format!("T{n}"), "expires_in": 86400}));
        }
        assert_eq!(r.header("x-logitrail-merchant-id"), Some("42"));
        // The first token is revoked under the pull's feet.
        if r.header("authorization") != Some("Bearer T2") {
            return Resp::text(401, "{}");
        }
        Resp::json(json!({"data": list}))
    });
    let extra = NewConnection {
        merchant_id: Some("42".into()),
        client_id: Some("client-7".into()),
        token_url: Some(format!("{}token", api.base)),
        scope: Some("inventory".into()),
        ..NewConnection::default()
    };
    add(
        &fx,
        ConnectionKind::LogitrailOauth,
        &api.base,
        extra,
        "s3cret-client",
    );
    let p = pull(&fx);
    assert_eq!((p.status, p.new), (JobStatus::Success, 3), "{:?}", p.error);
    assert_eq!(tokens.load(Ordering::SeqCst), 2);
}

/// A ShipHero GraphQL answer of `root` with `nodes`, and more after it when `next` is given.
fn graphql(root: &str, nodes: Vec<Value>, next: Option<&str>) -> Resp {
    let edges: Vec<Value> = nodes
        .into_iter()
        .map(|n| json!({"node": n, "cursor": "c"}))
        .collect();
    Resp::json(
        json!({"data": {root: {"request_id": "r", "complexity": 1, "data": {
        "pageInfo": {"hasNextPage": next.is_some(), "endCursor": next.unwrap_or("end")},
        "edges": edges}}}}),
    )
}

#[test]
fn shiphero_waits_out_a_credit_error_renews_its_token_and_updates_changed_rows() {
    let fx = fixture();
    let refreshes = Arc::new(AtomicU32::new(0));
    let credit_errors = Arc::new(AtomicU32::new(0));
    let item_status = Arc::new(Mutex::new("error"));
    let (rf, ce, st) = (
        refreshes.clone(),
        credit_errors.clone(),
        item_status.clone(),
    );
    let api = FakeApi::start(move |r: &Req| {
        if r.path == "/auth/refresh" {
            assert_eq!(r.json()["refresh_token"], "s3cret-refresh");
            let n = rf.fetch_add(1, Ordering::SeqCst) + 1;
            return Resp::json(json!({"access_token": format!("A{n}"), "expires_in": 2419200}));
        }
        assert_eq!(r.path, "/graphql");
        let q = r.json();
        let text = q["query"].as_str().unwrap();
        let vars = &q["variables"];
        if text.contains("inventory_changes") {
            if ce.fetch_add(1, Ordering::SeqCst) == 0 {
                return Resp::json(
                    json!({"errors": [{"code": 30, "message": "There are not enough credits to perform the requested operation, which requires 101 credits. The user has 5 credits remaining. In 1 seconds you will have enough credits"}]}),
                );
            }
            let from = vars["from"].as_str().unwrap();
            if !from.starts_with("2026-10-01") {
                return graphql("inventory_changes", vec![], None);
            }
            return match vars["after"].as_str() {
                None => graphql(
                    "inventory_changes",
                    vec![
                        json!({"id": "C1", "sku": "SKU-1", "change_in_on_hand": -2, "previous_on_hand": 10, "reason": "order", "warehouse_id": "W1", "created_at": "2026-10-02T10:00:00+00:00"}),
                    ],
                    Some("p2"),
                ),
                Some(_) => graphql(
                    "inventory_changes",
                    vec![
                        json!({"id": "C2", "sku": "SKU-2", "change_in_on_hand": 5, "previous_on_hand": 0, "reason": "receiving", "warehouse_id": "W1", "created_at": "2026-10-03T10:00:00+00:00"}),
                    ],
                    None,
                ),
            };
        }
        if text.contains("inventory_sync_statuses") {
            return graphql(
                "inventory_sync_statuses",
                vec![
                    json!({"id": "B1", "status": "processing", "total_count": 2, "created_at": "2026-10-05T10:00:00+00:00", "updated_at": "2026-10-05T10:01:00+00:00"}),
                ],
                None,
            );
        }
        assert!(text.contains("inventory_sync_items_status"));
        assert_eq!(vars["id"], "B1");
        let status = *st.lock().unwrap();
        let updated = if status == "error" {
            "2026-10-05T10:01:00+00:00"
        } else {
            "2026-10-05T11:00:00+00:00"
        };
        graphql(
            "inventory_sync_items_status",
            vec![
                json!({"id": "I1", "row": 1, "sku": "SKU-1", "quantity": 8, "action": "change", "status": "success", "created_at": "2026-10-05T10:00:00+00:00", "updated_at": "2026-10-05T10:01:00+00:00"}),
                json!({"id": "I2", "row": 2, "sku": "SKU-2", "quantity": 5, "action": "change", "status": status, "error": if status == "error" { "Location not found" } else { "" }, "created_at": "2026-10-05T10:00:00+00:00", "updated_at": updated}),
            ],
            None,
        )
    });
    add(
        &fx,
        ConnectionKind::Shiphero,
        &api.base,
        NewConnection::default(),
        "s3cret-refresh",
    );
    let started = Instant::now();
    let p = pull(&fx);
    assert_eq!(p.status, JobStatus::Success, "{:?}", p.error);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited the second the error named"
    );
    assert_eq!(refreshes.load(Ordering::SeqCst), 1);
    // Two changes and two sync rows (and the batch).
    assert_eq!(p.new, 5, "{p:?}");
    for r in api.requests().iter().filter(|r| r.path == "/graphql") {
        assert_eq!(r.header("authorization"), Some("Bearer A1"));
    }
    // The batch was still processing: the next pull asks for its rows again, and the row
    // that succeeded since is updated.
    *item_status.lock().unwrap() = "success";
    let p = pull(&fx);
    assert_eq!(p.status, JobStatus::Success, "{:?}", p.error);
    assert_eq!(p.updated, 1, "{p:?}");
    assert_eq!(cursor(&fx)["final_batches"], json!([]));
}

#[test]
fn a_due_pull_runs_once_though_two_processes_watch_the_schedule() {
    let fx = fixture();
    let api = FakeApi::start(logitrail(Arc::new(Mutex::new(products(5, 1)))));
    let every = NewConnection {
        every: Some("15m".into()),
        ..logitrail_extra()
    };
    add(&fx, ConnectionKind::Logitrail, &api.base, every, SHARED);
    // A second process on the same store (the desktop app beside `invlog serve`).
    let other = Engine::open(&fx.path).unwrap();
    let later = invlog_core::time::now_millis() + 16 * 60_000;
    let mine = invlog_app::tasks::schedule::pull_due(&fx.engine, later).unwrap();
    let theirs = invlog_app::tasks::schedule::pull_due(&other, later).unwrap();
    assert_eq!((mine.len(), theirs.len()), (1, 0));
    let task = fx.engine.tasks().list()[0].clone();
    let ended = fx.engine.tasks().wait(task.id).unwrap();
    let p = ended.pull.unwrap();
    assert!(p.scheduled);
    assert_eq!((p.status, p.new), (JobStatus::Success, 5));
    // Not due again until its next run.
    assert!(invlog_app::tasks::schedule::pull_due(&fx.engine, later)
        .unwrap()
        .is_empty());
}

#[test]
fn shiphero_renews_a_token_revoked_mid_pull_once_and_a_refused_refresh_token_says_so() {
    let fx = fixture();
    let refreshes = Arc::new(AtomicU32::new(0));
    let rf = refreshes.clone();
    let api = FakeApi::start(move |r: &Req| {
        if r.path == "/auth/refresh" {
            if r.json()["refresh_token"] != "s3cret-refresh" {
                return Resp::text(401, r#"{"error":"invalid refresh token"}"#);
            }
            let n = rf.fetch_add(1, Ordering::SeqCst) + 1;
            return Resp::json(json!({"access_token": format!("A{n}"), "expires_in": 2419200}));
        }
        // The first token stops working after its first answer.
        let q = r.json();
        let text = q["query"].as_str().unwrap_or_default();
        let revoked =
            r.header("authorization") == Some("Bearer A1") && !text.contains("inventory_changes");
        if revoked {
            return Resp::text(401, "{}");
        }
        if text.contains("inventory_changes") {
            return graphql("inventory_changes", vec![], None);
        }
        if text.contains("inventory_sync_statuses") {
            return graphql(
                "inventory_sync_statuses",
                vec![json!({"id": "B9", "status": "success", "total_count": 0})],
                None,
            );
        }
        graphql("inventory_sync_items_status", vec![], None)
    });
    let since = NewConnection {
        since: Some(invlog_core::time::format_instant(
            invlog_core::time::now_millis() - 86_400_000,
        )),
        ..NewConnection::default()
    };
    add(
        &fx,
        ConnectionKind::Shiphero,
        &api.base,
        since,
        "s3cret-refresh",
    );
    let p = pull(&fx);
    assert_eq!(p.status, JobStatus::Success, "{:?}", p.error);
    assert_eq!(
        refreshes.load(Ordering::SeqCst),
        2,
        "renewed once after the 401"
    );
    assert_eq!(cursor(&fx)["final_batches"], json!(["B9"]));

    call(
        &fx.engine,
        Request::EditConnection {
            name: "shop".into(),
            connection: NewConnection {
                name: "shop".into(),
                kind: Some(ConnectionKind::Shiphero),
                base_url: Some(api.base.clone()),
                ..NewConnection::default()
            },
            secret: Some(Secret("expired-refresh-token".into())),
        },
    );
    let p = pull(&fx);
    assert_eq!(p.status, JobStatus::Failed);
    let e = p.error.unwrap();
    assert!(
        e.contains("the credentials were refused by 127.0.0.1:") && e.contains("refresh token"),
        "{e}"
    );
    assert!(!e.contains("expired-refresh-token"), "{e}");
}
