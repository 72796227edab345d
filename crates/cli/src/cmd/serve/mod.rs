//! `invlog serve`: the browser UI and the command table over HTTP. Bound to 127.0.0.1 only;
//! every request must carry a Host header naming this loopback address (a page on another
//! origin that rebinds its DNS name to 127.0.0.1 sends its own name, and is refused), and
//! every API call this run's random token.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Query, Request as HttpRequest, State};
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response as HttpResponse};
use axum::routing::{get, post};
use axum::{Json, Router};
use clap::Args;
use futures_util::StreamExt;
use invlog_app::runner::Task;
use invlog_app::types::ExportRecord;
use invlog_app::{AppError, Engine, ErrorKind, Request, Response};
use serde_json::json;
use subtle::ConstantTimeEq;
use tokio::io::AsyncWriteExt;

use super::Failure;
use uploads::Uploads;

mod socket;
mod uploads;

#[derive(Args)]
pub struct ServeArgs {
    /// Port to listen on; 0 picks a free one
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Open the URL in the browser ($BROWSER, else the system's default)
    #[arg(long)]
    open: bool,
    /// The largest file the browser may upload for import, in bytes or with a unit
    /// (500MB, 2GB): larger than any log export seen, small enough that a runaway upload
    /// cannot fill a disk; a larger one is refused with HTTP 413
    #[arg(long, default_value = "2GB", value_parser = parse_size, value_name = "SIZE")]
    max_upload: u64,
}

/// `2GB`, `500MB`, `64KB` (powers of 1000, as disks and browsers count) or plain bytes.
fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (digits, unit) = t.split_at(split);
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("'{s}' is not a size: give bytes, or a number with KB, MB or GB"))?;
    let scale = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 1,
        "K" | "KB" => 1_000,
        "M" | "MB" => 1_000_000,
        "G" | "GB" => 1_000_000_000,
        _ => return Err(format!("'{s}': the unit must be KB, MB or GB")),
    };
    n.checked_mul(scale)
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("'{s}' is not a usable size"))
}

/// Serves until interrupted (`invlog serve`).
pub fn run(engine: Engine, a: ServeArgs) -> Result<std::process::ExitCode, Failure> {
    // The first view's total, facets and timeline then find the entry summary read.
    engine.warm_up();
    engine.hold_columns();
    let served = serve(engine.clone(), a.port, a.open, a.max_upload);
    // Threads of the schedule timer and reads ahead hold the engine to the end: its
    // connections are never closed, and the write-ahead log would be left to the next run.
    if let Err(e) = engine.close() {
        eprintln!("invlog: the store's write-ahead log was left as it is: {e}");
    }
    served.map_err(|e| Failure::Runtime(format!("serve: {e}")))?;
    Ok(std::process::ExitCode::SUCCESS)
}

/// The built UI (`ui/dist`), embedded at compile time; `make` builds it first.
#[derive(rust_embed::RustEmbed)]
#[folder = "../../ui/dist"]
#[allow_missing = true]
struct Assets;

/// Only this origin's own scripts, styles and API: no inline script, no eval.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/// The page shares its browsing context group with no other origin's window and loads
/// nothing from another origin (as the CSP already says): it is cross-origin isolated, so no
/// page of another origin can read its memory through a side channel, and its clocks keep
/// their full 5 µs resolution (100 µs with jitter otherwise, which alone put frame times a
/// tick above 16.7 ms).
const CROSS_ORIGIN_OPENER_POLICY: header::HeaderName =
    header::HeaderName::from_static("cross-origin-opener-policy");
const CROSS_ORIGIN_EMBEDDER_POLICY: header::HeaderName =
    header::HeaderName::from_static("cross-origin-embedder-policy");

async fn asset(uri: axum::http::Uri) -> HttpResponse {
    let path = uri.path().trim_start_matches('/');
    let path = if path.is_empty() { "index.html" } else { path };
    match Assets::get(path) {
        Some(file) => (
            [
                (header::CONTENT_TYPE, file.metadata.mimetype().to_owned()),
                (header::CONTENT_SECURITY_POLICY, CSP.to_owned()),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
                (CROSS_ORIGIN_OPENER_POLICY, "same-origin".to_owned()),
                (CROSS_ORIGIN_EMBEDDER_POLICY, "require-corp".to_owned()),
            ],
            file.data.into_owned(),
        )
            .into_response(),
        None if path == "index.html" => refuse(
            StatusCode::NOT_FOUND,
            "this invlog was built without its UI; build it with `make build`",
        ),
        None => refuse(StatusCode::NOT_FOUND, "no such file"),
    }
}

