//! Pulling logs straight from the sources' APIs: Logitrail (classic and OAuth2) and ShipHero
//! (GraphQL). Each kind walks its API page by page from the connection's cursor and hands each
//! page, with the cursor after it, to a [`PageWriter`] (the pull task stores both in one
//! transaction). Secrets come from [`secrets`] and never reach a message.

mod ahead;
pub mod error;
pub mod http;
mod logitrail;
pub mod saved;
pub mod secrets;
mod shiphero;

use std::time::{Duration, Instant};

use invlog_core::connections::{Connection, ConnectionKind};
use invlog_core::ingest::pull::Page;
use serde_json::Value;

pub use ahead::fetch_ahead;
pub use error::{ConnectorError, Result};
use http::{Answer, Call, Http};
pub use saved::{SavedConnection, Secret};

/// Where a pull's pages go.
pub trait PageWriter {
    /// Stores `body` (what `page` fetched) and moves the cursor to `cursor`, together.
    fn page(&mut self, label: &str, page: &Page, body: &[u8], cursor: &Value) -> Result<()>;
    /// How many records the whole pull will bring, when the API says.
    fn expect(&mut self, _total: u64) {}
}

/// A pull or a test under way: the connection, its secret and how to call its host.
pub struct Session<'a> {
    pub conn: &'a Connection,
    pub secret: String,
    pub http: Http,
    pub cancelled: &'a dyn Fn() -> bool,
    /// An access token and when it expires (OAuth2, ShipHero).
    token: Option<(String, Instant)>,
}

impl<'a> Session<'a> {
    pub fn new(
        conn: &'a Connection,
        secret: String,
        policy: http::Policy,
        cancelled: &'a dyn Fn() -> bool,
    ) -> Result<Self> {
        Ok(Session {
            conn,
            secret,
            http: Http::new(policy)?,
            cancelled,
            token: None,
        })
    }

    /// `path` under the connection's base URL.
    fn url(&self, path: &str) -> Result<reqwest::Url> {
        let mut base = self.conn.base_url.trim().to_owned();
        if !base.ends_with('/') {
            base.push('/');
        }
        reqwest::Url::parse(&base)
            .and_then(|b| b.join(path.trim_start_matches('/')))
            .map_err(|e| ConnectorError::Network {
                page: self.conn.name.clone(),
                reason: format!("'{base}' is not a usable address: {e}"),
            })
    }

    fn send(&self, call: &Call<'_>) -> Result<Answer> {
        self.http.send(call, self.cancelled)
    }
}

/// A 401 or 403: the host refused what the connection presented.
fn refused(url: &reqwest::Url, status: u16, kind: ConnectionKind) -> ConnectorError {
    ConnectorError::Refused {
        host: http::host(url),
        status,
        what: match kind {
            ConnectionKind::Logitrail => "merchant id and shared secret",
            ConnectionKind::LogitrailOauth => "client id and client secret",
            ConnectionKind::Shiphero => "refresh token",
        },
    }
}

/// Any answer but a 2xx, as an error naming the page.
fn unexpected(page: &str, url: &reqwest::Url, a: &Answer) -> ConnectorError {
    let text = String::from_utf8_lossy(&a.body);
    let text: String = text.chars().take(200).collect();
    ConnectorError::Status {
        page: page.to_owned(),
        host: http::host(url),
        status: a.status,
        reason: match text.trim() {
            "" => String::new(),
            t => format!(": {}", invlog_core::redaction::mask_text(t)),
        },
    }
}

fn json_of(page: &str, body: &[u8]) -> Result<Value> {
    serde_json::from_slice(body).map_err(|e| ConnectorError::Malformed {
        page: page.to_owned(),
        reason: e.to_string(),
    })
}

/// Takes the token a token endpoint answered (`page` names the call) into the session; a
/// refusal is the credentials'.
fn take_token(s: &mut Session<'_>, page: &str, url: &reqwest::Url, answer: &Answer) -> Result<()> {
    match answer.status {
        200..=299 => {
            s.token = Some(token_of(page, &answer.body)?);
            Ok(())
        }
        // OAuth2 servers answer bad client credentials with 400 invalid_client as often as 401.
        400 | 401 | 403 => Err(refused(url, answer.status, s.conn.kind)),
        _ => Err(unexpected(page, url, answer)),
    }
}

/// A token answer: `access_token` and `expires_in` (seconds; a day when not said).
fn token_of(page: &str, body: &[u8]) -> Result<(String, Instant)> {
    let v = json_of(page, body)?;
    let token = v
        .get("access_token")
        .and_then(Value::as_str)
        .ok_or_else(|| ConnectorError::Malformed {
            page: page.to_owned(),
            reason: "no access_token in the answer".into(),
        })?;
    let secs = v
        .get("expires_in")
        .and_then(Value::as_u64)
        .unwrap_or(86_400);
    Ok((token.to_owned(), Instant::now() + Duration::from_secs(secs)))
}

/// Walks the connection's API from `cursor` (None: a first pull, from its `since`).
pub fn pull(s: &mut Session<'_>, cursor: Option<&str>, out: &mut dyn PageWriter) -> Result<()> {
    let cursor: Value = cursor
        .and_then(|c| serde_json::from_str(c).ok())
        .unwrap_or(Value::Null);
    match s.conn.kind {
        ConnectionKind::Logitrail | ConnectionKind::LogitrailOauth => {
            logitrail::pull(s, &cursor, out)
        }
        ConnectionKind::Shiphero => shiphero::pull(s, &cursor, out),
    }
}

/// Calls the API once with the connection's credentials: what a user sees after "Test".
pub fn test(s: &mut Session<'_>) -> Result<String> {
    match s.conn.kind {
        ConnectionKind::Logitrail | ConnectionKind::LogitrailOauth => logitrail::test(s),
        ConnectionKind::Shiphero => shiphero::test(s),
    }
}
