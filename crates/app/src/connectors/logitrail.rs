//! Logitrail's products inventory, paged by `offset`/`limit` (at most 500). The classic API
//! signs with HTTP Basic (`M-<merchant id>`, the shared secret) and is walked by last movement
//! (`after`, "after or at"); the newer one takes an OAuth2 client-credentials token and the
//! merchant id in a header, and is listed whole (identity makes the repeat harmless).
//!
//! Cursor: `{"after": ISO, "offset": N, "newest": ISO}` while a pull is under way (a pull that
//! stopped goes on from `offset`); `{"after": newest}` once it has walked every page.

use reqwest::Method;
use serde_json::{json, Value};

use invlog_core::connections::ConnectionKind;
use invlog_core::ingest::pull::Page;
use invlog_core::time::{format_instant, parse_instant};

use super::error::{ConnectorError, Result};
use super::http::Call;
use super::{json_of, refused, token_of, unexpected, PageWriter, Session};

const LIMIT: u64 = 500;

fn oauth(s: &Session<'_>) -> bool {
    s.conn.kind == ConnectionKind::LogitrailOauth
}

fn products_url(
    s: &Session<'_>,
    after: Option<&str>,
    offset: u64,
    limit: u64,
) -> Result<reqwest::Url> {
    let path = match oauth(s) {
        true => s
            .conn
            .products_path
            .as_deref()
            .unwrap_or("products/inventory"),
        false => "products/inventory",
    };
    let mut url = s.url(path)?;
    {
        let mut q = url.query_pairs_mut();
        if let Some(a) = after {
            q.append_pair("after", a);
        }
        q.append_pair("offset", &offset.to_string());
        q.append_pair("limit", &limit.to_string());
    }
    Ok(url)
}

/// A fresh OAuth2 token from the token endpoint (client credentials).
fn fetch_token(s: &mut Session<'_>) -> Result<()> {
    let token_url = s
        .conn
        .token_url
        .as_deref()
        .or(ConnectionKind::LogitrailOauth.default_token_url())
        .unwrap_or_default();
    let url = reqwest::Url::parse(token_url).map_err(|e| ConnectorError::Network {
        page: "the token endpoint".into(),
        reason: format!("'{token_url}' is not a usable address: {e}"),
    })?;
    let mut form = form_urlencoded::Serializer::new(String::new());
    form.append_pair("grant_type", "client_credentials");
    if let Some(scope) = &s.conn.scope {
        form.append_pair("scope", scope);
    }
    let client_id = s.conn.client_id.clone().unwrap_or_default();
    let page = format!("the token from {}", super::http::host(&url));
    let answer = s.send(&Call {
        method: Method::POST,
        url: url.clone(),
        headers: vec![(
            "content-type",
            "application/x-www-form-urlencoded".to_owned(),
        )],
        basic: Some((&client_id, &s.secret)),
        body: Some(form.finish().into_bytes()),
        page: &page,
    })?;
    match answer.status {
        200..=299 => {
            s.token = Some(token_of(&page, &answer.body)?);
            Ok(())
        }
        // OAuth2 servers answer bad client credentials with 400 invalid_client as often as 401.
        400 | 401 | 403 => Err(refused(&url, answer.status, ConnectionKind::LogitrailOauth)),
        _ => Err(unexpected(&page, &url, &answer)),
    }
}

/// GETs one page of products, signed as the kind wants (a token renewed before it expires
/// and once on a 401).
fn get(s: &mut Session<'_>, url: reqwest::Url, page: &str) -> Result<Vec<u8>> {
    // One new token after a 401 (the old one revoked or expired early); a second 401 is
    // the credentials.
    let mut retried = false;
    loop {
        let user = format!("M-{}", s.conn.merchant_id.as_deref().unwrap_or_default());
        let mut headers = vec![("accept", "application/json".to_owned())];
        if oauth(s) {
            let fresh = s.token.as_ref().is_some_and(|(_, until)| {
                *until > std::time::Instant::now() + std::time::Duration::from_secs(60)
            });
            if !fresh {
                fetch_token(s)?;
            }
            let token = s.token.as_ref().map(|(t, _)| t.clone()).unwrap_or_default();
            headers.push(("authorization", format!("Bearer {token}")));
            headers.push((
                "x-logitrail-merchant-id",
                s.conn.merchant_id.clone().unwrap_or_default(),
            ));
        }
        let answer = s.send(&Call {
            method: Method::GET,
            url: url.clone(),
            headers,
            basic: (!oauth(s)).then_some((user.as_str(), s.secret.as_str())),
            body: None,
            page,
        })?;
        match answer.status {
            200..=299 => return Ok(answer.body),
            401 if oauth(s) && !retried => {
                s.token = None;
                retried = true;
                continue;
            }
            401 | 403 => return Err(refused(&url, answer.status, s.conn.kind)),
            _ => return Err(unexpected(page, &url, &answer)),
        }
    }
}