/// How often automated exports are checked for being due.
const SCHEDULE_CHECK: std::time::Duration = std::time::Duration::from_secs(30);

#[derive(Clone)]
struct AppState {
    engine: Engine,
    uploads: Arc<Uploads>,
    token: Arc<str>,
    hosts: Arc<[String]>,
    /// Becomes true when the server is asked to stop: event streams end then, or a graceful
    /// shutdown would wait for the pages listening to them forever.
    stopping: tokio::sync::watch::Receiver<bool>,
}

/// A fresh 128-bit token, hex.
fn new_token() -> std::io::Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| std::io::Error::other(e.to_string()))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

fn refuse(status: StatusCode, message: &str) -> HttpResponse {
    (status, Json(json!({ "error": message }))).into_response()
}

async fn check_host(State(state): State<AppState>, req: HttpRequest, next: Next) -> HttpResponse {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    if !state.hosts.iter().any(|h| h == host) {
        return refuse(StatusCode::FORBIDDEN, "unexpected Host header");
    }
    next.run(req).await
}

/// Compared in constant time: how long a refusal takes says nothing of how much of a guess
/// was right.
fn token_matches(given: Option<&str>, token: &str) -> bool {
    given.is_some_and(|g| bool::from(g.as_bytes().ct_eq(token.as_bytes())))
}

async fn check_token(State(state): State<AppState>, req: HttpRequest, next: Next) -> HttpResponse {
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer "));
    if !token_matches(bearer, &state.token) {
        return refuse(StatusCode::UNAUTHORIZED, "missing or wrong token");
    }
    next.run(req).await
}

/// The uploads an import request reads from.
fn uploads_read_by(request: &Request, uploads: &Uploads) -> Vec<std::path::PathBuf> {
    let paths = match request {
        Request::StartImport(i) | Request::Import(i) => &i.paths,
        _ => return Vec::new(),
    };
    paths.iter().filter_map(|p| uploads.slot_of(p)).collect()
}

/// Deletes the uploads of an import once it has ended, whatever its outcome.
fn release_when_done(state: &AppState, response: &Response, slots: Vec<std::path::PathBuf>) {
    if slots.is_empty() {
        return;
    }
    let job = match response {
        Response::StartImport(job) => Some(job.id),
        _ => None,
    };
    let engine = state.engine.clone();
    let uploads = state.uploads.clone();
    tokio::task::spawn_blocking(move || {
        let task = job.and_then(|id| {
            let kind = [invlog_app::runner::TaskKind::Import];
            engine.tasks().by_record(&kind, id)
        });
        if let Some(task) = task {
            engine.tasks().wait(task.id);
        }
        for slot in &slots {
            uploads.release(slot);
        }
    });
}

async fn api(State(state): State<AppState>, Json(request): Json<Request>) -> HttpResponse {
    match answer(&state, request) {
        Ok(response) => Json(response).into_response(),
        Err(refusal) => refusal.into_response(),
    }
}

/// Runs one command of the table for a page, over either route (`POST /api` or the socket),
/// and keeps an import's uploads until it has read them.
fn answer(state: &AppState, request: Request) -> Result<Response, Refusal> {
    let slots = uploads_read_by(&request, &state.uploads);
    // SQLite work blocks. Run here, its worker's other tasks move to another thread, and the
    // answer skips the hop to a blocking thread and back: a third of a round trip (0.45 ->
    // 0.30 ms kept alive at 10M). A panic still answers, as an internal error.
    let result = tokio::task::block_in_place(|| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            state.engine.dispatch(request)
        }))
    });
    match &result {
        Ok(Ok(response)) => release_when_done(state, response, slots),
        _ => slots.iter().for_each(|s| state.uploads.release(s)),
    }
    match result {
        Ok(Ok(response)) => Ok(response),
        Ok(Err(e)) => Err(Refusal::from(&e)),
        Err(_) => Err(Refusal {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: "the command stopped on an internal error".into(),
            kind: Some(ErrorKind::Internal),
        }),
    }
}

/// A command the backend refused or failed, as every route reports it: an HTTP status, the
/// message for the user and the error's kind.
struct Refusal {
    status: StatusCode,
    message: String,
    kind: Option<ErrorKind>,
}

impl From<&AppError> for Refusal {
    /// The one place an error's kind becomes an HTTP status.
    fn from(e: &AppError) -> Self {
        let status = match e.kind {
            ErrorKind::InvalidInput => StatusCode::BAD_REQUEST,
            ErrorKind::NotFound => StatusCode::NOT_FOUND,
            ErrorKind::Conflict => StatusCode::CONFLICT,
            ErrorKind::Io | ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        };
        Refusal {
            status,
            message: e.message.clone(),
            kind: Some(e.kind),
        }
    }
}

