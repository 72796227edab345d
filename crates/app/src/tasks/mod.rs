//! The kinds of long work, one module each; every one runs on the one runner (`runner`), and
//! keeps its own record in the store (`jobs`, `exports`, `attempts`, `pulls`).

pub mod export;
pub mod import;
pub mod pull;
pub mod rerun;
pub mod schedule;
