//! Re-running an entry's stored API request (Xoro's "Resolve and Run again"): the stored
//! method, URL, headers and body, sent again with a real HTTP client. Every attempt is
//! recorded whatever happens; the entry keeps its original request and response, and only its
//! retry facts (retry_count, last retry, last retry details) move on.
//!
//! This module holds what a re-run reads and records; the sending (an HTTP client, a wait of
//! up to minutes) is a task of the app crate, so every shell sends the same bytes and records
//! the same outcome through it.

use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use ts_rs::TS;

use crate::detail::payload::{self, Payload};
use crate::error::{CoreError, Result};
use crate::redaction;
use crate::store::Store;
use crate::time::format_instant;

pub const DEFAULT_TIMEOUT_SECS: u32 = 30;
pub const MAX_TIMEOUT_SECS: u32 = 600;

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
pub struct RerunRequest {
    pub entry_id: i64,
    /// Seconds to wait for the whole exchange; 30 when not given.
    #[serde(default)]
    pub timeout_secs: Option<u32>,
    /// Mark the entry resolved when the re-run succeeds ("Resolve and Run again").
    #[serde(default)]
    pub resolve_on_success: bool,
}

/// One attempt of an entry's API request: the original push or a re-run.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Attempt {
    /// None for the original push (the entry itself).
    pub id: Option<i64>,
    pub at: Option<String>,
    pub duration_ms: Option<i64>,
    pub method: Option<String>,
    /// Secret query parameters masked.
    pub url: Option<String>,
    pub http_status: Option<i64>,
    /// `success`, `failed` or (an original still in flight) `pending`.
    pub outcome: Option<String>,
    pub reason: Option<String>,
    /// Who ran it; None for the original.
    pub user_name: Option<String>,
}

/// The original push, from the entry's own facts.
pub fn original_attempt(
    request: &Payload,
    response: Option<&Payload>,
    occurred_at: &Value,
    status: &Value,
    error: &Value,
) -> Attempt {
    Attempt {
        id: None,
        at: occurred_at.as_str().map(str::to_owned),
        duration_ms: response.and_then(|r| r.duration_ms),
        method: request.method.clone(),
        url: request.url.clone(),
        http_status: response.and_then(|r| r.status),
        outcome: status.as_str().map(str::to_owned),
        reason: error.as_str().map(str::to_owned),
        user_name: None,
    }
}

