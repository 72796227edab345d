//! Logitrail's products inventory, paged by `offset`/`limit` (at most 500). The classic API
//! signs with HTTP Basic (`M-<merchant id>`, the shared secret) and is walked by last movement
//! (`after`, "after or at"); the newer one takes an OAuth2 client-credentials token and the
//! merchant id in a header, and is listed whole (identity makes the repeat harmless).
//!
//! Cursor: `{"after": ISO, "offset": N, "newest": ISO}` while a pull is under way (a pull that
//! stopped goes on from `offset`); `{"after": newest}` once it has walked every page.

use reqwest::Method;
use serde::Deserialize;
use serde_json::{json, Value};

use invlog_core::connections::ConnectionKind;
use invlog_core::ingest::pull::Page;
use invlog_core::time::{format_instant, parse_instant};

use super::error::{ConnectorError, Result};
use super::http::Call;
use super::{json_of, refused, take_token, unexpected, PageWriter, Session};

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
    take_token(s, &page, &url, &answer)
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

/// What a pull reads of a page itself (the importer reads the rest): how many products the
/// listing has in all and when each last moved. Typed, so the rest of each product is skipped
/// rather than built into a tree.
#[derive(Deserialize)]
struct Listing {
    total_count: Option<u64>,
    products: Option<Vec<Moved>>,
}

#[derive(Deserialize)]
struct Moved {
    inventory: Option<Movement>,
    /// The older form: lots keyed by lot id, each with its own inventory.
    lots: Option<std::collections::HashMap<String, LotMoved>>,
}

#[derive(Deserialize)]
struct LotMoved {
    inventory: Option<Movement>,
}

#[derive(Deserialize)]
struct Movement {
    last_movement: Option<String>,
}

impl Moved {
    fn movements(&self) -> impl Iterator<Item = &str> {
        let own = self
            .inventory
            .as_ref()
            .and_then(|i| i.last_movement.as_deref());
        let lots = self
            .lots
            .iter()
            .flat_map(|m| m.values())
            .filter_map(|l| l.inventory.as_ref()?.last_movement.as_deref());
        own.into_iter().chain(lots)
    }
}

/// A page's products: its body as the importer reads it (under `products`; the newer API's
/// `data`, `items` or bare list rewritten so), how many it holds, the newest movement among
/// them, and the listing's total when it says.
struct Products {
    body: Vec<u8>,
    count: u64,
    newest: Option<i64>,
    total: Option<u64>,
}

fn products_of(page: &str, body: Vec<u8>) -> Result<Products> {
    let malformed = |reason: String| ConnectorError::Malformed {
        page: page.to_owned(),
        reason,
    };
    let listing: Option<Listing> = serde_json::from_slice(&body).ok();
    if let Some(Listing {
        total_count,
        products: Some(products),
    }) = listing
    {
        let newest = products
            .iter()
            .flat_map(Moved::movements)
            .filter_map(parse_instant)
            .max();
        return Ok(Products {
            body,
            count: products.len() as u64,
            newest,
            total: total_count,
        });
    }
    let v = json_of(page, &body)?;
    let list = match &v {
        Value::Array(a) => a.clone(),
        Value::Object(o) => ["data", "items"]
            .iter()
            .find_map(|k| o.get(*k).and_then(Value::as_array).cloned())
            .ok_or_else(|| malformed("no products list in the answer".into()))?,
        _ => {
            return Err(malformed(
                "the answer is neither a list nor an object".into(),
            ))
        }
    };
    let rewritten = serde_json::to_vec(&json!({ "products": list })).unwrap_or_default();
    let Products { count, newest, .. } = products_of(page, rewritten.clone())?;
    Ok(Products {
        body: rewritten,
        count,
        newest,
        total: v.get("total_count").and_then(Value::as_u64),
    })
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
        let Products {
            body,
            count,
            newest: moved,
            total,
        } = products_of(&label, body)?;
        if let Some(t) = total {
            out.expect(t);
        }
        newest = newest.max(moved);
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
        out.page(&label, &Page::LogitrailProducts, &body, &next)?;
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
    Ok(match products_of(&label, body)?.total {
        Some(n) => format!("connected: {n} products"),
        None => "connected".to_owned(),
    })
}