impl IntoResponse for Refusal {
    /// The body: `{"error": …, "kind": …}`.
    fn into_response(self) -> HttpResponse {
        let body = json!({ "error": self.message, "kind": self.kind });
        (self.status, Json(body)).into_response()
    }
}

/// The task events, pushed as Server-Sent Events (`event: task`, the task as JSON) for as long
/// as the page listens. An EventSource cannot send headers, so the token comes in the query.
async fn events(State(state): State<AppState>, Query(q): Query<TokenQuery>) -> HttpResponse {
    if !token_matches(q.token.as_deref(), &state.token) {
        return refuse(StatusCode::UNAUTHORIZED, "missing or wrong token");
    }
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<Task>();
    // The listener goes at the first event after the page has stopped listening.
    state
        .engine
        .tasks()
        .listen(Arc::new(move |t: &Task| tx.send(t.clone()).is_ok()));
    let mut stopping = state.stopping.clone();
    let stopped = async move {
        let _ = stopping.wait_for(|s| *s).await;
    };
    let stream = tokio_stream_from(rx).take_until(stopped).map(|task| {
        Event::default()
            .event("task")
            .json_data(&task)
            .map_err(std::io::Error::other)
    });
    Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response()
}

/// The receiver as a stream; it ends when the runner drops the sender.
fn tokio_stream_from<T: Send + 'static>(
    rx: tokio::sync::mpsc::UnboundedReceiver<T>,
) -> impl futures_util::Stream<Item = T> {
    futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|t| (t, rx)) })
}

#[derive(serde::Deserialize)]
struct UploadQuery {
    name: String,
}

fn too_large(limit: u64) -> HttpResponse {
    refuse(
        StatusCode::PAYLOAD_TOO_LARGE,
        &format!(
            "the file is larger than this server's upload limit of {} MB; import it with \
             `invlog import FILE`, or start the server with a larger --max-upload",
            limit / 1_000_000
        ),
    )
}

/// Takes one file's bytes (streamed to disk, up to the upload limit) and answers with the path
/// to import it from. The file keeps its name: Ordoro's SKU and the import history come from
/// it.
async fn upload(
    State(state): State<AppState>,
    Query(q): Query<UploadQuery>,
    headers: axum::http::HeaderMap,
    body: Body,
) -> HttpResponse {
    let Some(name) = std::path::Path::new(&q.name)
        .file_name()
        .filter(|n| !n.is_empty())
        .map(ToOwned::to_owned)
    else {
        return refuse(StatusCode::BAD_REQUEST, "the upload needs a file name");
    };
    let limit = state.uploads.max_bytes;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit) {
        return too_large(limit);
    }
    let slot = match state.uploads.new_slot() {
        Ok(s) => s,
        Err(e) => {
            return refuse(
                StatusCode::INTERNAL_SERVER_ERROR,
                &format!("could not receive {}: {e}", q.name),
            )
        }
    };
    let path = slot.join(name);
    let mut over = false;
    let written = async {
        let mut options = tokio::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        options.mode(0o600);
        let mut file = options.open(&path).await?;
        let mut stream = body.into_data_stream();
        let mut received = 0u64;
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(std::io::Error::other)?;
            received += chunk.len() as u64;
            if received > limit {
                over = true;
                return Ok(());
            }
            file.write_all(&chunk).await?;
        }
        file.flush().await
    }
    .await;
    match written {
        Ok(()) if over => {
            state.uploads.release(&slot);
            too_large(limit)
        }
        Ok(()) => Json(json!({ "path": path })).into_response(),
        Err(e) => {
            state.uploads.release(&slot);
            refuse(
                StatusCode::INTERNAL_SERVER_ERROR,
                &format!("could not receive {}: {e}", q.name),
            )
        }
    }
}

#[derive(serde::Deserialize)]
struct TokenQuery {
    token: Option<String>,
}

