use std::process::ExitCode;

use clap::Args;
use invlog_app::types::{RerunRequest, DEFAULT_TIMEOUT_SECS};
use invlog_app::{Engine, Request, Response};

use super::{answer, call, print_json, Failure};

#[derive(Args)]
pub struct RerunArgs {
    #[arg(value_name = "ENTRY_ID")]
    entry_id: i64,
    /// Seconds to wait for the answer
    #[arg(long, default_value_t = DEFAULT_TIMEOUT_SECS, value_name = "SECONDS")]
    timeout: u32,
    /// Mark the entry resolved when the re-run succeeds
    #[arg(long)]
    resolve: bool,
    /// Print the attempt as JSON
    #[arg(long)]
    json: bool,
}

pub fn run(engine: &Engine, a: RerunArgs) -> Result<ExitCode, Failure> {
    let request = Request::Rerun(RerunRequest {
        entry_id: a.entry_id,
        timeout_secs: Some(a.timeout),
        resolve_on_success: a.resolve,
    });
    let attempt = answer!(call(engine, request)?, Response::Rerun)?;
    let succeeded = attempt.outcome.as_deref() == Some("success");
    if a.json {
        print_json(&attempt)?;
    } else {
        let status = attempt
            .http_status
            .map(|s| format!("HTTP {s}"))
            .unwrap_or_else(|| "no answer".into());
        outln!(
            "entry {}: {} {} -> {}, {status} in {} ms{}",
            a.entry_id,
            attempt.method.as_deref().unwrap_or_default(),
            attempt.url.as_deref().unwrap_or_default(),
            attempt.outcome.as_deref().unwrap_or_default(),
            attempt.duration_ms.unwrap_or_default(),
            attempt
                .reason
                .as_deref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default()
        );
    }
    Ok(if succeeded {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