/// The re-runs of an entry, oldest first.
pub fn attempts(store: &Store, entry_id: i64) -> Result<Vec<Attempt>> {
    let mut st = store.conn().prepare(
        "SELECT id, at, duration_ms, method, url, http_status, outcome, reason, user_name,
                owner_pid
         FROM attempts WHERE entry_id = ?1 ORDER BY id",
    )?;
    let rows = st.query_map([entry_id], |r| {
        let mut outcome: Option<String> = r.get(6)?;
        let mut reason: Option<String> = r.get(7)?;
        // Sent by a process that died before it could record the answer.
        if outcome.as_deref() == Some("sending") && crate::owners::owner_gone(r.get(9)?) {
            outcome = Some("unknown".into());
            reason = Some(OUTCOME_UNKNOWN.into());
        }
        Ok(Attempt {
            id: r.get(0)?,
            at: Some(format_instant(r.get(1)?)),
            duration_ms: r.get(2)?,
            method: r.get(3)?,
            url: r.get::<_, String>(4).map(|u| Some(mask_url(u)))?,
            http_status: r.get(5)?,
            outcome,
            reason: reason.map(|r| redaction::mask_text(&r)),
            user_name: r.get(8)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The response re-run `attempt` of entry `entry_id` got, as stored (status, duration,
/// headers and body); None when none came (a time-out, a refused connection).
pub fn response_of(store: &Store, entry_id: i64, attempt: i64) -> Result<Option<String>> {
    store
        .conn()
        .query_row(
            "SELECT response FROM attempts WHERE id = ?1 AND entry_id = ?2",
            [attempt, entry_id],
            |r| r.get(0),
        )
        .optional()?
        .ok_or_else(|| {
            CoreError::NotFound(format!("entry {entry_id} has no re-run with id {attempt}"))
        })
}

fn mask_url(url: String) -> String {
    redaction::mask_text(&url)
}

/// Why an attempt's outcome is unknown.
pub const OUTCOME_UNKNOWN: &str =
    "outcome unknown: the app closed after sending the request and before recording the \
     answer; the server may have received it";

/// Marks the attempts a dead process left `sending` as `unknown` (they count as re-runs: the
/// request may have reached the server). Reads only, unless there are some; never waits.
pub fn mark_unknown(store: &mut Store) -> Result<usize> {
    let sending: Vec<(i64, i64, Option<u32>)> = store
        .conn()
        .prepare("SELECT id, entry_id, owner_pid FROM attempts WHERE outcome = 'sending'")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let dead: Vec<(i64, i64)> = sending
        .into_iter()
        .filter(|(_, _, pid)| crate::owners::owner_gone(*pid))
        .map(|(id, entry, _)| (id, entry))
        .collect();
    if dead.is_empty() {
        return Ok(0);
    }
    let written = store.try_write(|tx| {
        for (id, entry) in &dead {
            let n = tx.execute(
                "UPDATE attempts SET outcome = 'unknown', reason = ?2
                 WHERE id = ?1 AND outcome = 'sending'",
                params![id, OUTCOME_UNKNOWN],
            )?;
            if n == 1 {
                count_as_rerun(tx, *entry, *id, OUTCOME_UNKNOWN)?;
            }
        }
        Ok(dead.len())
    })?;
    Ok(written.unwrap_or(0))
}

/// Why the outcome of an attempt stopped while it waited for the answer is unknown.
pub const CANCELLED_WHILE_SENDING: &str =
    "cancelled while waiting for the answer; the request was sent, and the server may have \
     received it";

/// Records attempt `attempt_id` of entry `entry_id` as `unknown` (stopped after sending, before
/// the answer): it counts as a re-run, as the request may have reached the server.
pub fn record_unknown(
    store: &mut Store,
    attempt_id: i64,
    entry_id: i64,
    reason: &str,
) -> Result<Attempt> {
    let tx = store.conn_mut().transaction()?;
    tx.execute(
        "UPDATE attempts SET outcome = 'unknown', reason = ?2 WHERE id = ?1",
        params![attempt_id, reason],
    )?;
    count_as_rerun(&tx, entry_id, attempt_id, reason)?;
    tx.commit()?;
    attempts(store, entry_id)?
        .into_iter()
        .find(|a| a.id == Some(attempt_id))
        .ok_or_else(|| CoreError::NotFound(format!("no attempt #{attempt_id}")))
}

/// An attempt whose outcome is unknown counts as a re-run of its entry: the request may have
/// reached the server.
fn count_as_rerun(
    tx: &rusqlite::Transaction<'_>,
    entry_id: i64,
    attempt_id: i64,
    reason: &str,
) -> rusqlite::Result<usize> {
    tx.execute(
        "UPDATE entries SET retry_count = coalesce(retry_count, 0) + 1,
                last_retry_at = (SELECT at FROM attempts WHERE id = ?2),
                last_retry_details = ?3
         WHERE id = ?1",
        params![entry_id, attempt_id, format!("Re-run: {reason}")],
    )
}

/// The request as it will be sent, read from the stored document.
#[derive(Debug, Clone, PartialEq)]
pub struct Outgoing {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
}

/// Headers the client computes for the bytes it actually sends; replaying stored ones would
/// contradict them.
const CLIENT_HEADERS: &[&str] = &[
    "host",
    "content-length",
    "connection",
    "transfer-encoding",
    "keep-alive",
    "upgrade",
    "te",
    "trailer",
    "proxy-connection",
];

/// Reads the stored request of entry `entry_id`. Refuses what cannot be replayed exactly: no
/// request, no method or URL, a scheme other than http/https.
pub fn outgoing(stored: &str, entry_id: i64) -> Result<Outgoing> {
    let refuse =
        |why: &str| CoreError::InvalidQuery(format!("entry {entry_id}: {why}; nothing was sent"));
    let Ok(Value::Object(doc)) = serde_json::from_str::<Value>(stored) else {
        return Err(refuse(
            "the stored API request is not a JSON object with a method and URL",
        ));
    };
    let text = |k: &str| {
        doc.get(k)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
    };
    let method = text("method").ok_or_else(|| refuse("the stored API request names no method"))?;
    // What is recorded must be what is sent: a method the client cannot send is refused, never
    // replaced by another.
    if http::Method::from_bytes(method.to_ascii_uppercase().as_bytes()).is_err() {
        return Err(refuse(&format!(
            "the stored method '{}' is not a valid HTTP method",
            method.escape_debug()
        )));
    }
    let url = text("url").ok_or_else(|| refuse("the stored API request names no URL"))?;
    let scheme = url.split_once("://").map(|(s, _)| s.to_ascii_lowercase());
    if !matches!(scheme.as_deref(), Some("http" | "https")) {
        return Err(refuse(&format!(
            "only http and https requests can be re-run, not '{}'",
            mask_url(url.to_owned())
        )));
    }
    let headers = match doc.get("headers") {
        Some(Value::Object(h)) => h
            .iter()
            .filter(|(k, _)| !CLIENT_HEADERS.contains(&k.to_ascii_lowercase().as_str()))
            .map(|(k, v)| {
                let v = match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                (k.clone(), v)
            })
            .collect(),
        _ => Vec::new(),
    };
    Ok(Outgoing {
        method: method.to_ascii_uppercase(),
        url: url.to_owned(),
        headers,
        body: doc.get("body").and_then(payload::wire_body),
    })
}

/// What came back: a response (any status), or why there was none.
#[derive(Debug)]
pub struct Exchange {
    pub duration_ms: i64,
    pub outcome: std::result::Result<Answer, String>,
}

#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub reason: Option<String>,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

/// The attempt's row, written before its request is sent: `sending`, owned by this process.
pub fn reserve(store: &Store, entry_id: i64, out: &Outgoing, at: i64, user: &str) -> Result<i64> {
    store.conn().execute(
        "INSERT INTO attempts (entry_id, at, method, url, outcome, user_name, owner_pid)
         VALUES (?1, ?2, ?3, ?4, 'sending', ?5, ?6)",
        params![entry_id, at, out.method, out.url, user, std::process::id()],
    )?;
    Ok(store.conn().last_insert_rowid())
}

#[allow(clippy::too_many_arguments)]
pub fn record(
    store: &mut Store,
    attempt_id: i64,
    entry_id: i64,
    out: &Outgoing,
    at: i64,
    exchange: &Exchange,
    user: &str,
) -> Result<Attempt> {
    let (http_status, outcome, reason, response) = match &exchange.outcome {
        Ok(a) => {
            let ok = (200..300).contains(&a.status);
            let line = format!(
                "HTTP {}{}",
                a.status,
                a.reason
                    .as_deref()
                    .map(|r| format!(" {r}"))
                    .unwrap_or_default()
            );
            let headers: Map<String, Value> = a
                .headers
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect();
            let body = serde_json::from_str::<Value>(&a.body)
                .unwrap_or_else(|_| Value::String(a.body.clone()));
            let doc = json!({"status": a.status, "duration_ms": exchange.duration_ms, "headers": headers, "body": body});
            (
                Some(i64::from(a.status)),
                if ok { "success" } else { "failed" },
                (!ok).then_some(line),
                Some(doc.to_string()),
            )
        }
        Err(why) => (None, "failed", Some(why.clone()), None),
    };
    let details = match (&reason, http_status) {
        (None, Some(s)) => format!("Re-run by {user}: success, HTTP {s}"),
        (Some(r), _) => format!("Re-run by {user}: {r}"),
        (None, None) => format!("Re-run by {user}"),
    };
    let tx = store.conn_mut().transaction()?;
    tx.execute(
        "UPDATE attempts SET duration_ms = ?2, http_status = ?3, outcome = ?4, reason = ?5,
                             response = ?6
         WHERE id = ?1",
        params![
            attempt_id,
            exchange.duration_ms,
            http_status,
            outcome,
            reason,
            response
        ],
    )?;
    let id = attempt_id;
    tx.execute(
        "UPDATE entries SET retry_count = coalesce(retry_count, 0) + 1, last_retry_at = ?2,
                            last_retry_details = ?3
         WHERE id = ?1",
        params![entry_id, at, details],
    )?;
    tx.commit()?;
    Ok(Attempt {
        id: Some(id),
        at: Some(format_instant(at)),
        duration_ms: Some(exchange.duration_ms),
        method: Some(out.method.clone()),
        url: Some(mask_url(out.url.clone())),
        http_status,
        outcome: Some(outcome.to_owned()),
        reason,
        user_name: Some(user.to_owned()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outgoing_is_the_stored_request_without_client_headers() {
        let out = outgoing(
            r#"{"method":"put","url":"https://x.example/v1?api_key=k","headers":
               {"Authorization":"Bearer t","Content-Length":"99","Host":"old","X-N":5},
               "body":{"sku":"A","qty":1}}"#,
            7,
        )
        .unwrap();
        assert_eq!(out.method, "PUT");
        assert_eq!(out.url, "https://x.example/v1?api_key=k");
        assert_eq!(
            out.headers,
            vec![
                ("Authorization".into(), "Bearer t".into()),
                ("X-N".into(), "5".into())
            ]
        );
        assert_eq!(out.body.as_deref(), Some(r#"{"sku":"A","qty":1}"#));
    }

    #[test]
    fn refuses_what_cannot_be_replayed() {
        for (doc, why) in [
            (r#"{"url":"https://x"}"#, "names no method"),
            (r#"{"method":"GET"}"#, "names no URL"),
            (
                r#"{"method":"GET","url":"ftp://x/f?token=s"}"#,
                "only http and https",
            ),
            ("not json", "not a JSON object"),
            (
                r#"{"method":"PU T","url":"https://x/?token=s"}"#,
                "'PU T' is not a valid HTTP method",
            ),
        ] {
            let e = outgoing(doc, 3).unwrap_err().to_string();
            assert!(e.contains(why) && e.starts_with("entry 3:"), "{e}");
            assert!(!e.contains("token=s"), "secrets stay masked in errors: {e}");
        }
    }
}
