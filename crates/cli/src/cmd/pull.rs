use std::process::ExitCode;

use clap::Args;
use invlog_app::types::JobStatus;
use invlog_app::{Engine, Request, Response};

use super::{answer, call, print_json, Failure};

#[derive(Args)]
pub struct PullArgs {
    /// The connections to pull [default: all]
    names: Vec<String>,
    /// The pulls as JSON: counts `new`, `existing`, `updated`, `failed`, pages, records
    #[arg(long)]
    json: bool,
}

pub fn run(engine: &Engine, a: PullArgs) -> Result<ExitCode, Failure> {
    // A name that is no connection is a usage error (exit 2), found before anything is pulled.
    let known = answer!(call(engine, Request::Connections)?, Response::Connections)?;
    if let Some(n) = a
        .names
        .iter()
        .find(|n| !known.iter().any(|c| c.name == n.trim()))
    {
        let names: Vec<&str> = known.iter().map(|c| c.name.as_str()).collect();
        return Err(Failure::Usage(format!(
            "no connection named '{n}'; connections: {}",
            match names.is_empty() {
                true => "none yet (invlog connections add)".to_owned(),
                false => names.join(", "),
            }
        )));
    }
    let pulls = answer!(
        call(engine, Request::Pull { names: a.names })?,
        Response::Pull
    )?;
    if a.json {
        print_json(&pulls)?;
    } else {
        if pulls.is_empty() {
            outln!("no connections to pull: add one with `invlog connections add`");
        }
        for p in &pulls {
            match &p.error {
                Some(e) => outln!(
                    "{}: {}: {e} ({})",
                    p.connection,
                    p.status.as_db(),
                    p.summary()
                ),
                None => outln!("{}: {}", p.connection, p.summary()),
            }
        }
    }
    let failed = pulls.iter().any(|p| p.status != JobStatus::Success);
    Ok(match failed {
        true => ExitCode::FAILURE,
        false => ExitCode::SUCCESS,
    })
}
