use std::process::ExitCode;

use clap::Args;
use invlog_app::types::SetResolved;
use invlog_app::{Engine, Request, Response};

use super::{answer, call, Failure};

#[derive(Args)]
pub struct ResolveArgs {
    #[arg(required = true, value_name = "ENTRY_ID")]
    ids: Vec<i64>,
    /// Mark them unresolved instead
    #[arg(long)]
    unresolve: bool,
    #[arg(long)]
    note: Option<String>,
}

pub fn run(engine: &Engine, a: ResolveArgs) -> Result<ExitCode, Failure> {
    let count = a.ids.len();
    let request = Request::SetResolved(SetResolved {
        ids: a.ids,
        resolved: !a.unresolve,
        note: a.note,
    });
    let changed = answer!(call(engine, request)?, Response::SetResolved)?;
    let state = if a.unresolve {
        "unresolved"
    } else {
        "resolved"
    };
    outln!("{changed} of {count} entries changed; all are {state} now");
    Ok(ExitCode::SUCCESS)
}
