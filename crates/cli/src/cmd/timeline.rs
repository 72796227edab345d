use std::process::ExitCode;

use clap::Args;
use invlog_app::types::{
    describe_span, format_instant, local_offset_minutes, TimelineRequest, ViewSpec,
};
use invlog_app::{Engine, Request, Response};

use super::{answer, call, print_json, Failure, ViewArgs};
use crate::table;

#[derive(Args)]
pub struct TimelineArgs {
    #[command(flatten)]
    view: ViewArgs,
    /// At most this many buckets; the width is the smallest round one that fits
    #[arg(long, default_value_t = 40)]
    buckets: u32,
    #[arg(long)]
    json: bool,
}

pub fn run(engine: &Engine, a: TimelineArgs) -> Result<ExitCode, Failure> {
    let request = Request::Timeline(TimelineRequest {
        view: a.view.on(ViewSpec::default())?,
        buckets: a.buckets,
        utc_offset_minutes: local_offset_minutes(),
    });
    let t = answer!(call(engine, request)?, Response::Timeline)?;
    if a.json {
        print_json(&t)?;
    } else {
        let rows: Vec<Vec<String>> = t
            .buckets
            .iter()
            .map(|b| {
                vec![
                    format_instant(b.start),
                    b.success.to_string(),
                    b.failed.to_string(),
                    b.pending.to_string(),
                    b.other.to_string(),
                ]
            })
            .collect();
        table::print(
            &["from", "success", "failed", "pending", "other"],
            &rows,
            40,
        );
        outln!(
            "{} entries in buckets of {}",
            t.total,
            describe_span(t.bucket_ms)
        );
    }
    Ok(ExitCode::SUCCESS)
}
