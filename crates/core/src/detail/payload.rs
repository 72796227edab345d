//! An API request or response document as the JSON viewer shows it: the HTTP facts (method,
//! URL, status, duration, headers) lifted out, the body pretty-printed, secrets masked unless
//! revealed. Documents come in any shape (Konnect's "API Request" is free JSON text), so only
//! the keys an HTTP exchange names are lifted; anything else stays in the body.

use serde::Serialize;
use serde_json::{Map, Value};
use ts_rs::TS;

use crate::redaction;

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Header {
    pub name: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
pub struct Payload {
    /// The stored document's size in bytes (the viewer opens large ones in raw view).
    pub bytes: u64,
    pub method: Option<String>,
    pub url: Option<String>,
    pub status: Option<i64>,
    pub duration_ms: Option<i64>,
    pub headers: Vec<Header>,
    /// Pretty-printed when it is JSON (a body sent as JSON text included); else as stored.
    pub body: Option<String>,
    pub body_is_json: bool,
}

const STATUS_KEYS: [&str; 3] = ["status", "status_code", "statusCode"];
const DURATION_KEYS: [&str; 3] = ["duration_ms", "elapsed_ms", "durationMs"];

/// The HTTP exchange a stored document describes; the document itself when it is not JSON.
pub fn parse(stored: &str, reveal: bool) -> Payload {
    let bytes = stored.len() as u64;
    let mut payload = Payload {
        bytes,
        method: None,
        url: None,
        status: None,
        duration_ms: None,
        headers: Vec::new(),
        body: None,
        body_is_json: false,
    };
    let Ok(mut doc) = serde_json::from_str::<Value>(stored) else {
        payload.body = Some(stored.to_owned());
        return payload;
    };
    if !reveal {
        redaction::redact(&mut doc);
    }
    let rest = match doc {
        Value::Object(mut map) if looks_like_http(&map) => {
            payload.method = take_string(&mut map, &["method"]);
            payload.url = take_string(&mut map, &["url"]);
            payload.status = take_int(&mut map, &STATUS_KEYS);
            payload.duration_ms = take_int(&mut map, &DURATION_KEYS);
            if let Some(Value::Object(headers)) = map.remove("headers") {
                payload.headers = headers
                    .into_iter()
                    .map(|(name, v)| Header {
                        name,
                        value: match v {
                            Value::String(s) => s,
                            other => other.to_string(),
                        },
                    })
                    .collect();
            }
            if map.len() == 1 && map.contains_key("body") {
                map.remove("body")
            } else if map.is_empty() {
                None
            } else {
                Some(Value::Object(map))
            }
        }
        other => Some(other),
    };
    if let Some(body) = rest {
        let (text, is_json) = body_text(body);
        payload.body = Some(text);
        payload.body_is_json = is_json;
    }
    payload
}

/// The body exactly as a replay sends it: a string as is, any other JSON value serialised.
pub fn wire_body(body: &Value) -> Option<String> {
    match body {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

fn looks_like_http(map: &Map<String, Value>) -> bool {
    ["method", "url", "headers", "body"]
        .iter()
        .chain(STATUS_KEYS.iter())
        .any(|k| map.contains_key(*k))
}

fn take_string(map: &mut Map<String, Value>, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|k| match map.get(*k) {
        Some(Value::String(_)) => match map.remove(*k) {
            Some(Value::String(s)) => Some(s),
            _ => None,
        },
        _ => None,
    })
}

fn take_int(map: &mut Map<String, Value>, keys: &[&str]) -> Option<i64> {
    for k in keys {
        let n = match map.get(*k) {
            Some(Value::Number(n)) => n.as_i64(),
            Some(Value::String(s)) => s.trim().parse().ok(),
            _ => None,
        };
        if n.is_some() {
            map.remove(*k);
            return n;
        }
    }
    None
}

fn body_text(body: Value) -> (String, bool) {
    match body {
        Value::String(s) => {
            let t = s.trim_start();
            if t.starts_with('{') || t.starts_with('[') {
                if let Ok(inner) = serde_json::from_str::<Value>(&s) {
                    return (pretty(&inner), true);
                }
            }
            (s, false)
        }
        other => (pretty(&other), true),
    }
}

fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_else(|_| v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::redaction::MASK;

    const REQUEST: &str = r#"{"method":"PUT","url":"https://api.example/v1/inv?api_key=abc&sku=1",
        "headers":{"Authorization":"Bearer tok","Content-Type":"application/json"},
        "body":{"sku":"S1","quantity":3,"password":"p"}}"#;

    #[test]
    fn lifts_the_http_facts_and_masks_secrets() {
        let p = parse(REQUEST, false);
        assert_eq!(p.method.as_deref(), Some("PUT"));
        assert_eq!(
            p.url.as_deref(),
            Some(format!("https://api.example/v1/inv?api_key={MASK}&sku=1").as_str())
        );
        assert_eq!(p.headers[0].name, "Authorization");
        assert_eq!(p.headers[0].value, MASK);
        assert_eq!(p.headers[1].value, "application/json");
        let body: Value = serde_json::from_str(p.body.as_deref().unwrap()).unwrap();
        assert_eq!(body["quantity"], 3);
        assert_eq!(body["password"], MASK);
        assert!(p.body_is_json);
        assert!(p.body.unwrap().contains("\n  \"sku\""), "pretty-printed");
        assert_eq!(p.bytes, REQUEST.len() as u64);
    }

    #[test]
    fn reveal_keeps_the_stored_secrets() {
        let p = parse(REQUEST, true);
        assert_eq!(p.headers[0].value, "Bearer tok");
        assert!(p.url.unwrap().contains("api_key=abc"));
        assert!(p.body.unwrap().contains("\"p\""));
    }

    #[test]
    fn response_status_duration_and_a_text_body() {
        let p = parse(
            r#"{"status":"503","duration_ms":812,"body":"upstream timeout"}"#,
            false,
        );
        assert_eq!(p.status, Some(503));
        assert_eq!(p.duration_ms, Some(812));
        assert_eq!(p.body.as_deref(), Some("upstream timeout"));
        assert!(!p.body_is_json);
        // A body sent as JSON text is shown as JSON.
        let p = parse(r#"{"status":200,"body":"{\"ok\":true}"}"#, false);
        assert_eq!(p.body.as_deref(), Some("{\n  \"ok\": true\n}"));
        assert!(p.body_is_json);
    }

    #[test]
    fn other_shapes_keep_everything_in_the_body() {
        // Keys beside the HTTP ones are not dropped: the body is what is left.
        let p = parse(r#"{"status":200,"body":{"a":1},"trace":"t-1"}"#, false);
        assert_eq!(p.status, Some(200));
        let rest: Value = serde_json::from_str(&p.body.unwrap()).unwrap();
        assert_eq!(rest, serde_json::json!({"body": {"a": 1}, "trace": "t-1"}));
        // A plain document is all body; text that is not JSON is shown as stored.
        let p = parse(r#"[1,2]"#, false);
        assert_eq!(p.method, None);
        assert_eq!(p.body.as_deref(), Some("[\n  1,\n  2\n]"));
        let p = parse("not json <b>", false);
        assert_eq!(p.body.as_deref(), Some("not json <b>"));
        assert!(!p.body_is_json);
    }

    #[test]
    fn wire_body_sends_strings_as_stored() {
        assert_eq!(
            wire_body(&Value::String("a=1".into())).as_deref(),
            Some("a=1")
        );
        assert_eq!(
            wire_body(&serde_json::json!({"q": 1})).as_deref(),
            Some(r#"{"q":1}"#)
        );
        assert_eq!(wire_body(&Value::Null), None);
    }
}
