//! Re-running an entry's stored API request (Xoro's "Resolve and Run again") as a task: the
//! stored method, URL, headers and body, sent again with a real HTTP client. The attempt is on
//! record before the request leaves; whatever happens next it is recorded (an answer, a
//! failure, or — cancelled while waiting — unknown). The store is not held while waiting for
//! the server: the table stays usable during a slow re-run.

use std::sync::mpsc;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use invlog_core::redaction;
use invlog_core::rerun::{
    self, Answer, Attempt, Exchange, Outgoing, RerunRequest, CANCELLED_WHILE_SENDING,
    DEFAULT_TIMEOUT_SECS, MAX_TIMEOUT_SECS,
};
use invlog_core::resolve::{self, SetResolved};
use invlog_core::time::now_millis;
use invlog_core::{CoreError, Result};
use rusqlite::OptionalExtension;

use crate::engine::Engine;
use crate::runner::{Task, TaskCtx, TaskKind};

/// How often a re-run waiting for its answer looks whether it was cancelled.
const CANCEL_CHECK: Duration = Duration::from_millis(50);

/// Sends the entry's stored request again as a task, waits for it and returns the attempt.
pub fn run(engine: &Engine, req: &RerunRequest) -> Result<Attempt> {
    let timeout = req.timeout_secs.unwrap_or(DEFAULT_TIMEOUT_SECS);
    if !(1..=MAX_TIMEOUT_SECS).contains(&timeout) {
        return Err(CoreError::InvalidQuery(format!(
            "timeout must be between 1 and {MAX_TIMEOUT_SECS} seconds, not {timeout}"
        )));
    }
    let stored: Option<Option<String>> = engine
        .store()?
        .conn()
        .query_row(
            "SELECT p.request FROM entries e LEFT JOIN payloads p ON p.entry_id = e.id
             WHERE e.id = ?1",
            [req.entry_id],
            |r| r.get(0),
        )
        .optional()?;
    let stored = stored
        .ok_or_else(|| CoreError::NotFound(format!("no entry with id {}", req.entry_id)))?
        .ok_or_else(|| {
            CoreError::InvalidQuery(format!(
                "entry {}: it has no stored API request to re-run",
                req.entry_id
            ))
        })?;
    let out = rerun::outgoing(&stored, req.entry_id)?;
    let user = resolve::current_user();
    // The attempt is on record before the request leaves: whatever happens next (the store
    // busy with an import, the process killed), it is never as if nothing had been sent.
    let at = now_millis();
    let attempt_id = rerun::reserve(&engine.writer(), req.entry_id, &out, at, &user)?;
    let mut task = Task::new(
        TaskKind::Rerun,
        format!("Re-run entry {}", req.entry_id),
        "requests",
    );
    task.record_id = Some(attempt_id);
    task.progress.total = Some(1);
    let slot: Arc<Mutex<Option<Result<Attempt>>>> = Arc::default();
    let keep = slot.clone();
    let engine2 = engine.clone();
    let req = req.clone();
    let task = engine.tasks().spawn(task, false, move |ctx| {
        let outcome = send_and_record(&engine2, &req, &out, attempt_id, at, &user, timeout, ctx);
        let error = outcome.as_ref().err().map(ToString::to_string);
        let attempt = outcome.as_ref().ok().cloned();
        let cancelled = attempt
            .as_ref()
            .is_some_and(|a| a.outcome.as_deref() == Some("unknown"));
        *keep.lock().unwrap_or_else(PoisonError::into_inner) = Some(outcome);
        ctx.update(|t| {
            t.progress.done = 1;
            t.attempt = attempt;
        });
        ctx.end_as(cancelled, error);
    })?;
    engine.tasks().wait(task.id);
    let outcome = slot.lock().unwrap_or_else(PoisonError::into_inner).take();
    outcome.unwrap_or_else(|| {
        Err(CoreError::InvalidQuery(
            "the re-run ended without a result".into(),
        ))
    })
}

