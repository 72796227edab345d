use std::path::PathBuf;

/// Errors of the core. Each says what went wrong and where, so a shell can show it as is.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("database migration failed: {0}")]
    Migration(#[from] rusqlite_migration::Error),
    #[error("cannot open the store at {path}: {reason}")]
    OpenStore { path: PathBuf, reason: String },
    /// A whole file was refused; the store is unchanged.
    #[error("{file}: {reason}")]
    FileRefused { file: String, reason: String },
    #[error("import cancelled: {file}")]
    Cancelled { file: String },
    #[error("{0}")]
    InvalidQuery(String),
    #[error("{0}")]
    NotFound(String),
    /// The request clashes with the state of things (an export still running).
    #[error("{0}")]
    Conflict(String),
    /// A reader stopped on purpose (it has what it needed, or its consumer hung up); never
    /// reaches a user.
    #[error("reading stopped early")]
    Stopped,
    #[error("I/O error on {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

pub type Result<T, E = CoreError> = std::result::Result<T, E>;
