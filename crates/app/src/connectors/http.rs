//! Calls to a source's API: time-outs, bounded retries with backoff on 5xx, 429 and failed
//! connections, and a cancel that is looked at while waiting.

use std::time::Duration;

use super::error::{ConnectorError, Result};

/// How patient a pull is with a server.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// One request's time-out.
    pub timeout: Duration,
    /// Retries after the first try (5xx, 429, connection failures, time-outs).
    pub retries: u32,
    /// The first wait before a retry; each next one is twice as long.
    pub backoff: Duration,
}

impl Default for Policy {
    /// 30 s, 4 retries from 1 s; `INVLOG_HTTP_TIMEOUT_MS` changes the time-out (a slow link).
    fn default() -> Self {
        let timeout = std::env::var("INVLOG_HTTP_TIMEOUT_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .map_or(Duration::from_secs(30), Duration::from_millis);
        Policy {
            timeout,
            retries: 4,
            backoff: Duration::from_secs(1),
        }
    }
}

pub struct Call<'a> {
    pub method: reqwest::Method,
    pub url: reqwest::Url,
    pub headers: Vec<(&'static str, String)>,
    pub basic: Option<(&'a str, &'a str)>,
    pub body: Option<Vec<u8>>,
    /// What the call fetches, for messages ("page 3 of https://…").
    pub page: &'a str,
}

pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
}

pub struct Http {
    client: reqwest::blocking::Client,
    policy: Policy,
}

/// The host of `url`, as messages name it.
pub fn host(url: &reqwest::Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_owned(),
        _ => url.to_string(),
    }
}

/// Sleeps `d`, waking every 50 ms to see whether the pull was cancelled.
pub fn sleep_unless(d: Duration, cancelled: &dyn Fn() -> bool) -> Result<()> {
    let until = std::time::Instant::now() + d;
    loop {
        if cancelled() {
            return Err(ConnectorError::Cancelled);
        }
        let left = until.saturating_duration_since(std::time::Instant::now());
        if left.is_zero() {
            return Ok(());
        }
        std::thread::sleep(left.min(Duration::from_millis(50)));
    }
}

impl Http {
    pub fn new(policy: Policy) -> Result<Http> {
        // One process-wide TLS provider; a second install is refused harmlessly.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::blocking::Client::builder()
            .timeout(policy.timeout)
            .user_agent(concat!("Invlog/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ConnectorError::Network {
                page: "starting the pull".into(),
                reason: e.to_string(),
            })?;
        Ok(Http { client, policy })
    }

    /// Sends `call`, retrying what may pass on a second try. Any other answer (a 4xx) is the
    /// caller's to read.
    pub fn send(&self, call: &Call<'_>, cancelled: &dyn Fn() -> bool) -> Result<Answer> {
        let mut attempt = 0;
        loop {
            if cancelled() {
                return Err(ConnectorError::Cancelled);
            }
            let outcome = self.once(call);
            let retry = match &outcome {
                Ok(a) => a.status >= 500 || a.status == 429,
                Err(e) => e.is_connect() || e.is_timeout() || e.is_request(),
            };
            if retry && attempt < self.policy.retries {
                sleep_unless(self.policy.backoff * 2u32.pow(attempt), cancelled)?;
                attempt += 1;
                continue;
            }
            return match outcome {
                Ok(a) if a.status >= 500 || a.status == 429 => Err(ConnectorError::Status {
                    page: call.page.to_owned(),
                    host: host(&call.url),
                    status: a.status,
                    reason: format!(" after {} tries", attempt + 1),
                }),
                Ok(a) => Ok(a),
                Err(e) => Err(ConnectorError::Network {
                    page: call.page.to_owned(),
                    reason: self.describe(&e.without_url(), attempt + 1),
                }),
            };
        }
    }

    fn once(&self, call: &Call<'_>) -> std::result::Result<Answer, reqwest::Error> {
        let mut b = self.client.request(call.method.clone(), call.url.clone());
        for (k, v) in &call.headers {
            b = b.header(*k, v);
        }
        if let Some((user, pass)) = call.basic {
            b = b.basic_auth(user, Some(pass));
        }
        if let Some(body) = &call.body {
            b = b.body(body.clone());
        }
        let resp = b.send()?;
        let status = resp.status().as_u16();
        let body = resp.bytes()?.to_vec();
        Ok(Answer { status, body })
    }

    fn describe(&self, e: &reqwest::Error, tries: u32) -> String {
        let what = if e.is_timeout() {
            format!("no answer within {} s", self.policy.timeout.as_secs_f32())
        } else if e.is_connect() {
            "cannot connect".to_owned()
        } else {
            "the request failed".to_owned()
        };
        let mut text = what;
        let mut source = std::error::Error::source(e);
        while let Some(s) = source {
            text.push_str(": ");
            text.push_str(&s.to_string());
            source = s.source();
        }
        format!("{text} ({tries} tries)")
    }
}
