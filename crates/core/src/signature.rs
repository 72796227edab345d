//! Error signatures: what went wrong in a failed push, with what varies from one occurrence to
//! the next (numbers, SKUs, ids, quoted values, times) taken out, so that "SKU 'SKU-00017' not
//! found" and "SKU 'SKU-12345' not found" are one problem. Read from the source's own error
//! text, else from the API response body (JSON error fields, an HTML error page's title, the
//! first line of plain text), with the HTTP status in front.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

/// Between an error's code and its message while they travel together.
const CODE_MARK: char = '\u{1f}';

/// Longest signature kept: enough to tell problems apart, short enough to group on.
const MAX_CHARS: usize = 160;

/// The signature of a failure: its HTTP status (when known), the source's error text (when it
/// gave one) or else what the response body says. None when there is nothing to go on.
pub fn signature(
    http_status: Option<i64>,
    error_text: Option<&str>,
    body: Option<&str>,
) -> Option<String> {
    let said = error_text
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(message_of_text)
        .or_else(|| body.and_then(message_of_body));
    // An error code names its problem as it is (E1001 and E2002 are two); the message is
    // normalised.
    let said = said.and_then(|m| {
        let (code, text) = match m.split_once(CODE_MARK) {
            Some((c, t)) => (Some(c.trim().to_owned()), t.to_owned()),
            None => (None, m),
        };
        let text = normalise(&text);
        match (code.filter(|c| !c.is_empty()), text.is_empty()) {
            (Some(c), true) => Some(c),
            (Some(c), false) => Some(format!("{c}: {text}")),
            (None, false) => Some(text),
            (None, true) => None,
        }
    });
    match (http_status.filter(|s| *s > 0), said) {
        (Some(s), Some(m)) => Some(format!("HTTP {s}: {m}")),
        (Some(s), None) => Some(format!("HTTP {s}")),
        (None, Some(m)) => Some(m),
        (None, None) => None,
    }
}

/// The parts of a stored API response (`{"status": 503, "headers": …, "body": …}`, the push
/// logs' and Konnect's shape): its HTTP status and its body as text. A response that is not
/// such an object is all body.
fn response_parts(response: &str) -> (Option<i64>, Option<String>) {
    match serde_json::from_str::<Value>(response) {
        Ok(Value::Object(o)) if o.contains_key("status") || o.contains_key("body") => {
            let status = o.get("status").and_then(|s| match s {
                Value::Number(n) => n.as_i64(),
                Value::String(t) => t.trim().parse().ok(),
                _ => None,
            });
            let body = o.get("body").and_then(|b| match b {
                Value::Null => None,
                Value::String(t) => Some(t.clone()),
                other => Some(other.to_string()),
            });
            (status, body)
        }
        _ => (None, Some(response.to_owned())),
    }
}

/// The source's own words for the failure: the entry's error, else its sync batch's.
fn own_text<'t>(error_text: Option<&'t str>, batch_error: Option<&'t str>) -> Option<&'t str> {
    [error_text, batch_error]
        .into_iter()
        .flatten()
        .find(|t| !t.trim().is_empty())
}

/// The signature of a stored entry: the HTTP status of its API response, and its own error
/// text, else its sync batch's, else what the response body says.
pub fn of_entry(
    error_text: Option<&str>,
    batch_error: Option<&str>,
    response: Option<&str>,
) -> Option<String> {
    let (status, body) = response.map(response_parts).unwrap_or_default();
    signature(status, own_text(error_text, batch_error), body.as_deref())
}

/// What an entry's error says, as it said it (not normalised): the example a group shows.
pub fn message_of_entry(
    error_text: Option<&str>,
    batch_error: Option<&str>,
    response: Option<&str>,
) -> Option<String> {
    let (status, body) = response.map(response_parts).unwrap_or_default();
    let said = own_text(error_text, batch_error)
        .map(|t| message_of_text(t.trim()))
        .or_else(|| body.as_deref().and_then(message_of_body))
        .map(|m| m.replace(CODE_MARK, ": "));
    match (status.filter(|s| *s > 0), said) {
        (Some(s), Some(m)) => Some(format!("HTTP {s}: {m}")),
        (Some(s), None) => Some(format!("HTTP {s}")),
        (None, m) => m,
    }
}

/// The signature of a failure whose source said nothing about why: its own group, so that
/// every failure has a signature and one index finds them all.
pub const NOTHING_SAID: &str = "(no error recorded)";

/// Entries that have a signature to compute: failed, or carrying an error.
pub const NEEDS_SIGNATURE: &str = "(e.status = 'failed' OR e.error IS NOT NULL)";

