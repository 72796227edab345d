//! ShipHero's GraphQL API: an access token from the refresh token (`auth/refresh` on the same
//! host, renewed before it expires and on a 401); `inventory_changes` walked in date windows
//! from the cursor, page by page (`data(first, after)`); then the sync batches, and the rows of
//! each batch not yet final. A "not enough credits" error (code 30) is waited out as it says.
//!
//! Cursor: `{"from": ISO, "after": endCursor?, "final_batches": [ids]}`: the window a pull
//! goes on from, the page within it, and the batches whose rows are all stored and can change
//! no more.

use std::time::Duration;

use reqwest::Method;
use serde_json::{json, Value};

use invlog_core::ingest::pull::Page;
use invlog_core::time::{format_instant, now_millis, parse_instant};

use super::error::{ConnectorError, Result};
use super::http::{self, Call};
use super::{json_of, refused, take_token, unexpected, PageWriter, Session};

/// Days of changes asked for at once: a window ShipHero answers for any filter (a `reason`
/// search needs ≤ 60 days).
const WINDOW_DAYS: i64 = 30;
const FIRST: u32 = 100;
/// How many times in a row a pull waits for credits before it gives up.
const CREDIT_WAITS: u32 = 20;

const CHANGES: &str = "query($from: ISODateTime, $to: ISODateTime, $first: Int, $after: String) {
  inventory_changes(date_from: $from, date_to: $to) {
    request_id complexity
    data(first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      edges { node { id legacy_id user_id account_id warehouse_id sku previous_on_hand
                     change_in_on_hand reason cycle_counted location_id lot_id lot_name
                     lot_expiration created_at } }
    }
  }
}";

const BATCHES: &str = "query($first: Int, $after: String) {
  inventory_sync_statuses {
    request_id complexity
    data(first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      edges { node { id url user_id account_id warehouse_id customer_account_id total_count
                     status error created_at updated_at success_count error_count
                     finished_count } }
    }
  }
}";

const ITEMS: &str = "query($id: String!, $first: Int, $after: String) {
  inventory_sync_items_status(id: $id) {
    request_id complexity
    data(first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      edges { node { id row sku quantity action reason location status error created_at
                     updated_at } }
    }
  }
}";

fn renew(s: &mut Session<'_>) -> Result<()> {
    let url = s.url("auth/refresh")?;
    let page = format!("the access token from {}", http::host(&url));
    let body = serde_json::to_vec(&json!({ "refresh_token": s.secret })).unwrap_or_default();
    let answer = s.send(&Call {
        method: Method::POST,
        url: url.clone(),
        headers: vec![("content-type", "application/json".to_owned())],
        basic: None,
        body: Some(body),
        page: &page,
    })?;
    take_token(s, &page, &url, &answer)
}

/// Seconds a code-30 error asks to wait ("… In 7 seconds"); None for any other error.
fn credit_wait(errors: &[Value]) -> Option<u64> {
    errors.iter().find_map(|e| {
        let code = e
            .get("code")
            .or_else(|| e.pointer("/extensions/code"))
            .and_then(|c| {
                c.as_i64()
                    .or_else(|| c.as_str().and_then(|t| t.parse().ok()))
            });
        if code != Some(30) {
            return None;
        }
        let message = e.get("message").and_then(Value::as_str).unwrap_or_default();
        let lower = message.to_ascii_lowercase();
        // "… In 7 seconds …": the number before "second".
        let seconds = lower
            .match_indices("in ")
            .find_map(|(i, _)| {
                let rest = &lower[i + 3..];
                let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
                let after = rest[digits.len()..].trim_start();
                (!digits.is_empty() && after.starts_with("second"))
                    .then(|| digits.parse().ok())
                    .flatten()
            })
            .or_else(|| e.get("time_remaining").and_then(Value::as_u64));
        Some(seconds.unwrap_or(1))
    })
}

/// Runs one GraphQL query and returns its answer (the bytes, as the importer reads them, and
/// the parsed value), waiting out credit errors.
fn query(s: &mut Session<'_>, q: &str, vars: Value, page: &str) -> Result<(Vec<u8>, Value)> {
    let url = s.url("graphql")?;
    let body = serde_json::to_vec(&json!({ "query": q, "variables": vars })).unwrap_or_default();
    // One new token after a 401; a second 401 is the refresh token.
    let (mut retried, mut waits) = (false, 0);
    loop {
        let fresh = s
            .token
            .as_ref()
            .is_some_and(|(_, until)| *until > std::time::Instant::now() + Duration::from_secs(60));
        if !fresh {
            renew(s)?;
        }
        let token = s.token.as_ref().map(|(t, _)| t.clone()).unwrap_or_default();
        let answer = s.send(&Call {
            method: Method::POST,
            url: url.clone(),
            headers: vec![
                ("content-type", "application/json".to_owned()),
                ("authorization", format!("Bearer {token}")),
            ],
            basic: None,
            body: Some(body.clone()),
            page,
        })?;
        match answer.status {
            200..=299 => {}
            401 if !retried => {
                s.token = None;
                retried = true;
                continue;
            }
            401 | 403 => return Err(refused(&url, answer.status, s.conn.kind)),
            _ => return Err(unexpected(page, &url, &answer)),
        }
        let v = json_of(page, &answer.body)?;
        let errors = v
            .get("errors")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if let Some(seconds) = credit_wait(&errors) {
            waits += 1;
            if waits > CREDIT_WAITS {
                return Err(ConnectorError::Api {
                    page: page.to_owned(),
                    host: http::host(&url),
                    message: format!("still not enough credits after {CREDIT_WAITS} waits"),
                });
            }
            http::sleep_unless(Duration::from_secs(seconds), s.cancelled)?;
            continue;
        }
        if let Some(e) = errors.first() {
            let message = e
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or("an error");
            return Err(ConnectorError::Api {
                page: page.to_owned(),
                host: http::host(&url),
                message: invlog_core::redaction::mask_text(message),
            });
        }
        return Ok((answer.body, v));
    }
}

