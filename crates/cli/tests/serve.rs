//! `invlog serve`: the command API on loopback, guarded by a per-run token and the Host header.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use serde_json::{json, Value};

mod common;

struct Server {
    child: Child,
    port: u16,
    token: String,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `invlog serve --port 0` with extra arguments and environment; returns the child and
/// its first stdout line (the URL).
fn spawn_serve(db: &Path, args: &[&str], env: &[(&str, &Path)]) -> (Child, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_invlog"));
    cmd.arg("--db")
        .arg(db)
        .args(["serve", "--port", "0"])
        .args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.stdout(Stdio::piped()).spawn().unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    (child, first)
}

fn start() -> Server {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("s.db");
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/formats/examples");
    let status = Command::new(env!("CARGO_BIN_EXE_invlog"))
        .arg("--db")
        .arg(&db)
        .arg("import")
        .arg(examples.join("konnect-inventory-logs.csv"))
        .output()
        .unwrap();
    assert!(status.status.success());
    let (child, first) = spawn_serve(&db, &[], &[]);
    // http://127.0.0.1:PORT/?token=TOKEN
    let rest = first
        .trim()
        .strip_prefix("http://127.0.0.1:")
        .expect("a loopback URL first");
    let (port, token) = rest.split_once("/?token=").expect("the token in the URL");
    Server {
        child,
        port: port.parse().unwrap(),
        token: token.to_owned(),
        _dir: dir,
    }
}

/// A raw HTTP/1.1 exchange, so the test controls every header (Host included).
fn request(
    port: u16,
    host: &str,
    token: Option<&str>,
    target: &str,
    content_type: &str,
    body: &[u8],
) -> (u16, Value) {
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        s,
        "POST {target} HTTP/1.1\r\nHost: {host}\r\n{auth}Content-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .unwrap();
    s.write_all(body).unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    let status: u16 = resp[9..12].parse().unwrap();
    let json = resp.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
    (status, serde_json::from_str(json).unwrap_or(Value::Null))
}

fn post(port: u16, host: &str, token: Option<&str>, body: &Value) -> (u16, Value) {
    let body = body.to_string();
    request(
        port,
        host,
        token,
        "/api",
        "application/json",
        body.as_bytes(),
    )
}

/// The answer to the tests' query: the first 3 rows of the example's 12 entries.
fn assert_first_three_of_twelve(answer: &Value) {
    assert_eq!(answer["command"], "query");
    assert_eq!(answer["result"]["total"], 12);
    assert_eq!(answer["result"]["rows"].as_array().unwrap().len(), 3);
}

#[test]
fn api_answers_only_with_the_token_and_a_loopback_host() {
    let srv = start();
    let host = format!("127.0.0.1:{}", srv.port);
    let query = json!({"command": "query", "args": {"filters": [], "sort": [], "columns": ["sku", "status"], "limit": 3}});

    let (status, body) = post(srv.port, &host, Some(&srv.token), &query);
    assert_eq!(status, 200, "{body}");
    assert_first_three_of_twelve(&body);

    let (status, _) = post(
        srv.port,
        &format!("localhost:{}", srv.port),
        Some(&srv.token),
        &query,
    );
    assert_eq!(status, 200, "localhost is the same loopback origin");

    let (status, body) = post(srv.port, &host, None, &query);
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("missing or wrong token"))
    );
    let (status, _) = post(srv.port, &host, Some("0000"), &query);
    assert_eq!(status, 401);

    // DNS rebinding: the right token, but a page of another origin names its own host.
    let (status, body) = post(
        srv.port,
        &format!("evil.example:{}", srv.port),
        Some(&srv.token),
        &query,
    );
    assert_eq!(
        (status, body["error"].as_str()),
        (403, Some("unexpected Host header"))
    );

    let bad = json!({"command": "query", "args": {"filters": [{"column": "stauts", "op": "eq", "values": ["failed"]}], "limit": 3}});
    let (status, body) = post(srv.port, &host, Some(&srv.token), &bad);
    assert_eq!(status, 400);
    assert_eq!(
        body["error"],
        "unknown column 'stauts'; did you mean 'status'?"
    );
}

