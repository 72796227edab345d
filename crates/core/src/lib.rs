//! invlog-core: the engine behind the desktop app, the browser mode and the `invlog` CLI.
//!
//! Data flows one way: file -> [`ingest`] -> [`store`] -> [`query`] -> (table | export).
//! Every operation a shell may call is declared once in [`commands`].

pub mod bindings;
pub mod columns;
pub mod commands;
pub mod detail;
pub mod engine;
pub mod error;
pub mod export;
pub mod ingest;
pub mod jobs;
pub mod kits;
pub mod layout;
pub mod query;
pub mod redaction;
pub mod rerun;
pub mod resolve;
pub mod samples;
pub mod stock_history;
pub mod store;
pub mod time;
pub mod views;

pub use engine::Engine;
pub use error::{CoreError, Result};
pub use store::Store;