/// The `pageInfo` of the connection at `root`: whether more follows, and from where.
fn page_info(v: &Value, root: &str, page: &str) -> Result<(bool, Option<String>, Vec<Value>)> {
    let data =
        v.pointer(&format!("/data/{root}/data"))
            .ok_or_else(|| ConnectorError::Malformed {
                page: page.to_owned(),
                reason: format!("no data.{root}.data in the answer"),
            })?;
    let more = data
        .pointer("/pageInfo/hasNextPage")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let end = data
        .pointer("/pageInfo/endCursor")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let nodes = data
        .get("edges")
        .and_then(Value::as_array)
        .map(|e| e.iter().filter_map(|x| x.get("node").cloned()).collect())
        .unwrap_or_default();
    Ok((more && end.is_some(), end, nodes))
}

fn is_final(status: &str) -> bool {
    !matches!(status, "pending" | "processing" | "")
}

pub fn pull(s: &mut Session<'_>, cursor: &Value, out: &mut dyn PageWriter) -> Result<()> {
    let until = now_millis();
    let mut from = cursor
        .get("from")
        .and_then(Value::as_str)
        .and_then(parse_instant)
        .or_else(|| parse_instant(&s.conn.since))
        .unwrap_or(until);
    let mut after = cursor
        .get("after")
        .and_then(Value::as_str)
        .map(str::to_owned);
    let mut finals: Vec<String> = cursor
        .get("final_batches")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let cursor_at = |from: i64, after: &Option<String>, finals: &[String]| json!({ "from": format_instant(from), "after": after, "final_batches": finals });
    let mut number = 1;
    // Inventory changes, window by window up to the pull's start.
    while from < until {
        let to = (from + WINDOW_DAYS * 86_400_000).min(until);
        let label = format!(
            "changes page {number} ({} to {})",
            format_instant(from),
            format_instant(to)
        );
        let vars = json!({ "from": format_instant(from), "to": format_instant(to), "first": FIRST, "after": after });
        let (body, v) = query(s, CHANGES, vars, &label)?;
        let (more, end, _) = page_info(&v, "inventory_changes", &label)?;
        if more {
            after = end;
        } else {
            from = to;
            after = None;
        }
        out.page(
            &label,
            &Page::ShipheroChanges,
            &body,
            &cursor_at(from, &after, &finals),
        )?;
        number += 1;
    }
    // The sync batches, then the rows of each one not yet known final.
    let mut batches = Vec::new();
    let mut batch_after: Option<String> = None;
    loop {
        let label = format!("sync batches page {}", batches.len() / FIRST as usize + 1);
        let vars = json!({ "first": FIRST, "after": batch_after });
        let (body, v) = query(s, BATCHES, vars, &label)?;
        let (more, end, nodes) = page_info(&v, "inventory_sync_statuses", &label)?;
        out.page(
            &label,
            &Page::ShipheroBatches,
            &body,
            &cursor_at(from, &None, &finals),
        )?;
        batches.extend(nodes.into_iter().filter_map(|n| {
            let id = n.get("id").and_then(Value::as_str)?.to_owned();
            let status = n
                .get("status")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            Some((id, status))
        }));
        if !more {
            break;
        }
        batch_after = end;
    }
    for (id, status) in batches {
        if finals.contains(&id) {
            continue;
        }
        let mut item_after: Option<String> = None;
        let mut n = 1;
        loop {
            let label = format!("rows page {n} of sync batch {id}");
            let vars = json!({ "id": id, "first": FIRST, "after": item_after });
            let (body, v) = query(s, ITEMS, vars, &label)?;
            let (more, end, _) = page_info(&v, "inventory_sync_items_status", &label)?;
            if !more && is_final(&status) {
                finals.push(id.clone());
            }
            out.page(
                &label,
                &Page::ShipheroItems { batch: id.clone() },
                &body,
                &cursor_at(from, &None, &finals),
            )?;
            if !more {
                break;
            }
            item_after = end;
            n += 1;
        }
    }
    Ok(())
}

pub fn test(s: &mut Session<'_>) -> Result<String> {
    let vars = json!({ "first": 1, "after": null });
    let (_, v) = query(s, BATCHES, vars, "a test query")?;
    page_info(&v, "inventory_sync_statuses", "a test query")?;
    Ok("connected".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_credit_error_says_how_long_to_wait() {
        let e = json!([{"code": 30, "message": "There are not enough credits to perform the requested operation, which requires 101 credits. The user has 5 credits remaining. In 7 seconds you will have enough credits"}]);
        assert_eq!(credit_wait(e.as_array().unwrap()), Some(7));
        let worded = json!([{"extensions": {"code": "30"}, "message": "not enough credits in your account: only 3 left. In 12 seconds you will have 120"}]);
        assert_eq!(credit_wait(worded.as_array().unwrap()), Some(12));
        let other = json!([{"code": 6, "message": "In 3 seconds"}]);
        assert_eq!(credit_wait(other.as_array().unwrap()), None);
    }
}
