//! The one error shape every shell receives: a kind to map (an HTTP status, an exit code) and
//! a message to show as it is.

use invlog_core::CoreError;
use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The thing named does not exist (an entry, a job, a kit).
    NotFound,
    /// The request cannot be carried out as asked (a bad filter, a refused file, a missing
    /// argument); asking differently can succeed.
    InvalidInput,
    /// The request clashes with the state of things (an export still running).
    Conflict,
    /// A file or folder could not be read or written.
    Io,
    /// Anything else: the store failed, a bug.
    Internal,
}

#[derive(Debug, Clone, Serialize, TS, thiserror::Error)]
#[error("{message}")]
pub struct AppError {
    pub kind: ErrorKind,
    pub message: String,
}

impl From<CoreError> for AppError {
    fn from(e: CoreError) -> Self {
        let kind = match &e {
            CoreError::NotFound(_) => ErrorKind::NotFound,
            CoreError::InvalidQuery(_) | CoreError::FileRefused { .. } => ErrorKind::InvalidInput,
            CoreError::Conflict(_) | CoreError::Cancelled { .. } => ErrorKind::Conflict,
            CoreError::Io { .. } => ErrorKind::Io,
            CoreError::Sqlite(_)
            | CoreError::Migration(_)
            | CoreError::OpenStore { .. }
            | CoreError::Stopped => ErrorKind::Internal,
        };
        AppError {
            kind,
            message: e.to_string(),
        }
    }
}