/// An exported file, as a download: the browser's "open" and "show in folder" for an export
/// written on this machine. A link cannot carry the Authorization header, so the token comes
/// in the query; only files the export history names are served.
async fn export_file(
    State(state): State<AppState>,
    axum::extract::Path(id): axum::extract::Path<i64>,
    Query(q): Query<TokenQuery>,
) -> HttpResponse {
    if !token_matches(q.token.as_deref(), &state.token) {
        return refuse(StatusCode::UNAUTHORIZED, "missing or wrong token");
    }
    let engine = state.engine.clone();
    let record = tokio::task::spawn_blocking(move || export_record(&engine, id)).await;
    let record = match record {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => return refuse(StatusCode::NOT_FOUND, &e.message),
        Err(e) => return refuse(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    };
    // Only the file the export wrote: not another that took its name since.
    if !record.file_exists {
        return refuse(
            StatusCode::NOT_FOUND,
            &format!(
                "{} is no longer the file this export wrote (moved, changed or removed)",
                record.path
            ),
        );
    }
    let file = match tokio::fs::File::open(&record.path).await {
        Ok(f) => f,
        Err(e) => {
            return refuse(
                StatusCode::NOT_FOUND,
                &format!("{} is no longer there: {e}", record.path),
            )
        }
    };
    let chunks = futures_util::stream::unfold(file, |mut f| async move {
        let mut buf = vec![0u8; 256 * 1024];
        match tokio::io::AsyncReadExt::read(&mut f, &mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok::<_, std::io::Error>(buf), f))
            }
            Err(e) => Some((Err(e), f)),
        }
    });
    let content_type = if record.format == "xlsx" {
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    } else {
        "text/csv; charset=utf-8"
    };
    let name: String = record
        .file_name
        .chars()
        .map(|c| if c == '"' || c.is_control() { '_' } else { c })
        .collect();
    (
        [
            (header::CONTENT_TYPE, content_type.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        Body::from_stream(chunks),
    )
        .into_response()
}

/// Export `id` of the history, through the command table.
fn export_record(engine: &Engine, id: i64) -> Result<ExportRecord, AppError> {
    let Response::Exports(list) = engine.dispatch(Request::Exports)? else {
        return Err(AppError {
            kind: ErrorKind::Internal,
            message: "unexpected answer to exports".into(),
        });
    };
    list.into_iter()
        .find(|e| e.id == id)
        .ok_or_else(|| AppError {
            kind: ErrorKind::NotFound,
            message: format!("no export #{id}"),
        })
}

/// Opens `url` in the user's browser: `$BROWSER` if set (the usual convention), else the
/// platform's opener. A failure is reported, not fatal: the URL is printed anyway.
fn open_in_browser(url: &str) {
    let (program, args): (String, Vec<&str>) = match std::env::var("BROWSER") {
        Ok(b) if !b.trim().is_empty() => (b, vec![]),
        _ if cfg!(target_os = "macos") => ("open".into(), vec![]),
        _ if cfg!(windows) => ("cmd".into(), vec!["/C", "start", ""]),
        _ => ("xdg-open".into(), vec![]),
    };
    let spawned = std::process::Command::new(&program)
        .args(args)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .spawn();
    if let Err(e) = spawned {
        eprintln!("invlog: could not open a browser with {program}: {e}; open the URL above");
    }
}

/// Serves until interrupted. The first line on stdout is the URL to open, token included.
fn serve(engine: Engine, port: u16, open: bool, max_upload: u64) -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
        let port = listener.local_addr()?.port();
        let token = new_token()?;
        invlog_app::tasks::schedule::start_timer(&engine, SCHEDULE_CHECK);
        let (stop, stopping) = tokio::sync::watch::channel(false);
        let state = AppState {
            stopping,
            engine,
            uploads: Arc::new(Uploads::create(max_upload)?),
            token: token.clone().into(),
            hosts: vec![format!("127.0.0.1:{port}"), format!("localhost:{port}")].into(),
        };
        let api = Router::new()
            .route("/api", post(api))
            .route(
                "/api/upload",
                post(upload).layer(DefaultBodyLimit::disable()),
            )
            .layer(middleware::from_fn_with_state(state.clone(), check_token));
        let app = Router::new()
            .merge(api)
            .route("/api/exports/{id}/file", get(export_file))
            .route("/api/events", get(events))
            .route("/api/socket", get(socket::open))
            .route("/", get(asset))
            .route("/{*path}", get(asset))
            .layer(middleware::from_fn_with_state(state.clone(), check_host))
            .with_state(state);
        let url = format!("http://127.0.0.1:{port}/?token={token}");
        println!("{url}");
        use std::io::Write;
        std::io::stdout().flush()?;
        if open {
            open_in_browser(&url);
        }
        // Stopped by Ctrl-C, `kill` or a closed terminal alike, the server ends cleanly: its
        // uploads folder goes with it.
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                invlog_app::shutdown::requested().await;
                let _ = stop.send(true);
            })
            .await
    })
}