/// The products of a page, under `products` (or, from the newer API, `data`, `items` or the
/// answer itself), rewritten as the importer reads them when they came otherwise.
fn products_of(page: &str, body: Vec<u8>) -> Result<(Vec<u8>, Vec<Value>, Option<u64>)> {
    let v = json_of(page, &body)?;
    let total = v.get("total_count").and_then(Value::as_u64);
    let (list, as_is) = match &v {
        Value::Array(a) => (a.clone(), false),
        Value::Object(o) => match ["products", "data", "items"]
            .iter()
            .find_map(|k| o.get(*k).and_then(Value::as_array).map(|a| (k, a)))
        {
            Some((k, a)) => (a.clone(), *k == "products"),
            None => {
                return Err(ConnectorError::Malformed {
                    page: page.to_owned(),
                    reason: "no products list in the answer".into(),
                })
            }
        },
        _ => {
            return Err(ConnectorError::Malformed {
                page: page.to_owned(),
                reason: "the answer is neither a list nor an object".into(),
            })
        }
    };
    let body = match as_is {
        true => body,
        false => serde_json::to_vec(&json!({ "products": list })).unwrap_or_default(),
    };
    Ok((body, list, total))
}

/// The newest `last_movement` of a page's products (their own or their lots').
fn newest_movement(products: &[Value]) -> Option<i64> {
    products
        .iter()
        .flat_map(|p| {
            let own = p.pointer("/inventory/last_movement").cloned();
            let lots = p
                .get("lots")
                .and_then(Value::as_object)
                .into_iter()
                .flat_map(|m| m.values())
                .filter_map(|l| l.pointer("/inventory/last_movement").cloned());
            own.into_iter().chain(lots).collect::<Vec<_>>()
        })
        .filter_map(|v| v.as_str().and_then(parse_instant))
        .max()
}

pub fn pull(s: &mut Session<'_>, cursor: &Value, out: &mut dyn PageWriter) -> Result<()> {
    let since = parse_instant(&s.conn.since).map(format_instant);
    let after = match oauth(s) {
        true => None,
        false => cursor
            .get("after")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .or(since),
    };
    let mut offset = cursor.get("offset").and_then(Value::as_u64).unwrap_or(0);
    let mut newest = cursor
        .get("newest")
        .and_then(Value::as_str)
        .and_then(parse_instant);
    let mut number = 1;
    loop {
        let url = products_url(s, after.as_deref(), offset, LIMIT)?;
        let label = format!("page {number} of {url}");
        let body = get(s, url, &label)?;
        let (body, products, total) = products_of(&label, body)?;
        if let Some(t) = total {
            out.expect(t);
        }
        let count = products.len() as u64;
        newest = newest.max(newest_movement(&products));
        offset += count;
        let done =
            count == 0 || total.is_some_and(|t| offset >= t) || (total.is_none() && count < LIMIT);
        let next = match done {
            true => match (oauth(s), newest.map(format_instant).or(after.clone())) {
                (false, Some(a)) => json!({ "after": a }),
                _ => json!({}),
            },
            false => json!({
                "after": after,
                "offset": offset,
                "newest": newest.map(format_instant),
            }),
        };
        out.page(&label, Page::LogitrailProducts, &body, &next)?;
        if done {
            return Ok(());
        }
        number += 1;
    }
}

pub fn test(s: &mut Session<'_>) -> Result<String> {
    let url = products_url(s, None, 0, 1)?;
    let label = format!("a test call to {url}");
    let body = get(s, url, &label)?;
    let (_, _, total) = products_of(&label, body)?;
    Ok(match total {
        Some(n) => format!("connected: {n} products"),
        None => "connected".to_owned(),
    })
}
