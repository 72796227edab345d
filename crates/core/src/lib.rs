//! invlog-core: the data of Invlog — the store, the column registry, the importers, queries,
//! exports, kits and the records of long work — as functions over a store. It owns no thread
//! that outlives a call, no running work and no engine: those live in the app crate.
//!
//! Data flows one way: file -> [`ingest`] -> [`store`] -> [`query`] -> (table | [`export`]).
//! The registry ([`columns`]) is at the bottom: `query` and `ingest` both read it and neither
//! reads the other.

pub mod channel_state;
pub mod columns;
pub mod connections;
pub mod detail;
pub mod error;
pub mod export;
pub mod failures;
pub mod identity;
pub mod ingest;
pub mod jobs;
pub mod kits;
pub mod layout;
pub mod owners;
pub mod query;
pub mod redaction;
pub mod rerun;
pub mod resolve;
pub mod samples;
pub mod signature;
pub mod startup;
pub mod stock_check;
pub mod stock_history;
pub mod store;
pub mod summary;
pub mod time;
pub mod views;

pub use error::{CoreError, Result};
pub use store::Store;