/// Computes and stores the signature of the entries `scope` selects (a condition on `e`, with
/// `params`), the failed or errored ones among them ([`NOTHING_SAID`] when nothing says why);
/// the others' is cleared. One problem's
/// messages repeat, so each distinct (text, batch error, response) is worked out once.
pub fn assign(
    conn: &rusqlite::Connection,
    scope: &str,
    params: &[&dyn rusqlite::ToSql],
) -> crate::error::Result<u64> {
    use std::collections::HashMap;
    let mut read = conn.prepare(&format!(
        "SELECT e.id, {NEEDS_SIGNATURE}, e.error,
                (SELECT b.error FROM batches b WHERE b.source = e.source AND b.batch_id = e.batch_id),
                (SELECT p.response FROM payloads p WHERE p.entry_id = e.id),
                e.error_signature
         FROM entries e WHERE {scope}"
    ))?;
    let mut write = conn.prepare("UPDATE entries SET error_signature = ?2 WHERE id = ?1")?;
    // (error text, batch error, response) → signature.
    type Said = (Option<String>, Option<String>, Option<String>);
    let mut known: HashMap<Said, Option<String>> = HashMap::new();
    let mut changes: Vec<(i64, Option<String>)> = Vec::new();
    let mut rows = read.query(params)?;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let needs: bool = r.get(1)?;
        let stored: Option<String> = r.get(5)?;
        let sig = if needs {
            let key: Said = (r.get(2)?, r.get(3)?, r.get(4)?);
            if known.len() > 50_000 {
                known.clear();
            }
            known
                .entry(key)
                .or_insert_with_key(|(t, b, p)| {
                    of_entry(t.as_deref(), b.as_deref(), p.as_deref())
                        .or_else(|| Some(NOTHING_SAID.to_owned()))
                })
                .clone()
        } else {
            None
        };
        if sig != stored {
            changes.push((id, sig));
        }
    }
    // Written once the read is done: a statement does not change the rows it is walking.
    drop(rows);
    for (id, sig) in &changes {
        write.execute(rusqlite::params![id, sig])?;
    }
    Ok(changes.len() as u64)
}

/// What a response body says went wrong.
fn message_of_body(body: &str) -> Option<String> {
    let body = body.trim();
    if body.is_empty() {
        return None;
    }
    match serde_json::from_str::<Value>(body) {
        Ok(v) => message_of_json(&v),
        Err(_) => Some(message_of_text(body)),
    }
}

/// The first message a JSON error document carries, at the places APIs put one: `errors[]`
/// (`code` and `message`), `error` (a string or an object), `message`, `detail`,
/// `error_description`, `title`. A string holding JSON is read as JSON.
fn message_of_json(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => match serde_json::from_str::<Value>(s) {
            Ok(inner @ (Value::Object(_) | Value::Array(_))) => message_of_json(&inner),
            _ => Some(message_of_text(s)).filter(|m| !m.is_empty()),
        },
        Value::Array(items) => items.iter().find_map(message_of_json),
        Value::Object(o) => {
            if let Some(errors) = o.get("errors") {
                let first = match errors {
                    Value::Array(a) => a.first(),
                    other => Some(other),
                };
                if let Some(m) = first.and_then(code_and_message) {
                    return Some(m);
                }
            }
            if let Some(m) = o.get("error").and_then(code_and_message) {
                return Some(m);
            }
            ["message", "detail", "error_description", "title", "reason"]
                .iter()
                .find_map(|k| o.get(*k).and_then(message_of_json))
        }
        _ => None,
    }
}

/// "code: message" of an error object, or the message of a string.
fn code_and_message(v: &Value) -> Option<String> {
    match v {
        Value::Object(o) => {
            let code = o
                .get("code")
                .or_else(|| o.get("type"))
                .and_then(|c| match c {
                    Value::String(s) => Some(s.clone()),
                    Value::Number(n) => Some(n.to_string()),
                    _ => None,
                });
            let message = ["message", "detail", "description", "msg"]
                .iter()
                .find_map(|k| o.get(*k).and_then(message_of_json))
                .or_else(|| o.get("error").and_then(code_and_message));
            match (code, message) {
                (Some(c), Some(m)) => Some(format!("{c}{CODE_MARK}{m}")),
                (Some(c), None) => Some(c),
                (None, m) => m,
            }
        }
        Value::String(_) => message_of_json(v),
        _ => None,
    }
}

