//! TypeScript bindings of the command table for the UI (`ui/src/bindings`), generated from the
//! Rust types so the two cannot drift: `make bindings` writes them, and a test fails while the
//! committed ones differ from what the types say.

use std::path::Path;

use ts_rs::{Config, ExportError, TS};

use invlog_core::ingest::Progress;

use crate::api::{Request, Response};
use crate::error::AppError;
use crate::runner::Task;

/// Writes the bindings of every type the UI exchanges with a shell into `dir`.
pub fn export(dir: &Path) -> Result<(), ExportError> {
    // Counts and ids fit a JS number; serde writes them as plain JSON numbers.
    let cfg = Config::new().with_large_int("number").with_out_dir(dir);
    Request::export_all(&cfg)?;
    Response::export_all(&cfg)?;
    Progress::export_all(&cfg)?;
    Task::export_all(&cfg)?;
    AppError::export_all(&cfg)?;
    Ok(())
}