#[allow(clippy::too_many_arguments)]
fn send_and_record(
    engine: &Engine,
    req: &RerunRequest,
    out: &Outgoing,
    attempt_id: i64,
    at: i64,
    user: &str,
    timeout: u32,
    ctx: &TaskCtx,
) -> Result<Attempt> {
    // The client blocks; it answers on a thread of its own so a cancel is heard at once. A
    // cancelled exchange's thread ends by the time-out at the latest.
    let (tx, rx) = mpsc::channel();
    let outgoing = out.clone();
    std::thread::Builder::new()
        .name(format!("invlog-rerun-{attempt_id}"))
        .spawn(move || {
            let _ = tx.send(send(&outgoing, Duration::from_secs(timeout.into())));
        })
        .map_err(|e| CoreError::InvalidQuery(format!("cannot send the request: {e}")))?;
    let exchange = loop {
        match rx.recv_timeout(CANCEL_CHECK) {
            Ok(exchange) => break Some(exchange),
            Err(mpsc::RecvTimeoutError::Timeout) if ctx.is_cancelled() => break None,
            Err(mpsc::RecvTimeoutError::Timeout) => continue,
            Err(mpsc::RecvTimeoutError::Disconnected) => break None,
        }
    };
    let Some(exchange) = exchange else {
        return rerun::record_unknown(
            &mut engine.writer(),
            attempt_id,
            req.entry_id,
            CANCELLED_WHILE_SENDING,
        );
    };
    // Waits for any other writer as long as it takes: the request has been sent.
    let attempt = rerun::record(
        &mut engine.writer(),
        attempt_id,
        req.entry_id,
        out,
        at,
        &exchange,
        user,
    )?;
    if req.resolve_on_success && attempt.outcome.as_deref() == Some("success") {
        resolve::set(
            &mut engine.writer(),
            &SetResolved {
                ids: vec![req.entry_id],
                resolved: true,
                note: Some(format!(
                    "Re-run succeeded (HTTP {})",
                    attempt.http_status.unwrap_or_default()
                )),
            },
            user,
        )?;
    }
    Ok(attempt)
}

pub fn send(out: &Outgoing, timeout: Duration) -> Exchange {
    let started = Instant::now();
    // `outgoing` refuses a method the client cannot send, before anything is recorded.
    let Ok(method) = reqwest::Method::from_bytes(out.method.as_bytes()) else {
        return Exchange {
            duration_ms: 0,
            outcome: Err(format!("'{}' is not a valid HTTP method", out.method)),
        };
    };
    let outcome = try_send(out, method, timeout);
    Exchange {
        duration_ms: started.elapsed().as_millis() as i64,
        // reqwest quotes the URL in its errors, credentials and all.
        outcome: outcome.map_err(|e| redaction::mask_text(&describe(&e.without_url(), timeout))),
    }
}

fn try_send(
    out: &Outgoing,
    method: reqwest::Method,
    timeout: Duration,
) -> std::result::Result<Answer, reqwest::Error> {
    // One process-wide TLS provider; a second install is refused harmlessly.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::blocking::Client::builder()
        .timeout(timeout)
        // The attempt records what the server answered to exactly this request.
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let mut builder = client.request(method, &out.url);
    for (k, v) in &out.headers {
        builder = builder.header(k, v);
    }
    if let Some(body) = &out.body {
        builder = builder.body(body.clone());
    }
    let resp = builder.send()?;
    let status = resp.status();
    let headers = resp
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect();
    let body = resp.text()?;
    Ok(Answer {
        status: status.as_u16(),
        reason: status.canonical_reason().map(str::to_owned),
        headers,
        body,
    })
}

fn describe(e: &reqwest::Error, timeout: Duration) -> String {
    if e.is_timeout() {
        return format!("timed out after {} s", timeout.as_secs());
    }
    let mut text = if e.is_connect() {
        "connection failed".to_owned()
    } else if e.is_builder() {
        "the request could not be built".to_owned()
    } else {
        "the request failed".to_owned()
    };
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}