#[test]
fn open_hands_the_url_to_the_browser() {
    let dir = tempfile::tempdir().unwrap();
    let seen = dir.path().join("opened.txt");
    let browser = dir.path().join("browser.sh");
    std::fs::write(
        &browser,
        format!("#!/bin/sh\necho \"$1\" > {}\n", seen.display()),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&browser, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let (mut child, first) = spawn_serve(
        &dir.path().join("o.db"),
        &["--open"],
        &[("BROWSER", &browser)],
    );
    let mut opened = String::new();
    for _ in 0..100 {
        opened = std::fs::read_to_string(&seen).unwrap_or_default();
        if !opened.is_empty() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(
        opened.trim(),
        first.trim(),
        "the browser got the printed URL"
    );
}

#[test]
fn uploaded_files_are_imported_by_a_job() {
    let srv = start();
    let host = format!("127.0.0.1:{}", srv.port);
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/formats/examples");
    let bytes = std::fs::read(examples.join("xoro-amazon-logs.csv")).unwrap();
    let upload = |token: Option<&str>, name: &str| {
        request(
            srv.port,
            &host,
            token,
            &format!("/api/upload?name={name}"),
            "application/octet-stream",
            &bytes,
        )
    };
    assert_eq!(upload(None, "x.csv").0, 401);

    // Only the name is kept, never a path the page chose.
    let (status, body) = upload(Some(&srv.token), "..%2F..%2Fxoro-amazon-logs.csv");
    assert_eq!(status, 200, "{body}");
    let path = Path::new(body["path"].as_str().unwrap());
    assert_eq!(path.file_name().unwrap(), "xoro-amazon-logs.csv");
    assert!(path.starts_with(std::env::temp_dir()));
    assert_eq!(std::fs::read(path).unwrap(), bytes);

    let (status, job) = post(
        srv.port,
        &host,
        Some(&srv.token),
        &json!({"command": "start_import", "args": {"paths": [path]}}),
    );
    assert_eq!(status, 200, "{job}");
    let id = job["result"]["id"].clone();
    let mut done = Value::Null;
    for _ in 0..200 {
        let (_, j) = post(
            srv.port,
            &host,
            Some(&srv.token),
            &json!({"command": "job", "args": {"id": id}}),
        );
        if j["result"]["status"] == "success" {
            done = j;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    assert_eq!(done["result"]["reports"][0]["rows_imported"], 10, "{done}");
    let (_, q) = post(
        srv.port,
        &host,
        Some(&srv.token),
        &json!({"command": "query", "args": {"limit": 1}}),
    );
    assert_eq!(q["result"]["total"], 22);
}

/// A server whose temp folder is `tmp` (uploads live there) and whose arguments are `args`.
fn start_in(tmp: &Path, args: &[&str]) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let (child, first) = spawn_serve(&dir.path().join("u.db"), args, &[("TMPDIR", tmp)]);
    let rest = first.trim().strip_prefix("http://127.0.0.1:").unwrap();
    let (port, token) = rest.split_once("/?token=").unwrap();
    Server {
        child,
        port: port.parse().unwrap(),
        token: token.to_owned(),
        _dir: dir,
    }
}

fn uploads_folders(tmp: &Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(tmp)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("invlog-uploads-"))
        })
        .collect()
}

#[cfg(unix)]
#[test]
fn uploads_are_private_deleted_after_their_import_and_bounded() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    // A folder a killed server left, and one of a live process (pid 1): only the first goes.
    let stale = tmp.path().join("invlog-uploads-4194999-old");
    let live = tmp.path().join("invlog-uploads-1-live");
    for d in [&stale, &live] {
        std::fs::create_dir_all(d.join("0")).unwrap();
        std::fs::write(d.join("0/x.csv"), "x").unwrap();
    }
    let srv = start_in(tmp.path(), &["--max-upload", "2KB"]);
    assert!(
        !stale.exists(),
        "a dead server's uploads are swept at start"
    );
    assert!(live.exists(), "a live process's uploads are not touched");

    let host = format!("127.0.0.1:{}", srv.port);
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/formats/examples");
    let kits = std::fs::read(examples.join("kits.csv")).unwrap();
    let (status, body) = request(
        srv.port,
        &host,
        Some(&srv.token),
        "/api/upload?name=kits.csv",
        "application/octet-stream",
        &kits,
    );
    assert_eq!(status, 200, "{body}");
    let path = std::path::PathBuf::from(body["path"].as_str().unwrap());
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&path), 0o600);
    assert_eq!(mode(path.parent().unwrap()), 0o700);
    assert_eq!(mode(path.parent().unwrap().parent().unwrap()), 0o700);

    let (_, job) = post(
        srv.port,
        &host,
        Some(&srv.token),
        &json!({"command": "start_import", "args": {"paths": [path]}}),
    );
    let id = job["result"]["id"].clone();
    let mut gone = false;
    for _ in 0..200 {
        let (_, j) = post(
            srv.port,
            &host,
            Some(&srv.token),
            &json!({"command": "job", "args": {"id": id}}),
        );
        if j["result"]["status"] == "success" && !path.parent().unwrap().exists() {
            gone = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(25));
    }
    assert!(gone, "the upload is deleted once its import has ended");

    let big = vec![b'a'; 3000];
    let (status, body) = request(
        srv.port,
        &host,
        Some(&srv.token),
        "/api/upload?name=big.csv",
        "application/octet-stream",
        &big,
    );
    assert_eq!(status, 413);
    assert!(
        body["error"].as_str().unwrap().contains("--max-upload"),
        "{body}"
    );
    let mine: Vec<_> = uploads_folders(tmp.path())
        .into_iter()
        .filter(|p| *p != live)
        .collect();
    assert_eq!(mine.len(), 1);
    assert_eq!(
        std::fs::read_dir(&mine[0]).unwrap().count(),
        0,
        "nothing kept of it"
    );
}