static TAG: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?s)<[^>]*>").expect("valid"));
static TITLE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?is)<title[^>]*>(.*?)</title>|<h1[^>]*>(.*?)</h1>").expect("valid")
});

/// Plain text or an HTML page: the page's title (or first heading), else the first line.
fn message_of_text(text: &str) -> String {
    if text.trim_start().starts_with('<') {
        if let Some(c) = TITLE.captures(text) {
            let inner = c.get(1).or_else(|| c.get(2)).map_or("", |m| m.as_str());
            return TAG.replace_all(inner, " ").trim().to_owned();
        }
        let stripped = TAG.replace_all(text, " ");
        return first_line(&stripped);
    }
    first_line(text)
}

fn first_line(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or_default()
        .to_owned()
}

/// What varies between occurrences of one problem, each replaced by a placeholder, in the order
/// that keeps one from eating another (a timestamp before its numbers, a quoted SKU whole).
static VARYING: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    [
        // Quoted values: 'SKU-00017', "ABC", `x`, ‘x’, “x”.
        (r#"'[^']*'|"[^"]*"|`[^`]*`|‘[^’]*’|“[^”]*”"#, "'…'"),
        (
            r"(?i)\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b",
            "<id>",
        ),
        (
            r"\b\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?",
            "<time>",
        ),
        (r"\b\d{1,2}:\d{2}(:\d{2})?\b", "<time>"),
        (r"(?i)\b[\w.+-]+@[\w-]+(\.[\w-]+)+\b", "<email>"),
        (r"(?i)https?://[^\s'\x22]+", "<url>"),
        (r"(?i)\b(0x)?[0-9a-f]{16,}\b", "<id>"),
        // Base64 ids (ShipHero's `V2FyZWhvdXNlOjEyMzQ=`).
        (r"\b[A-Za-z0-9+/]{8,}={1,2}", "<id>"),
        // Tokens mixing letters and digits (SKU-00017, ASIN00006, B07XJ8C8F5, W1): ids.
        (
            r"\b[A-Za-z]*[0-9][A-Za-z0-9]*(?:[-_/.][A-Za-z0-9]+)*\b|\b[A-Za-z]+(?:[-_][A-Za-z]*[0-9][A-Za-z0-9]*)+\b",
            "<n>",
        ),
    ]
    .into_iter()
    .map(|(re, to)| (Regex::new(re).expect("valid"), to))
    .collect()
});
static SPACES: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\s+").expect("valid"));

