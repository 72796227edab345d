//! invlog-app: what every Invlog shell holds — the command table ([`api`]), the [`Engine`]
//! with its one [`Engine::dispatch`], the one runner of long work ([`runner`], the kinds of work in [`tasks`]) and the one
//! error shape ([`error::AppError`]). The desktop app, `invlog serve` and the `invlog` CLI
//! only adapt these; the data itself lives in invlog-core.

pub mod api;
pub mod bindings;
pub mod connectors;
mod counts;
mod dispatch;
pub mod engine;
pub mod error;
mod held_columns;
mod pages;
pub mod readers;
mod rows_ahead;
pub mod runner;
pub mod shutdown;
mod summaries;
pub mod tasks;
#[cfg(test)]
mod test_store;

pub use api::{Request, Response};
pub use engine::Engine;
pub use error::{AppError, ErrorKind};

/// The data types requests and responses carry, for shells that build requests and print
/// answers. Only types (and their parsers): every operation is reached through
/// [`Engine::dispatch`], and no shell depends on invlog-core itself.
pub mod types {
    pub use crate::connectors::{SavedConnection, Secret};
    pub use invlog_core::columns::{Column, ColumnKind};
    pub use invlog_core::connections::{Connection, ConnectionKind, NewConnection, Pull};
    pub use invlog_core::export::history::ExportRecord;
    pub use invlog_core::export::{
        file_name_for as export_file_name, ExportFormat, ExportReport, ExportRequest, Zone,
    };
    pub use invlog_core::failures::{FailureGroup, Failures, FailuresRequest};
    pub use invlog_core::ingest::{Format, ImportOptions, ImportReport, ImportRequest, RowError};
    pub use invlog_core::jobs::{Job, WAITING_FOR_WRITER};
    pub use invlog_core::owners::{process_alive, JobStatus};
    pub use invlog_core::query::timeline::TimelineRequest;
    pub use invlog_core::query::{
        FacetsRequest, Filter, KitScope, Op, QueryRequest, SortKey, ViewSpec,
    };
    pub use invlog_core::rerun::{RerunRequest, DEFAULT_TIMEOUT_SECS};
    pub use invlog_core::resolve::{SetResolved, SetResolvedView};
    pub use invlog_core::stock_check::{RecordStock, StockCheck, StockCheckRequest, StockCheckRow};
    pub use invlog_core::time::{describe_span, format_instant, local_offset_minutes, DateOrder};
}