#[cfg(unix)]
#[test]
fn sigterm_stops_the_server_cleanly_and_its_uploads_go_with_it() {
    let tmp = tempfile::tempdir().unwrap();
    let mut srv = start_in(tmp.path(), &[]);
    let host = format!("127.0.0.1:{}", srv.port);
    let (status, _) = request(
        srv.port,
        &host,
        Some(&srv.token),
        "/api/upload?name=never-imported.csv",
        "application/octet-stream",
        b"a,b\n1,2\n",
    );
    assert_eq!(status, 200);
    assert_eq!(uploads_folders(tmp.path()).len(), 1);
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &srv.child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = srv.child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    assert!(uploads_folders(tmp.path()).is_empty());
}

/// A stopped server leaves its writes in the store file, not in a write-ahead log the next
/// run would have to read whole before its first page.
#[cfg(unix)]
#[test]
fn a_stopped_server_folds_its_write_ahead_log_into_the_store() {
    let mut srv = start();
    let db = srv._dir.path().join("s.db");
    let host = format!("127.0.0.1:{}", srv.port);
    let xoro = common::examples().join("xoro-amazon-logs.csv");
    let import = json!({"command": "import", "args": {"paths": [xoro]}});
    let (status, body) = post(srv.port, &host, Some(&srv.token), &import);
    assert_eq!(status, 200, "{body}");
    let new = body["result"][0]["new"].as_u64().unwrap();
    assert!(new > 0, "{body}");
    let log = db.with_extension("db-wal");
    let log_bytes = || std::fs::metadata(&log).map_or(0, |m| m.len());
    assert!(log_bytes() > 0, "the import went through the log");
    let killed = Command::new("kill")
        .args(["-TERM", &srv.child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    assert!(srv.child.wait().unwrap().success());
    assert_eq!(log_bytes(), 0, "the log was folded into the store");
    let page = common::json_on(&db, &["query", "--limit", "1", "--json"]);
    assert_eq!(page["total"].as_u64(), Some(12 + new), "{page}");
}

#[test]
fn an_export_download_without_the_token_is_unauthorized() {
    let srv = start();
    let mut s = TcpStream::connect(("127.0.0.1", srv.port)).unwrap();
    write!(
        s,
        "GET /api/exports/1/file HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
        srv.port
    )
    .unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    assert!(resp.starts_with("HTTP/1.1 401"), "{resp}");
}

/// Task progress is pushed to the page as Server-Sent Events behind the run's token, and an
/// open event stream does not keep a stopping server alive.
/// Sends SIGTERM and expects the server to exit with success within 10 s.
fn stops_cleanly_on_sigterm(srv: &mut Server) {
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &srv.child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let started = std::time::Instant::now();
    let status = srv.child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
}

#[test]
fn task_events_stream_to_the_page_and_end_with_the_server() {
    let mut srv = start();
    let host = format!("127.0.0.1:{}", srv.port);
    let open_stream = |token: &str| {
        let mut s = TcpStream::connect(("127.0.0.1", srv.port)).unwrap();
        write!(
            s,
            "GET /api/events?token={token} HTTP/1.1\r\nHost: {host}\r\nAccept: text/event-stream\r\n\r\n"
        )
        .unwrap();
        s
    };
    let mut refused = String::new();
    let mut wrong = open_stream("nope");
    wrong
        .set_read_timeout(Some(std::time::Duration::from_secs(5)))
        .unwrap();
    let _ = wrong.read_to_string(&mut refused);
    assert!(refused.starts_with("HTTP/1.1 401"), "{refused}");

    let stream = open_stream(&srv.token);
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    let mut lines = BufReader::new(stream);
    let mut head = String::new();
    lines.read_line(&mut head).unwrap();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    // Give the stream a moment to be listening before the import starts.
    std::thread::sleep(std::time::Duration::from_millis(200));
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/formats/examples");
    let (status, job) = post(
        srv.port,
        &host,
        Some(&srv.token),
        &json!({"command": "start_import",
                "args": {"paths": [examples.join("xoro-amazon-logs.csv")], "format": null}}),
    );
    assert_eq!(status, 200, "{job}");
    let mut statuses = Vec::new();
    let mut line = String::new();
    while statuses.last().map(String::as_str) != Some("success") {
        line.clear();
        assert!(
            lines.read_line(&mut line).unwrap() > 0,
            "the stream ended early"
        );
        if let Some(data) = line.trim().strip_prefix("data:") {
            let task: Value = serde_json::from_str(data.trim()).unwrap();
            assert_eq!(task["kind"], "import");
            assert_eq!(task["record_id"], job["result"]["id"]);
            statuses.push(task["status"].as_str().unwrap().to_owned());
        }
    }
    assert_eq!(statuses.first().map(String::as_str), Some("queued"));
    // The page still listens; the server stops anyway.
    stops_cleanly_on_sigterm(&mut srv);
}

/// Opens the page's command socket as a browser would: the token in the query, this
/// server's Origin (unless `origin` says otherwise).
fn open_socket(
    srv: &Server,
    token: &str,
    origin: &str,
) -> Result<tungstenite::WebSocket<TcpStream>, tungstenite::Error> {
    use tungstenite::client::IntoClientRequest;
    let url = format!("ws://127.0.0.1:{}/api/socket?token={token}", srv.port);
    let mut request = url.into_client_request()?;
    request
        .headers_mut()
        .insert("Origin", origin.parse().expect("an origin header"));
    let stream = TcpStream::connect(("127.0.0.1", srv.port)).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(30)))
        .unwrap();
    match tungstenite::client::client(request, stream) {
        Ok((socket, _)) => Ok(socket),
        Err(tungstenite::HandshakeError::Failure(e)) => Err(e),
        Err(tungstenite::HandshakeError::Interrupted(_)) => panic!("a blocking stream"),
    }
}

