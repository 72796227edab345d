use std::process::ExitCode;

use clap::Args;
use invlog_app::types::{format_instant, FailureGroup, FailuresRequest, Filter, Op};
use invlog_app::{Engine, Request, Response};
use serde_json::{json, Value};

use super::{answer, call, named_view, print_json, Failure, ViewArgs};
use crate::table;

#[derive(Args)]
pub struct FailuresArgs {
    /// A saved or built-in view by name; the query flags below add to it
    #[arg(long, value_name = "NAME")]
    view: Option<String>,
    #[command(flatten)]
    query: ViewArgs,
    /// Points of each group's trend, over the span of the view's failures
    #[arg(long, default_value_t = 12)]
    buckets: u32,
    /// Print the groups as JSON
    #[arg(long)]
    json: bool,
}

/// A filter as `--filter` takes it, so a group's rows are one copy-paste away.
pub fn filter_expression(f: &Filter) -> String {
    let value = f.values.first().map(String::as_str).unwrap_or("");
    match f.op {
        Op::IsEmpty => format!("{} =", f.column),
        Op::IsNotEmpty => format!("{} !=", f.column),
        op => format!("{} {} {value}", f.column, op.symbol()),
    }
}

fn as_json(g: &FailureGroup) -> Value {
    json!({
        "signature": g.signature,
        "count": g.count,
        "share": g.share,
        "first_seen": format_instant(g.first_seen),
        "last_seen": format_instant(g.last_seen),
        "skus": g.skus,
        "channels": g.channels,
        "accounts": g.accounts,
        "locations": g.locations,
        "unresolved": g.unresolved,
        "trend": g.trend,
        "example": g.example,
        "example_id": g.example_id,
        "filters": g.filters.iter().map(filter_expression).collect::<Vec<_>>(),
    })
}

pub fn run(engine: &Engine, a: FailuresArgs) -> Result<ExitCode, Failure> {
    let (base, _) = named_view(engine, a.view.as_deref())?;
    let request = Request::Failures(FailuresRequest {
        view: a.query.on(base)?,
        buckets: a.buckets,
    });
    let f = answer!(call(engine, request)?, Response::Failures)?;
    if a.json {
        print_json(&f.groups.iter().map(as_json).collect::<Vec<_>>())?;
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<Vec<String>> = f
        .groups
        .iter()
        .map(|g| {
            vec![
                g.count.to_string(),
                format!("{:.1}%", g.share * 100.0),
                g.unresolved.to_string(),
                g.skus.to_string(),
                g.accounts.to_string(),
                format_instant(g.first_seen),
                format_instant(g.last_seen),
                g.signature.clone(),
            ]
        })
        .collect();
    table::print(
        &[
            "count",
            "share",
            "open",
            "skus",
            "accounts",
            "first seen",
            "last seen",
            "signature",
        ],
        &rows,
        90,
    );
    outln!(
        "{} failures in {} groups; a group's rows: invlog query --filter \"error_signature = SIGNATURE\"",
        f.total,
        f.groups.len()
    );
    Ok(ExitCode::SUCCESS)
}
