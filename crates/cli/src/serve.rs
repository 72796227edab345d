//! `invlog serve`: the browser UI and the command table over HTTP. Bound to 127.0.0.1 only;
//! every request must carry a Host header naming this loopback address (a page on another
//! origin that rebinds its DNS name to 127.0.0.1 sends its own name, and is refused), and
//! every API call this run's random token.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Query, Request as HttpRequest, State};
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response as HttpResponse};
use axum::routing::{get, post};
use axum::{Json, Router};
use futures_util::StreamExt;
use invlog_core::commands::Request;
use invlog_core::export::history;
use invlog_core::{CoreError, Engine, Store};
use serde_json::json;
use tokio::io::AsyncWriteExt;

/// The built UI (`ui/dist`), embedded at compile time; `make` builds it first.
#[derive(rust_embed::RustEmbed)]
#[folder = "../../ui/dist"]
#[allow_missing = true]
struct Assets;

/// Only this origin's own scripts, styles and API: no inline script, no eval.
const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
                   connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

async fn asset(uri: axum::http::Uri) -> HttpResponse {
    let path = uri.path().trim_start_matches('/');
    let path = if path.is_empty() { "index.html" } else { path };
    match Assets::get(path) {
        Some(file) => (
            [
                (header::CONTENT_TYPE, file.metadata.mimetype().to_owned()),
                (header::CONTENT_SECURITY_POLICY, CSP.to_owned()),
                (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_owned()),
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
    /// Files the browser uploads for import (a browser cannot name a path on disk); removed
    /// when the server stops.
    uploads: Arc<tempfile::TempDir>,
    upload_count: Arc<std::sync::atomic::AtomicU64>,
    token: Arc<str>,
    hosts: Arc<[String]>,
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

async fn check_token(State(state): State<AppState>, req: HttpRequest, next: Next) -> HttpResponse {
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer "));
    if bearer != Some(&*state.token) {
        return refuse(StatusCode::UNAUTHORIZED, "missing or wrong token");
    }
    next.run(req).await
}

async fn api(State(state): State<AppState>, Json(request): Json<Request>) -> HttpResponse {
    let engine = state.engine.clone();
    // SQLite work is blocking; keep it off the async workers.
    let result = tokio::task::spawn_blocking(move || engine.dispatch(request)).await;
    match result {
        Ok(Ok(response)) => Json(response).into_response(),
        Ok(Err(CoreError::InvalidQuery(m))) => refuse(StatusCode::BAD_REQUEST, &m),
        Ok(Err(CoreError::NotFound(m))) => refuse(StatusCode::NOT_FOUND, &m),
        Ok(Err(e)) => refuse(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
        Err(e) => refuse(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    }
}

#[derive(serde::Deserialize)]
struct UploadQuery {
    name: String,
}

/// Takes one file's bytes (streamed to disk, whatever the size) and answers with the path to
/// import it from. The file keeps its name: Ordoro's SKU and the import history come from it.
async fn upload(
    State(state): State<AppState>,
    Query(q): Query<UploadQuery>,
    body: Body,
) -> HttpResponse {
    let Some(name) = std::path::Path::new(&q.name)
        .file_name()
        .filter(|n| !n.is_empty())
        .map(ToOwned::to_owned)
    else {
        return refuse(StatusCode::BAD_REQUEST, "the upload needs a file name");
    };
    let n = state.upload_count.fetch_add(1, Ordering::Relaxed);
    let dir = state.uploads.path().join(n.to_string());
    let path = dir.join(name);
    let written = async {
        tokio::fs::create_dir_all(&dir).await?;
        let mut file = tokio::fs::File::create(&path).await?;
        let mut stream = body.into_data_stream();
        while let Some(chunk) = stream.next().await {
            file.write_all(&chunk.map_err(std::io::Error::other)?)
                .await?;
        }
        file.flush().await
    }
    .await;
    match written {
        Ok(()) => Json(json!({ "path": path })).into_response(),
        Err(e) => refuse(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("could not receive {}: {e}", q.name),
        ),
    }
}

#[derive(serde::Deserialize)]
struct TokenQuery {
    token: String,
}

/// An exported file, as a download: the browser's "open" and "show in folder" for an export
/// written on this machine. A link cannot carry the Authorization header, so the token comes
/// in the query; only files the export history names are served.
async fn export_file(
    State(state): State<AppState>,
    axum::extract::Path(id): axum::extract::Path<i64>,
    Query(q): Query<TokenQuery>,
) -> HttpResponse {
    if q.token != *state.token {
        return refuse(StatusCode::UNAUTHORIZED, "missing or wrong token");
    }
    let engine = state.engine.clone();
    let record = tokio::task::spawn_blocking(move || history::get(&engine, id)).await;
    let record = match record {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => return refuse(StatusCode::NOT_FOUND, &e.to_string()),
        Err(e) => return refuse(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
    };
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
pub fn run(store: Store, port: u16, open: bool) -> std::io::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
        let port = listener.local_addr()?.port();
        let token = new_token()?;
        let engine = Engine::new(store).map_err(std::io::Error::other)?;
        invlog_core::export::schedule::start_scheduler(&engine, SCHEDULE_CHECK);
        let state = AppState {
            engine,
            uploads: Arc::new(
                tempfile::Builder::new()
                    .prefix("invlog-uploads-")
                    .tempdir()?,
            ),
            upload_count: Arc::default(),
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
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
    })
}