fn refused_status(e: tungstenite::Error) -> u16 {
    match e {
        tungstenite::Error::Http(response) => response.status().as_u16(),
        other => panic!("expected an HTTP refusal, got {other}"),
    }
}

#[test]
fn commands_over_the_page_socket_answer_as_the_api_does() {
    let mut srv = start();
    let ours = format!("http://127.0.0.1:{}", srv.port);
    assert_eq!(
        refused_status(open_socket(&srv, "0000", &ours).unwrap_err()),
        401
    );
    // The right token, but a page of another origin opened the socket.
    let evil = format!("http://evil.example:{}", srv.port);
    assert_eq!(
        refused_status(open_socket(&srv, &srv.token, &evil).unwrap_err()),
        403
    );

    let mut socket = open_socket(&srv, &srv.token, &ours).unwrap();
    let query = json!({"command": "query", "args": {"filters": [], "sort": [], "columns": ["sku", "status"], "limit": 3}});
    let bad = json!({"command": "query", "args": {"filters": [{"column": "stauts", "op": "eq", "values": ["failed"]}], "limit": 3}});
    // Several questions in flight at once; the answers name theirs.
    for (id, request) in [(7, &query), (8, &bad), (9, &json!({"command": "nope"}))] {
        let text = json!({"id": id, "request": request}).to_string();
        socket.send(tungstenite::Message::text(text)).unwrap();
    }
    let mut answers = std::collections::BTreeMap::new();
    while answers.len() < 3 {
        let message = socket.read().unwrap();
        let answer: Value = serde_json::from_str(message.to_text().unwrap()).unwrap();
        answers.insert(answer["id"].as_u64().unwrap(), answer);
    }
    assert_first_three_of_twelve(&answers[&7]["response"]);
    // The same refusal `POST /api` gives.
    let (status, over_http) = post(
        srv.port,
        &format!("127.0.0.1:{}", srv.port),
        Some(&srv.token),
        &bad,
    );
    assert_eq!(answers[&8]["status"], status);
    assert_eq!(answers[&8]["error"], over_http["error"]);
    assert_eq!(answers[&8]["kind"], "invalid_input");
    assert_eq!(answers[&9]["status"], 400);
    assert!(answers[&9]["error"]
        .as_str()
        .unwrap()
        .starts_with("not a command of this server"));

    // A message without an id cannot be answered: the socket is closed, as not the UI's.
    let mut stray = open_socket(&srv, &srv.token, &ours).unwrap();
    stray
        .send(tungstenite::Message::text(query.to_string()))
        .unwrap();
    match stray.read() {
        Ok(tungstenite::Message::Close(Some(frame))) => assert_eq!(u16::from(frame.code), 1008),
        other => panic!("expected the socket closed, got {other:?}"),
    }

    // The page still has its socket open; the server stops anyway, and says so.
    stops_cleanly_on_sigterm(&mut srv);
    match socket.read() {
        Ok(tungstenite::Message::Close(_)) | Err(_) => {}
        other => panic!("expected the socket closed, got {other:?}"),
    }
}
