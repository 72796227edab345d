//! Masks secrets in API request/response documents on every way out (table, JSON viewer,
//! export). The store keeps the original; `reveal` is an explicit choice of the caller.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

pub const MASK: &str = "••••";

static SECRET_KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(authorization|proxy-authorization|cookie|set-cookie|x-api-key)$|token|secret|password|passwd|api[_-]?key")
        .expect("valid regex")
});

static SECRET_QUERY_PARAM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)([?&][^=&#]*(?:token|secret|password|api[_-]?key|signature)[^=&#]*=)[^&#]*")
        .expect("valid regex")
});

/// The user-info part of a URL (`https://admin:hunter2@host/`): a password, or a token
/// given as the user name.
static URL_CREDENTIALS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/@\s?#]+@").expect("valid regex"));

pub fn is_secret_key(key: &str) -> bool {
    SECRET_KEY.is_match(key)
}

/// Masks, in place, every value under a secret-looking key, secret query parameters in URLs,
/// and the same inside strings that themselves hold JSON (a body sent as text).
pub fn redact(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for (k, child) in map.iter_mut() {
                if is_secret_key(k) && !child.is_null() {
                    *child = Value::String(MASK.to_owned());
                } else {
                    redact(child);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact),
        Value::String(s) => {
            let t = s.trim_start();
            if t.starts_with('{') || t.starts_with('[') {
                if let Ok(mut inner) = serde_json::from_str::<Value>(s) {
                    redact(&mut inner);
                    *s = inner.to_string();
                    return;
                }
            }
            if let Some(masked) = masked_text(s) {
                *s = masked;
            }
        }
        _ => {}
    }
}

/// `text` with URL credentials and secret query parameters masked; None when it has none.
fn masked_text(text: &str) -> Option<String> {
    let mut out = None;
    if text.contains('@') && URL_CREDENTIALS.is_match(text) {
        out = Some(
            URL_CREDENTIALS
                .replace_all(text, format!("${{1}}{MASK}@"))
                .into_owned(),
        );
    }
    let current = out.as_deref().unwrap_or(text);
    if current.contains('?') && SECRET_QUERY_PARAM.is_match(current) {
        out = Some(
            SECRET_QUERY_PARAM
                .replace_all(current, format!("${{1}}{MASK}"))
                .into_owned(),
        );
    }
    out
}

/// Plain text (a URL, an error message that quotes one) with its secrets masked.
pub fn mask_text(text: &str) -> String {
    masked_text(text).unwrap_or_else(|| text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn masks_headers_and_secret_keys_at_any_depth() {
        let mut v = json!({
            "method": "POST",
            "url": "https://x.example/inv?sku=1&api_key=abc123&access_token=t",
            "headers": {"Authorization": "Bearer sk_live", "Cookie": "s=1", "X-Api-Key": "k",
                        "Content-Type": "application/json"},
            "body": {"client_secret": "zz", "items": [{"password": "p", "qty": 2}], "token": null},
        });
        redact(&mut v);
        assert_eq!(v["headers"]["Authorization"], MASK);
        assert_eq!(v["headers"]["Cookie"], MASK);
        assert_eq!(v["headers"]["X-Api-Key"], MASK);
        assert_eq!(v["headers"]["Content-Type"], "application/json");
        assert_eq!(v["body"]["client_secret"], MASK);
        assert_eq!(v["body"]["items"][0]["password"], MASK);
        assert_eq!(v["body"]["items"][0]["qty"], 2);
        assert_eq!(v["body"]["token"], Value::Null);
        assert_eq!(
            v["url"],
            format!("https://x.example/inv?sku=1&api_key={MASK}&access_token={MASK}")
        );
    }

    #[test]
    fn masks_url_credentials_wherever_a_url_is_written() {
        let mut v = json!({
            "url": "https://admin:hunter2@shop.example/v1/stock?sku=A",
            "note": "sent to http://tok_123@api.example and ftp://u:p@files.example/x",
            "plain": "mail me at someone@example.com",
        });
        redact(&mut v);
        assert_eq!(
            v["url"],
            format!("https://{MASK}@shop.example/v1/stock?sku=A")
        );
        assert_eq!(
            v["note"],
            format!("sent to http://{MASK}@api.example and ftp://{MASK}@files.example/x")
        );
        assert_eq!(v["plain"], "mail me at someone@example.com");
        assert_eq!(
            mask_text("error for url (https://a:b@h/p?api_key=k&x=1)"),
            format!("error for url (https://{MASK}@h/p?api_key={MASK}&x=1)")
        );
    }

    #[test]
    fn masks_json_held_in_a_string() {
        let mut v = json!({"body": "{\"apiKey\":\"k1\",\"n\":1}"});
        redact(&mut v);
        let inner: Value = serde_json::from_str(v["body"].as_str().unwrap()).unwrap();
        assert_eq!(inner["apiKey"], MASK);
        assert_eq!(inner["n"], 1);
    }
}
