//! What goes wrong calling a source's API, in words that name the host, the page and the
//! status — never a secret (URLs carry none: credentials travel in headers).

use invlog_core::CoreError;

#[derive(Debug, thiserror::Error)]
pub enum ConnectorError {
    #[error("the credentials were refused by {host} (HTTP {status}): check the {what}")]
    Refused {
        host: String,
        status: u16,
        what: &'static str,
    },
    #[error("{page}: {host} answered HTTP {status}{reason}")]
    Status {
        page: String,
        host: String,
        status: u16,
        reason: String,
    },
    #[error("{page}: {reason}")]
    Network { page: String, reason: String },
    #[error("{page}: the answer is not the JSON expected: {reason}")]
    Malformed { page: String, reason: String },
    #[error("{page}: {host} reported: {message}")]
    Api {
        page: String,
        host: String,
        message: String,
    },
    #[error("{0}")]
    Secret(String),
    #[error("pull cancelled")]
    Cancelled,
    #[error(transparent)]
    Store(#[from] CoreError),
}

impl From<ConnectorError> for CoreError {
    fn from(e: ConnectorError) -> Self {
        match e {
            ConnectorError::Store(e) => e,
            ConnectorError::Cancelled => CoreError::Cancelled {
                file: "pull".into(),
            },
            other => CoreError::InvalidQuery(other.to_string()),
        }
    }
}

pub type Result<T, E = ConnectorError> = std::result::Result<T, E>;