/// `message` with what varies replaced, spaces collapsed, cut to [`MAX_CHARS`].
pub fn normalise(message: &str) -> String {
    let mut s = message.to_owned();
    for (re, to) in VARYING.iter() {
        s = re.replace_all(&s, *to).into_owned();
    }
    let s = SPACES.replace_all(s.trim(), " ");
    let s = s.trim_end_matches(['.', ':', ';', ',']);
    match s.char_indices().nth(MAX_CHARS) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (HTTP status, the source's error text, the response body) → signature.
    type Case = (
        Option<i64>,
        Option<&'static str>,
        Option<&'static str>,
        &'static str,
    );

    const CASES: &[Case] = &[
        // Konnect / push logs: channel API answers.
        (Some(404), None, Some(r#"{"errors":[{"code":"NOT_FOUND","message":"SKU 'SKU-00017' not found"}]}"#), "HTTP 404: NOT_FOUND: SKU '…' not found"),
        (Some(404), None, Some(r#"{"errors":[{"code":"NOT_FOUND","message":"SKU 'SKU-12345' not found"}]}"#), "HTTP 404: NOT_FOUND: SKU '…' not found"),
        (Some(429), None, Some(r#"{"error":{"code":429,"message":"Rate limit exceeded. Retry after 37 seconds"}}"#), "HTTP 429: 429: Rate limit exceeded. Retry after <n> seconds"),
        (Some(429), None, Some(r#"{"error":{"code":429,"message":"Rate limit exceeded. Retry after 5 seconds"}}"#), "HTTP 429: 429: Rate limit exceeded. Retry after <n> seconds"),
        (Some(400), None, Some(r#"{"message":"Quantity -3 is invalid for listing B07XJ8C8F5"}"#), "HTTP 400: Quantity -<n> is invalid for listing <n>"),
        (Some(400), None, Some(r#"{"message":"Quantity -12 is invalid for listing B01ABCDE99"}"#), "HTTP 400: Quantity -<n> is invalid for listing <n>"),
        (Some(401), None, Some(r#"{"error":"invalid_token","error_description":"The access token expired at 2025-03-01T10:00:00Z"}"#), "HTTP 401: invalid_token"),
        (Some(422), None, Some(r#"{"errors":{"inventory_level":["must be greater than or equal to 0"]}}"#), "HTTP 422"),
        (Some(500), None, Some("upstream timeout"), "HTTP 500: upstream timeout"),
        (Some(502), None, Some("<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>"), "HTTP 502: <n> Bad Gateway"),
        (Some(503), None, Some("<html><body><h1>Service Unavailable</h1><p>Request id 7f9c1e2a</p></body></html>"), "HTTP 503: Service Unavailable"),
        (Some(500), None, Some(""), "HTTP 500"),
        (Some(500), None, None, "HTTP 500"),
        (Some(409), None, Some(r#""{\"error\":{\"code\":\"CONFLICT\",\"message\":\"Version 17 is stale\"}}""#), "HTTP 409: CONFLICT: Version <n> is stale"),
        (Some(400), None, Some(r#"{"detail":"Location 'WH-2/A-03' does not exist for account 88123"}"#), "HTTP 400: Location '…' does not exist for account <n>"),
        (Some(404), None, Some(r#"{"title":"Not Found","detail":"Offer 3f2504e0-4f89-11d3-9a0c-0305e82c3301 not found"}"#), "HTTP 404: Offer <id> not found"),
        (Some(400), None, Some(r#"[{"message":"Price must be set before quantity on SKU-9"}]"#), "HTTP 400: Price must be set before quantity on <n>"),
        (Some(403), None, Some(r#"{"error":{"type":"forbidden","msg":"Seller 1234 cannot edit listing"}}"#), "HTTP 403: forbidden: Seller <n> cannot edit listing"),
        // Xoro: the Error column.
        (None, Some("Item SKU-00003 not found in store Main Street"), None, "Item <n> not found in store Main Street"),
        (None, Some("Item SKU-99999 not found in store Main Street"), None, "Item <n> not found in store Main Street"),
        (None, Some("Insufficient quantity: requested 5, available 2."), None, "Insufficient quantity: requested <n>, available <n>"),
        // ShipHero: sync rows and batches.
        (None, Some("Location not found"), None, "Location not found"),
        (None, Some("SKU \"SKU-00017\" does not exist in warehouse V2FyZWhvdXNlOjEyMzQ="), None, "SKU '…' does not exist in warehouse <id>"),
        (None, Some("Row 12: quantity must be a number"), None, "Row <n>: quantity must be a number"),
        (None, Some("Row 7: quantity must be a number"), None, "Row <n>: quantity must be a number"),
        (None, Some("File processing failed at 2026-11-05 10:01:02: timeout after 300s"), None, "File processing failed at <time>: timeout after <n>"),
        // Ordoro and Logitrail carry few errors; a free text reason still groups.
        (None, Some("Could not sync to Shopify store shop-42.myshopify.com: 401 Unauthorized"), None, "Could not sync to Shopify store <n>.myshopify.com: <n> Unauthorized"),
        (None, Some("Timeout contacting https://api.example.com/v1/items/123 after 30000 ms"), None, "Timeout contacting <url> after <n> ms"),
        (None, Some("  \n  "), Some(r#"{"message":"Duplicate request 9f8e7d6c5b4a39281716"}"#), "Duplicate request <id>"),
        (None, Some("Contact ops@example.com about order 5521"), None, "Contact <email> about order <n>"),
        (None, None, Some("Internal error\nstack trace line 1\nline 2"), "Internal error"),
        (None, None, None, ""),
    ];

    #[test]
    fn messages_from_the_five_sources_reduce_to_their_problem() {
        assert!(CASES.len() >= 30);
        for (status, text, body, want) in CASES {
            let got = signature(*status, *text, *body).unwrap_or_default();
            assert_eq!(
                &got, want,
                "status {status:?}, text {text:?}, body {body:?}"
            );
        }
    }

    #[test]
    fn one_problem_with_other_values_is_one_group_and_two_problems_are_two() {
        let a = signature(Some(404), Some("SKU 'SKU-00017' not found"), None);
        let b = signature(Some(404), Some("SKU 'SKU-12345' not found"), None);
        let c = signature(Some(404), Some("Location 'L1' not found"), None);
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(
            a,
            signature(Some(400), Some("SKU 'SKU-00017' not found"), None)
        );
    }

    #[test]
    fn a_long_message_is_cut_on_a_character_boundary() {
        let long = "é".repeat(400);
        let s = signature(None, Some(&long), None).unwrap();
        assert_eq!(s.chars().count(), MAX_CHARS + 1);
        assert!(s.ends_with('…'));
    }
}
